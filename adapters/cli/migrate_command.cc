// rectify migrate: placeholder until the store adapter lands.
#include "adapters/cli/cli.h"

namespace rectify::cli {

void RegisterMigrate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending database migrations");
  cmd->callback([&ctx] { ctx.Fail(Error::Internal("migrate is not built yet")); });
}

}  // namespace rectify::cli
