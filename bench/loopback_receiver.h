// A minimal HTTP/1.1 receiver on loopback for the notification benchmarks: one thread, keep-alive,
// every request answered 200 with {"errcode":0,"errmsg":"ok"} (what the WeCom and DingTalk robots
// answer), so that a figure measures the sender, not a receiver.
//
//   LoopbackReceiver r;           // listening on 127.0.0.1, a free port
//   r.url("/robot");              // "http://127.0.0.1:PORT/robot"
//   // ... post to it; the destructor stops it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace rectify::bench {

class LoopbackReceiver {
 public:
  LoopbackReceiver() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listener_, 16) != 0) {
      std::perror("listen");
      std::exit(3);
    }
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackReceiver() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  // Serves one connection after another until the listening socket is closed.
  void Serve() {
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
        "{\"errcode\":0,\"errmsg\":\"ok\"}";
    for (;;) {
      int fd = accept(listener_, nullptr, nullptr);
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

  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace rectify::bench
