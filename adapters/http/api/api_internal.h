// The inside of the API (api_service.h): what a route's handler is given, the connections the
// workers use, and the helpers every route file shares. Not for use outside adapters/http/api/.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/api/account_cache.h"
#include "adapters/http/api/api_service.h"
#include "adapters/store/soci/soci_account_store.h"
#include "adapters/store/soci/soci_idempotency_store.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/group_commit.h"
#include "rectify/store.h"

namespace rectify::api {

// One worker's database access: the engine's store, the accounts and the idempotency keys.
struct Connection {
  std::unique_ptr<Store> store;
  std::unique_ptr<store_soci::Database> side;  // accounts and idempotency keys
  std::unique_ptr<store_soci::SociAccountStore> account_rows;
  std::unique_ptr<auth::AccountStore> accounts;  // account_rows through the node's AccountCache
  std::unique_ptr<store_soci::SociIdempotencyStore> idempotency;
  std::unique_ptr<engine::Engine> engine;
  // Set when a request on it answered 5xx (the database was unreachable) or threw: the
  // connection may be dead (PostgreSQL restarted) or left inside a transaction, so the next
  // request opens a fresh one first (Reconnect); while that fails, the old one stays, marked.
  bool broken = false;
};

// Opens a worker's connections (the store and the side database) and what reads through them.
// With `commits`, its engine commits through that group commit (rectify/engine/group_commit.h).
Result<std::unique_ptr<Connection>> Connect(const ApiOptions& options, AccountCache& credentials,
                                            engine::GroupCommit* commits = nullptr);

// Replaces `db` by a fresh connection when it is marked broken; keeps it (still marked) when the
// database cannot be reached yet, so the request answers 503 and the next one tries again.
void Reconnect(const ApiOptions& options, AccountCache& credentials,
               std::unique_ptr<Connection>& db, engine::GroupCommit* commits = nullptr);

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

// A request as a route's kept answer sees it (Route::kept): no database connection.
struct MemoryCall {
  const http::Request& request;
  const Caller& caller;
  ApiService::Impl& api;
  Timestamp now;
};

// A read route's answer from memory alone, without a worker or a connection: the answer it keeps
// (response_cache.h) when that is still valid, else nullopt (the worker computes it, and answers
// any error). Run on the node_changes reader's thread right after a read that began after the
// request came, so it must be quick and never block.
using KeptHandler = std::function<std::optional<http::Response>(const MemoryCall&)>;

// The answer kept under `key` (response_cache.h) while it is valid for the node's item index and
// the clock, as a response; nullopt when there is none.
std::optional<http::Response> KeptAnswer(const MemoryCall& call, const std::string& key);

inline MemoryCall InMemory(const Call& call) {
  return MemoryCall{call.request, call.caller, call.api, call.now};
}

class StreamHub;      // stream_hub.h
class ItemIndex;      // item_index.h
class NodeChanges;    // node_changes.h
class ResponseCache;  // response_cache.h

struct Route {
  RouteInfo info;
  RouteHandler handler;
  KeptHandler kept;  // optional
};

// The throttle of the public routes: only the per-address count matters (their "account" keys
// are shared by everyone). After `free` reports (or wrong secrets) from one address, the next
// waits a minute, doubling up to an hour. (LoginThrottle lets `free_per_address` failures pass
// and slows the attempt after the next one; a report counts as it is taken, hence free - 1.)
inline LoginThrottle::Policy PublicThrottlePolicy(int free) {
  LoginThrottle::Policy p;
  p.free_per_account = 1 << 30;
  p.free_per_address = std::max(0, free - 1);
  p.first_delay = std::chrono::minutes(1);
  p.max_delay = std::chrono::hours(1);
  p.forget_after = std::chrono::hours(1);
  return p;
}

// A pool of threads, each request on it given a database connection of its own.
struct Workers {
  explicit Workers(int n) : pool(static_cast<std::size_t>(std::max(1, n))) {}
  boost::asio::thread_pool pool;
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> free;
  std::condition_variable available;

  std::unique_ptr<Connection> Acquire();
  void Release(std::unique_ptr<Connection> c);
};

struct ApiService::Impl {
  ApiOptions options;
  Authenticator authenticator;
  LoginThrottle throttle;
  LoginThrottle public_throttle;  // public reports and ticket lookups, per address
  // Requests run here; a heavy route's (RouteInfo::heavy: reports and exports over the whole
  // scope, audit verification, calendar feeds) on `heavy` instead, so that a few of them, each
  // taking seconds, never leave the item routes without a worker.
  Workers workers;
  Workers heavy;
  // The item routes' writes: events sent at once on several workers commit together in one
  // transaction (group_commit.h). Not the heavy workers': an import's commit would hold a group.
  engine::GroupCommit commits;
  std::unique_ptr<StreamHub> hub;  // GET /api/v1/stream; its own thread and connection
  // What the node keeps in memory: what GET /api/v1/items lists (its interpreter is index_db's
  // engine's) and the credentials it has read, both brought up to date by `changes` before each
  // request is identified.
  std::unique_ptr<Connection> index_db;
  std::unique_ptr<ItemIndex> items;
  std::unique_ptr<AccountCache> credentials;
  // The connection `changes` reads on (its reader thread's alone; replaced when a read failed).
  std::unique_ptr<Connection> reader_db;
  // The credentials as the kept answers are sent with (on changes' reader thread alone).
  std::unique_ptr<AccountCache::MemoryOnly> memory_accounts;
  std::unique_ptr<NodeChanges> changes;
  // Answers of the lists and the summary, kept while the index and the clock leave them as they
  // are (response_cache.h).
  std::unique_ptr<ResponseCache> answers;
  // When idempotency keys were last expired (microseconds of the Clock): at most hourly, by
  // whichever keyed request comes first (idempotency.cc).
  std::atomic<std::int64_t> keys_expired_at{0};

  explicit Impl(ApiOptions o);  // api_service.cc, where StreamHub is complete
  ~Impl();
};

// The routes of each file, gathered by api_service.cc.
std::vector<Route> SessionRoutes();
std::vector<Route> AccountRoutes();  // account_routes.cc
std::vector<Route> ItemRoutes();
std::vector<Route> DocumentRoutes();  // openapi_routes.cc
std::vector<Route> DefinitionRoutes();
std::vector<Route> DeliveryRoutes();
std::vector<Route> AuditRoutes();
std::vector<Route> FeedRoutes();
std::vector<Route> EvidenceRoutes();  // evidence_routes.cc
std::vector<Route> PublicRoutes();    // public_routes.cc
std::vector<Route> FindingRoutes();   // finding_routes.cc

// An item with what it is bound to, when the caller may read it (item_routes.cc).
struct Readable {
  engine::Instance inst;
  engine::Bound bound;
};
// The item `id` if the caller may read it (engine::MayRead); else kNotFound exactly as for an
// item that does not exist.
Result<Readable> FindReadable(Call& call, const std::string& id);
// The events the caller may send on the item now (the transitions engine::CheckActor allows).
boost::json::array AvailableEvents(Call& call, const Readable& r);
// Sends a command on item {id} as the events route does (item_routes.cc): the item must be
// readable, If-Match given and current; `build` makes the command from the request (its error is
// answered as such, nothing done); the answer is the item as GET shows it, with its new ETag.
// The caller, version, channel and request id are filled in here.
using CommandBuilder = std::function<Result<engine::Command>(Call&, const Readable&)>;
http::Response ActOnItem(Call& call, const CommandBuilder& build);
std::vector<Route> MeasureRoutes();  // measure_routes.cc

struct StoredEvidence;
// An uploaded file as the API shows it: {sha256, name, type, size, uploaded_by, uploaded_at,
// href}, the time written by `local`.
boost::json::object EvidenceJson(const std::string& item_id, const StoredEvidence& file,
                                 const std::function<std::string(Timestamp)>& local);

struct NewEvidence;
// The files of a multipart upload, each checked (name, size, type by content) into `out`; the
// error response when the body or any file is refused (then nothing is to be stored).
std::optional<http::Response> ReadUploads(Call& call, std::vector<NewEvidence>& out);
// A stored file's download: its bytes with the type found at upload, Content-Disposition with
// its name and ETag (304 for an If-None-Match that names it) (evidence_routes.cc).
http::Response EvidenceDownload(Call& call, const StoredEvidence& file);
std::vector<Route> CampaignRoutes();  // campaign_routes.cc
std::vector<Route> LedgerRoutes();    // ledger_routes.cc
// A ledger's file as uploaded (ledger_routes.cc): the body itself (text/csv or an XLSX workbook,
// named by Content-Disposition's filename) or the one file of a multipart form; kBadInput else.
struct LedgerUpload {
  std::string file = "ledger.csv";
  std::string text;
};
Result<LedgerUpload> ReadUpload(const http::Request& req);
std::vector<Route> TaskRoutes();    // task_routes.cc
std::vector<Route> ReportRoutes();  // report_routes.cc
std::vector<Route> StreamRoutes();
std::vector<Route> BoardRoutes();        // board_routes.cc
std::vector<Route> PosterRoutes();       // poster_routes.cc
std::vector<Route> RehearsalRoutes();    // rehearsal_routes.cc
std::vector<Route> SmsCallbackRoutes();  // sms_callback_routes.cc
std::vector<Route> BulletinRoutes();     // bulletin_routes.cc

// An uploaded definition file (named "upload.yaml") checked together with the loaded definitions,
// as `rectify validate` checks it (definition_routes.cc): the diagnostics and, when it compiled,
// the set and what the upload itself defines.
struct CheckedUpload {
  Diagnostics diags;
  std::shared_ptr<const definition::DefinitionSet> set;
  std::vector<definition::DefinitionInfo> defined;
};
CheckedUpload CheckDefinitionUpload(const ApiOptions& options, const std::string& text);
// Diagnostics as the API shows them: [{severity, file, line, column, path, message, hint, text}].
boost::json::array DiagnosticsArray(const Diagnostics& diags);

// Marks, bonus, vetoes, publication and export of an assessment (assessment_routes.cc).
std::vector<Route> AssessmentRoutes();

// Responses.
http::Response JsonResponse(unsigned status, const boost::json::value& body);
// An Error as its HTTP status and code: kBadInput 400 bad_request, kNotFound 404 not_found,
// kPermissionDenied 403 forbidden, kConflict 409 conflict, kUniqueViolation 409 conflict,
// kFailedPrecondition 409 failed_precondition, kUnavailable 503 unavailable, kInternal 500
// internal (its text is logged, not sent).
http::Response ErrorResponse(const Error& error);

// Runs `handler` under the request's Idempotency-Key, when it has one (idempotency.cc): a retry
// of the same request by the same person answers the first answer again (with
// Idempotent-Replayed: true) and does nothing twice; a key reused for another request is 409.
// Answers of 500 and more are not kept, so they can be retried.
http::Response WithIdempotencyKey(Call& call, const RouteHandler& handler);

// A version as an ETag ("3"), and the version an If-Match names ("3", W/"3" or 3; nullopt when
// it names none) (idempotency.cc).
std::string ETag(std::int64_t version);
std::optional<std::int64_t> ParseIfMatch(std::string value);

// The org the caller belongs to (null for an administrator of no org, which cannot happen for an
// account made by rectify user add).
std::shared_ptr<const definition::Org> CallerOrg(const Call& call);

}  // namespace rectify::api
