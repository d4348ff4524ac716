// A message to one person through an enterprise IM's server API (WeCom application messages,
// DingTalk work notifications): the person's user id is the message's address, the app's access
// token is fetched and cached (access_token.h) and fetched again, once, when the API answers that
// it expired. The two channels (channels/wecom_app/, channels/dingtalk_work/) give what differs:
// the URLs, the JSON body and the codes that mean "too fast, try later".
//
// Outcomes: transport failures, HTTP 429 and 5xx and the busy codes are kRetry; a refused token
// fetch (wrong credentials) and any other errcode are kFailed; errcode 0 is delivered (the IM
// took the message; `detail` keeps its msgid or task_id).
//
// Thread-safety: Send from one thread at a time per channel (channel.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/notify/channel.h"

namespace rectify::notify {

struct AppMessageApi {
  std::string kind;          // "wecom-app", "dingtalk-work"
  std::string gettoken_url;  // with the app's credentials in its query
  std::function<std::string(const std::string& token)> send_url;
  std::function<std::string(const Message& m)> body;  // the JSON the API takes for `m`
  std::vector<std::int64_t> busy_codes;               // errcodes that mean "try again later"
  int timeout_ms = 10000;
  std::function<std::int64_t()> now_ms;  // when a message has no timestamp_ms
  // What an errcode-0 answer says of the message (receipt.h): its id (provider_ref) and, where the
  // API tells at once, whether the person can be reached (WeCom's invaliduser). Unset: nothing.
  std::function<void(const std::string& answer, const Message& m, SendResult& r)> accepted;
  // The send-result query, when the API has one and the channel polls (DingTalk getsendresult):
  // its URL for a token, its JSON body for the message id the send answered (provider_ref
  // without its "kind:" prefix), and what an errcode-0 answer says of `user` (false: nothing
  // final yet). Unset: no receipts are polled.
  std::function<std::string(const std::string& token)> result_url;
  std::function<std::string(const std::string& message_id)> result_body;
  std::function<bool(const std::string& answer, const std::string& user, PolledReceipt& out)>
      judge_result;
  std::int64_t receipt_within_ms = 0;  // 0: no receipts awaited
};

std::unique_ptr<Channel> MakeAppMessageChannel(AppMessageApi api);

// The text of a message as one IM text message: the subject, then the body, cut to `max_bytes`
// on a character boundary.
std::string AppMessageText(const Message& m, std::size_t max_bytes);

}  // namespace rectify::notify
