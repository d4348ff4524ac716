// An HTTP/1.1 client for tests of the API over real loopback: any method, headers and body, and
// the cookies a server sets kept in a jar, as a browser would.
//
//   HttpClient client(port);
//   HttpAnswer a = client.Send("POST", "/api/v1/session", R"({"person":"xs-0012",...})");
//   a.status; a.Header("set-cookie"); a.Json().at("csrf_token");
//   client.Send("GET", "/api/v1/items");       // sends the session cookie it was given
//
// Each Send opens a connection (the server's keep-alive is tested elsewhere). Thread-safety: one
// client per thread.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>

namespace rectify::test {

struct HttpAnswer {
  int status = 0;                              // 0 when nothing answered
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const;
  boost::json::value Json() const;  // null when the body is not JSON
  std::string ErrorCode() const;    // error.code of an error body, or ""
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}

  HttpAnswer Send(const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::map<std::string, std::string>& headers = {});

  // The cookie jar: name -> value, from Set-Cookie (a Max-Age=0 cookie is removed).
  std::map<std::string, std::string> cookies;

 private:
  int port_;
};

}  // namespace rectify::test
