// Items:
//   GET  /api/v1/items                         the items the caller may read, filtered, paged
//   GET  /api/v1/items/{id}                    one item: fields, deadline, schedule, history
//   GET  /api/v1/items/{id}/events             the events the caller may send now
//   POST /api/v1/items/{id}/events/{event}     sends one (If-Match required; Idempotency-Key)
//
// An item the caller may not read (engine::MayRead) is answered exactly as one that does not
// exist: 404 on its own, absent from lists.
//
// Listing walks the node's item index (item_index.h: every item's list row in memory, brought up
// to date with what was committed before the request came) in id order over the caller's units
// and the items naming them, keeping those the caller may read (engine::MayRead) that match the
// filters; one request looks at no more than kScanLimit items, so a sparse filter answers with
// fewer items and a next_cursor to go on from, rather than taking unbounded time. The cursor is
// opaque and bound to its query: a cursor from another query is refused.
#include <boost/json.hpp>
#include <charconv>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/evidence_store.h"
#include "adapters/http/api/item_index.h"
#include "adapters/http/api/item_json.h"
#include "adapters/http/api/json_input.h"
#include "adapters/http/api/response_cache.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/auth/secrets.h"
#include "rectify/calendar/calendar.h"
#include "rectify/engine/access.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/item_view.h"
#include "rectify/engine/measures.h"
#include "rectify/json_writer.h"
#include "rectify/sha256.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultLimit = 50;
constexpr std::int64_t kMaxLimit = 200;
constexpr std::int64_t kScanLimit = 20000;

engine::Reader ReaderOf(const Caller& c) { return {c.person, c.org, c.admin}; }

std::optional<Readable> IfReadable(Call& call, const InstanceRecord& record) {
  auto inst = engine::Instance::FromRecord(record);
  if (!inst) return std::nullopt;
  auto bound = call.db.engine->interpreter().Bind(*inst);
  if (!bound) return std::nullopt;  // its definitions are not loaded: nobody reads it here
  if (!engine::MayRead(*bound->org, *bound->workflow, *inst, ReaderOf(call.caller))) {
    return std::nullopt;
  }
  return Readable{std::move(*inst), std::move(*bound)};
}

// The row's deadline as of `now`, without the working-day counts when it runs (Summary adds them
// for the rows shown; a filter needs only the due day and whether it is overdue).
engine::DeadlineView DeadlineOf(const ItemRow& row, Timestamp now) {
  if (row.running_deadline && row.bound.calendar) {
    return engine::ViewKnownDeadline(*row.bound.calendar, *row.running_deadline,
                                     ClockPhase::kRunning, now);
  }
  return engine::ViewDeadline(row.bound.calendar, row.clock ? &*row.clock : nullptr, now);
}

// The query of a list request, as parsed and checked.
struct ListQuery {
  std::optional<std::string> campaign, unit, state, responsible, text, found_by, workflow;
  std::optional<bool> overdue;
  std::optional<int> escalation_level, min_escalation_level;
  std::optional<Date> due_before, due_after;
  std::int64_t limit = kDefaultLimit;
  std::string after;  // from the cursor

  // What identifies the query for its cursors (the filters; not the cursor, not the limit).
  std::string Fingerprint() const {
    auto s = [](const std::optional<std::string>& v) { return v ? "=" + *v : std::string("-"); };
    auto d = [](const std::optional<Date>& v) { return v ? FormatDate(*v) : std::string("-"); };
    auto i = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("-"); };
    return s(campaign) + "|" + s(unit) + "|" + s(state) + "|" + s(responsible) + "|" + s(text) +
           "|" + (overdue ? (*overdue ? "1" : "0") : "-") + "|" + i(escalation_level) + "|" +
           i(min_escalation_level) + "|" + d(due_before) + "|" + d(due_after) +
           (found_by ? "|found_by=" + *found_by : std::string()) +
           (workflow ? "|workflow=" + *workflow : std::string());
  }
};

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-'             ? 62
            : c == '_'             ? 63
                                   : -1;
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string MakeCursor(const ListQuery& q, const std::string& after) {
  std::string fp = auth::HashSecret(q.Fingerprint()).substr(0, 16);
  return Base64Url(json::serialize(json::object{{"a", after}, {"q", fp}}));
}

Status ReadCursor(const std::string& cursor, ListQuery& q) {
  auto bad = Error::BadInput(
      "cursor: not a cursor this API gave for this query (use next_cursor from the previous page "
      "of the same query, with the same filters)");
  auto raw = FromBase64Url(cursor);
  if (!raw) return bad;
  boost::system::error_code ec;
  json::value v = json::parse(*raw, ec);
  if (ec || !v.is_object()) return bad;
  const auto* a = v.as_object().if_contains("a");
  const auto* fp = v.as_object().if_contains("q");
  if (!a || !fp || !a->is_string() || !fp->is_string()) return bad;
  if (fp->as_string() != auth::HashSecret(q.Fingerprint()).substr(0, 16)) return bad;
  q.after = std::string(a->as_string());
  return OkStatus();
}

Result<ListQuery> ParseListQuery(const http::Request& req) {
  static const std::vector<std::string> kKnown = {"campaign",
                                                  "unit",
                                                  "state",
                                                  "overdue",
                                                  "escalation_level",
                                                  "min_escalation_level",
                                                  "due_before",
                                                  "due_after",
                                                  "responsible",
                                                  "q",
                                                  "found_by",
                                                  "workflow",
                                                  "limit",
                                                  "cursor"};
  ListQuery q;
  for (const auto& [key, value] : req.query) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      std::string known;
      for (const auto& k : kKnown) known += (known.empty() ? "" : ", ") + k;
      return Error::BadInput(key + ": unknown parameter (items take " + known + ")");
    }
  }
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  q.campaign = text("campaign");
  q.unit = text("unit");
  q.state = text("state");
  q.responsible = text("responsible");
  q.text = text("q");
  q.found_by = text("found_by");
  q.workflow = text("workflow");
  if (q.found_by) {
    auto how = engine::ParseFoundBy(*q.found_by);
    if (!how) return Error::BadInput("found_by: one of " + engine::FoundByNames());
    q.found_by = std::string(engine::FoundByName(*how));
  }
  if (auto v = text("overdue")) {
    if (*v != "true" && *v != "false") return Error::BadInput("overdue: write true or false");
    q.overdue = *v == "true";
  }
  auto integer = [&](const char* name, int lo, int hi) -> Result<std::optional<int>> {
    auto v = text(name);
    if (!v) return std::optional<int>();
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < lo || n > hi) {
      return Error::BadInput(std::string(name) + ": a whole number from " + std::to_string(lo) +
                             " to " + std::to_string(hi));
    }
    return std::optional<int>(n);
  };
  auto level = integer("escalation_level", 0, 100);
  if (!level) return level.error();
  q.escalation_level = *level;
  auto min_level = integer("min_escalation_level", 0, 100);
  if (!min_level) return min_level.error();
  q.min_escalation_level = *min_level;
  auto limit = integer("limit", 1, static_cast<int>(kMaxLimit));
  if (!limit) return limit.error();
  if (*limit) q.limit = **limit;
  for (auto [name, slot] : {std::pair{"due_before", &q.due_before}, {"due_after", &q.due_after}}) {
    if (auto v = text(name)) {
      auto d = ParseDate(*v);
      if (!d) return Error::BadInput(std::string(name) + ": " + d.error().message());
      *slot = *d;
    }
  }
  if (auto c = text("cursor")) {
    if (Status s = ReadCursor(*c, q); !s) return s.error();
  }
  return q;
}

// Whether `row` passes the filters the index does not narrow on. `d` is its DeadlineOf.
bool Matches(const ListQuery& q, const ItemRow& row, const engine::DeadlineView& d) {
  const auto& org = *row.bound.org;
  if (q.campaign && row.campaign != *q.campaign) return false;
  if (q.state && row.state != *q.state) return false;
  if (q.unit) {
    auto want = org.FindUnit(*q.unit);
    auto have = org.FindUnit(row.unit);
    if (!want || !have || !org.Within(*have, *want)) return false;
  }
  if (q.responsible && row.responsible != *q.responsible) return false;
  if (q.found_by && row.found_by != *q.found_by) return false;
  if (q.workflow && row.workflow != *q.workflow) return false;
  if (q.overdue && (d.has && d.overdue) != *q.overdue) return false;
  if (q.escalation_level && row.escalation_level != *q.escalation_level) return false;
  if (q.min_escalation_level && row.escalation_level < *q.min_escalation_level) return false;
  if (q.due_before || q.due_after) {
    if (!d.has) return false;
    if (q.due_before && !(d.due < *q.due_before)) return false;
    if (q.due_after && !(d.due > *q.due_after)) return false;
  }
  if (q.text && row.title.find(*q.text) == std::string::npos &&
      row.id.find(*q.text) == std::string::npos) {
    return false;
  }
  return true;
}

// Where the caller's candidates come from in the index: everything for an administrator (the
// unit asked for, when one is); else the units of their scope (within the unit asked for) and the
// items that name them. A superset of the answer, never less: MayRead and Matches decide.
ItemIndex::Sources SourcesOf(const Call& call, const ListQuery& q) {
  ItemIndex::Sources sources;
  auto org = CallerOrg(call);
  std::optional<std::set<std::string>> wanted;  // the subtree of q.unit
  if (q.unit) {
    wanted.emplace();
    if (auto unit = org ? org->FindUnit(*q.unit) : std::nullopt) {
      std::vector<definition::UnitIndex> stack{*unit};
      while (!stack.empty()) {
        auto u = stack.back();
        stack.pop_back();
        wanted->insert(org->unit(u).id);
        for (auto child : org->unit(u).children) stack.push_back(child);
      }
    }
  }
  if (call.caller.admin) {
    if (!wanted) {
      sources.all = true;
    } else {
      sources.units.assign(wanted->begin(), wanted->end());
    }
    return sources;
  }
  if (!org) return sources;
  auto person = org->FindPerson(call.caller.person);
  if (!person) return sources;
  for (auto& unit : engine::UnitsInScope(*org, *person)) {
    if (!wanted || wanted->count(unit)) sources.units.push_back(std::move(unit));
  }
  sources.person = call.caller.person;
  return sources;
}

// What decides a list's answer besides the index and the clock: the caller as the access rules
// take them (SourcesOf and MayRead read nothing else of the caller) and the query as parsed.
std::string ListKey(const Caller& caller, const ListQuery& q) {
  std::string key = "items\x1f";
  key += caller.person;
  key += '\x1f';
  key += caller.org;
  key += caller.admin ? "\x1f"
                        "admin\x1f"
                      : "\x1f-\x1f";
  key += q.Fingerprint();
  key += '\x1f';
  key += q.after;
  key += '\x1f';
  key += std::to_string(q.limit);
  return key;
}

// The instants at which what a visited row contributes to a list may change with the clock alone:
// its deadline (it turns overdue, so an overdue filter and the row's fields flip) and the next
// local midnight (the working days left or overdue are counted from today, a paused clock's
// deadline moves on by a day, and the due day a due_before/due_after filter compares follows it).
class DeadlineHorizon {
 public:
  DeadlineHorizon(ResponseCache::Validity& valid, Timestamp now) : valid_(valid), now_(now) {}

  void Add(const ItemRow& row, const engine::DeadlineView& d) {
    if (!d.has || !row.bound.calendar) return;
    valid_.Earlier(d.ends_at);
    const Calendar* cal = row.bound.calendar;
    if (cal != calendar_) {  // most rows share one calendar: its midnight is worked out once
      calendar_ = cal;
      valid_.Earlier(cal->StartOfDay(cal->DateOf(now_) + std::chrono::days(1)));
    }
  }

 private:
  ResponseCache::Validity& valid_;
  const Timestamp now_;
  const Calendar* calendar_ = nullptr;
};

// The list's kept answer, when valid: sent from memory (Route::kept).
std::optional<http::Response> KeptList(const MemoryCall& call) {
  auto q = ParseListQuery(call.request);
  if (!q) return std::nullopt;
  return KeptAnswer(call, ListKey(call.caller, *q));
}

http::Response ListItems(Call& call) {
  auto q = ParseListQuery(call.request);
  if (!q) return ErrorResponse(q.error());
  // The index is up to date with what was committed before this request came (node_changes.h);
  // an answer kept since is served while the index and the clock have not moved it
  // (response_cache.h). The generation is read before the walk, so a change applied during the
  // walk makes the kept answer older than the index, never newer.
  ResponseCache& answers = *call.api.answers;
  const std::string key = ListKey(call.caller, *q);
  ResponseCache::Validity valid{call.api.items->generation(), call.now, std::nullopt};
  if (auto kept = answers.Find(key, valid.generation, call.now)) {
    return Answered(call.request, kept);
  }
  DeadlineHorizon horizon(valid, call.now);
  const engine::Reader reader = ReaderOf(call.caller);
  // The answer is written as text: most of each row's JSON is kept in the row (item_json.h).
  std::string body = "{\"items\":[";
  body.reserve(std::size_t{16} * 1024);
  std::int64_t count = 0;
  std::string last;
  std::int64_t scanned = 0;
  bool exhausted = true;
  call.api.items->Visit(SourcesOf(call, *q), q->after, [&](const ItemRow& row) {
    if (count >= q->limit || scanned >= kScanLimit) {
      exhausted = false;  // there is more after `last`
      return false;
    }
    ++scanned;
    last = row.id;
    if (!engine::MayRead(*row.bound.org, row.org, row.unit, row.people, reader)) return true;
    engine::DeadlineView d = DeadlineOf(row, call.now);
    horizon.Add(row, d);
    if (Matches(*q, row, d)) {
      if (count++ > 0) body += ',';
      AppendItemJson(body, row, d, call.now);
    }
    return true;
  });
  body += "],\"next_cursor\":";
  if (exhausted || last.empty()) {
    body += "null";
  } else {
    JsonWriter::AppendQuoted(body, MakeCursor(*q, last));
  }
  body += '}';
  return Answered(call.request,
                  answers.Put(key, valid, http::Response::Json(200, std::move(body))));
}

}  // namespace

Result<Readable> FindReadable(Call& call, const std::string& id) {
  auto not_found = Error::NotFound("no item '" + id + "'");
  auto record = call.db.store->LoadInstance(id);
  if (!record) {
    if (record.error().code() == ErrorCode::kNotFound) return not_found;
    return record.error();
  }
  auto readable = IfReadable(call, *record);
  if (!readable) return not_found;
  return std::move(*readable);
}

json::array AvailableEvents(Call& call, const Readable& r) {
  json::array out;
  const auto& wf = *r.bound.workflow;
  auto state = wf.FindState(r.inst.record.state);
  if (!state || call.caller.anonymous) return out;
  for (auto ti : wf.state(*state).transitions) {
    const auto& t = wf.transition(ti);
    if (!engine::CheckActor(*r.bound.org, wf, r.inst, t, call.caller.person)) continue;
    if (t.at_most > 0) {
      auto it = r.inst.taken.find(t.event);
      if (it != r.inst.taken.end() && it->second >= t.at_most) continue;
    }
    json::array requires_;
    for (const auto& req : t.requires_) {
      json::object q{{"text", req.text}};
      switch (req.kind) {
        case definition::Requirement::Kind::kEvidence:
          q["kind"] = "evidence";
          q["count"] = req.count;
          break;
        case definition::Requirement::Kind::kReason:
          q["kind"] = "reason";
          break;
        case definition::Requirement::Kind::kField:
          q["kind"] = "field";
          q["field"] = wf.fields()[static_cast<std::size_t>(req.field)].name;
          break;
        case definition::Requirement::Kind::kSignatures:
          q["kind"] = "signatures";
          q["field"] = wf.fields()[static_cast<std::size_t>(req.field)].name;
          break;
      }
      requires_.push_back(std::move(q));
    }
    out.push_back(json::object{{"event", t.event},
                               {"title", t.title},
                               {"to", wf.state(t.to).id},
                               {"requires", std::move(requires_)}});
  }
  return out;
}

namespace {

// The item's notifications: to whom, by which route, and whether they reached the person (their
// receipt, rectify/notify/receipt.h). A recipient outside the org (a public reporter, named by
// their address) is shown to administrators only, as in GET /api/v1/deliveries.
template <typename Local>
json::array NotificationsJson(Call& call, const Readable& r, const Local& local) {
  json::array out;
  store_soci::SociOutboxStore outbox(*call.db.side);
  notify::OutboxQuery q;
  q.instance_id = r.inst.record.id;
  auto rows = outbox.List(q);
  if (!rows) return out;
  std::vector<std::int64_t> ids;
  for (const auto& row : *rows) ids.push_back(row.id);
  auto receipts = outbox.ReceiptsOf(ids);
  if (!receipts) return out;
  const auto& org = *r.bound.org;
  for (const auto& row : *rows) {
    const notify::DeliveryReceipt& rc = (*receipts)[row.id];
    bool known = org.FindPerson(row.recipient) || org.FindUnit(row.recipient);
    out.push_back(json::object{
        {"id", row.id},
        {"at", local(row.created_at)},
        {"template", row.template_name},
        {"recipient",
         known || call.caller.admin ? json::value(row.recipient) : json::value(nullptr)},
        {"route", row.channel},
        {"state", OutboxStateName(row.state)},
        {"receipt",
         json::object{{"state", notify::ReceiptStateName(rc.state)},
                      {"code", rc.code},
                      {"detail", rc.detail},
                      {"at", rc.at ? json::value(FormatIso(*rc.at)) : json::value(nullptr)}}}});
  }
  return out;
}

json::object Detail(Call& call, const Readable& r) {
  ItemRow row = RowOf(r.inst, r.bound);
  std::string head;
  AppendItemJson(head, row, DeadlineOf(row, call.now), call.now);
  json::object o = json::parse(head).as_object();
  const auto& inst = r.inst;
  const auto* cal = r.bound.calendar;
  auto local = [&](Timestamp t) { return cal ? cal->FormatLocal(t) : FormatIso(t); };
  json::object fields;
  for (const auto& [k, v] : inst.fields) fields[k] = v;
  o["fields"] = std::move(fields);
  o["registrar"] = inst.registrar;
  o["owner"] = inst.owner;
  o["parent"] = inst.parent;
  // Where it was found (an item a finding or a report opened), or what it opened (a finding, a
  // report); null for an item registered otherwise.
  if (inst.origin.empty()) {
    o["origin"] = nullptr;
  } else {
    const engine::Origin& g = inst.origin;
    json::object origin{
        {"found_by", g.found_by}, {"campaign", g.campaign},       {"round", g.round},
        {"source", g.source},     {"recorded_by", g.recorded_by}, {"opened", g.opened}};
    origin["found_at"] =
        g.found_at == Timestamp{} ? json::value(nullptr) : json::value(local(g.found_at));
    // Names a person reads on the item's page: who recorded it, and the round's title.
    origin["recorded_by_name"] =
        g.recorded_by.empty() ? std::string() : PersonName(*r.bound.org, g.recorded_by);
    std::string round_title;
    if (!g.round.empty()) {
      if (auto c = call.api.options.definitions->FindCampaign(g.campaign)) {
        for (const auto& k : c->checkpoints()) {
          if (k.id == g.round) round_title = k.title;
        }
      }
    }
    origin["round_title"] = round_title;
    o["origin"] = std::move(origin);
  }
  const std::string files_href = "/api/v1/items/" + inst.record.id + "/evidence/";
  json::array evidence;
  for (const auto& e : inst.evidence) {
    json::object x{{"at", local(e.at)}, {"by", e.by}, {"event", e.event}, {"text", e.text}};
    if (!e.sha256.empty()) {
      x["sha256"] = e.sha256;
      x["href"] = files_href + e.sha256;
    }
    evidence.push_back(std::move(x));
  }
  o["evidence"] = std::move(evidence);
  // Every file uploaded for the item, attached to an event yet or not, with its download link.
  json::array files;
  if (auto stored = ListEvidence(*call.db.side, inst.record.id)) {
    for (const auto& f : *stored) files.push_back(EvidenceJson(inst.record.id, f, local));
  }
  o["files"] = std::move(files);
  json::array schedule;
  for (const auto& t : inst.timers) {
    schedule.push_back(json::object{{"name", t.name}, {"due", local(t.due)}});
  }
  o["schedule"] = std::move(schedule);
  json::array history;
  auto audit = call.db.store->AuditOf(inst.record.id);
  if (audit) {
    for (const auto& a : *audit) {
      boost::system::error_code ec;
      json::value data = json::parse(a.data_json, ec);
      history.push_back(json::object{{"seq", a.seq},
                                     {"at", local(a.at)},
                                     {"actor", a.actor},
                                     {"event", a.event},
                                     {"from", a.from_state},
                                     {"to", a.to_state},
                                     {"reason", a.reason},
                                     {"data", ec ? json::value(nullptr) : data}});
    }
  }
  o["history"] = std::move(history);
  o["notifications"] = NotificationsJson(call, r, local);
  o["events"] = AvailableEvents(call, r);
  // Measures that last (payment suspended), in force or ended, with who decided and why.
  json::array measures;
  for (const auto& m : inst.measures) measures.push_back(engine::MeasureJson(*r.bound.org, m, cal));
  o["measures"] = std::move(measures);
  return o;
}

http::Response GetItem(Call& call) {
  auto r = FindReadable(call, call.request.params.at("id"));
  if (!r) return ErrorResponse(r.error());
  auto response = JsonResponse(200, Detail(call, *r));
  response.headers.emplace_back("ETag", ETag(r->inst.record.version));
  return response;
}

http::Response ListEvents(Call& call) {
  auto r = FindReadable(call, call.request.params.at("id"));
  if (!r) return ErrorResponse(r.error());
  auto response = JsonResponse(200, json::object{{"events", AvailableEvents(call, *r)}});
  response.headers.emplace_back("ETag", ETag(r->inst.record.version));
  return response;
}

// The command of POST .../events/{event}, from its body.
Result<engine::Command> EventCommand(Call& call, const Readable& r) {
  auto body = ParseObject(call.request.body, {{"reason", JsonType::kString, false},
                                              {"evidence", JsonType::kStringArray, false},
                                              {"fields", JsonType::kStringMap, false}});
  if (!body) return body.error();
  engine::Command command;
  command.instance_id = r.inst.record.id;
  command.event = call.request.params.at("event");
  command.reason = StringOr(*body, "reason");
  if (const auto* e = body->if_contains("evidence")) {
    // "sha256:<hex>" names a file uploaded for this item (POST .../evidence); anything else is a
    // text, recorded as written.
    std::size_t index = 0;
    for (const auto& v : e->as_array()) {
      std::string text(v.as_string());
      if (text.rfind("sha256:", 0) != 0) {
        command.evidence.push_back(std::move(text));
        ++index;
        continue;
      }
      std::string hash = text.substr(7);
      std::string where = "evidence[" + std::to_string(index++) + "]: ";
      if (!IsSha256Hex(hash)) {
        return Error::BadInput(
            where + "write sha256: and the 64 lower-case hex digits the upload answered");
      }
      auto file = FindEvidence(*call.db.side, r.inst.record.id, hash);
      if (!file) return file.error();
      if (!*file) {
        return Error::BadInput(where + "no file " + hash + " was uploaded for item " +
                               r.inst.record.id + "; upload it first (POST /api/v1/items/" +
                               r.inst.record.id + "/evidence)");
      }
      command.files.push_back({(*file)->name, (*file)->sha256, (*file)->type, (*file)->size});
    }
  }
  if (const auto* f = body->if_contains("fields")) {
    for (const auto& [k, v] : f->as_object()) command.fields[k] = std::string(v.as_string());
  }
  return command;
}

http::Response Act(Call& call, const Readable& r, std::int64_t version, engine::Command command) {
  command.instance_id = r.inst.record.id;
  command.actor = call.caller.person;
  command.expected_version = version;
  command.channel = "api";
  command.request_id = call.request_id;
  // Acts on the instance as read for the checks above; the commit checks its version.
  auto done = call.db.engine->Act(command, r.inst);
  if (!done) {
    if (done.error().code() == ErrorCode::kConflict) {
      return http::Response::Error(412, "precondition_failed", done.error().message());
    }
    return ErrorResponse(done.error());
  }
  const std::int64_t version_after = done->record.version;
  auto bound = call.db.engine->interpreter().Bind(*done);
  json::object o;
  if (bound && engine::MayRead(*bound->org, *bound->workflow, *done, ReaderOf(call.caller))) {
    o = Detail(call, Readable{std::move(*done), std::move(*bound)});
  } else {
    // The event took the item out of the caller's sight (it moved to another unit): say what was
    // done, no more.
    o = json::object{{"id", r.inst.record.id}, {"version", version_after}};
  }
  auto response = JsonResponse(200, o);
  response.headers.emplace_back("ETag", ETag(version_after));
  return response;
}

}  // namespace

// The checks and the command itself, once any idempotency key has been looked at.
http::Response ActOnItem(Call& call, const CommandBuilder& build) {
  auto r = FindReadable(call, call.request.params.at("id"));
  if (!r) return ErrorResponse(r.error());
  std::string if_match = call.request.Header("if-match");
  if (if_match.empty()) {
    return http::Response::Error(
        428, "precondition_required",
        "send If-Match with the item's ETag (from GET /api/v1/items/" + r->inst.record.id +
            "), so that an event is never taken on an item that moved on meanwhile");
  }
  auto version = ParseIfMatch(if_match);
  if (!version) {
    return http::Response::Error(400, "bad_request",
                                 "If-Match: write the item's ETag as given, e.g. \"3\"");
  }
  if (*version != r->inst.record.version) {
    auto response = http::Response::Error(
        412, "precondition_failed",
        "item " + r->inst.record.id + " has changed since version " + std::to_string(*version) +
            " (it is at version " + std::to_string(r->inst.record.version) +
            "); reload it and decide again");
    response.headers.emplace_back("ETag", ETag(r->inst.record.version));
    return response;
  }
  auto command = build(call, *r);
  if (!command) return ErrorResponse(command.error());
  return Act(call, *r, *version, std::move(*command));
}

namespace {

// With an Idempotency-Key, a retry of the same request gets the first answer again
// (WithIdempotencyKey looks it up before any check: the first request has moved the item on, so
// its If-Match no longer holds).
http::Response SendEvent(Call& call) {
  return WithIdempotencyKey(call, [](Call& c) { return ActOnItem(c, EventCommand); });
}

}  // namespace

std::vector<Route> ItemRoutes() {
  return {
      {{"GET", "/api/v1/items", Access::kSignedIn, false}, ListItems, KeptList},
      {{"GET", "/api/v1/items/{id}", Access::kSignedIn, false}, GetItem},
      {{"GET", "/api/v1/items/{id}/events", Access::kSignedIn, false}, ListEvents},
      {{"POST", "/api/v1/items/{id}/events/{event}", Access::kSignedIn, true}, SendEvent},
  };
}

}  // namespace rectify::api
