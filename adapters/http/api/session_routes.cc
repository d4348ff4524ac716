// Signing in and out:
//   POST   /api/v1/session   {"person", "password"} -> the session cookie, who you are, csrf_token
//   GET    /api/v1/session   who you are (and the csrf_token of your session)
//   DELETE /api/v1/session   signs out: the session ends at once
//
// A wrong password, an unknown person, a disabled account and a person no longer in the org
// definitions all get the same 401 and take the same time (an unknown person's attempt is checked
// against a fixed hash), so the answer never says whether an account exists. Failed attempts slow
// down per account and per address (login_throttle.h: 429 with Retry-After) and are recorded in
// account_events with the client's address and the real reason, for administrators.
#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/json_input.h"
#include "rectify/auth/secrets.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr const char* kWrongLogin = "the person id or the password is wrong";

// Checked against when the person has no account, so that both cases cost one Argon2id.
const std::string& DummyHash() {
  static const std::string hash = auth::HashPassword("no account has this password").value();
  return hash;
}

json::object WhoAmI(const Call& call, const Caller& caller, const std::string& csrf) {
  json::object o{{"person", caller.person}, {"org", caller.org}, {"admin", caller.admin}};
  if (auto org = call.api.options.definitions->FindOrg(caller.org)) {
    if (auto p = org->FindPerson(caller.person)) {
      const auto& person = org->person(*p);
      o["name"] = person.name;
      o["unit"] = org->unit(person.unit).id;
      o["unit_name"] = org->unit(person.unit).name;
      json::array roles;
      for (const auto& r : person.roles) roles.emplace_back(r);
      o["roles"] = roles;
      o["language"] = person.language;
    }
  }
  o["via"] = caller.via == Caller::Via::kToken ? "token" : "session";
  if (!csrf.empty()) o["csrf_token"] = csrf;
  return o;
}

http::Response Login(Call& call) {
  auto body = ParseObject(call.request.body, {{"person", JsonType::kString, true},
                                              {"password", JsonType::kString, true}});
  if (!body) return ErrorResponse(body.error());
  std::string person = StringOr(*body, "person");
  std::string password = StringOr(*body, "password");
  std::string address = ClientAddress(call.request);
  ApiService::Impl& api = call.api;
  // Ids are short; a long one is junk, kept short in the throttle and the record.
  std::string key = person.substr(0, 64);

  if (Duration wait = api.throttle.WaitFor(key, address, call.now); wait > Duration::zero()) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 1;
    auto r = http::Response::Error(
        429, "too_many_attempts",
        "too many failed sign-ins; wait " + std::to_string(seconds) + " s before trying again");
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
  }
  auto account = call.db.accounts->FindAccount(key);
  if (!account) return ErrorResponse(account.error());
  std::string reason;
  std::optional<Caller> caller;
  if (!*account) {
    (void)auth::VerifyPassword(DummyHash(), password);
    reason = "no such account";
  } else if (!auth::VerifyPassword((*account)->password_hash, password)) {
    reason = "wrong password";
  } else if (!(caller = api.authenticator.CallerFor(**account))) {
    reason = (*account)->disabled ? "account disabled" : "person not in the org definitions";
  }
  if (!reason.empty()) {
    api.throttle.Failed(key, address, call.now);
    (void)call.db.accounts->RecordEvent(
        auth::AccountEvent{call.now, key, key, "api", "login_failed",
                           reason + "; from " + address + "; request " + call.request_id});
    return http::Response::Error(401, "unauthenticated", kWrongLogin);
  }
  api.throttle.Succeeded(key);
  auth::IssuedSecret secret = auth::NewSessionSecret();
  const SessionPolicy& policy = api.authenticator.policy();
  auth::SessionRecord session{
      secret.hash, key, address, call.now, call.now, call.now + policy.absolute, std::nullopt};
  if (Status s = call.db.accounts->AddSession(
          session, {call.now, key, key, "api", "login",
                    "session " + secret.id + "; from " + address + "; request " + call.request_id});
      !s) {
    return ErrorResponse(s.error());
  }
  caller->via = Caller::Via::kSession;
  json::object o = WhoAmI(call, *caller, CsrfToken(secret.hash));
  o["expires_at"] = FormatIso(session.expires_at);
  o["idle_minutes"] = std::chrono::duration_cast<std::chrono::minutes>(policy.idle).count();
  auto r = JsonResponse(200, o);
  r.headers.emplace_back("Set-Cookie", api.authenticator.SessionCookie(secret.text));
  return r;
}

http::Response Me(Call& call) {
  return JsonResponse(200, WhoAmI(call, call.caller, call.caller.csrf_token));
}

http::Response Logout(Call& call) {
  if (call.caller.via != Caller::Via::kSession) {
    return http::Response::Error(400, "bad_request",
                                 "a token is not a session; revoke it with rectify token revoke");
  }
  if (Status s = call.db.accounts->EndSession(
          call.caller.session_hash,
          {call.now, call.caller.person, call.caller.person, "api", "logout",
           "session " + call.caller.session_hash.substr(0, 12) + "; request " + call.request_id});
      !s) {
    return ErrorResponse(s.error());
  }
  auto r = http::Response::Json(200, R"({"signed_out":true})");
  r.headers.emplace_back("Set-Cookie", call.api.authenticator.SessionCookie(""));
  return r;
}

}  // namespace

std::vector<Route> SessionRoutes() {
  return {
      {{"POST", "/api/v1/session", Access::kPublic, false}, Login},
      {{"GET", "/api/v1/session", Access::kSignedIn, false}, Me},
      {{"DELETE", "/api/v1/session", Access::kSignedIn, true}, Logout},
  };
}

}  // namespace rectify::api
