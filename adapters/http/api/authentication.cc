#include "adapters/http/api/authentication.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>

#include "rectify/auth/secrets.h"

namespace rectify::api {
namespace {

constexpr const char* kRejected =
    "the session or token is not valid (signed out, expired, revoked or disabled); sign in again";

// An address's bytes, an IPv4-mapped IPv6 address as its IPv4 one; empty when not an address.
std::vector<unsigned char> AddressBytes(const std::string& text) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(text, ec);
  if (ec) return {};
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6());
  }
  if (addr.is_v4()) {
    auto b = addr.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  auto b = addr.to_v6().to_bytes();
  return {b.begin(), b.end()};
}

// The header's value as recorded in an account event: bounded and printable.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out;
}

}  // namespace

Result<HeaderAuth> HeaderAuth::Parse(const std::string& header, const std::string& proxies) {
  HeaderAuth out;
  for (char c : header) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    if (!ok) {
      return Error::BadInput("--auth-header '" + header +
                             "' is not a header name (letters, digits, '-': e.g. X-Remote-User)");
    }
    out.header += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.header.empty()) {
    if (!proxies.empty()) {
      return Error::BadInput("--trusted-proxy goes with --auth-header (the header it may send)");
    }
    return out;
  }
  std::size_t pos = 0;
  while (pos <= proxies.size()) {
    std::size_t end = proxies.find(',', pos);
    if (end == std::string::npos) end = proxies.size();
    std::string entry = proxies.substr(pos, end - pos);
    pos = end + 1;
    while (!entry.empty() && entry.front() == ' ') entry.erase(entry.begin());
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    if (entry.empty()) continue;
    auto bad = [&] {
      return Error::BadInput("--trusted-proxy: '" + entry +
                             "' is not an IP address or network (write 10.0.0.5, 10.0.0.0/24 or "
                             "fd00::/8, several separated by commas)");
    };
    std::string addr = entry;
    int prefix = -1;
    if (auto slash = entry.find('/'); slash != std::string::npos) {
      addr = entry.substr(0, slash);
      std::string bits = entry.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 ||
          !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad();
      }
      prefix = std::stoi(bits);
    }
    Net net;
    net.bytes = AddressBytes(addr);
    if (net.bytes.empty()) return bad();
    int max = static_cast<int>(net.bytes.size()) * 8;
    if (prefix > max) return bad();
    net.prefix = prefix < 0 ? max : prefix;
    out.proxies.push_back(std::move(net));
  }
  if (out.proxies.empty()) {
    return Error::BadInput(
        "--auth-header needs --trusted-proxy: the addresses of the sign-on proxy that may send "
        "it (anyone else could name any person)");
  }
  return out;
}

bool HeaderAuth::Trusts(const std::string& address) const {
  std::vector<unsigned char> bytes = AddressBytes(address);
  for (const Net& net : proxies) {
    if (net.bytes.size() != bytes.size()) continue;
    bool match = true;
    for (int bit = 0; bit < net.prefix && match; ++bit) {
      unsigned mask = 0x80u >> (bit % 8);
      std::size_t i = static_cast<std::size_t>(bit / 8);
      match = (net.bytes[i] & mask) == (bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

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

Identified Authenticator::FromHeader(const http::Request& request, const std::string& person,
                                     auth::AccountStore& accounts) const {
  Identified out;
  Timestamp now = clock_.Now();
  std::string from = ClientAddress(request);
  if (!header_.Trusts(from)) {
    // Someone tries to be someone else: refused, and the account's history says so.
    (void)accounts.RecordEvent(auth::AccountEvent{now, Printable(person), Printable(person), "api",
                                                  "auth_header_untrusted", "from " + from});
    out.rejected = "the " + header_.header +
                   " header is accepted only from the single-sign-on proxy; this request came "
                   "from elsewhere and was refused";
    out.attack = true;
    return out;
  }
  // The person of a loaded org (the only one naming them).
  std::string org;
  for (const auto& info : definitions_->All()) {
    if (info.kind != definition::Kind::kOrg || info.name == org) continue;
    auto o = definitions_->FindOrg(info.name);
    if (o && o->FindPerson(person)) {
      if (!org.empty()) {
        out.rejected = kRejected;  // ambiguous: several orgs name them
        return out;
      }
      org = info.name;
    }
  }
  if (org.empty()) {
    out.rejected = kRejected;
    return out;
  }
  auto account = accounts.FindAccount(person);
  if (!account) {
    out.rejected = kRejected;
    return out;
  }
  Caller c;
  if (*account) {
    auto known = CallerFor(**account);
    if (!known) {
      out.rejected = kRejected;  // disabled, or their account is of another org
      return out;
    }
    c = *known;
  } else {
    c.anonymous = false;
    c.person = person;
    c.org = org;
    c.may_write = true;
  }
  c.via = Caller::Via::kHeader;
  out.caller = c;
  return out;
}

Identified Authenticator::Identify(const http::Request& request,
                                   auth::AccountStore& accounts) const {
  if (!header_.header.empty()) {
    if (auto it = request.headers.find(header_.header); it != request.headers.end()) {
      return FromHeader(request, it->second, accounts);
    }
  }
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
