// The hub behind GET /api/v1/stream (stream_routes.cc says what it sends and how): one thread
// with its own database connection that polls the change feed and fans each event out to the
// subscribers who may see it.
//
//   StreamHub hub(api, std::move(connection));   // a Connection of its own, not a worker's
//   hub.Start();                                  // from the feed's current end
//   hub.Subscribe(sink, caller, request, last_event_id);   // from the route, any thread
//   hub.Stop();                                   // closes every stream, joins the thread
//
// Thread-safety: Subscribe and subscribers() from any thread; Start and Stop from the owner.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/http_server.h"
#include "rectify/engine/interpreter.h"

namespace rectify::api {

// One row of the change feed, with what a client is told of it.
struct FeedEvent {
  std::int64_t id = 0;
  std::string kind;         // item, escalation, dead_letter
  std::string instance_id;  // '' for a delivery of no item
  boost::json::object data;
};

class StreamHub {
 public:
  StreamHub(ApiService::Impl& api, std::unique_ptr<Connection> db);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // kFailedPrecondition-like errors when the feed's table is missing (migration 0009).
  Status Start();
  void Stop();

  // Replays what the caller may see after `after` (a Last-Event-ID), then streams.
  void Subscribe(std::shared_ptr<http::StreamSink> sink, const Caller& caller,
                 const http::Request& request, std::optional<std::int64_t> after);
  std::size_t subscribers() const;

 private:
  struct Subscriber;
  struct LoadedItem {
    engine::Instance inst;
    engine::Bound bound;
  };
  using Cache = std::map<std::string, std::optional<LoadedItem>>;

  void Run();
  std::vector<FeedEvent> Read(std::int64_t after, std::int64_t upto, std::int64_t limit);
  void Poll();
  void Join(const std::shared_ptr<Subscriber>& s);
  void Tend();
  bool Visible(const Subscriber& s, const FeedEvent& e, Cache& cache, std::int64_t* version);
  void Send(Subscriber& s, const FeedEvent& e, Cache& cache);

  ApiService::Impl& api_;
  std::unique_ptr<Connection> db_;
  std::thread thread_;

  // The hub thread's own.
  std::int64_t floor_ = 0;  // every feed id up to here has been sent (or given up on)
  std::map<std::int64_t, FeedEvent> ahead_;  // read, above a gap
  std::optional<std::chrono::steady_clock::time_point> gap_since_;
  std::vector<std::shared_ptr<Subscriber>> live_;
  std::atomic<std::int64_t> sent_{0};  // floor_, for Subscribe on other threads

  mutable std::mutex mu_;  // guards what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::shared_ptr<Subscriber>> joining_;
  std::size_t live_count_ = 0;
};

}  // namespace rectify::api
