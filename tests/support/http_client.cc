#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rectify::test {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

std::string HttpAnswer::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

boost::json::value HttpAnswer::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  return ec ? boost::json::value(nullptr) : v;
}

std::string HttpAnswer::ErrorCode() const {
  boost::json::value v = Json();
  if (!v.is_object()) return {};
  const auto* e = v.as_object().if_contains("error");
  if (!e || !e->is_object()) return {};
  const auto* c = e->as_object().if_contains("code");
  return c && c->is_string() ? std::string(c->as_string()) : std::string();
}

HttpAnswer HttpClient::Send(const std::string& method, const std::string& target,
                            const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  HttpAnswer answer;
  try {
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                          static_cast<unsigned short>(port_)));
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    std::string cookie;
    for (const auto& [name, value] : cookies) {
      cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    }
    if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    answer.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value(field.value());
      auto& slot = answer.headers[name];
      slot = slot.empty() ? value : slot + ", " + value;
      if (name == "set-cookie") {
        auto eq = value.find('=');
        auto semi = value.find(';');
        std::string cname = value.substr(0, eq);
        std::string cvalue = value.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
        if (value.find("Max-Age=0") != std::string::npos) {
          cookies.erase(cname);
        } else {
          cookies[cname] = cvalue;
        }
      }
    }
    answer.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  } catch (const std::exception&) {
    answer.status = 0;
  }
  return answer;
}

}  // namespace rectify::test
