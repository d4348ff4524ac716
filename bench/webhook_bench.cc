// Webhook deliveries per second (issue 6): one WebhookChannel posting to a local receiver over
// loopback, generic JSON and signed DingTalk, one connection kept alive. The receiver is a
// minimal HTTP/1.1 server in this process (one thread, keep-alive, answers {"errcode":0}), so the
// figure is the channel's cost (JSON, HMAC, libcurl) plus loopback, not a receiver's.
//
//   build-bench/bench/webhook_bench [messages]      (default 5000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "adapters/notify/channels/webhook/webhook_channel.h"
#include "bench/loopback_receiver.h"

namespace {

double Run(rectify::notify::WebhookConfig config, int messages) {
  auto channel = rectify::notify::MakeWebhookChannel(config);
  rectify::notify::Message m;
  m.template_name = "reminder";
  m.language = "zh";
  m.recipient_id = "niangxi";
  m.subject = "【整改提醒】问题 Q-1 将于 2017-05-08 到期";
  m.text = "问题 Q-1（酿溪镇）的整改期限为 2017-05-08，请按期完成整改。";
  m.fields = {{"deadline", "2017-05-08"}, {"timestamp_ms", "1493865000000"}};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < messages; ++i) {
    m.dedup_key = "Q-1:remind:" + std::to_string(i);
    auto r = channel->Send(m);
    if (r.outcome != rectify::notify::SendOutcome::kDelivered) {
      std::fprintf(stderr, "delivery %d: %s\n", i, r.detail.c_str());
      std::exit(1);
    }
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return messages / took.count();
}

}  // namespace

int main(int argc, char** argv) {
  int messages = argc > 1 ? std::atoi(argv[1]) : 5000;
  rectify::bench::LoopbackReceiver receiver;
  std::string url = receiver.url("/robot");
  using F = rectify::notify::WebhookConfig::Format;
  double generic = Run({.url = url, .format = F::kGeneric}, messages);
  double dingtalk = Run({.url = url, .format = F::kDingTalk, .secret = "SECbench"}, messages);
  std::printf("{\"messages\":%d,\"generic_per_s\":%.0f,\"dingtalk_signed_per_s\":%.0f}\n", messages,
              generic, dingtalk);
  return 0;
}
