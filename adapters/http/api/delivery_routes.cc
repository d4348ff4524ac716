// Deliveries and dead letters:
//   GET  /api/v1/deliveries?state=&item=&limit=   the outbox's messages, as `rectify outbox list`
//   POST /api/v1/deliveries/{id}/retry            a dead letter back to pending (administrators)
//   GET  /api/v1/reports/unreached?limit=         the people a message reached by no route
//
// Scope: an administrator sees every message; anyone else only the messages of items they may
// read (engine::MayRead), so a township head sees the letters of the township's items and nothing
// of another township's; a message of no item is for administrators only. The address of a
// recipient outside the org (a public reporter's phone or e-mail, which the row names by the
// address itself) is shown only to administrators: others get `recipient: null` and the address
// is blanked out of the last error too.
//
// Retrying does what `rectify dispatch --requeue` does to every dead letter, to one: pending,
// attempts from 0, due now, so the next dispatch sends it. It is recorded in admin_events with
// who and the request id; a message that is not dead is 409.
#include <boost/json.hpp>
#include <charconv>

#include "adapters/http/api/api_internal.h"
#include "adapters/store/soci/soci_admin_store.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/engine/access.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultLimit = 100;
constexpr std::int64_t kMaxLimit = 500;
// A caller who is not an administrator sees the messages of items they may read, picked from at
// most this many rows, so one request's work stays bounded.
constexpr std::int64_t kScanLimit = 5000;

// Who a row is addressed to, as the caller may see it.
struct Recipient {
  std::string kind;  // "person", "unit", or "outsider"
  std::string name;
};

Recipient RecipientOf(const definition::DefinitionSet& defs, const std::string& id) {
  for (const auto& info : defs.All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = defs.FindOrg(info.name, info.version);
    if (!org) continue;
    if (auto p = org->FindPerson(id)) return {"person", org->person(*p).name};
    if (auto u = org->FindUnit(id)) return {"unit", org->unit(*u).name};
  }
  return {"outsider", ""};
}

// Whether the caller may see the row (the item's scope), with the engine's rules.
bool MaySee(Call& call, const OutboxRecord& row) {
  if (call.caller.admin) return true;
  if (row.instance_id.empty()) return false;
  auto record = call.db.store->LoadInstance(row.instance_id);
  if (!record) return false;
  auto inst = engine::Instance::FromRecord(*record);
  if (!inst) return false;
  auto bound = call.db.engine->interpreter().Bind(*inst);
  if (!bound) return false;
  return engine::MayRead(*bound->org, *bound->workflow, *inst,
                         {call.caller.person, call.caller.org, call.caller.admin});
}

// Whether the message reached the person (rectify/notify/receipt.h).
json::object ReceiptJson(const notify::DeliveryReceipt& r) {
  return json::object{{"state", notify::ReceiptStateName(r.state)},
                      {"code", r.code},
                      {"detail", r.detail},
                      {"at", r.at ? json::value(FormatIso(*r.at)) : json::value(nullptr)}};
}

json::object RowJson(const Call& call, const OutboxRecord& r,
                     const notify::DeliveryReceipt& receipt) {
  Recipient who = RecipientOf(*call.api.options.definitions, r.recipient);
  bool hide = who.kind == "outsider" && !call.caller.admin;
  std::string last_error = r.last_error;
  if (hide && !r.recipient.empty()) {
    for (auto at = last_error.find(r.recipient); at != std::string::npos;
         at = last_error.find(r.recipient)) {
      last_error.replace(at, r.recipient.size(), "(the recipient)");
    }
  }
  json::object o{
      {"id", r.id},
      {"item", r.instance_id.empty() ? json::value(nullptr) : json::value(r.instance_id)},
      {"recipient_kind", who.kind},
      {"recipient_name", who.name},
      {"channel", r.channel},
      {"template", r.template_name},
      {"state", OutboxStateName(r.state)},
      {"attempts", r.attempts},
      {"last_error", last_error},
      {"created_at", FormatIso(r.created_at)},
      {"receipt", ReceiptJson(receipt)}};
  if (hide) {
    o["recipient"] = nullptr;
  } else {
    o["recipient"] = r.recipient;
  }
  if (r.state == OutboxState::kPending) {
    o["next_attempt_at"] = FormatIso(r.next_attempt_at);
  } else {
    o["next_attempt_at"] = nullptr;
  }
  return o;
}

http::Response List(Call& call) {
  const auto& query = call.request.query;
  notify::OutboxQuery q;
  std::int64_t limit = kDefaultLimit;
  for (const auto& [key, value] : query) {
    if (key == "state") {
      if (value != "pending" && value != "sent" && value != "dead" && value != "cancelled") {
        return ErrorResponse(Error::BadInput("state: '" + value +
                                             "' is not a state (pending, sent, dead, "
                                             "cancelled)"));
      }
      q.state = *ParseOutboxState(value);
    } else if (key == "item") {
      if (value.empty()) return ErrorResponse(Error::BadInput("item: an item id"));
      q.instance_id = value;
    } else if (key == "limit") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxLimit) {
        return ErrorResponse(
            Error::BadInput("limit: a whole number from 1 to " + std::to_string(kMaxLimit)));
      }
    } else {
      return ErrorResponse(
          Error::BadInput(key + ": unknown parameter (deliveries take state, item, limit)"));
    }
  }
  q.limit = call.caller.admin ? limit + 1 : kScanLimit;
  store_soci::SociOutboxStore outbox(*call.db.side);
  auto rows = outbox.List(q);
  if (!rows) return ErrorResponse(rows.error());
  std::vector<const OutboxRecord*> shown;
  bool more = false;
  for (const OutboxRecord& r : *rows) {
    if (!MaySee(call, r)) continue;
    if (static_cast<std::int64_t>(shown.size()) == limit) {
      more = true;
      break;
    }
    shown.push_back(&r);
  }
  std::vector<std::int64_t> ids;
  for (const OutboxRecord* r : shown) ids.push_back(r->id);
  auto receipts = outbox.ReceiptsOf(ids);
  if (!receipts) return ErrorResponse(receipts.error());
  json::array out;
  for (const OutboxRecord* r : shown) out.push_back(RowJson(call, *r, (*receipts)[r->id]));
  if (!call.caller.admin && static_cast<std::int64_t>(rows->size()) == kScanLimit) more = true;
  return JsonResponse(200, json::object{{"deliveries", std::move(out)}, {"more", more}});
}

http::Response Retry(Call& call) {
  const std::string& text = call.request.params.at("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return ErrorResponse(Error::NotFound("no delivery " + text));
  }
  store_soci::SociAdminStore admin(*call.db.side);
  store_soci::AdminEvent e{call.now,
                           call.caller.person,
                           "api",
                           call.request_id,
                           "delivery.retry",
                           "outbox " + text,
                           "dead letter back to pending, attempts from 0"};
  auto row = admin.RetryDeadLetter(id, call.now, e);
  if (!row) return ErrorResponse(row.error());
  store_soci::SociOutboxStore outbox(*call.db.side);
  auto receipts = outbox.ReceiptsOf({row->id});
  if (!receipts) return ErrorResponse(receipts.error());
  return JsonResponse(200, RowJson(call, *row, (*receipts)[row->id]));
}

// The people a message reached by no route (rectify report unreached), in the same scope as the
// deliveries: an administrator sees all, anyone else those of items they may read.
http::Response Unreached(Call& call) {
  std::int64_t limit = kDefaultLimit;
  for (const auto& [key, value] : call.request.query) {
    if (key == "limit") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxLimit) {
        return ErrorResponse(
            Error::BadInput("limit: a whole number from 1 to " + std::to_string(kMaxLimit)));
      }
    } else {
      return ErrorResponse(
          Error::BadInput(key + ": unknown parameter (the unreached report takes limit)"));
    }
  }
  store_soci::SociOutboxStore outbox(*call.db.side);
  auto rows = outbox.Unreached(call.caller.admin ? limit + 1 : kScanLimit);
  if (!rows) return ErrorResponse(rows.error());
  json::array out;
  bool more = false;
  for (const auto& u : *rows) {
    OutboxRecord scope;
    scope.instance_id = u.instance_id;
    if (!MaySee(call, scope)) continue;
    if (static_cast<std::int64_t>(out.size()) == limit) {
      more = true;
      break;
    }
    out.push_back(json::object{
        {"at", FormatIso(u.at)},
        {"item", u.instance_id.empty() ? json::value(nullptr) : json::value(u.instance_id)},
        {"person", u.person},
        {"person_name", RecipientOf(*call.api.options.definitions, u.person).name},
        {"template", u.template_name},
        {"routes", u.routes},
        {"reported_to",
         u.reported_to.empty() ? json::value(nullptr) : json::value(u.reported_to)}});
  }
  return JsonResponse(200, json::object{{"count", static_cast<std::int64_t>(out.size())},
                                        {"unreached", std::move(out)},
                                        {"more", more}});
}

}  // namespace

std::vector<Route> DeliveryRoutes() {
  return {
      {{"GET", "/api/v1/deliveries", Access::kSignedIn, false}, List},
      {{"POST", "/api/v1/deliveries/{id}/retry", Access::kAdmin, true}, Retry},
      {{"GET", "/api/v1/reports/unreached", Access::kSignedIn, false}, Unreached},
  };
}

}  // namespace rectify::api
