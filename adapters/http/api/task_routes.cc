// Task inventories over HTTP (rectify/engine/tasks.h), as `rectify task`:
//   GET  /api/v1/tasks                              the tasks the caller may read (?inventory=,
//                                                   ?unit=), each with its milestones and reports,
//                                                   from the node's item index (item_index.h)
//   GET  /api/v1/tasks/{id}                         one task
//   POST /api/v1/tasks/{id}/report                  {percent, text, evidence}: the progress report
//                                                   for the period its deadline is for (an
//                                                   If-Match, when sent, must be the task's ETag)
//   POST /api/v1/task-inventories/{kind}/import     the inventory's file (CSV or XLSX, as a typed
//                                                   ledger's import takes it): every row checked,
//                                                   all tasks registered in one transaction or none
//                                                   (?campaign=: the campaign they belong to)
//   GET  /api/v1/task-inventories/{kind}/export     the inventory with a column pair per period
//                                                   (format=json, csv or xlsx)
//
// Who may do what is the engine's: reading by engine::MayRead (a task the caller may not read is
// answered as one that does not exist), reporting by the task workflow's `report`, importing by
// the registrar or inspector role over each row's unit. Writes are audited with channel api.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/item_index.h"
#include "adapters/http/api/item_json.h"
#include "adapters/http/api/json_input.h"
#include "adapters/http/api/table_output.h"
#include "rectify/engine/access.h"
#include "rectify/engine/tasks.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxInventory = 16u << 20;

std::optional<engine::Reader> ReaderOf(const Caller& c) {
  if (c.admin) return std::nullopt;  // an administrator reads every task
  return engine::Reader{c.person, c.org, false};
}

// The title of `instance`'s state in its workflow, as an item's answer has it (state_title).
std::string StateTitle(const Call& call, const engine::Instance& instance) {
  auto bound = call.db.engine->interpreter().Bind(instance);
  if (!bound || !bound->workflow) return {};
  auto state = bound->workflow->FindState(instance.record.state);
  return state ? bound->workflow->state(*state).title : std::string();
}

// The engine's task JSON (the CLI prints the same) with the API's links, and the names a page
// shows beside the ids as an item's answer has them (item_json.cc): the unit's, the responsible
// person's, each reporter's, and the states' titles.
json::object TaskJson(Call& call, const engine::TaskView& v) {
  json::object o = engine::TaskViewJson(*call.db.engine, v);
  o["href"] = "/api/v1/tasks/" + v.task.record.id;
  o["state_title"] = StateTitle(call, v.task);
  auto bound = call.db.engine->interpreter().Bind(v.task);
  const definition::Org* org = bound && bound->org ? bound->org.get() : nullptr;
  if (org) {
    auto unit = org->FindUnit(v.task.record.unit_id);
    o["unit_name"] = unit ? org->unit(*unit).name : std::string();
    o["responsible_name"] = PersonName(*org, v.task.responsible);
  }
  if (auto* ms = o["milestones"].if_array()) {
    for (std::size_t i = 0; i < ms->size(); ++i) {
      json::object& mo = (*ms)[i].as_object();
      mo["href"] = "/api/v1/items/" + std::string(mo["id"].as_string());
      if (i < v.milestones.size()) mo["state_title"] = StateTitle(call, v.milestones[i].instance);
    }
  }
  if (auto* rs = o["reports"].if_array(); rs && org) {
    for (auto& r : *rs) {
      json::object& ro = r.as_object();
      ro["by_name"] = PersonName(*org, std::string(ro["by"].as_string()));
    }
  }
  return o;
}

// The inventory the path names, if the caller's org keeps it; another is as one not loaded.
Result<std::shared_ptr<const definition::LedgerKind>> VisibleInventory(const Call& call) {
  const std::string& name = call.request.params.at("kind");
  auto kind = call.api.options.definitions->FindLedgerKind(name);
  if (!kind || !kind->tasks() || (!call.caller.admin && kind->org().name != call.caller.org)) {
    return Error::NotFound("no task inventory '" + name + "' is loaded");
  }
  return kind;
}

Status OnlyParameters(const Call& call, const std::vector<std::string>& known,
                      const std::string& what) {
  for (const auto& [key, value] : call.request.query) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return Error::BadInput(key + ": unknown parameter (" + what + " takes " +
                             (list.empty() ? std::string("none") : list) + ")");
    }
  }
  return OkStatus();
}

std::string Param(const Call& call, const char* name) {
  auto it = call.request.query.find(name);
  return it == call.request.query.end() ? std::string() : it->second;
}

http::Response List(Call& call) {
  if (Status s = OnlyParameters(call, {"inventory", "unit"}, "the task list"); !s) {
    return ErrorResponse(s.error());
  }
  engine::TaskFilter f{Param(call, "inventory"), Param(call, "unit"), ReaderOf(call.caller)};
  if (!f.inventory.empty()) {
    auto kind = call.api.options.definitions->FindLedgerKind(f.inventory);
    if (!kind || !kind->tasks() || (!call.caller.admin && kind->org().name != call.caller.org)) {
      return ErrorResponse(
          Error::BadInput("inventory: no task inventory '" + f.inventory + "' is loaded"));
    }
  }
  // From the node's item index (item_index.h), fresh as of this request: each task's row keeps
  // its instance and reports, each milestone's its instance; no store read per task.
  const definition::DefinitionSet& defs = *call.api.options.definitions;
  struct Found {
    engine::Instance task;
    std::vector<engine::TaskReport> reports;
  };
  std::vector<Found> found;
  ItemIndex::Sources all;
  all.all = true;
  call.api.items->Visit(all, "", [&](const ItemRow& row) {
    if (!row.task_instance || !row.task_reports) return true;  // not a task
    const engine::Instance& t = *row.task_instance;
    if (!f.inventory.empty() && t.Field("inventory") != f.inventory) return true;
    const definition::Org& org = *row.bound.org;
    if (!f.unit.empty()) {
      auto want = org.FindUnit(f.unit);
      auto have = org.FindUnit(row.unit);
      if (!want || !have || !org.Within(*have, *want)) return true;
    }
    if (f.reader && !engine::MayRead(org, row.org, row.unit, row.people, *f.reader)) return true;
    found.push_back({t, *row.task_reports});
    return true;
  });
  json::array out;
  for (auto& one : found) {
    std::vector<engine::Instance> milestones;
    for (const auto& id : engine::MilestoneIds(defs, one.task)) {
      auto m = call.api.items->Find(id);
      if (m && m->task_instance) milestones.push_back(*m->task_instance);
    }
    auto v = engine::BuildTaskView(call.db.engine->interpreter(), defs, std::move(one.task),
                                   std::move(milestones), std::move(one.reports), call.now);
    if (!v) return ErrorResponse(v.error());
    out.push_back(TaskJson(call, *v));
  }
  return JsonResponse(200, json::object{{"tasks", std::move(out)}});
}

http::Response Show(Call& call) {
  auto v = engine::ShowTask(*call.db.engine, *call.api.options.definitions,
                            call.request.params.at("id"), ReaderOf(call.caller));
  if (!v) return ErrorResponse(v.error());
  auto response = JsonResponse(200, TaskJson(call, *v));
  response.headers.emplace_back("ETag", ETag(v->task.record.version));
  return response;
}

http::Response Report(Call& call) {
  const std::string& id = call.request.params.at("id");
  auto shown =
      engine::ShowTask(*call.db.engine, *call.api.options.definitions, id, ReaderOf(call.caller));
  if (!shown) return ErrorResponse(shown.error());
  auto body = ParseObject(call.request.body, {{"percent", JsonType::kNumber, true},
                                              {"text", JsonType::kString, true},
                                              {"evidence", JsonType::kStringArray, false}});
  if (!body) return ErrorResponse(body.error());
  if (call.caller.person.empty()) {
    return ErrorResponse(
        Error::PermissionDenied("progress is reported by the task's person responsible or the "
                                "unit's head; sign in as one"));
  }
  // If-Match is optional here (a report is for the running period, which the engine checks),
  // but when sent it must name the task as it is now.
  std::int64_t expected = 0;
  if (std::string if_match = call.request.Header("if-match"); !if_match.empty()) {
    auto version = ParseIfMatch(if_match);
    if (!version) {
      return http::Response::Error(400, "bad_request",
                                   "If-Match: write the task's ETag as given, e.g. \"3\"");
    }
    if (*version != shown->task.record.version) {
      auto response = http::Response::Error(412, "precondition_failed",
                                            "task " + id + " has changed since version " +
                                                std::to_string(*version) + " (it is at version " +
                                                std::to_string(shown->task.record.version) +
                                                "); reload it and report again");
      response.headers.emplace_back("ETag", ETag(shown->task.record.version));
      return response;
    }
    expected = *version;
  }
  engine::ProgressReport r;
  r.expected_version = expected;
  r.task = id;
  r.actor = call.caller.person;
  r.percent = json::serialize(body->at("percent"));
  r.text = StringOr(*body, "text");
  if (const auto* e = body->if_contains("evidence")) {
    for (const auto& s : e->as_array()) r.evidence.emplace_back(s.as_string());
  }
  r.channel = "api";
  r.request_id = call.request_id;
  auto done = engine::ReportProgress(*call.db.engine, *call.api.options.definitions, r);
  if (!done) return ErrorResponse(done.error());
  auto v = engine::ShowTask(*call.db.engine, *call.api.options.definitions, id, std::nullopt);
  if (!v) return ErrorResponse(v.error());
  auto response = JsonResponse(200, TaskJson(call, *v));
  response.headers.emplace_back("ETag", ETag(v->task.record.version));
  return response;
}

http::Response Import(Call& call) {
  if (Status s = OnlyParameters(call, {"encoding", "sheet", "dry_run", "campaign"},
                                "a task inventory's import");
      !s) {
    return ErrorResponse(s.error());
  }
  auto kind = VisibleInventory(call);
  if (!kind) return ErrorResponse(kind.error());
  auto upload = ReadUpload(call.request);
  if (!upload) return ErrorResponse(upload.error());
  std::string dry = Param(call, "dry_run");
  if (!dry.empty() && dry != "true" && dry != "false") {
    return ErrorResponse(Error::BadInput("dry_run: write true or false (not '" + dry + "')"));
  }
  if (call.caller.person.empty()) {
    return ErrorResponse(Error::PermissionDenied(
        "a task inventory is imported by a registrar or inspector of its org; sign in as one"));
  }
  engine::TaskImportOptions o;
  o.file = {upload->file, Param(call, "encoding"), Param(call, "sheet")};
  o.actor = call.caller.person;
  o.dry_run = dry == "true";
  o.campaign = Param(call, "campaign");
  o.channel = "api";
  o.request_id = call.request_id;
  Diagnostics diags;
  auto done = engine::ImportTasks(*call.db.engine, *call.api.options.definitions, **kind,
                                  upload->text, o, diags);
  diags.Sort();
  if (!done && !diags.has_errors()) return ErrorResponse(done.error());
  json::array list;
  for (Diagnostic d : diags.items()) {
    list.push_back(json::object{{"row", d.pos.line},
                                {"column", d.pos.column},
                                {"column_name", d.path},
                                {"severity", d.severity == Severity::kError ? "error" : "warning"},
                                {"message", d.message},
                                {"hint", d.hint},
                                {"text", d.Format()}});
  }
  bool ok = done.ok();
  std::int64_t rows = ok ? static_cast<std::int64_t>(done->rows) : 0;
  json::object report{{"inventory", (*kind)->info().name},
                      {"file", upload->file},
                      {"ok", ok},
                      {"valid_rows", rows},
                      {"errors", static_cast<std::int64_t>(diags.error_count())},
                      {"warnings", static_cast<std::int64_t>(diags.warning_count())},
                      {"imported", ok && !o.dry_run ? rows : 0},
                      {"first_period", ok ? done->first_period : std::string()},
                      {"diagnostics", std::move(list)}};
  return JsonResponse(!ok ? (o.dry_run ? 200 : 422) : o.dry_run ? 200 : 201, report);
}

http::Response Export(Call& call) {
  if (Status s = OnlyParameters(call, {"format", "unit"}, "a task inventory's export"); !s) {
    return ErrorResponse(s.error());
  }
  auto kind = VisibleInventory(call);
  if (!kind) return ErrorResponse(kind.error());
  auto format = RequestedFormat(call.request);
  if (!format) return ErrorResponse(format.error());
  auto tasks =
      engine::ListTasks(*call.db.engine, *call.api.options.definitions,
                        {(*kind)->info().name, Param(call, "unit"), ReaderOf(call.caller)});
  if (!tasks) return ErrorResponse(tasks.error());
  engine::ReportTable table = engine::TaskExportTable(**kind, *tasks);
  json::array rows, columns;
  for (const auto& row : table.rows) {
    json::array cells;
    for (const auto& cell : row) cells.emplace_back(cell);
    rows.push_back(std::move(cells));
  }
  for (const auto& h : table.header) columns.emplace_back(h);
  json::object o{{"inventory", (*kind)->info().name},
                 {"columns", std::move(columns)},
                 {"rows", std::move(rows)}};
  return TableResponse(*format, o, table, (*kind)->info().name);
}

}  // namespace

std::vector<Route> TaskRoutes() {
  std::vector<Route> routes = {
      {{"GET", "/api/v1/tasks", Access::kSignedIn, false}, List},
      {{"GET", "/api/v1/tasks/{id}", Access::kSignedIn, false}, Show},
      {{"POST", "/api/v1/tasks/{id}/report", Access::kSignedIn, true},
       [](Call& call) { return WithIdempotencyKey(call, Report); }},
      {{"POST", "/api/v1/task-inventories/{kind}/import", Access::kSignedIn, true, kMaxInventory},
       Import},
      {{"GET", "/api/v1/task-inventories/{kind}/export", Access::kSignedIn, false}, Export},
  };
  routes[0].info.heavy = true;
  routes[3].info.heavy = true;
  routes[4].info.heavy = true;
  return routes;
}

}  // namespace rectify::api
