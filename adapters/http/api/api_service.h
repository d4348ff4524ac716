// The HTTP API under /api/v1/: every person acts as themselves, only inside their own units.
//
//   ApiOptions options{.database = url, .definitions = set, .clock = &clock};
//   auto api = ApiService::Create(options);          // opens `workers` database connections
//   (*api)->AddRoutes(server);                       // before server.Start()
//
// Each request is authenticated (authentication.h: a session cookie, a bearer token, or nobody),
// checked against its route's access (public, signed in, administrator; writes need a write
// credential and, with a cookie, the CSRF token), then run on a worker thread with a database
// connection of its own, never on the io_context. A read whose answer is kept in memory (the item
// lists, the summary: Route::kept) is sent without a worker, once the node's memory is up to date
// with the request (node_changes.h) and the caller is identified from memory. What a caller may
// read or do is decided by the engine's access rules (rectify/engine/access.h: MayRead,
// CheckActor), as for the command line;
// an item outside the caller's scope is answered exactly as one that does not exist.
//
// Every response carries the security headers (Content-Security-Policy without unsafe-inline,
// X-Content-Type-Options, frame-ancestors none, Referrer-Policy) and an X-Request-Id (the
// client's, when it sent a sane one). Errors are `{"error":{"code","message"}}` and never carry
// SQL or internal text (see docs/api.md for each code).
//
// Routes() lists every route with its access, so tests can check that each has a row in the
// access table and in the OpenAPI document.
//
// Thread-safety: AddRoutes before the server starts; requests are then handled concurrently, up
// to `workers` at a time, each on its own connection. The service must outlive the server's
// io_context run.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http/api/authentication.h"
#include "adapters/http/api/login_throttle.h"
#include "adapters/http/http_server.h"
#include "adapters/store/soci/database_url.h"
#include "rectify/clock.h"
#include "rectify/definition/definition_set.h"

namespace rectify::api {

struct ApiOptions {
  store_soci::DatabaseUrl database;
  std::shared_ptr<const definition::DefinitionSet> definitions;
  Clock* clock = nullptr;
  int workers = 2;
  int heavy_workers = 2;  // for the heavy routes (RouteInfo::heavy)
  // The workers' writes commit through one group commit (rectify/engine/group_commit.h): events
  // sent at once share a transaction. Off: each commits alone (serve --api-group-commit off).
  bool group_commit = true;
  SessionPolicy sessions;
  HeaderAuth header_auth;  // single sign-on (authentication.h); empty: none
  LoginThrottle::Policy throttle;
  // Where `definitions` were loaded from (the county's folders, then the shipped library), so an
  // uploaded definition is checked together with them and its names resolve, as `rectify
  // validate` checks a file.
  std::vector<std::string> definition_paths;
  std::vector<std::string> definition_library;
  // Evidence uploads (serve --max-upload, --max-upload-request): the largest file, and the
  // largest request body of an upload route (several files and the multipart framing).
  std::size_t max_upload = 20u << 20;
  std::size_t max_upload_request = 50u << 20;
  // The public reporter (public_routes.cc; serve --public-unit, --public-registrar): reports
  // become items of the public-report workflow in this unit, registered in the name of this
  // person (the registrar who registers and answers them). Empty: no public reports.
  std::string public_unit;
  std::string public_registrar;
  // Reports and wrong ticket secrets one address may send before each further one waits
  // (doubling from a minute up to an hour; forgotten an hour after the last).
  int public_free_per_address = 10;
  // The server's address as the public reaches it, without a trailing slash (serve --public-url):
  // a unit's poster holds <public_url>/report?unit=ID. Empty: posters are refused (409).
  std::string public_url;
  // Rehearsals (POST /api/v1/rehearsals, rehearsal_routes.cc) run on a throw-away in-memory
  // database made with these migrations, and stop after this many seconds of real time
  // (serve --rehearsal-limit). Empty folder: rehearsals are refused (409).
  std::string migrations_dir;
  double rehearsal_seconds = 120;
};

enum class Access { kPublic, kSignedIn, kAdmin };

struct RouteInfo {
  std::string method;
  std::string path;  // with {param} segments
  Access access = Access::kSignedIn;
  bool write = false;
  std::size_t max_body = 0;  // bytes; 0: the server's cap (1 MiB). An upload route sets its own.
  bool upload = false;       // takes files: its body may be ApiOptions::max_upload_request
  // Runs on the heavy workers (ApiOptions::heavy_workers): a request that reads the caller's
  // whole scope and takes seconds on a large county (reports, exports, audit, feeds).
  bool heavy = false;
};

// The headers every response of `rectify serve` carries (for HttpServer::Options::headers).
std::vector<std::pair<std::string, std::string>> SecurityHeaders();

class ApiService {
 public:
  static Result<std::unique_ptr<ApiService>> Create(ApiOptions options);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  void AddRoutes(http::HttpServer& server);
  static std::vector<RouteInfo> Routes();

  struct Impl;  // api_service.cc and the route files

 private:
  explicit ApiService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::api
