// rectify calendar: placeholder until its issue lands.
#include "adapters/cli/cli.h"

namespace rectify::cli {

void RegisterCalendar(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("calendar", "(not built yet)");
  cmd->callback([&ctx] { ctx.Fail(Error::Internal("calendar is not built yet")); });
}

}  // namespace rectify::cli
