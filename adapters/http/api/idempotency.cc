// Idempotency-Key for POST routes (api_internal.h WithIdempotencyKey): a retry of the same
// request by the same person gets the first answer again and changes nothing twice. And the
// ETag / If-Match pair the item and task routes use so that a write never lands on a version
// the caller did not see.
#include <boost/json.hpp>
#include <charconv>

#include "adapters/http/api/api_internal.h"
#include "rectify/auth/secrets.h"

namespace rectify::api {

namespace json = boost::json;

std::string ETag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::optional<std::int64_t> ParseIfMatch(std::string value) {
  if (value.rfind("W/", 0) == 0) value = value.substr(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v <= 0) return std::nullopt;
  return v;
}

http::Response WithIdempotencyKey(Call& call, const RouteHandler& handler) {
  std::string key = call.request.Header("idempotency-key");
  if (key.empty()) return handler(call);
  if (key.size() > 200) {
    return http::Response::Error(400, "bad_request",
                                 "Idempotency-Key: at most 200 characters (a UUID is usual)");
  }
  // Keys are kept 24 hours: the first keyed request of each hour forgets the older ones.
  const std::int64_t now = ToMicros(call.now);
  std::int64_t last = call.api.keys_expired_at.load();
  if (now - last >= Duration(std::chrono::hours(1)).count() &&
      call.api.keys_expired_at.compare_exchange_strong(last, now)) {
    (void)call.db.idempotency->Expire(call.now - std::chrono::hours(24));
  }
  // Looked up before any check of the request: the first one may have moved things on, so that
  // its preconditions (an If-Match) no longer hold for the retry.
  std::string request_hash =
      auth::HashSecret(call.request.method + " " + call.request.target + " " +
                       call.request.Header("if-match") + " " + call.request.body);
  auto begun = call.db.idempotency->Begin(call.caller.person, key, request_hash, call.now);
  if (!begun) return ErrorResponse(begun.error());
  if (begun->replay) {
    http::Response replay =
        http::Response::Json(static_cast<unsigned>(begun->replay->status), begun->replay->body);
    boost::system::error_code ec;
    json::value headers = json::parse(begun->replay->headers_json, ec);
    if (!ec && headers.is_array()) {
      for (const auto& h : headers.as_array()) {
        const auto& pair = h.as_array();
        replay.headers.emplace_back(std::string(pair[0].as_string()),
                                    std::string(pair[1].as_string()));
      }
    }
    replay.headers.emplace_back("Idempotent-Replayed", "true");
    return replay;
  }
  http::Response response = handler(call);
  if (response.status >= 500) {
    (void)call.db.idempotency->Abandon(call.caller.person, key);
    return response;
  }
  json::array headers;
  for (const auto& [name, value] : response.headers) {
    if (name == "ETag" || name == "Location") headers.push_back(json::array{name, value});
  }
  (void)call.db.idempotency->Finish(
      call.caller.person, key,
      StoredResponse{static_cast<int>(response.status), json::serialize(headers), response.body});
  return response;
}

}  // namespace rectify::api
