// Who is calling: a person signed in with a session cookie, a system with an API token, or nobody.
//
//   Authenticator auth(definitions, clock, policy);
//   Identified who = auth.Identify(request, accounts);   // reads sessions, tokens, accounts
//   if (!who.rejected.empty()) return 401 who.rejected;  // a credential that does not work
//   if (who.caller.anonymous) ...                         // no credential at all
//
// A credential works only while everything behind it holds: the session has not ended (logout, a
// password change, disabling), is younger than `absolute` and was used within `idle`; the token
// is not revoked or expired; the account is not disabled; and the person is still in the org
// definitions loaded now (a person a new org version leaves out cannot act, whatever their account
// says). Every failure gives the same answer, so a caller learns nothing about which part failed.
//
// Single sign-on (HeaderAuth): behind a proxy that signs people in, `--auth-header NAME` names
// the person in that header, trusted only from the `--trusted-proxy` addresses. From anywhere
// else the header is an attack: refused (401) and recorded as an account event
// (auth_header_untrusted), whatever else the request carries. The named person must be in the
// loaded org definitions and, when they have an account, it must not be disabled; they act with
// their account's admin flag (none without one). Such a caller needs no CSRF token (the proxy,
// not a browser cookie, vouches for each request).
//
// Cookies: `rectify_session=<secret>; HttpOnly; SameSite=Strict; Path=/` (plus `Secure` over
// TLS). A cookie-authenticated write must also carry `X-CSRF-Token` (given at login and by
// GET /api/v1/session; derived from the session, so nothing more is stored) and, when the
// browser sends `Origin`, an Origin whose host is the request's Host.
//
// Thread-safety: Identify may run on several threads at once, each with its own AccountStore.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/http_server.h"
#include "rectify/auth/account_store.h"
#include "rectify/clock.h"
#include "rectify/definition/definition_set.h"

namespace rectify::api {

inline constexpr const char* kSessionCookie = "rectify_session";

struct SessionPolicy {
  Duration idle = std::chrono::hours(8);
  Duration absolute = std::chrono::hours(24 * 7);
  bool secure_cookie = false;  // served over TLS
  // A session's last_seen_at is written at most this often (reads stay reads).
  Duration touch_every = std::chrono::minutes(1);
};

// Who may name the person in a header (single sign-on): the header and the proxies' addresses.
struct HeaderAuth {
  std::string header;  // lower-case; empty: headers name nobody
  struct Net {
    std::vector<unsigned char> bytes;  // 4 (IPv4) or 16 (IPv6)
    int prefix = 0;                    // bits that must match
  };
  std::vector<Net> proxies;

  // "10.0.0.5,10.1.0.0/16,::1": kBadInput saying which entry is wrong and how to write it.
  static Result<HeaderAuth> Parse(const std::string& header, const std::string& proxies);
  // Whether `address` ("127.0.0.1", "::1", an IPv4-mapped IPv6 address) is a listed proxy.
  bool Trusts(const std::string& address) const;
};

struct Caller {
  bool anonymous = true;
  std::string person;
  std::string org;
  bool admin = false;
  enum class Via { kNone, kSession, kToken, kHeader } via = Via::kNone;
  bool may_write = false;    // a read-scoped token may not write
  std::string session_hash;  // via kSession
  std::string token_id;      // via kToken
  std::string csrf_token;    // via kSession
};

struct Identified {
  Caller caller;
  std::string rejected;  // non-empty: a credential was sent and does not work
  bool attack = false;   // the sign-on header from an untrusted address: refused on every route
};

class Authenticator {
 public:
  Authenticator(std::shared_ptr<const definition::DefinitionSet> definitions, Clock& clock,
                SessionPolicy policy, HeaderAuth header = {})
      : definitions_(std::move(definitions)),
        clock_(clock),
        policy_(policy),
        header_(std::move(header)) {}

  Identified Identify(const http::Request& request, auth::AccountStore& accounts) const;

  // The caller for `account` if the person is still in the org definitions; empty otherwise.
  std::optional<Caller> CallerFor(const auth::Account& account) const;

  // The Set-Cookie value that gives `secret`, or (empty secret) removes the cookie.
  std::string SessionCookie(const std::string& secret) const;
  const SessionPolicy& policy() const { return policy_; }

 private:
  std::shared_ptr<const definition::DefinitionSet> definitions_;
  Clock& clock_;
  SessionPolicy policy_;
  HeaderAuth header_;

  Identified FromHeader(const http::Request& request, const std::string& person,
                        auth::AccountStore& accounts) const;
};

// The CSRF token of the session whose cookie hashes to `session_hash`.
std::string CsrfToken(const std::string& session_hash);

// A cookie's value from a Cookie header ("a=1; rectify_session=xyz"), or empty.
std::string CookieValue(const std::string& header, std::string_view name);

// For cookie-authenticated writes: OK, or kPermissionDenied saying what is missing.
Status CheckCsrf(const http::Request& request, const Caller& caller);

// The client's address without its port ("127.0.0.1:5432" -> "127.0.0.1", "[::1]:80" -> "::1").
std::string ClientAddress(const http::Request& request);

}  // namespace rectify::api
