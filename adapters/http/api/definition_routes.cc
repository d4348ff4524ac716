// Definitions (administrators only):
//   GET  /api/v1/definitions                   every definition: versions registered, the one in
//                                              use
//   GET  /api/v1/definitions/{kind}/{name}     one version's YAML source and hash (?version=)
//   GET  /api/v1/definitions/{kind}/{name}/graph  a workflow or chain in use as nodes and edges
//   POST /api/v1/definitions/validate          checks an uploaded YAML file, as `rectify validate`
//   POST /api/v1/definitions                   registers the uploaded file's definitions
//
// An upload is one YAML file (text/yaml or application/yaml, up to 4 MiB, one or more documents),
// named "upload.yaml" in the diagnostics. It is checked together with the definitions the server
// loaded (the same folders and shipped library, definition::LoadDefinitions), so its names
// resolve, and the diagnostics are exactly those `rectify validate` prints (file:line:col,
// message, hint).
//
// Registering records the new versions in the registry (the definitions table, as
// Engine::RegisterDefinitions does at every start) with who and the request id (admin_events).
// It does not change what the running server uses: the server holds the DefinitionSet it started
// with (shared by the scheduler, the authenticator and every worker's engine), and swapping it
// under running timers and open requests is not safe, so a version takes effect when the server
// next starts with the file in its definitions folders. The answer says so (in_force: false).
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "adapters/http/api/api_internal.h"
#include "adapters/store/soci/soci_admin_store.h"
#include "rectify/definition/explain.h"
#include "rectify/definition/yaml_source.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr const char* kUploadName = "upload.yaml";
constexpr std::size_t kMaxUpload = std::size_t{4} * 1024 * 1024;

bool IsYaml(const http::Request& req) {
  std::string type = req.Header("content-type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "text/yaml" || type == "application/yaml";
}

http::Response NotYaml() {
  return http::Response::Error(
      415, "unsupported_media_type",
      "send the definition file itself as the body, with Content-Type: text/yaml (or "
      "application/yaml)");
}

std::string_view SeverityName(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
}

using Checked = CheckedUpload;

Checked Check(const Call& call) {
  return CheckDefinitionUpload(call.api.options, call.request.body);
}

}  // namespace

CheckedUpload CheckDefinitionUpload(const ApiOptions& o, const std::string& text) {
  Checked out;
  definition::LoadOptions options;
  options.library = o.definition_library;
  options.documents = definition::ParseYamlText(text, kUploadName, {}, out.diags);
  bool parsed = !out.diags.has_errors();
  if (parsed && options.documents.empty()) {
    out.diags.Error({kUploadName, 1, 1}, "", "the file holds no definition",
                    "upload one YAML file with `kind:`, `name:` and `version:`");
    return out;
  }
  auto set = definition::LoadDefinitions(o.definition_paths, out.diags, options);
  out.diags.Sort();
  if (!set || !parsed) return out;
  out.set = *set;
  out.defined = out.set->InFile(kUploadName);
  return out;
}

json::array DiagnosticsArray(const Diagnostics& diags) {
  json::array items;
  for (const Diagnostic& d : diags.items()) {
    items.push_back(json::object{{"severity", SeverityName(d.severity)},
                                 {"file", d.pos.file},
                                 {"line", d.pos.line},
                                 {"column", d.pos.column},
                                 {"path", d.path},
                                 {"message", d.message},
                                 {"hint", d.hint},
                                 {"text", d.Format()}});
  }
  return items;
}

namespace {

json::object DiagnosticsJson(const Checked& c) {
  json::array items = DiagnosticsArray(c.diags);
  json::array defined;
  for (const auto& info : c.defined) {
    defined.push_back(json::object{{"kind", definition::KindName(info.kind)},
                                   {"name", info.name},
                                   {"version", info.version},
                                   {"content_hash", info.hash}});
  }
  return json::object{{"valid", !c.diags.has_errors() && c.set != nullptr},
                      {"errors", c.diags.error_count()},
                      {"warnings", c.diags.warning_count()},
                      {"diagnostics", std::move(items)},
                      {"text", c.diags.Format()},
                      {"definitions", std::move(defined)}};
}

http::Response Validate(Call& call) {
  if (!IsYaml(call.request)) return NotYaml();
  return JsonResponse(200, DiagnosticsJson(Check(call)));
}

http::Response Register(Call& call) {
  if (!IsYaml(call.request)) return NotYaml();
  Checked c = Check(call);
  if (!c.set || c.diags.has_errors()) {
    json::object body = DiagnosticsJson(c);
    body["error"] =
        json::object{{"code", "invalid_definition"},
                     {"message", "the file has " + std::to_string(c.diags.error_count()) +
                                     " error(s); nothing was registered (see diagnostics)"}};
    return JsonResponse(422, body);
  }
  Store& store = *call.db.store;
  // What is registered already: a repeat of the same content is not a new version.
  bool any_new = false;
  for (const auto& info : c.defined) {
    auto stored =
        store.LoadDefinition(std::string(definition::KindName(info.kind)), info.name, info.version);
    if (stored) {
      if (stored->content_hash != info.hash) {
        return http::Response::Error(
            409, "conflict",
            info.Label() +
                " is registered already with other content; definitions are "
                "immutable, so give the changed one a new version");
      }
      continue;
    }
    if (stored.error().code() != ErrorCode::kNotFound) return ErrorResponse(stored.error());
    any_new = true;
  }
  if (any_new) {
    engine::Engine registrar(store, *call.api.options.clock, c.set);
    if (Status s = registrar.RegisterDefinitions(); !s) {
      return ErrorResponse(s.error());
    }
    store_soci::SociAdminStore admin(*call.db.side);
    for (const auto& info : c.defined) {
      store_soci::AdminEvent e{
          call.now,     call.caller.person,         "api", call.request_id, "definition.register",
          info.Label(), "content_hash " + info.hash};
      if (Status s = admin.RecordEvent(e); !s) return ErrorResponse(s.error());
    }
  }
  json::object body = DiagnosticsJson(c);
  body["registered"] = any_new;
  body["in_force"] = false;
  body["takes_effect"] =
      "at the next start of rectify serve with this file in its definitions folders (the "
      "running server keeps the definitions it started with)";
  return JsonResponse(any_new ? 201 : 200, body);
}

http::Response List(Call& call) {
  for (const auto& [key, value] : call.request.query) {
    if (key != "kind") return ErrorResponse(Error::BadInput(key + ": unknown parameter (kind)"));
  }
  std::string kind_filter;
  if (auto it = call.request.query.find("kind"); it != call.request.query.end()) {
    if (!definition::ParseKind(it->second)) {
      std::string known;
      for (const auto& k : definition::KindNames()) known += (known.empty() ? "" : ", ") + k;
      return ErrorResponse(
          Error::BadInput("kind: '" + it->second + "' is not a kind (" + known + ")"));
    }
    kind_filter = it->second;
  }
  store_soci::SociAdminStore admin(*call.db.side);
  auto registered = admin.ListDefinitions();
  if (!registered) return ErrorResponse(registered.error());
  const definition::DefinitionSet& loaded = *call.api.options.definitions;
  // (kind, name) -> version -> entry
  std::map<std::pair<std::string, std::string>, std::map<std::int64_t, json::object>> all;
  for (const DefinitionRecord& d : *registered) {
    all[{d.kind, d.name}][d.version] = json::object{{"version", d.version},
                                                    {"content_hash", d.content_hash},
                                                    {"registered_at", FormatIso(d.registered_at)},
                                                    {"loaded", false}};
  }
  for (const auto& info : loaded.All()) {
    auto& v = all[{std::string(definition::KindName(info.kind)), info.name}][info.version];
    if (v.empty()) {
      v = json::object{
          {"version", info.version}, {"content_hash", info.hash}, {"registered_at", nullptr}};
    }
    v["loaded"] = true;
  }
  json::array out;
  for (auto& [key, versions] : all) {
    if (!kind_filter.empty() && key.first != kind_filter) continue;
    json::array vs;
    for (auto& [n, v] : versions) vs.push_back(std::move(v));
    json::object o{{"kind", key.first}, {"name", key.second}, {"versions", std::move(vs)}};
    auto kind = definition::ParseKind(key.first);
    const definition::DefinitionInfo* in_use = kind ? loaded.FindInfo(*kind, key.second) : nullptr;
    if (in_use) {
      o["in_use"] = in_use->version;
    } else {
      o["in_use"] = nullptr;
    }
    out.push_back(std::move(o));
  }
  return JsonResponse(200, json::object{{"definitions", std::move(out)}});
}

http::Response Show(Call& call) {
  const std::string& kind = call.request.params.at("kind");
  const std::string& name = call.request.params.at("name");
  for (const auto& [key, value] : call.request.query) {
    if (key != "version") {
      return ErrorResponse(Error::BadInput(key + ": unknown parameter (version)"));
    }
  }
  auto parsed_kind = definition::ParseKind(kind);
  if (!parsed_kind) {
    std::string known;
    for (const auto& k : definition::KindNames()) known += (known.empty() ? "" : ", ") + k;
    return ErrorResponse(Error::BadInput("kind: '" + kind + "' is not a kind (" + known + ")"));
  }
  std::int64_t version = 0;
  if (auto it = call.request.query.find("version"); it != call.request.query.end()) {
    const std::string& v = it->second;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
    if (ec != std::errc() || end != v.data() + v.size() || version < 0) {
      return ErrorResponse(Error::BadInput("version: a whole number, 0 or more"));
    }
  }
  Store& store = *call.db.store;
  auto rec = call.request.query.count("version") ? store.LoadDefinition(kind, name, version)
                                                 : store.LatestDefinition(kind, name);
  if (!rec) {
    if (rec.error().code() == ErrorCode::kNotFound) {
      return ErrorResponse(Error::NotFound(
          "no " + kind + " '" + name + "'" +
          (call.request.query.count("version") ? " version " + std::to_string(version) : "") +
          " in the registry (GET /api/v1/definitions lists them)"));
    }
    return ErrorResponse(rec.error());
  }
  const definition::DefinitionInfo* in_use =
      call.api.options.definitions->FindInfo(*parsed_kind, name);
  return JsonResponse(200, json::object{{"kind", rec->kind},
                                        {"name", rec->name},
                                        {"version", rec->version},
                                        {"content_hash", rec->content_hash},
                                        {"registered_at", FormatIso(rec->registered_at)},
                                        {"in_use", in_use && in_use->version == rec->version},
                                        {"source", rec->source}});
}

json::object GraphJson(const definition::DefinitionGraph& g) {
  json::array nodes, edges;
  for (const auto& n : g.nodes) {
    json::object o{{"id", n.id}, {"kind", n.kind}, {"label", n.label}};
    if (!n.deadline.empty()) o["deadline"] = n.deadline;
    if (!n.escalation.empty()) o["escalation"] = n.escalation;
    if (!n.details.empty()) o["details"] = json::value_from(n.details);
    nodes.push_back(std::move(o));
  }
  for (const auto& e : g.edges) {
    json::object o{{"from", e.from}, {"to", e.to}, {"label", e.label}};
    if (!e.by.empty()) o["by"] = json::value_from(e.by);
    edges.push_back(std::move(o));
  }
  json::object o;
  if (!g.initial.empty()) o["initial"] = g.initial;
  o["nodes"] = std::move(nodes);
  o["edges"] = std::move(edges);
  return o;
}

// GET /api/v1/definitions/{kind}/{name}/graph[?version=]: a workflow or an escalation chain in
// use as a diagram's nodes and edges (definition::WorkflowGraph, EscalationGraph: the compiled
// definition `rectify explain` reads).
http::Response Graph(Call& call) {
  const std::string& kind = call.request.params.at("kind");
  const std::string& name = call.request.params.at("name");
  for (const auto& [key, value] : call.request.query) {
    if (key != "version") {
      return ErrorResponse(Error::BadInput(key + ": unknown parameter (version)"));
    }
  }
  int version = 0;
  if (auto it = call.request.query.find("version"); it != call.request.query.end()) {
    const std::string& v = it->second;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
    if (ec != std::errc() || end != v.data() + v.size() || version < 1) {
      return ErrorResponse(Error::BadInput("version: a whole number, 1 or more"));
    }
  }
  const auto& defs = *call.api.options.definitions;
  std::string which = "'" + name + "'" + (version ? " version " + std::to_string(version) : "");
  json::object o{{"kind", kind}, {"name", name}};
  if (kind == "workflow") {
    auto wf = defs.FindWorkflow(name, version);
    if (!wf) return ErrorResponse(Error::NotFound("no workflow " + which + " is in use"));
    o["version"] = wf->info().version;
    o["title"] = wf->info().title;
    for (auto& kv : GraphJson(definition::WorkflowGraph(*wf))) o[kv.key()] = kv.value();
  } else if (kind == "escalation") {
    auto chain = defs.FindEscalation(name, version);
    if (!chain) return ErrorResponse(Error::NotFound("no escalation " + which + " is in use"));
    o["version"] = chain->info().version;
    o["title"] = chain->info().title;
    for (auto& kv : GraphJson(definition::EscalationGraph(*chain))) o[kv.key()] = kv.value();
  } else {
    return ErrorResponse(Error::BadInput(
        "kind: a diagram is drawn of a workflow or an escalation, not of '" + kind + "'"));
  }
  return JsonResponse(200, o);
}

}  // namespace

std::vector<Route> DefinitionRoutes() {
  return {
      {{"GET", "/api/v1/definitions", Access::kAdmin, false}, List},
      {{"GET", "/api/v1/definitions/{kind}/{name}", Access::kAdmin, false}, Show},
      {{"GET", "/api/v1/definitions/{kind}/{name}/graph", Access::kAdmin, false}, Graph},
      {{"POST", "/api/v1/definitions/validate", Access::kAdmin, false, kMaxUpload}, Validate},
      {{"POST", "/api/v1/definitions", Access::kAdmin, true, kMaxUpload}, Register},
  };
}

}  // namespace rectify::api
