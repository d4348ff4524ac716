// A client of GET /api/v1/stream for tests: opens the stream over real loopback, reads its status
// and headers, then its server-sent events one by one as they come (the chunked body decoded).
//
//   SseClient s(port, {{"Cookie", "rectify_session=..."}, {"Last-Event-ID", "12"}});
//   s.status();                                   // 200, or an error's status (body in s.body())
//   auto e = s.Next(std::chrono::seconds(2));     // {id, type, data}, or nullopt
//   s.WaitForEnd(std::chrono::seconds(5));        // true when the server ended the stream
//
// Thread-safety: one thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.h"

namespace rectify::test {

class SseClient {
 public:
  struct Event {
    std::string id, type, data;
  };

  SseClient(int port, const std::map<std::string, std::string>& headers,
            const std::string& target = "/api/v1/stream") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nAccept: text/event-stream\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) < 0) return;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (raw_.find("\r\n\r\n") == std::string::npos && Fill(deadline)) {
    }
    auto end = raw_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = raw_.substr(0, end);
    raw_.erase(0, end + 4);
    status_ = std::stoi(head.substr(9, 3));
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      std::size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? next : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        headers_[name] = line.substr(colon + 2);
      }
      pos = next;
    }
    chunked_ = headers_["transfer-encoding"] == "chunked";
    if (status_ != 200) {
      // An error: a whole JSON body (Content-Length).
      std::size_t length =
          headers_.count("content-length") ? std::stoul(headers_["content-length"]) : 0;
      while (raw_.size() < length && Fill(deadline)) {
      }
      body_ = raw_.substr(0, length);
    }
  }
  ~SseClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }
  const std::string& body() const { return body_; }
  std::string Header(const std::string& lower_name) const {
    auto it = headers_.find(lower_name);
    return it == headers_.end() ? std::string() : it->second;
  }
  // Everything of the stream read so far, comments included.
  const std::string& text() const { return text_; }

  std::optional<Event> Next(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      Decode();
      while (true) {
        auto end = text_.find("\n\n", parsed_);
        if (end == std::string::npos) break;
        std::string block = text_.substr(parsed_, end - parsed_);
        parsed_ = end + 2;
        Event e;
        std::size_t pos = 0;
        while (pos <= block.size()) {
          std::size_t nl = block.find('\n', pos);
          if (nl == std::string::npos) nl = block.size();
          std::string line = block.substr(pos, nl - pos);
          pos = nl + 1;
          if (line.rfind("id: ", 0) == 0) e.id = line.substr(4);
          if (line.rfind("event: ", 0) == 0) e.type = line.substr(7);
          if (line.rfind("data: ", 0) == 0) e.data = line.substr(6);
        }
        if (!e.type.empty()) return e;
      }
      if (ended_ || !Fill(deadline)) return std::nullopt;
    }
  }

  // The events that arrive within `limit`.
  std::vector<Event> Collect(std::chrono::milliseconds limit) {
    std::vector<Event> out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto e = Next(left);
      if (!e) break;
      out.push_back(*e);
    }
    return out;
  }

  // True when the server ends the stream (the connection closes) within `limit`.
  bool WaitForEnd(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!ended_ && Fill(deadline)) {
    }
    return ended_;
  }

 private:
  // Reads what arrives before `deadline` into raw_; false on timeout or end of stream.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    if (fd_ < 0 || ended_) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[8192];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      ended_ = true;
      return false;
    }
    raw_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  // Moves whole chunks from raw_ to text_.
  void Decode() {
    if (status_ != 200) return;
    if (!chunked_) {
      text_ += raw_;
      raw_.clear();
      return;
    }
    while (true) {
      auto nl = raw_.find("\r\n");
      if (nl == std::string::npos) return;
      std::size_t size = std::stoul(raw_.substr(0, nl), nullptr, 16);
      if (raw_.size() < nl + 2 + size + 2) return;
      text_ += raw_.substr(nl + 2, size);
      raw_.erase(0, nl + 2 + size + 2);
      if (size == 0) ended_ = true;
    }
  }

  int fd_ = -1;
  int status_ = 0;
  bool chunked_ = false;
  bool ended_ = false;
  std::map<std::string, std::string> headers_;
  std::string raw_, text_, body_;
  std::size_t parsed_ = 0;
};

// The Cookie header of a client's session, for an SseClient.
inline std::map<std::string, std::string> SessionHeaders(const HttpClient& c) {
  auto it = c.cookies.find("rectify_session");
  if (it == c.cookies.end()) return {};
  return {{"Cookie", "rectify_session=" + it->second}};
}

}  // namespace rectify::test
