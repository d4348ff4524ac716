// The inside of the API (api_service.h): what a route's handler is given, the connections the
// workers use, and the helpers every route file shares. Not for use outside adapters/http/api/.
#pragma once

#include <boost/json.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http/api/api_service.h"
#include "adapters/store/soci/soci_account_store.h"
#include "adapters/store/soci/soci_idempotency_store.h"
#include "rectify/engine/engine.h"
#include "rectify/store.h"

namespace rectify::api {

// One worker's database access: the engine's store, the accounts and the idempotency keys.
struct Connection {
  std::unique_ptr<Store> store;
  std::unique_ptr<store_soci::Database> side;  // accounts and idempotency keys
  std::unique_ptr<store_soci::SociAccountStore> accounts;
  std::unique_ptr<store_soci::SociIdempotencyStore> idempotency;
  std::unique_ptr<engine::Engine> engine;
};

// What a handler gets: the request, who is calling, a connection, and the service's parts.
struct Call {
  const http::Request& request;
  const Caller& caller;
  Connection& db;
  ApiService::Impl& api;
  std::string request_id;
  Timestamp now;
};

using RouteHandler = std::function<http::Response(Call&)>;

class StreamHub;  // stream_hub.h

struct Route {
  RouteInfo info;
  RouteHandler handler;
};

struct ApiService::Impl {
  ApiOptions options;
  Authenticator authenticator;
  LoginThrottle throttle;
  boost::asio::thread_pool pool;
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> free;
  std::condition_variable available;
  std::unique_ptr<StreamHub> hub;  // GET /api/v1/stream; its own thread and connection

  explicit Impl(ApiOptions o);  // api_service.cc, where StreamHub is complete
  ~Impl();

  std::unique_ptr<Connection> Acquire();
  void Release(std::unique_ptr<Connection> c);
};

// The routes of each file, gathered by api_service.cc.
std::vector<Route> SessionRoutes();
std::vector<Route> ItemRoutes();
std::vector<Route> DocumentRoutes();  // openapi_routes.cc
std::vector<Route> StreamRoutes();

// Responses.
http::Response JsonResponse(unsigned status, const boost::json::value& body);
// An Error as its HTTP status and code: kBadInput 400 bad_request, kNotFound 404 not_found,
// kPermissionDenied 403 forbidden, kConflict 409 conflict, kUniqueViolation 409 conflict,
// kFailedPrecondition 409 failed_precondition, kUnavailable 503 unavailable, kInternal 500
// internal (its text is logged, not sent).
http::Response ErrorResponse(const Error& error);

// The org the caller belongs to (null for an administrator of no org, which cannot happen for an
// account made by rectify user add).
std::shared_ptr<const definition::Org> CallerOrg(const Call& call);

}  // namespace rectify::api
