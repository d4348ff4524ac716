// libFuzzer target for what the HTTP server does with bytes it did not choose: the request
// parser set up as the server sets it up (header cap, then the body limit of the route the header
// names), the Beast message turned into a Request (target, percent-decoded path, query, headers),
// the server's route matcher against the API's route table, and the strict JSON decoding of the
// API's request bodies (json_input.h). Every function called is the one the server runs
// (adapters/http/request_parsing.h, http_server.h MatchRoute); a crash, a sanitizer report or a
// broken invariant (checked below, abort()) is a finding.
//
// The route table is read from the OpenAPI document (adapters/http/api/openapi.json), which
// tests/http/api_contract_pgtest.cc holds equal to the served routes, plus /healthz and /metrics;
// so this target needs neither the API's database code nor the engine, and builds in seconds.
//
//   scripts/fuzz.sh 60                      # clang, libFuzzer, ASan and UBSan, in build-fuzz/
//   build/tests/fuzz/request_fuzz_corpus    # the corpus as a regression test (any compiler)
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/api/json_input.h"
#include "adapters/http/request_parsing.h"

namespace {

namespace bhttp = boost::beast::http;
using rectify::api::JsonField;
using rectify::api::JsonType;

struct Table {
  std::vector<rectify::http::RoutePattern> patterns;
  std::vector<std::size_t> max_bodies;
};

const Table& Routes() {
  static const Table table = [] {
    Table t;
    std::ifstream in(RECTIFY_SOURCE_DIR "/adapters/http/api/openapi.json");
    std::stringstream text;
    text << in.rdbuf();
    boost::json::value doc = boost::json::parse(text.str());
    for (const auto& [path, item] : doc.at("paths").as_object()) {
      for (const auto& [method, op] : item.as_object()) {
        std::string m(method);
        if (m != "get" && m != "post" && m != "put" && m != "delete" && m != "patch") continue;
        for (char& c : m) c = static_cast<char>(c - 'a' + 'A');
        t.patterns.push_back({m, rectify::http::PathSegments(path)});
        t.max_bodies.push_back(0);
      }
    }
    for (const char* p : {"/healthz", "/metrics"}) {
      t.patterns.push_back({"GET", rectify::http::PathSegments(p)});
      t.max_bodies.push_back(0);
    }
    // An upload route with a larger cap, as RouteInfo::max_body gives one.
    t.patterns.push_back({"POST", rectify::http::PathSegments("/api/v1/items/{id}/evidence")});
    t.max_bodies.push_back(8 * 1024 * 1024);
    if (t.patterns.size() < 5) std::abort();  // the document was not found
    return t;
  }();
  return table;
}

// The bodies the API decodes, as its routes declare them (session_routes.cc Login,
// item_routes.cc Act), and one field of every type.
const std::vector<std::vector<JsonField>>& BodySpecs() {
  static const std::vector<std::vector<JsonField>> specs = {
      {{"person", JsonType::kString, true}, {"password", JsonType::kString, true}},
      {{"reason", JsonType::kString, false},
       {"evidence", JsonType::kStringArray, false},
       {"fields", JsonType::kStringMap, false}},
      {{"s", JsonType::kString, false},
       {"b", JsonType::kBool, true},
       {"i", JsonType::kInteger, false},
       {"m", JsonType::kStringMap, false},
       {"a", JsonType::kStringArray, false}},
  };
  return specs;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

void DecodeBody(std::string_view body) {
  for (const auto& spec : BodySpecs()) {
    auto o = rectify::api::ParseObject(body, spec);
    if (!o) {
      Check(!o.error().message().empty());
      continue;
    }
    // What was accepted holds only declared fields, of their declared types.
    for (const auto& [key, value] : *o) {
      bool known = false;
      for (const auto& f : spec) {
        if (f.name != key) continue;
        known = true;
        switch (f.type) {
          case JsonType::kString:
            Check(value.is_string());
            break;
          case JsonType::kBool:
            Check(value.is_bool());
            break;
          case JsonType::kInteger:
            Check(value.is_int64() || value.is_uint64());
            break;
          case JsonType::kStringMap:
            Check(value.is_object());
            break;
          case JsonType::kStringArray:
            Check(value.is_array());
            break;
          case JsonType::kNumber:
            Check(value.is_number());
            break;
        }
      }
      Check(known);
    }
    for (const auto& f : spec) Check(!f.required || o->contains(f.name));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Table& table = Routes();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMaxHeader = 16 * 1024, kMaxBody = 1024 * 1024;  // the server's defaults

  // As the server reads: the header, then the body under its route's limit, then end of input
  // (the client closed). The input goes in two pieces, as the network may split it.
  rectify::http::RequestParser parser;
  rectify::http::PrepareParser(parser, kMaxHeader);
  boost::beast::error_code ec;
  std::size_t used = 0;                                     // bytes the parser took
  std::size_t avail = size > 0 ? data[0] % (size + 1) : 0;  // bytes arrived so far
  bool limited = false;
  while (!parser.is_done()) {
    if (used == avail) {
      if (avail == size) {
        parser.put_eof(ec);
        break;
      }
      avail = size;  // the second piece arrives
      continue;
    }
    std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, avail - used), ec);
    used += n;
    if (ec == bhttp::error::need_more || (!ec && n == 0)) {
      // Beast wants the whole header in one buffer: the server's buffer keeps what came.
      ec = {};
      if (avail == size) {
        parser.put_eof(ec);
        break;
      }
      avail = size;
      continue;
    }
    if (ec) break;
    if (parser.is_header_done() && !limited) {
      limited = true;
      std::size_t limit =
          rectify::http::BodyLimitFor(parser, table.patterns, table.max_bodies, kMaxBody);
      Check(limit >= kMaxBody);
      parser.body_limit(limit);
      if (auto length = parser.content_length(); length && *length > limit) return 0;  // 413
    }
  }
  if (ec || !parser.is_done()) return 0;  // 400, 413, 431 or a broken connection

  auto request = rectify::http::ToRequest(parser.release(), "127.0.0.1:40000");
  if (!request) return 0;  // 400
  Check(!request->path.empty() && request->path.front() == '/');
  for (const auto& [name, value] : request->headers) {
    for (char c : name) Check(!(c >= 'A' && c <= 'Z'));
  }

  rectify::http::RouteMatch match =
      rectify::http::MatchRoute(table.patterns, request->method, request->path);
  if (match.route) {
    const auto& route = table.patterns[*match.route];
    Check(route.method == request->method);
    Check(!match.allowed.empty());
    std::size_t params = 0;
    for (const auto& s : route.segments) params += s.size() >= 2 && s.front() == '{';
    Check(match.params.size() <= params);
    for (const auto& [name, value] : match.params) Check(!value.empty());
  }
  DecodeBody(request->body);
  return 0;
}
