// rectify status: placeholder until the store adapter lands.
#include "adapters/cli/cli.h"

namespace rectify::cli {

void RegisterStatus(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("status", "Show the database, its schema version and its counts");
  cmd->callback([&ctx] { ctx.Fail(Error::Internal("status is not built yet")); });
}

}  // namespace rectify::cli
