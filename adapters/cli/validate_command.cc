// rectify validate: placeholder until its issue lands.
#include "adapters/cli/cli.h"

namespace rectify::cli {

void RegisterValidate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("validate", "(not built yet)");
  cmd->callback([&ctx] { ctx.Fail(Error::Internal("validate is not built yet")); });
}

}  // namespace rectify::cli
