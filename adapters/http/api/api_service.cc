#include "adapters/http/api/api_service.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <cstdio>

#include "adapters/http/api/account_cache.h"
#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/item_index.h"
#include "adapters/http/api/node_changes.h"
#include "adapters/http/api/response_cache.h"
#include "adapters/http/api/stream_hub.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/auth/secrets.h"

namespace rectify::api {

namespace json = boost::json;

std::vector<Route> ComparisonRoutes();  // comparison_routes.cc

std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  };
}

http::Response JsonResponse(unsigned status, const json::value& body) {
  return http::Response::Json(status, json::serialize(body));
}

http::Response ErrorResponse(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kBadInput:
      return http::Response::Error(400, "bad_request", error.message());
    case ErrorCode::kNotFound:
      return http::Response::Error(404, "not_found", error.message());
    case ErrorCode::kPermissionDenied:
      return http::Response::Error(403, "forbidden", error.message());
    case ErrorCode::kConflict:
    case ErrorCode::kUniqueViolation:
      return http::Response::Error(409, "conflict", error.message());
    case ErrorCode::kFailedPrecondition:
      return http::Response::Error(409, "failed_precondition", error.message());
    case ErrorCode::kUnavailable:
      std::fprintf(stderr, "rectify serve: unavailable: %s\n", error.message().c_str());
      return http::Response::Error(503, "unavailable",
                                   "the database is not reachable just now; retry shortly");
    default:
      std::fprintf(stderr, "rectify serve: internal error: %s\n", error.message().c_str());
      return http::Response::Error(500, "internal",
                                   "the request failed; the server's log says why");
  }
}

std::shared_ptr<const definition::Org> CallerOrg(const Call& call) {
  return call.api.options.definitions->FindOrg(call.caller.org);
}

ApiService::Impl::Impl(ApiOptions o)
    : options(std::move(o)),
      authenticator(options.definitions, *options.clock, options.sessions, options.header_auth),
      throttle(options.throttle),
      public_throttle(PublicThrottlePolicy(options.public_free_per_address)),
      workers(options.workers),
      heavy(options.heavy_workers) {}

ApiService::Impl::~Impl() = default;

std::unique_ptr<Connection> Workers::Acquire() {
  std::unique_lock lock(mu);
  available.wait(lock, [&] { return !free.empty(); });
  auto c = std::move(free.back());
  free.pop_back();
  return c;
}

void Workers::Release(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mu);
    free.push_back(std::move(c));
  }
  available.notify_one();
}

std::optional<http::Response> KeptAnswer(const MemoryCall& call, const std::string& key) {
  auto kept = call.api.answers->Find(key, call.api.items->generation(), call.now);
  if (!kept) return std::nullopt;
  return Answered(call.request, kept);
}

std::vector<Route> PeopleRoutes();  // people_routes.cc (declared here alone: its one caller)

namespace {

// The group commit the engines of `workers` commit through: the item workers', when it is on.
engine::GroupCommit* GroupCommitOf(ApiService::Impl& api, const Workers& workers) {
  return api.options.group_commit && &workers == &api.workers ? &api.commits : nullptr;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connect(const ApiOptions& o, AccountCache& credentials,
                                            engine::GroupCommit* commits) {
  auto c = std::make_unique<Connection>();
  store_soci::OpenOptions open;
  open.create = false;
  auto store = store_soci::OpenStore(o.database, open);
  if (!store) return store.error();
  c->store = std::move(*store);
  auto side = store_soci::Database::Open(o.database, open);
  if (!side) return side.error();
  c->side = std::move(*side);
  auto has = c->side->TableExists("accounts");
  if (!has) return has.error();
  if (!*has) {
    return Error::FailedPrecondition(
        "the database has no accounts table yet; run 'rectify "
        "migrate' before serving the API");
  }
  c->account_rows = std::make_unique<store_soci::SociAccountStore>(*c->side);
  c->accounts = credentials.Over(*c->account_rows);
  c->idempotency = std::make_unique<store_soci::SociIdempotencyStore>(*c->side);
  c->engine = std::make_unique<engine::Engine>(*c->store, *o.clock, o.definitions);
  if (commits) c->engine->SetCommitFunction(commits->Function());
  return c;
}

void Reconnect(const ApiOptions& options, AccountCache& credentials,
               std::unique_ptr<Connection>& db, engine::GroupCommit* commits) {
  if (!db->broken) return;
  auto fresh = Connect(options, credentials, commits);
  if (!fresh) {
    std::fprintf(stderr, "rectify serve: reconnecting to the database failed: %s\n",
                 fresh.error().message().c_str());
    return;
  }
  db = std::move(*fresh);
}

namespace {

// The client's request id when it is short and plain, else a fresh one: this process's random
// prefix and a count (unique, and cheap: no random bytes read per request).
std::string RequestId(const http::Request& req) {
  std::string id = req.Header("x-request-id");
  bool ok = !id.empty() && id.size() <= 64;
  for (char ch : id) {
    ok =
        ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
  }
  if (ok) return id;
  static const std::string prefix = auth::NewSessionSecret().id.substr(0, 12) + "-";
  static std::atomic<std::uint64_t> count{0};
  return prefix + std::to_string(count.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::vector<Route> AllRoutes() {
  std::vector<Route> all = SessionRoutes();
  for (auto& r : AccountRoutes()) all.push_back(std::move(r));
  for (auto& r : ItemRoutes()) all.push_back(std::move(r));
  for (auto& r : DocumentRoutes()) all.push_back(std::move(r));
  for (auto& r : DefinitionRoutes()) all.push_back(std::move(r));
  for (auto& r : DeliveryRoutes()) all.push_back(std::move(r));
  for (auto& r : AuditRoutes()) all.push_back(std::move(r));
  for (auto& r : FeedRoutes()) all.push_back(std::move(r));
  for (auto& r : EvidenceRoutes()) all.push_back(std::move(r));
  for (auto& r : PublicRoutes()) all.push_back(std::move(r));
  for (auto& r : CampaignRoutes()) all.push_back(std::move(r));
  for (auto& r : FindingRoutes()) all.push_back(std::move(r));
  for (auto& r : LedgerRoutes()) all.push_back(std::move(r));
  for (auto& r : TaskRoutes()) all.push_back(std::move(r));
  for (auto& r : ReportRoutes()) all.push_back(std::move(r));
  for (auto& r : AssessmentRoutes()) all.push_back(std::move(r));
  for (auto& r : StreamRoutes()) all.push_back(std::move(r));
  for (auto& r : BoardRoutes()) all.push_back(std::move(r));
  for (auto& r : PosterRoutes()) all.push_back(std::move(r));
  for (auto& r : PeopleRoutes()) all.push_back(std::move(r));
  for (auto& r : MeasureRoutes()) all.push_back(std::move(r));
  for (auto& r : RehearsalRoutes()) all.push_back(std::move(r));
  for (auto& r : SmsCallbackRoutes()) all.push_back(std::move(r));
  for (auto& r : ComparisonRoutes()) all.push_back(std::move(r));
  for (auto& r : BulletinRoutes()) all.push_back(std::move(r));
  return all;
}

// `fresh`: a catch-up that began after the request came has been applied already.
http::Response Handle(ApiService::Impl& api, const Route& route, const http::Request& req,
                      Connection& db, const std::string& request_id, bool fresh) {
  // Fresh as of this request: whatever was committed before it came, by anyone, is in the node's
  // item index and account cache (node_changes.h).
  // A write reads what it changes from the store: it needs the credentials fresh, not the index.
  if (!fresh) {
    auto need = route.info.write ? NodeChanges::Fresh::kCredentials : NodeChanges::Fresh::kIndex;
    if (Status s = api.changes->CatchUp(need); !s) return ErrorResponse(s.error());
  }
  Identified who = api.authenticator.Identify(req, *db.accounts);
  // A public route (signing in) serves a caller whose old cookie no longer works as anyone else.
  if (!who.rejected.empty() && !who.attack && route.info.access == Access::kPublic) {
    who = Identified();
  }
  if (!who.rejected.empty()) {
    auto r = http::Response::Error(401, "unauthenticated", who.rejected);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const Caller& caller = who.caller;
  if (route.info.access != Access::kPublic && caller.anonymous) {
    auto r = http::Response::Error(
        401, "unauthenticated",
        "sign in first (POST /api/v1/session) or send Authorization: Bearer <token>");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (route.info.access == Access::kAdmin && !caller.admin) {
    return http::Response::Error(403, "forbidden", "only an administrator may do this");
  }
  if (route.info.write && !caller.anonymous) {
    if (!caller.may_write) {
      return http::Response::Error(403, "forbidden",
                                   "this token may only read (its scope is read)");
    }
    if (Status s = CheckCsrf(req, caller); !s) return ErrorResponse(s.error());
  }
  Call call{req, caller, db, api, request_id, api.options.clock->Now()};
  return route.handler(call);
}

// Runs the request on a worker with a connection of its own (Handle), and responds.
void OnWorker(ApiService::Impl* api, const std::shared_ptr<const Route>& route, http::Request req,
              http::Responder respond, bool fresh) {
  Workers& on = route->info.heavy ? api->heavy : api->workers;
  boost::asio::post(
      on.pool, [api, &on, route, req = std::move(req), fresh, respond = std::move(respond)]() {
        std::string request_id = RequestId(req);
        http::Response response;
        std::unique_ptr<Connection> db = on.Acquire();
        Reconnect(api->options, *api->credentials, db, GroupCommitOf(*api, on));
        try {
          response = Handle(*api, *route, req, *db, request_id, fresh);
          db->broken = response.status >= 500;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "rectify serve: %s %s (request %s) failed: %s\n", req.method.c_str(),
                       req.path.c_str(), request_id.c_str(), e.what());
          response = http::Response::Error(500, "internal",
                                           "the request failed; the server's log says why");
          db->broken = true;
        }
        on.Release(std::move(db));
        response.headers.emplace_back("X-Request-Id", request_id);
        respond(std::move(response));
      });
}

// The route's kept answer for the request, from memory alone (Route::kept), or nullopt when a
// worker must answer it: a caller not identified from the node's memory (a credential not kept
// yet, a session due to be touched), any refusal (the worker words it), or no valid kept answer.
// Called on the node_changes reader's thread, after a catch-up that began after the request came.
std::optional<http::Response> AnswerKept(ApiService::Impl& api, const Route& route,
                                         const http::Request& req) {
  AccountCache::MemoryOnly& memory = *api.memory_accounts;
  memory.missed = false;
  Identified who = api.authenticator.Identify(req, *memory.accounts);
  if (memory.missed || !who.rejected.empty() || who.caller.anonymous) return std::nullopt;
  if (route.info.access == Access::kAdmin && !who.caller.admin) return std::nullopt;
  auto answer = route.kept(MemoryCall{req, who.caller, api, api.options.clock->Now()});
  if (answer) answer->headers.emplace_back("X-Request-Id", RequestId(req));
  return answer;
}

}  // namespace

ApiService::ApiService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiService::~ApiService() {
  if (impl_) {
    if (impl_->hub) impl_->hub->Stop();  // ends every stream
    // The reader first: requests waiting for a catch-up are answered 503 by the workers.
    if (impl_->changes) impl_->changes->Stop();
    impl_->workers.pool.join();
    impl_->heavy.pool.join();
  }
}

Result<std::unique_ptr<ApiService>> ApiService::Create(ApiOptions options) {
  if (!options.clock || !options.definitions) {
    return Error::Internal("ApiService needs a clock and definitions");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->credentials = std::make_unique<AccountCache>();
  for (auto [w, n] : {std::pair{&impl->workers, impl->options.workers},
                      std::pair{&impl->heavy, impl->options.heavy_workers}}) {
    for (int i = 0; i < std::max(1, n); ++i) {
      auto c = Connect(impl->options, *impl->credentials, GroupCommitOf(*impl, *w));
      if (!c) return c.error();
      w->free.push_back(std::move(*c));
    }
  }
  // The item lists (item_index.h): every instance read once now, then kept fresh per request.
  // Reading changes starts first, so a write made while the instances load is applied after.
  auto index_db = Connect(impl->options, *impl->credentials);
  if (!index_db) return index_db.error();
  impl->index_db = std::move(*index_db);
  impl->items = std::make_unique<ItemIndex>(impl->index_db->engine->interpreter());
  // The catch-ups read on a connection of their own, opened again when a read fails.
  auto reader_db = Connect(impl->options, *impl->credentials);
  if (!reader_db) return reader_db.error();
  impl->reader_db = std::move(*reader_db);
  Impl* self = impl.get();
  NodeChanges::Reconnect reconnect = [self]() -> Result<NodeChanges::Reading> {
    auto fresh = Connect(self->options, *self->credentials);
    if (!fresh) return fresh.error();
    self->reader_db = std::move(*fresh);
    return NodeChanges::Reading{self->reader_db->store.get(), self->reader_db->side.get()};
  };
  impl->changes = std::make_unique<NodeChanges>(
      *impl->items, *impl->credentials,
      NodeChanges::Reading{impl->reader_db->store.get(), impl->reader_db->side.get()},
      std::move(reconnect));
  impl->memory_accounts = impl->credentials->OverNothing();
  if (Status s = impl->changes->Start(); !s) return s.error();
  if (Status s = impl->items->Load(*impl->index_db->store); !s) return s.error();
  impl->answers = std::make_unique<ResponseCache>();
  // Live updates (GET /api/v1/stream): one more connection, for the hub's thread alone.
  auto hub_db = Connect(impl->options, *impl->credentials);
  if (!hub_db) return hub_db.error();
  impl->hub = std::make_unique<StreamHub>(*impl, std::move(*hub_db));
  if (Status s = impl->hub->Start(); !s) return s.error();
  return std::unique_ptr<ApiService>(new ApiService(std::move(impl)));
}

std::vector<RouteInfo> ApiService::Routes() {
  std::vector<RouteInfo> out;
  for (const auto& r : AllRoutes()) out.push_back(r.info);
  return out;
}

void ApiService::AddRoutes(http::HttpServer& server) {
  Impl* api = impl_.get();
  for (auto& route : AllRoutes()) {
    auto shared = std::make_shared<const Route>(std::move(route));
    server.RouteAsync(
        shared->info.method, shared->info.path,
        [api, shared](const http::Request& req, http::Responder respond) {
          if (!shared->kept || shared->info.write) {
            return OnWorker(api, shared, req, std::move(respond), false);
          }
          // A read with a kept answer: once a catch-up that began after the request came has been
          // applied, the answer may be sent from memory, without a worker's hop and connection.
          api->changes->AfterCatchUp([api, shared, req = http::Request(req),
                                      respond =
                                          std::move(respond)](const Status& caught_up) mutable {
            if (caught_up) {
              if (auto answer = AnswerKept(*api, *shared, req)) {
                return respond(std::move(*answer));
              }
            }
            OnWorker(api, shared, std::move(req), std::move(respond), static_cast<bool>(caught_up));
          });
        },
        shared->info.upload ? api->options.max_upload_request : shared->info.max_body);
  }
}

}  // namespace rectify::api
