// The public reporter (issue 13: "the person who reported a problem from the public sees only
// their own report, by its ticket code and secret"):
//   POST /api/v1/public/reports                     anyone: reports a problem; a ticket and a
//                                                   secret, shown once
//   GET  /api/v1/public/reports/{ticket}            with X-Ticket-Secret: the report's progress
//                                                   (and, once dismissed, when and why)
//   POST /api/v1/public/reports/{ticket}/evidence   with X-Ticket-Secret: adds photos
//   GET  /api/v1/public/units/{unit}                anyone: a unit's name, for the report page
//                                                   reached from a unit's QR code
//
// A report becomes an item of the public-report workflow in the intake unit the operator names
// (serve --public-unit), registered in the name of the intake registrar (--public-registrar),
// who is the `registrar` the workflow's `register` and `tell` steps need; from there it is an item
// like any other, read and acted on through the item routes by whoever the engine allows. The
// reporter sees only its state in plain words, its dates and the replies: no names, no notes.
//
// The secret is random (256 bits), shown once and kept as its SHA-256, like a session id
// (rectify/auth/secrets.h); it travels in a header, never in the URL, so it stays out of logs and
// Referer headers. A wrong secret and an unknown ticket get the same 404. Reports and wrong
// secrets are throttled per address, as sign-ins are (login_throttle.h).
//
// The form has a honeypot: a field named `website` that people never see (the page hides it) and
// bots fill in.

// A report may name the unit it is about (`unit`, from the QR code's URL /report?unit=ID printed
// per village or unit): a unit of the intake unit's org. The report still goes to the intake
// unit; the unit is put before the text in the item's title (【name】text) and into the audit
// record, so whoever registers it sees where it came from. A report with it filled is answered
// exactly like a taken one (201, a ticket and a secret of the same shapes) and nothing is stored,
// so a bot learns nothing.
#include <boost/json.hpp>
#include <cctype>
#include <cstring>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/evidence_store.h"
#include "adapters/http/api/json_input.h"
#include "rectify/auth/secrets.h"
#include "rectify/calendar/calendar.h"
#include "rectify/engine/item_view.h"
#include "rectify/notify/contact.h"
#include "rectify/utf8.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr char kTicketAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // 32: no 0/O, 1/I
constexpr std::size_t kMaxReportBytes = 2000;

// "K7QM-4XPA": 40 random bits, easy to read out over the phone.
std::string NewTicket() {
  std::string hex = auth::HashSecret(auth::NewSessionSecret().text);
  std::string t;
  for (std::size_t i = 0; t.size() < 9; i += 2) {
    if (t.size() == 4) t += '-';
    int byte = std::stoi(hex.substr(i, 2), nullptr, 16);
    t += kTicketAlphabet[byte % 32];
  }
  return t;
}

// A ticket as typed: upper case, the dash optional; empty when it cannot be one.
std::string NormalTicket(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!std::strchr(kTicketAlphabet, c) || c == '\0') return {};
    out += c;
  }
  if (out.size() != 8) return {};
  return out.substr(0, 4) + "-" + out.substr(4);
}

std::string ItemIdOf(const std::string& ticket) {
  return "PR-" + ticket.substr(0, 4) + ticket.substr(5);
}

// The org of the intake unit (the one reports go to), or none.
std::shared_ptr<const definition::Org> IntakeOrg(const ApiOptions& o) {
  for (const auto& info : o.definitions->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = o.definitions->FindOrg(info.name);
    if (org && org->FindUnit(o.public_unit)) return org;
  }
  return nullptr;
}

http::Response NotEnabled() {
  return http::Response::Error(404, "not_found",
                               "this server takes no public reports (rectify serve "
                               "--public-unit UNIT --public-registrar PERSON enables them)");
}

http::Response TooMany(Duration wait) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 1;
  auto r = http::Response::Error(
      429, "too_many_attempts",
      "too many requests from this address; wait " + std::to_string(seconds) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

http::Response Report(Call& call) {
  const ApiOptions& o = call.api.options;
  if (o.public_unit.empty()) return NotEnabled();
  std::string address = ClientAddress(call.request);
  if (Duration wait = call.api.public_throttle.WaitFor("report", address, call.now);
      wait > Duration::zero()) {
    return TooMany(wait);
  }
  auto body = ParseObject(call.request.body, {{"text", JsonType::kString, true},
                                              {"contact", JsonType::kString, false},
                                              {"language", JsonType::kString, false},
                                              {"website", JsonType::kString, false},
                                              {"unit", JsonType::kString, false}});
  if (!body) return ErrorResponse(body.error());
  if (!StringOr(*body, "website").empty()) {
    call.api.public_throttle.Failed("report", address, call.now);
    std::string ticket = NewTicket();
    json::object out{{"ticket", ticket},
                     {"secret", auth::NewSessionSecret().text},
                     {"status", "已收到 (received)"},
                     {"href", "/api/v1/public/reports/" + ticket}};
    auto r = JsonResponse(201, out);
    r.headers.emplace_back("Location", "/api/v1/public/reports/" + ticket);
    return r;
  }
  std::string text = StringOr(*body, "text");
  std::string contact = StringOr(*body, "contact");
  std::string language = StringOr(*body, "language", "zh");
  auto trimmed = text.find_first_not_of(" \t\r\n");
  if (trimmed == std::string::npos) {
    return ErrorResponse(Error::BadInput("$.text: say what the problem is, where and when"));
  }
  if (text.size() > kMaxReportBytes) {
    return ErrorResponse(Error::BadInput("$.text: at most " + std::to_string(kMaxReportBytes) +
                                         " bytes (about 600 Chinese characters); add photos "
                                         "after reporting"));
  }
  if (!contact.empty() && notify::ContactKindOf(contact).empty()) {
    return ErrorResponse(Error::BadInput("$.contact: " + notify::ContactProblem(contact) +
                                         "; or leave it out to get no reply"));
  }
  if (language != "zh" && language != "en") {
    return ErrorResponse(Error::BadInput("$.language: zh or en"));
  }
  std::string unit_id = StringOr(*body, "unit"), unit_name;
  if (!unit_id.empty()) {
    auto org = IntakeOrg(o);
    auto unit = org ? org->FindUnit(unit_id) : std::nullopt;
    if (!unit) {
      return ErrorResponse(
          Error::BadInput("$.unit: no unit " + unit_id.substr(0, 64) +
                          " here; use the address printed on the unit's poster, or leave it out"));
    }
    unit_name = org->unit(*unit).name;
  }
  // Counted before the work, so a flood is slowed whatever its bodies.
  call.api.public_throttle.Failed("report", address, call.now);
  auth::IssuedSecret secret = auth::NewSessionSecret();
  // The ticket is claimed first (its row's key is the ticket), then the item registered; if the
  // registration fails the claim is withdrawn, so there is never an item without its ticket.
  std::string ticket;
  long long at = ToMicros(call.now);
  store_soci::Database& db = *call.db.side;
  for (int attempt = 0; ticket.empty() && attempt < 5; ++attempt) {
    std::string candidate = NewTicket();
    std::string item_id = ItemIdOf(candidate);
    try {
      db.session() << "INSERT INTO public_reports (ticket, secret_hash, item_id, contact, "
                      "address, created_at) VALUES (:t, :h, :i, :c, :a, :at)",
          soci::use(candidate), soci::use(secret.hash), soci::use(item_id), soci::use(contact),
          soci::use(address), soci::use(at);
      ticket = candidate;
    } catch (const std::exception& e) {
      Error err = db.MapError(e, "record a public report");
      if (err.code() != ErrorCode::kUniqueViolation) return ErrorResponse(err);
    }
  }
  if (ticket.empty()) return ErrorResponse(Error::Internal("no free ticket code in 5 tries"));
  engine::NewInstance req;
  req.id = ItemIdOf(ticket);
  req.workflow = "public-report";
  req.unit = o.public_unit;
  req.title = unit_name.empty() ? text : "【" + unit_name + "】" + text;
  req.actor = o.public_registrar;
  if (!unit_id.empty()) req.audit_notes["reported_unit"] = unit_id;
  if (!contact.empty()) req.fields["reporter_contact"] = contact;
  req.fields["reporter_language"] = language;
  req.audit_notes["channel"] = "public";
  req.audit_notes["request_id"] = call.request_id;
  auto item = call.db.engine->Register(req);
  if (!item) {
    try {
      db.session() << "DELETE FROM public_reports WHERE ticket = :t", soci::use(ticket);
    } catch (const std::exception& e) {
      (void)db.MapError(e, "withdraw public report " + ticket);
    }
    return ErrorResponse(item.error());
  }
  json::object out{{"ticket", ticket},
                   {"secret", secret.text},
                   {"status", "已收到 (received)"},
                   {"href", "/api/v1/public/reports/" + ticket}};
  auto r = JsonResponse(201, out);
  r.headers.emplace_back("Location", "/api/v1/public/reports/" + ticket);
  return r;
}

// The report the path's ticket and the X-Ticket-Secret header name; kNotFound, the same for an
// unknown ticket and a wrong secret.
Result<engine::Instance> FindReport(Call& call, std::string* ticket_out) {
  std::string ticket = NormalTicket(call.request.params.at("ticket"));
  std::string presented = call.request.Header("x-ticket-secret");
  auto not_found = Error::NotFound(
      "no report with this ticket and secret (check both as they were given when you reported)");
  if (ticket.empty() || presented.empty() || presented.size() > 200) return not_found;
  std::string hash, item_id;
  try {
    soci::indicator ind = soci::i_null;
    call.db.side->session() << "SELECT secret_hash, item_id FROM public_reports WHERE ticket = :t",
        soci::use(ticket), soci::into(hash, ind), soci::into(item_id);
    if (!call.db.side->session().got_data() || ind != soci::i_ok) hash.clear();
  } catch (const std::exception& e) {
    return call.db.side->MapError(e, "read public report");
  }
  // Compared even when there is no such ticket, so the time says nothing about which exist.
  bool same =
      auth::SameDigest(hash.empty() ? std::string(64, '0') : hash, auth::HashSecret(presented));
  if (hash.empty() || !same) return not_found;
  auto record = call.db.store->LoadInstance(item_id);
  if (!record) return record.error();
  auto inst = engine::Instance::FromRecord(*record);
  if (!inst) return inst.error();
  *ticket_out = ticket;
  return std::move(*inst);
}

// What the reporter reads of a state: plain words, nothing internal.
std::string PlainState(const std::string& state) {
  if (state == "received") return "已收到，等待登记 (received)";
  if (state == "checking") return "正在核查 (being checked)";
  if (state == "telling_problem" || state == "telling_dismissed") {
    return "核查已完成，正在答复您 (checked; the reply is being prepared)";
  }
  if (state == "closed") return "已办结 (closed)";
  return "处理中 (in progress)";
}

// "In the ledger" is said only when the confirmation opened an item there (engine/findings.h:
// `rectify finding confirm`, POST /api/v1/findings/{id}/confirm); a report confirmed without one
// is said to be confirmed and passed on, no more.
std::string Reply(const std::string& outcome, bool in_ledger) {
  if (outcome == "problem" && in_ledger) {
    return "经核查，您反映的问题属实，已立为问题督促整改。(Confirmed: it is now a problem to be "
           "rectified.)";
  }
  if (outcome == "problem") {
    return "经核查，您反映的问题属实，已转有关单位处理。(Confirmed: it has been passed on to the "
           "unit concerned.)";
  }
  return "经核查，您反映的情况未能查实，已了结。(Checked: it could not be confirmed, and the "
         "report is closed.)";
}

// What the reporter reads of the rectification item a confirmed report opened: its stage in
// plain words, never who did it (engine/findings.h links the two).
std::string PlainItemState(const std::string& state) {
  if (state == "registered") return "已立为问题，等待交办 (accepted; being assigned)";
  if (state == "rectifying") return "正在整改 (being rectified)";
  if (state == "verifying") return "已整改，正在验收 (rectified; being verified)";
  if (state == "closed") return "已整改并验收销号 (rectified and verified)";
  return "正在处理 (in progress)";
}

// The item's steps a reporter may read, by its audit rows' events.
std::string PlainStep(const std::string& event) {
  if (event == "register") return "立为问题 (accepted as a problem to rectify)";
  if (event == "assign") return "交办整改 (assigned for rectification)";
  if (event == "submit") return "整改完成，提交验收 (rectified; submitted for verification)";
  if (event == "accept") return "验收通过，销号 (verified and closed)";
  if (event == "reject") return "验收未通过，继续整改 (not accepted; rectification continues)";
  if (event == "reopen") return "回头看发现问题，重新整改 (found again; rectification reopened)";
  if (event == "extend") return "整改时限延长 (time limit extended)";
  return {};
}

http::Response Throttled(Call& call, Result<engine::Instance>& found) {
  std::string address = ClientAddress(call.request);
  if (!found && found.error().code() == ErrorCode::kNotFound) {
    call.api.public_throttle.Failed("lookup", address, call.now);
  }
  return ErrorResponse(found.error());
}

http::Response Show(Call& call) {
  if (call.api.options.public_unit.empty()) return NotEnabled();
  if (Duration wait =
          call.api.public_throttle.WaitFor("lookup", ClientAddress(call.request), call.now);
      wait > Duration::zero()) {
    return TooMany(wait);
  }
  std::string ticket;
  auto found = FindReport(call, &ticket);
  if (!found) return Throttled(call, found);
  const engine::Instance& inst = *found;
  auto bound = call.db.engine->interpreter().Bind(inst);
  auto local = [&](Timestamp t) {
    return bound && bound->calendar ? bound->calendar->FormatLocal(t) : FormatIso(t);
  };
  json::array replies;
  Timestamp received = call.now, updated = call.now;
  auto audit = call.db.store->AuditOf(inst.record.id);
  if (!audit) return ErrorResponse(audit.error());
  if (!audit->empty()) {
    received = audit->front().at;
    updated = audit->back().at;
  }
  // A dismissed report says so at once, with the reason the inspector gave (which they write
  // for the reporter to read: the findings page says so), before the reply is sent.
  json::value dismissed = nullptr;
  for (const auto& a : *audit) {
    if (a.event == "dismiss") {
      dismissed = json::object{{"at", local(a.at)}, {"reason", a.reason}};
    }
    if (a.event == "tell") {
      replies.push_back(
          json::object{{"at", local(a.at)},
                       {"text", Reply(inst.Field("outcome"), !inst.origin.opened.empty())}});
    }
  }
  json::object out{{"ticket", ticket},
                   {"status", PlainState(inst.record.state)},
                   {"closed", inst.record.state == "closed"},
                   {"received_at", local(received)},
                   {"updated_at", local(updated)},
                   {"replies", std::move(replies)},
                   {"dismissed", std::move(dismissed)}};
  // A confirmed report follows the item it opened: its stage, its due day and its steps with
  // their dates (no names, no notes).
  out["rectification"] = nullptr;
  if (!inst.origin.opened.empty()) {
    auto item = call.db.engine->Load(inst.origin.opened);
    if (item) {
      auto item_bound = call.db.engine->interpreter().Bind(*item);
      const Calendar* cal = item_bound ? item_bound->calendar : nullptr;
      auto item_local = [&](Timestamp t) { return cal ? cal->FormatLocal(t) : FormatIso(t); };
      auto item_audit = call.db.store->AuditOf(item->record.id);
      if (!item_audit) return ErrorResponse(item_audit.error());
      json::array steps;
      for (const auto& a : *item_audit) {
        std::string text = PlainStep(a.event);
        if (text.empty()) continue;
        steps.push_back(json::object{{"at", item_local(a.at)}, {"text", text}});
        if (a.at > updated) updated = a.at;
      }
      auto d = engine::ViewDeadline(cal, *item, call.now);
      out["rectification"] =
          json::object{{"status", PlainItemState(item->record.state)},
                       {"rectified", item->record.state == "closed"},
                       {"due", d.has ? json::value(FormatDate(d.due)) : json::value(nullptr)},
                       {"steps", std::move(steps)}};
      out["status"] = PlainItemState(item->record.state);
      out["updated_at"] = local(updated);
    }
  }
  return JsonResponse(200, out);
}

http::Response AddPhotos(Call& call) {
  if (call.api.options.public_unit.empty()) return NotEnabled();
  if (Duration wait =
          call.api.public_throttle.WaitFor("lookup", ClientAddress(call.request), call.now);
      wait > Duration::zero()) {
    return TooMany(wait);
  }
  std::string ticket;
  auto found = FindReport(call, &ticket);
  if (!found) return Throttled(call, found);
  if (found->record.state == "closed") {
    return http::Response::Error(409, "failed_precondition",
                                 "the report is closed; report again if the problem remains");
  }
  std::vector<NewEvidence> files;
  if (auto refused = ReadUploads(call, files)) return std::move(*refused);
  auto saved = SaveEvidence(*call.db.side, found->record.id, "public", files, call.now);
  if (!saved) return ErrorResponse(saved.error());
  json::array out;
  for (const auto& f : *saved) {
    out.push_back(json::object{{"name", f.name}, {"type", f.type}, {"size", f.size}});
  }
  return JsonResponse(201, json::object{{"ticket", ticket}, {"files", std::move(out)}});
}

http::Response UnitName(Call& call) {
  const ApiOptions& o = call.api.options;
  if (o.public_unit.empty()) return NotEnabled();
  const std::string& id = call.request.params.at("unit");
  auto org = IntakeOrg(o);
  auto unit = org ? org->FindUnit(id) : std::nullopt;
  if (!unit) {
    return http::Response::Error(
        404, "not_found",
        "no unit " + id.substr(0, 64) + " here; check the address printed on the poster");
  }
  return JsonResponse(200, json::object{{"id", id}, {"name", org->unit(*unit).name}});
}

}  // namespace

std::vector<Route> PublicRoutes() {
  return {
      {{"POST", "/api/v1/public/reports", Access::kPublic, true}, Report},
      {{"GET", "/api/v1/public/reports/{ticket}", Access::kPublic, false}, Show},
      {{"GET", "/api/v1/public/units/{unit}", Access::kPublic, false}, UnitName},
      {{"POST", "/api/v1/public/reports/{ticket}/evidence", Access::kPublic, true, 0, true},
       AddPhotos},
  };
}

}  // namespace rectify::api
