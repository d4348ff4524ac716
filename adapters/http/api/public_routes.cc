// The public reporter's routes (issue 13, point 2): not written yet; see the branch report.
#include "adapters/http/api/api_internal.h"

namespace rectify::api {

std::vector<Route> PublicRoutes() { return {}; }

}  // namespace rectify::api
