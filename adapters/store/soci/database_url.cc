#include "adapters/store/soci/database_url.h"

#include <charconv>
#include <set>

namespace rectify::store_soci {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

// libpq's keywords that a URL may carry; the rest would be refused by libpq with a less clear
// message, or would change what the URL's own parts say.
const std::set<std::string, std::less<>>& AllowedParams() {
  static const std::set<std::string, std::less<>> kAllowed = {"sslmode",
                                                              "sslrootcert",
                                                              "sslcert",
                                                              "sslkey",
                                                              "connect_timeout",
                                                              "application_name",
                                                              "target_session_attrs",
                                                              "options",
                                                              "keepalives",
                                                              "keepalives_idle",
                                                              "keepalives_interval",
                                                              "keepalives_count"};
  return kAllowed;
}

Error Malformed(std::string_view url, std::string_view why) {
  return Error::BadInput("malformed database URL '" + RedactUrl(url) + "': " + std::string(why) +
                         "; use " + std::string(kAcceptedUrlForms));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

// Quotes a libpq connection-string value: 'value' with \ and ' escaped.
std::string QuoteConnValue(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

Result<DatabaseUrl> ParsePostgres(std::string_view url, std::string_view rest) {
  DatabaseUrl u;
  u.backend = Backend::kPostgresql;
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return Malformed(url, "the database name is missing");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  if (path.empty()) return Malformed(url, "the database name is missing");
  if (path.find('/') != std::string_view::npos) {
    return Malformed(url, "the path must be one database name");
  }
  if (!PercentDecode(path, u.database)) return Malformed(url, "bad percent-encoding");

  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::string_view user = userinfo, password;
    bool has_password = false;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
      has_password = true;
    }
    if (user.empty()) return Malformed(url, "the user name before '@' is empty");
    if (!PercentDecode(user, u.user) || (has_password && !PercentDecode(password, u.password))) {
      return Malformed(url, "bad percent-encoding");
    }
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Malformed(url, "an IPv6 host lacks its ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Malformed(url, "unexpected text after the host");
      port = after.substr(1);
      if (port.empty()) return Malformed(url, "the port after ':' is empty");
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return Malformed(url, "the port after ':' is empty");
  }
  if (host.empty()) return Malformed(url, "the host is missing");
  u.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535) {
      return Malformed(url, "the port must be a number from 1 to 65535");
    }
    u.port = p;
  }
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) {
      return Malformed(url, "the parameter '" + std::string(kv) + "' has no '=value'");
    }
    std::string key, value;
    if (!PercentDecode(kv.substr(0, eq), key) || !PercentDecode(kv.substr(eq + 1), value)) {
      return Malformed(url, "bad percent-encoding");
    }
    if (!AllowedParams().contains(key)) {
      std::string allowed;
      for (const auto& k : AllowedParams()) allowed += (allowed.empty() ? "" : ", ") + k;
      return Malformed(url, "unknown parameter '" + key + "' (known: " + allowed + ")");
    }
    u.params[key] = value;
  }
  return u;
}

}  // namespace

std::string_view BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgresql";
}

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  if (url.empty()) return Malformed(url, "it is empty");
  if (url.starts_with(kSqlitePrefix)) {
    std::string_view path = url.substr(kSqlitePrefix.size());
    if (path.starts_with("//")) {
      return Malformed(url, "write sqlite:PATH (sqlite:var/rectify.db, sqlite:/abs/path.db)");
    }
    if (path.empty()) return Malformed(url, "the file path after 'sqlite:' is missing");
    DatabaseUrl u;
    u.backend = Backend::kSqlite;
    u.path = path == ":memory:" ? ":memory:" : std::string(path);
    // SOCI's SQLite backend reads key=value options out of the connection string.
    if (u.path.find('=') != std::string::npos) {
      return Malformed(url, "an SQLite path may not contain '='");
    }
    return u;
  }
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (url.starts_with(scheme)) return ParsePostgres(url, url.substr(scheme.size()));
  }
  return Malformed(url, "unknown scheme");
}

std::string DatabaseUrl::Redacted() const {
  if (backend == Backend::kSqlite) return "sqlite:" + path;
  std::string out = "postgresql://";
  if (!user.empty()) {
    out += user;
    if (!password.empty()) out += ":***";
    out += "@";
  }
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ":" + std::to_string(port) + "/" + database;
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep + k + "=" + v;
    sep = '&';
  }
  return out;
}

std::string DatabaseUrl::PostgresConnInfo() const {
  std::string out = "host=" + QuoteConnValue(host) + " port=" + std::to_string(port) +
                    " dbname=" + QuoteConnValue(database);
  if (!user.empty()) out += " user=" + QuoteConnValue(user);
  if (!password.empty()) out += " password=" + QuoteConnValue(password);
  if (!params.contains("connect_timeout")) out += " connect_timeout=5";
  for (const auto& [k, v] : params) out += " " + k + "=" + QuoteConnValue(v);
  return out;
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  auto at = out.rfind('@');
  if (at == std::string::npos || at < scheme) return out;
  auto colon = out.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return out;
  return out.substr(0, colon + 1) + "***" + out.substr(at);
}

}  // namespace rectify::store_soci
