#include "adapters/cli/engine_access.h"

#include "adapters/store/soci/soci_store.h"

namespace rectify::cli {

void AddEngineOptions(CLI::App* cmd, DefinitionSources& definitions, std::string& at) {
  AddDefinitionOptions(cmd, definitions);
  cmd->add_option("--at", at,
                  "Act as if it were this instant (ISO 8601 with an offset, e.g. "
                  "2017-04-21T10:00:00+08:00); default: now");
}

Status EngineSession::RequireCampaign(const Context& ctx, const std::string& name) const {
  if (name.empty() || definitions->FindCampaign(name)) return OkStatus();
  return NotLoaded(ctx, sources, "campaign '" + name + "'");
}

Status EngineSession::RequireWorkflow(const Context& ctx, const std::string& name) const {
  if (name.empty()) return OkStatus();
  auto nv = definition::ParseNameVersion(name);
  if (nv && definitions->FindWorkflow(nv->name, nv->version)) return OkStatus();
  return NotLoaded(ctx, sources, "workflow '" + name + "'");
}

Status EngineSession::RequirePerson(const Context& ctx, const std::string& id) const {
  if (id.empty()) return OkStatus();
  for (const auto& info : definitions->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    if (definitions->FindOrg(info.name, info.version)->FindPerson(id)) return OkStatus();
  }
  return NotLoaded(ctx, sources, "person '" + id + "'");
}

Status EngineSession::RequireUnit(const Context& ctx, const std::string& id) const {
  if (id.empty()) return OkStatus();
  for (const auto& info : definitions->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    if (definitions->FindOrg(info.name, info.version)->FindUnit(id)) return OkStatus();
  }
  return NotLoaded(ctx, sources, "unit '" + id + "'");
}

void UseShippedBulletinTemplates(Context& ctx, Store& store) {
  Status st = store_soci::SetBulletinTemplates(store, ctx.Home() + "/workflows/templates");
  if (!st) {
    ctx.err << "rectify: warning: the bulletins campaigns issue will be kept without their "
               "documents: "
            << st.error().message() << "\n";
  }
}

Result<std::unique_ptr<EngineSession>> OpenEngine(Context& ctx, const DefinitionSources& sources,
                                                  const std::string& at, Access access) {
  auto session = std::make_unique<EngineSession>();
  session->sources = sources;
  if (at.empty()) {
    session->clock = std::make_unique<SystemClock>();
  } else {
    auto t = ParseIso(at);
    if (!t) return Error::BadInput("--at: " + t.error().message());
    auto vc = std::make_unique<VirtualClock>(*t);
    session->virtual_clock = vc.get();
    session->clock = std::move(vc);
  }
  auto set = LoadDefinitionSources(ctx, sources);
  if (!set) return set.error();
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
  if (access == Access::kReadWrite) {
    if (Status s = session->engine->RegisterDefinitions(); !s) return s.error();
  }
  return session;
}

}  // namespace rectify::cli
