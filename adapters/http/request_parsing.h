// How the HTTP server (http_server.h) reads a request, as pure functions, so that the fuzzer
// (tests/fuzz/) feeds bytes through exactly the code the server runs: the parser set up with the
// server's limits, the body limit chosen by route once the header is in, and the Beast message
// turned into a Request (path percent-decoded, query, lower-cased headers).
//
// Not for use outside adapters/http/ and tests/fuzz/. Thread-safety: pure functions.
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/http/http_server.h"

namespace rectify::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A fresh parser as the server starts each request: the header capped at `max_header`, no body
// limit yet (Beast would check a Content-Length before the route is known).
void PrepareParser(RequestParser& parser, std::size_t max_header);

// The body limit of the request whose header `parser` holds: the largest `max_body` of the
// routes (same index as `patterns`, 0 for none) that match its method and path, else `fallback`.
std::size_t BodyLimitFor(const RequestParser& parser, const std::vector<RoutePattern>& patterns,
                         const std::vector<std::size_t>& max_bodies, std::size_t fallback);

// The whole message as a Request; kBadInput (a 400 saying so) when its target is not a path.
Result<Request> ToRequest(boost::beast::http::request<boost::beast::http::string_body>&& msg,
                          std::string remote);

}  // namespace rectify::http
