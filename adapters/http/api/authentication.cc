#include "adapters/http/api/authentication.h"

#include "rectify/auth/secrets.h"

namespace rectify::api {
namespace {

constexpr const char* kRejected =
    "the session or token is not valid (signed out, expired, revoked or disabled); sign in again";

}  // namespace

std::string CookieValue(const std::string& header, std::string_view name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return {};
}

std::string CsrfToken(const std::string& session_hash) {
  return auth::HashSecret("csrf|" + session_hash).substr(0, 32);
}

std::string ClientAddress(const http::Request& request) {
  const std::string& r = request.remote;
  if (!r.empty() && r.front() == '[') {
    auto close = r.find(']');
    return close == std::string::npos ? r : r.substr(1, close - 1);
  }
  auto colon = r.rfind(':');
  return colon == std::string::npos ? r : r.substr(0, colon);
}

Status CheckCsrf(const http::Request& request, const Caller& caller) {
  if (caller.via != Caller::Via::kSession) return OkStatus();
  std::string sent = request.Header("x-csrf-token");
  if (sent.empty() || !auth::SameDigest(sent, caller.csrf_token)) {
    return Error::PermissionDenied(
        "a signed-in write needs the X-CSRF-Token header (its value is csrf_token from "
        "POST or GET /api/v1/session)");
  }
  std::string origin = request.Header("origin");
  if (!origin.empty()) {
    auto scheme_end = origin.find("://");
    std::string host = scheme_end == std::string::npos ? origin : origin.substr(scheme_end + 3);
    if (host != request.Header("host")) {
      return Error::PermissionDenied("the request comes from another site (Origin " + origin +
                                     ") and was refused");
    }
  }
  return OkStatus();
}

std::optional<Caller> Authenticator::CallerFor(const auth::Account& account) const {
  if (account.disabled) return std::nullopt;
  auto org = definitions_->FindOrg(account.org);
  if (!org || !org->FindPerson(account.person)) return std::nullopt;
  Caller c;
  c.anonymous = false;
  c.person = account.person;
  c.org = account.org;
  c.admin = account.admin;
  c.may_write = true;
  return c;
}

Identified Authenticator::Identify(const http::Request& request,
                                   auth::AccountStore& accounts) const {
  Identified out;
  Timestamp now = clock_.Now();
  auto fail = [&]() {
    out.caller = Caller();
    out.rejected = kRejected;
    return out;
  };
  std::string authorization = request.Header("authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.rfind(kBearer, 0) != 0) {
      out.rejected = "the Authorization header must be 'Bearer <token>' (rectify token create)";
      return out;
    }
    auto parsed = auth::ParseApiToken(std::string_view(authorization).substr(kBearer.size()));
    if (!parsed) return fail();
    auto token = accounts.FindToken(parsed->id);
    if (!token || !*token || !auth::SameDigest((*token)->secret_hash, parsed->hash) ||
        !(*token)->LiveAt(now)) {
      return fail();
    }
    auto account = accounts.FindAccount((*token)->person);
    if (!account || !*account) return fail();
    auto caller = CallerFor(**account);
    if (!caller) return fail();
    caller->via = Caller::Via::kToken;
    caller->token_id = (*token)->id;
    caller->may_write = (*token)->scope == "write";
    out.caller = *caller;
    return out;
  }
  std::string secret = CookieValue(request.Header("cookie"), kSessionCookie);
  if (secret.empty()) return out;  // anonymous
  std::string hash = auth::HashSecret(secret);
  auto session = accounts.FindSession(hash);
  if (!session || !*session) return fail();
  const auth::SessionRecord& s = **session;
  if (s.ended_at || now >= s.expires_at || now - s.last_seen_at >= policy_.idle) return fail();
  auto account = accounts.FindAccount(s.person);
  if (!account || !*account) return fail();
  auto caller = CallerFor(**account);
  if (!caller) return fail();
  if (now - s.last_seen_at >= policy_.touch_every) {
    // Best effort: a failed touch only shortens the idle window.
    (void)accounts.TouchSession(hash, now);
  }
  caller->via = Caller::Via::kSession;
  caller->session_hash = hash;
  caller->csrf_token = CsrfToken(hash);
  out.caller = *caller;
  return out;
}

std::string Authenticator::SessionCookie(const std::string& secret) const {
  std::string c =
      std::string(kSessionCookie) + "=" + secret + "; Path=/; HttpOnly; SameSite=Strict";
  if (secret.empty()) c += "; Max-Age=0";
  if (policy_.secure_cookie) c += "; Secure";
  return c;
}

}  // namespace rectify::api
