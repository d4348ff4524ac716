#include "tests/support/loopback_http.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

namespace rectify::test {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;

HttpReply HttpGet(int port, const std::string& path, std::chrono::milliseconds limit) {
  HttpReply reply;
  try {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(limit);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                          static_cast<unsigned short>(port)));
    bhttp::request<bhttp::empty_body> req(bhttp::verb::get, path, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::connection, "close");
    stream.expires_after(limit);
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    stream.expires_after(limit);
    bhttp::read(stream, buffer, res);
    reply.status = res.result_int();
    reply.body = std::move(res.body());
  } catch (const std::exception&) {
    reply = HttpReply{};
  }
  return reply;
}

std::optional<double> MetricValue(const std::string& exposition, const std::string& name) {
  std::optional<double> sum;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.compare(0, name.size(), name) != 0) continue;
    std::size_t at = name.size();
    if (at < line.size() && line[at] == '{') {
      at = line.find('}', at);
      if (at == std::string::npos) continue;
      ++at;
    }
    if (at >= line.size() || line[at] != ' ') continue;  // another metric with this prefix
    try {
      sum = sum.value_or(0) + std::stod(line.substr(at + 1));
    } catch (const std::exception&) {
    }
  }
  return sum;
}

}  // namespace rectify::test
