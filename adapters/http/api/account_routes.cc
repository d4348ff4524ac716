// A signed-in person's own account, for the web pages' "my account" and "my work":
//   POST   /api/v1/session/password   {"current_password", "new_password"}: a new password; every
//                                     session of the person ends, and this browser gets a new one
//   GET    /api/v1/tokens             my API tokens (never their secrets), newest first
//   POST   /api/v1/tokens             {"label", "scope"?, "expires_days"?}: a new token of mine,
//                                     shown once
//   DELETE /api/v1/tokens/{id}        revokes one of my tokens (another's is 404)
//   GET    /api/v1/me/notifications   the reminders, escalation letters and other messages
//                                     addressed to me or to my unit, newest first
//
// The same store and rules as `rectify user passwd` and `rectify token create|revoke|list`
// (rectify/auth/account_store.h, adapters/cli/user_command.cc): the password policy, Argon2id,
// tokens kept as hashes, every change recorded in account_events with the channel "api" and the
// request id. Changing the password and making tokens take a session (a person at a browser): a
// token may not make tokens or change the password it was not given with.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/json_input.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/auth/secrets.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxLabel = 200;
constexpr std::int64_t kMaxTokenDays = 730;  // as rectify token create --expires
constexpr std::int64_t kDefaultTokenDays = 90;
constexpr std::int64_t kDefaultNotifications = 50;
constexpr std::int64_t kMaxNotifications = 200;
// The most recent messages are picked from at most this many rows per recipient.
constexpr std::int64_t kNotificationScan = 2000;

auth::AccountEvent Event(const Call& call, const std::string& what, const std::string& detail) {
  return auth::AccountEvent{call.now,
                            call.caller.person,
                            call.caller.person,
                            "api",
                            what,
                            detail + (detail.empty() ? "" : "; ") + "request " + call.request_id};
}

std::optional<http::Response> NeedsSession(const Call& call, const char* what) {
  if (call.caller.via == Caller::Via::kSession) return std::nullopt;
  return http::Response::Error(
      403, "forbidden",
      std::string(what) +
          " needs a signed-in session (POST /api/v1/session), not a token or a "
          "sign-on header");
}

http::Response ChangePassword(Call& call) {
  if (auto refused = NeedsSession(call, "changing the password")) return *refused;
  auto body = ParseObject(call.request.body, {{"current_password", JsonType::kString, true},
                                              {"new_password", JsonType::kString, true}});
  if (!body) return ErrorResponse(body.error());
  std::string current = StringOr(*body, "current_password");
  std::string next = StringOr(*body, "new_password");
  const std::string& person = call.caller.person;
  std::string address = ClientAddress(call.request);
  ApiService::Impl& api = call.api;
  // A wrong current password counts as a failed sign-in: guessing through this route is slowed
  // as guessing through POST /api/v1/session is.
  if (Duration wait = api.throttle.WaitFor(person, address, call.now); wait > Duration::zero()) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 1;
    auto r = http::Response::Error(
        429, "too_many_attempts",
        "too many wrong passwords; wait " + std::to_string(seconds) + " s before trying again");
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
  }
  auto account = call.db.accounts->FindAccount(person);
  if (!account) return ErrorResponse(account.error());
  if (!*account || !auth::VerifyPassword((*account)->password_hash, current)) {
    api.throttle.Failed(person, address, call.now);
    (void)call.db.accounts->RecordEvent(
        Event(call, "password_change_failed", "wrong current password; from " + address));
    return ErrorResponse(Error::BadInput("$.current_password: this is not your current password"));
  }
  if (Status s = auth::CheckPasswordPolicy(next, person); !s) {
    return ErrorResponse(Error::BadInput("$.new_password: " + s.error().message()));
  }
  if (next == current) {
    return ErrorResponse(Error::BadInput("$.new_password: the same as the current one"));
  }
  auto hash = auth::HashPassword(next);
  if (!hash) return ErrorResponse(hash.error());
  // SetPassword ends every session of the person, this one too, in its transaction.
  if (Status s = call.db.accounts->SetPassword(person, *hash,
                                               Event(call, "password_changed", "from " + address));
      !s) {
    return ErrorResponse(s.error());
  }
  api.throttle.Succeeded(person);
  auth::IssuedSecret secret = auth::NewSessionSecret();
  const SessionPolicy& policy = api.authenticator.policy();
  auth::SessionRecord session{
      secret.hash, person, address, call.now, call.now, call.now + policy.absolute, std::nullopt};
  if (Status s = call.db.accounts->AddSession(
          session, Event(call, "login", "session " + secret.id + " after a password change"));
      !s) {
    return ErrorResponse(s.error());
  }
  json::object o{{"password_changed", true},
                 {"person", person},
                 {"csrf_token", CsrfToken(secret.hash)},
                 {"expires_at", FormatIso(session.expires_at)}};
  auto r = JsonResponse(200, o);
  r.headers.emplace_back("Set-Cookie", api.authenticator.SessionCookie(secret.text));
  return r;
}

json::object TokenJson(const auth::ApiToken& t, Timestamp now) {
  json::object o{{"id", t.id},
                 {"label", t.label},
                 {"scope", t.scope},
                 {"created_at", FormatIso(t.created_at)},
                 {"expires_at", FormatIso(t.expires_at)},
                 {"active", t.LiveAt(now)}};
  o["revoked_at"] = t.revoked_at ? json::value(FormatIso(*t.revoked_at)) : json::value(nullptr);
  o["last_used_at"] =
      t.last_used_at ? json::value(FormatIso(*t.last_used_at)) : json::value(nullptr);
  return o;
}

http::Response ListTokens(Call& call) {
  if (!call.request.query.empty()) {
    return ErrorResponse(Error::BadInput(call.request.query.begin()->first +
                                         ": unknown parameter (tokens take none)"));
  }
  auto tokens = call.db.accounts->ListTokens(call.caller.person);
  if (!tokens) return ErrorResponse(tokens.error());
  json::array out;
  for (const auto& t : *tokens) out.push_back(TokenJson(t, call.now));
  return JsonResponse(200, json::object{{"tokens", std::move(out)}});
}

http::Response CreateToken(Call& call) {
  if (auto refused = NeedsSession(call, "making a token")) return *refused;
  auto body = ParseObject(call.request.body, {{"label", JsonType::kString, true},
                                              {"scope", JsonType::kString, false},
                                              {"expires_days", JsonType::kInteger, false}});
  if (!body) return ErrorResponse(body.error());
  std::string label = StringOr(*body, "label");
  std::string scope = StringOr(*body, "scope", "read");
  std::int64_t days = kDefaultTokenDays;
  if (const auto* d = body->if_contains("expires_days")) days = d->to_number<std::int64_t>();
  if (label.find_first_not_of(" \t") == std::string::npos || label.size() > kMaxLabel) {
    return ErrorResponse(Error::BadInput("$.label: say what the token is for (1 to " +
                                         std::to_string(kMaxLabel) + " bytes)"));
  }
  if (scope != "read" && scope != "write") {
    return ErrorResponse(Error::BadInput("$.scope: read or write"));
  }
  if (days < 1 || days > kMaxTokenDays) {
    return ErrorResponse(
        Error::BadInput("$.expires_days: from 1 to " + std::to_string(kMaxTokenDays)));
  }
  auth::IssuedSecret secret = auth::NewApiToken();
  auth::ApiToken token;
  token.id = secret.id;
  token.person = call.caller.person;
  token.secret_hash = secret.hash;
  token.scope = scope;
  token.label = label;
  token.created_at = call.now;
  token.expires_at = call.now + std::chrono::duration_cast<Duration>(std::chrono::hours(24 * days));
  if (Status s = call.db.accounts->AddToken(token, Event(call, "token_created", secret.id)); !s) {
    return ErrorResponse(s.error());
  }
  json::object o = TokenJson(token, call.now);
  o["token"] = secret.text;
  return JsonResponse(201, o);
}

http::Response RevokeToken(Call& call) {
  const std::string& id = call.request.params.at("id");
  auto token = call.db.accounts->FindToken(id);
  if (!token) return ErrorResponse(token.error());
  // Another person's token is answered as one that does not exist.
  if (!*token || (*token)->person != call.caller.person) {
    return ErrorResponse(Error::NotFound("you have no token " + id + " (GET /api/v1/tokens)"));
  }
  if (Status s = call.db.accounts->RevokeToken(id, Event(call, "token_revoked", id)); !s) {
    return ErrorResponse(s.error());
  }
  return JsonResponse(200, json::object{{"revoked", id}});
}

// The caller's unit, from the org definitions; empty when unknown.
std::string CallerUnit(const Call& call) {
  auto org = CallerOrg(call);
  if (!org) return {};
  auto p = org->FindPerson(call.caller.person);
  if (!p) return {};
  return org->unit(org->person(*p).unit).id;
}

http::Response Notifications(Call& call) {
  std::int64_t limit = kDefaultNotifications;
  for (const auto& [key, value] : call.request.query) {
    if (key != "limit") {
      return ErrorResponse(Error::BadInput(key + ": unknown parameter (notifications take limit)"));
    }
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
    if (ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
        limit > kMaxNotifications) {
      return ErrorResponse(
          Error::BadInput("limit: a whole number from 1 to " + std::to_string(kMaxNotifications)));
    }
  }
  store_soci::SociOutboxStore outbox(*call.db.side);
  std::vector<OutboxRecord> rows;
  bool more = false;
  std::vector<std::pair<std::string, std::string>> recipients{{call.caller.person, "person"}};
  if (std::string unit = CallerUnit(call); !unit.empty()) recipients.emplace_back(unit, "unit");
  std::map<std::int64_t, std::string> addressed;  // row id -> "person" or "unit"
  for (const auto& [recipient, kind] : recipients) {
    notify::OutboxQuery q;
    q.recipient = recipient;
    q.limit = kNotificationScan;
    auto found = outbox.List(q);
    if (!found) return ErrorResponse(found.error());
    if (static_cast<std::int64_t>(found->size()) == kNotificationScan) more = true;
    for (auto& r : *found) {
      addressed[r.id] = kind;
      rows.push_back(std::move(r));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const OutboxRecord& a, const OutboxRecord& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  if (static_cast<std::int64_t>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    more = true;
  }
  json::array out;
  for (const OutboxRecord& r : rows) {
    json::value payload;
    std::error_code ec;
    payload = json::parse(r.payload_json, ec);
    if (ec || !payload.is_object()) payload = json::object();
    json::object o{
        {"id", r.id},
        {"item", r.instance_id.empty() ? json::value(nullptr) : json::value(r.instance_id)},
        {"to", addressed[r.id]},
        {"channel", r.channel},
        {"template", r.template_name},
        {"state", OutboxStateName(r.state)},
        {"created_at", FormatIso(r.created_at)}};
    const json::object& p = payload.as_object();
    for (const char* key : {"title", "message", "due", "level", "measure", "offset"}) {
      if (const auto* v = p.if_contains(key)) o[key] = *v;
    }
    out.push_back(std::move(o));
  }
  return JsonResponse(200, json::object{{"notifications", std::move(out)}, {"more", more}});
}

}  // namespace

std::vector<Route> AccountRoutes() {
  return {
      {{"POST", "/api/v1/session/password", Access::kSignedIn, true}, ChangePassword},
      {{"GET", "/api/v1/tokens", Access::kSignedIn, false}, ListTokens},
      {{"POST", "/api/v1/tokens", Access::kSignedIn, true}, CreateToken},
      {{"DELETE", "/api/v1/tokens/{id}", Access::kSignedIn, true}, RevokeToken},
      {{"GET", "/api/v1/me/notifications", Access::kSignedIn, false}, Notifications},
  };
}

}  // namespace rectify::api
