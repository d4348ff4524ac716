#include "adapters/cli/engine_access.h"

#include "adapters/store/soci/soci_store.h"

namespace rectify::cli {

void AddEngineOptions(CLI::App* cmd, std::string& definitions, std::string& at) {
  cmd->add_option("--definitions", definitions,
                  "Folder of definitions to run on (default: <RECTIFY_HOME>/workflows)");
  cmd->add_option("--at", at,
                  "Act as if it were this instant (ISO 8601 with an offset, e.g. "
                  "2017-04-21T10:00:00+08:00); default: now");
}

Result<std::unique_ptr<EngineSession>> OpenEngine(Context& ctx, const std::string& definitions,
                                                  const std::string& at) {
  auto session = std::make_unique<EngineSession>();
  if (at.empty()) {
    session->clock = std::make_unique<SystemClock>();
  } else {
    auto t = ParseIso(at);
    if (!t) return Error::BadInput("--at: " + t.error().message());
    auto vc = std::make_unique<VirtualClock>(*t);
    session->virtual_clock = vc.get();
    session->clock = std::move(vc);
  }
  std::string folder = definitions.empty() ? ctx.Home() + "/workflows" : definitions;
  Diagnostics diags;
  auto set = definition::LoadDefinitions({folder}, diags);
  if (!set) {
    diags.Sort();
    ctx.err << diags.Format();
    return Error::BadInput("the definitions in " + folder + " have " +
                           std::to_string(diags.error_count()) +
                           " errors; fix them (rectify validate " + folder + ")");
  }
  session->definitions = *set;
  auto url = store_soci::ParseDatabaseUrl(ctx.DatabaseUrl());
  if (!url) return url.error();
  store_soci::OpenOptions options;
  options.create = false;
  auto store = store_soci::OpenStore(*url, options);
  if (!store) return store.error();
  session->store = std::move(*store);
  session->engine =
      std::make_unique<engine::Engine>(*session->store, *session->clock, session->definitions);
  if (Status s = session->engine->RegisterDefinitions(); !s) return s.error();
  return session;
}

}  // namespace rectify::cli
