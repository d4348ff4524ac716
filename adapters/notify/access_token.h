// An application's access token for WeCom's and DingTalk's server APIs: fetched with the app's
// credentials, kept until it expires (less a minute), fetched again when the API calls it expired
// or invalid. Shared by channels/wecom_app/ and channels/dingtalk_work/.
//
//   AccessToken token(url_of_gettoken, timeout_ms);
//   auto t = token.Get(handle, now_ms);          // cached, or fetched
//   ... an answer of 42001/40014 ... token.Invalidate(); t = token.Get(handle, now_ms);
//
// Both answer {"errcode":0,"access_token":"...","expires_in":7200}. The clock is the caller's
// (milliseconds, from the message's timestamp): the channel reads none of its own.
//
// Thread-safety: one thread at a time, like the channel that owns it.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/notify/channel.h"
#include "adapters/notify/curl_transfer.h"

namespace rectify::notify::internal {

class AccessToken {
 public:
  AccessToken(std::string gettoken_url, int timeout_ms)
      : url_(std::move(gettoken_url)), timeout_ms_(timeout_ms) {}

  // The token, or the outcome to report when it cannot be had (kRetry for a transport failure or
  // a busy answer, kFailed for refused credentials).
  struct Got {
    std::string token;
    SendResult failure;  // meaningful when token is empty
  };
  Got Get(EasyHandle& handle, std::int64_t now_ms);
  void Invalidate() { token_.clear(); }
  int fetches() const { return fetches_; }

 private:
  std::string url_;
  int timeout_ms_;
  std::string token_;
  std::int64_t expires_at_ms_ = 0;
  int fetches_ = 0;
};

// WeCom's and DingTalk's answers for an access token that expired or is not valid.
inline bool IsTokenExpired(std::int64_t errcode) { return errcode == 42001 || errcode == 40014; }

}  // namespace rectify::notify::internal
