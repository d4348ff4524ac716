// rectify explain: placeholder until its issue lands.
#include "adapters/cli/cli.h"

namespace rectify::cli {

void RegisterExplain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("explain", "(not built yet)");
  cmd->callback([&ctx] { ctx.Fail(Error::Internal("explain is not built yet")); });
}

}  // namespace rectify::cli
