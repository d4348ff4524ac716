// Webhook deliveries per second (issue 6): one WebhookChannel posting to a local receiver over
// loopback, generic JSON and signed DingTalk, one connection kept alive. The receiver is a
// minimal HTTP/1.1 server in this process (one thread, keep-alive, answers {"errcode":0}), so the
// figure is the channel's cost (JSON, HMAC, libcurl) plus loopback, not a receiver's.
//
//   build-bench/bench/webhook_bench [messages]      (default 5000)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "adapters/notify/webhook_channel.h"

namespace {

// Serves one connection after another until the listening socket is closed.
void Serve(int listener) {
  const std::string answer =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
      "{\"errcode\":0,\"errmsg\":\"ok\"}";
  for (;;) {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    std::string buf;
    char chunk[65536];
    for (;;) {
      auto head_end = buf.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        auto cl = buf.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end)
          length = std::strtoul(&buf[cl + 16], nullptr, 10);
        if (buf.size() >= head_end + 4 + length) {
          buf.erase(0, head_end + 4 + length);
          if (write(fd, answer.data(), answer.size()) < 0) break;
          continue;
        }
      }
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    close(fd);
  }
}

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
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(listener, 16) != 0) {
    std::perror("listen");
    return 3;
  }
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/robot";
  std::thread server(Serve, listener);
  using F = rectify::notify::WebhookConfig::Format;
  double generic = Run({.url = url, .format = F::kGeneric}, messages);
  double dingtalk = Run({.url = url, .format = F::kDingTalk, .secret = "SECbench"}, messages);
  std::printf("{\"messages\":%d,\"generic_per_s\":%.0f,\"dingtalk_signed_per_s\":%.0f}\n", messages,
              generic, dingtalk);
  shutdown(listener, SHUT_RDWR);
  close(listener);
  server.join();
  return 0;
}
