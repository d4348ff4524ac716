// The cached access token of WeCom's and DingTalk's server APIs (access_token.h).
#include "adapters/notify/access_token.h"

#include <boost/json.hpp>

#include "adapters/notify/encoding.h"

namespace rectify::notify::internal {

AccessToken::Got AccessToken::Get(EasyHandle& handle, std::int64_t now_ms) {
  if (!token_.empty() && now_ms < expires_at_ms_) return {token_, {}};
  ++fetches_;
  Slist headers;
  HttpAnswer a = HttpRequest(handle, url_, headers, "", timeout_ms_, /*get=*/true);
  if (a.rc != CURLE_OK) {
    return {"",
            {IsTransient(a.rc) ? SendOutcome::kRetry : SendOutcome::kFailed,
             "access token: " + a.error}};
  }
  std::string detail = "access token: HTTP " + std::to_string(a.status) + ": " +
                       std::string(TruncateUtf8(a.body, 512));
  if (a.status == 429 || a.status >= 500) return {"", {SendOutcome::kRetry, detail}};
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(a.body, ec);
  const boost::json::object* o = ec ? nullptr : v.if_object();
  const boost::json::value* code = o ? o->if_contains("errcode") : nullptr;
  const boost::json::value* token = o ? o->if_contains("access_token") : nullptr;
  if (!code || !code->is_int64()) return {"", {SendOutcome::kFailed, detail}};
  if (code->as_int64() == -1) return {"", {SendOutcome::kRetry, detail}};  // busy
  if (code->as_int64() != 0 || !token || !token->is_string()) {
    return {"", {SendOutcome::kFailed, detail}};  // refused credentials
  }
  token_ = std::string(token->as_string());
  std::int64_t expires_in = 7200;
  if (const boost::json::value* e = o->if_contains("expires_in"); e && e->is_int64()) {
    expires_in = e->as_int64();
  }
  // A minute early, so that a send never starts with a token about to lapse.
  expires_at_ms_ = now_ms + std::max<std::int64_t>(expires_in - 60, 0) * 1000;
  return {token_, {}};
}

}  // namespace rectify::notify::internal
