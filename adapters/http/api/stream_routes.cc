// GET /api/v1/stream: live updates for the boards, as server-sent events (text/event-stream).
//
//   id: 1042
//   event: item                      (or escalation, or dead_letter)
//   data: {"item":"T-A1","event":"submit","from":"assigned","to":"submitted","version":3,...}
//
// What is sent: every audit row (an item changed; `escalation` when the row is an escalation)
// and every delivery that became dead (`dead_letter`), each only to the callers who may read its
// item (engine::MayRead, as item_routes.cc decides; an administrator sees everything, and a dead
// letter of no item goes to administrators alone). The ids are the change feed's (migration 0009:
// a table filled by triggers on audit_log and outbox), in commit order; a client that reconnects
// with `Last-Event-ID` gets everything after that id that it may see, once, in order, then the
// live events. A comment line every 15 s keeps proxies from closing an idle stream.
//
// No API worker is held by a stream: the request is authenticated on a worker like any other,
// then its connection is handed to the StreamHub, one thread with a database connection of its
// own that polls the feed every 300 ms and writes to every subscriber's sink (http_server.h
// StreamSink). The sink's buffer is bounded: a client that reads too slowly is dropped and
// reconnects with Last-Event-ID. Every 2 s the hub checks each subscriber's credential again
// (the same Authenticator), so signing out, a password change, disabling or a revoked token ends
// the stream; the server's graceful stop ends every stream at once.
//
// Commit order on PostgreSQL: a feed id is taken at insert, but transactions commit in any order,
// so id 12 may be visible before id 11. The hub sends ids strictly in order: when it sees a gap
// below the highest id read, it holds back what is above it and reads again from the gap until
// it fills, or for kGapWait (a rolled-back transaction leaves a gap for ever). SQLite has one
// writer, so its ids commit in order and no gap waits.
#include <soci/soci.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/stream_hub.h"
#include "adapters/store/soci/batch.h"
#include "rectify/engine/access.h"

namespace rectify::api {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kPollEvery = std::chrono::milliseconds(300);
constexpr auto kHeartbeatEvery = std::chrono::seconds(15);
constexpr auto kRecheckEvery = std::chrono::seconds(2);
constexpr auto kGapWait = std::chrono::seconds(5);
constexpr std::int64_t kReadBatch = 1000;

std::string Text(const soci::row& r, std::size_t i) {
  return r.get_indicator(i) == soci::i_null ? std::string() : r.get<std::string>(i);
}

}  // namespace

struct StreamHub::Subscriber {
  std::shared_ptr<http::StreamSink> sink;
  Caller caller;
  http::Request request;   // its credential, to check it again
  std::int64_t after = 0;  // the last feed id it has been sent (or may not see)
  SteadyClock::time_point next_heartbeat, next_check;
};

StreamHub::StreamHub(ApiService::Impl& api, std::unique_ptr<Connection> db)
    : api_(api), db_(std::move(db)) {}

StreamHub::~StreamHub() { Stop(); }

Status StreamHub::Start() {
  try {
    long long top = 0;
    soci::indicator ind = soci::i_ok;
    db_->side->session() << "SELECT MAX(id) FROM change_feed", soci::into(top, ind);
    floor_ = ind == soci::i_null ? 0 : top;
    sent_ = floor_;
  } catch (const std::exception& e) {
    return db_->side->MapError(e, "the change feed (run 'rectify migrate')");
  }
  thread_ = std::thread([this] { Run(); });
  return OkStatus();
}

void StreamHub::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& s : live_) s->sink->Close();
  live_.clear();
  std::lock_guard lock(mu_);
  for (auto& s : joining_) s->sink->Close();
  joining_.clear();
}

void StreamHub::Subscribe(std::shared_ptr<http::StreamSink> sink, const Caller& caller,
                          const http::Request& request, std::optional<std::int64_t> after) {
  auto s = std::make_shared<Subscriber>();
  s->sink = std::move(sink);
  s->caller = caller;
  s->request = request;
  s->request.body.clear();
  // Without Last-Event-ID, from what was sent when the request came: an event that commits
  // while the hub takes the subscriber in is not lost.
  s->after = after.value_or(sent_.load());
  // The client waits this long before it reconnects; the first line also shows the stream is up.
  s->sink->Write("retry: 2000\n: rectify stream\n\n");
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      s->sink->Close();
      return;
    }
    joining_.push_back(std::move(s));
  }
  wake_.notify_all();
}

std::size_t StreamHub::subscribers() const {
  std::lock_guard lock(mu_);
  return live_count_;
}

void StreamHub::Run() {
  while (true) {
    std::vector<std::shared_ptr<Subscriber>> joining;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, kPollEvery, [&] { return stopping_ || !joining_.empty(); });
      if (stopping_) return;
      joining.swap(joining_);
    }
    try {
      Reconnect(api_.options, *api_.credentials, db_);
      Poll();
      for (auto& s : joining) Join(s);
      Tend();
    } catch (const std::exception& e) {
      // The database went away for a moment (or restarted, which ends the connection): the next
      // poll tries again on a fresh connection; no subscriber is lost.
      std::fprintf(stderr, "rectify serve: the stream's poll failed: %s\n", e.what());
      db_->broken = true;
      for (auto& s : joining) {
        std::lock_guard lock(mu_);
        joining_.push_back(s);
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    std::lock_guard lock(mu_);
    live_count_ = live_.size();
  }
}

std::vector<FeedEvent> StreamHub::Read(std::int64_t after, std::int64_t upto, std::int64_t limit) {
  std::vector<FeedEvent> out;
  std::string sql =
      "SELECT f.id, f.kind, f.instance_id, f.outbox_id, a.event, a.from_state, a.to_state, a.at, "
      "a.actor, o.channel, o.template, o.attempts, o.recipient FROM change_feed f "
      "LEFT JOIN audit_log a ON f.kind = 'audit' AND a.instance_id = f.instance_id AND "
      "a.seq = f.seq LEFT JOIN outbox o ON f.kind = 'dead' AND o.id = f.outbox_id WHERE f.id > " +
      std::to_string(after) + (upto > 0 ? " AND f.id <= " + std::to_string(upto) : "") +
      " ORDER BY f.id LIMIT " + std::to_string(limit);
  soci::rowset<soci::row> rows = db_->side->session().prepare << sql;
  for (const auto& r : rows) {
    FeedEvent e;
    e.id = store_soci::RowInt(r, 0);
    std::string kind = Text(r, 1);
    e.instance_id = Text(r, 2);
    if (kind == "audit") {
      std::string event = Text(r, 4);
      e.kind = event == "escalate" ? "escalation" : "item";
      e.data = json::object{{"item", e.instance_id},
                            {"event", event},
                            {"from", Text(r, 5)},
                            {"to", Text(r, 6)},
                            {"at", FormatIso(FromMicros(store_soci::RowInt(r, 7)))},
                            {"actor", Text(r, 8)}};
    } else {
      e.kind = "dead_letter";
      e.data = json::object{
          {"delivery", store_soci::RowInt(r, 3)},
          {"item", e.instance_id.empty() ? json::value(nullptr) : json::value(e.instance_id)},
          {"channel", Text(r, 9)},
          {"template", Text(r, 10)},
          {"attempts", store_soci::RowInt(r, 11)},
          {"recipient", Text(r, 12)}};
    }
    out.push_back(std::move(e));
  }
  return out;
}

// New rows of the feed, in id order without gaps (see the file comment), to every subscriber.
void StreamHub::Poll() {
  std::vector<FeedEvent> rows = Read(floor_, 0, kReadBatch);
  for (auto& e : rows) {
    if (e.id > floor_) ahead_.emplace(e.id, std::move(e));
  }
  std::vector<FeedEvent> ready;
  auto now = SteadyClock::now();
  while (!ahead_.empty()) {
    auto first = ahead_.begin();
    if (first->first != floor_ + 1) {
      // A gap: maybe a transaction still in flight. Wait for it, but not for ever.
      if (!gap_since_) gap_since_ = now;
      if (now - *gap_since_ < kGapWait) break;
    }
    gap_since_.reset();
    floor_ = first->first;
    ready.push_back(std::move(first->second));
    ahead_.erase(first);
  }
  sent_ = floor_;
  if (ready.empty()) return;
  Cache cache;
  for (const auto& e : ready) {
    for (auto& s : live_) {
      if (e.id > s->after) Send(*s, e, cache);
    }
  }
}

// A new subscriber: what it missed after its Last-Event-ID, then it is live.
void StreamHub::Join(const std::shared_ptr<Subscriber>& s) {
  if (s->after > floor_) s->after = floor_;  // an id of another database, or of the future
  Cache cache;
  while (s->after < floor_) {
    std::vector<FeedEvent> missed = Read(s->after, floor_, kReadBatch);
    if (missed.empty()) break;
    for (const auto& e : missed) {
      Send(*s, e, cache);
      s->after = std::max(s->after, e.id);
    }
  }
  s->after = floor_;
  auto now = SteadyClock::now();
  s->next_heartbeat = now + kHeartbeatEvery;
  s->next_check = now + kRecheckEvery;
  live_.push_back(s);
}

// Heartbeats, credentials checked again, gone clients dropped.
void StreamHub::Tend() {
  auto now = SteadyClock::now();
  std::vector<std::shared_ptr<Subscriber>> keep;
  for (auto& s : live_) {
    if (s->sink->closed()) continue;
    if (now >= s->next_check) {
      s->next_check = now + kRecheckEvery;
      Identified who = api_.authenticator.Identify(s->request, *db_->accounts);
      if (!who.rejected.empty() || who.caller.anonymous || who.caller.person != s->caller.person) {
        s->sink->Write(": the session ended\n\n");
        s->sink->Close();
        continue;
      }
      s->caller = who.caller;  // an account made administrator, or no longer, counts at once
    }
    if (now >= s->next_heartbeat) {
      s->next_heartbeat = now + kHeartbeatEvery;
      if (!s->sink->Write(": heartbeat\n\n")) continue;
    }
    keep.push_back(s);
  }
  live_.swap(keep);
}

// Whether the subscriber may see the event; the item's current version goes with it.
bool StreamHub::Visible(const Subscriber& s, const FeedEvent& e, Cache& cache,
                        std::int64_t* version) {
  *version = 0;
  if (e.instance_id.empty()) return s.caller.admin;
  auto it = cache.find(e.instance_id);
  if (it == cache.end()) {
    std::optional<LoadedItem> loaded;
    auto record = db_->store->LoadInstance(e.instance_id);
    if (record) {
      auto inst = engine::Instance::FromRecord(*record);
      if (inst) {
        auto bound = db_->engine->interpreter().Bind(*inst);
        if (bound) loaded = LoadedItem{std::move(*inst), std::move(*bound)};
      }
    }
    it = cache.emplace(e.instance_id, std::move(loaded)).first;
  }
  if (!it->second) return s.caller.admin;  // gone, or its definitions are not loaded
  *version = it->second->inst.record.version;
  if (s.caller.admin) return true;
  return engine::MayRead(*it->second->bound.org, *it->second->bound.workflow, it->second->inst,
                         engine::Reader{s.caller.person, s.caller.org, s.caller.admin});
}

void StreamHub::Send(Subscriber& s, const FeedEvent& e, Cache& cache) {
  std::int64_t version = 0;
  if (!Visible(s, e, cache, &version)) return;
  json::object data = e.data;
  if (e.kind != "dead_letter") data["version"] = version;
  std::string text = "id: " + std::to_string(e.id) + "\nevent: " + e.kind +
                     "\ndata: " + json::serialize(data) + "\n\n";
  s.sink->Write(std::move(text));
}

namespace {

// The Last-Event-ID a reconnecting client sends: a feed id, or none.
Result<std::optional<std::int64_t>> LastEventId(const http::Request& req) {
  if (req.headers.find("last-event-id") == req.headers.end()) return std::optional<std::int64_t>();
  std::string text = req.Header("last-event-id");
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return Error::BadInput("Last-Event-ID: '" + text.substr(0, 40) +
                           "' is not an event id of this stream (send the id: of the last event "
                           "received, or no Last-Event-ID to start from now)");
  }
  return std::optional<std::int64_t>(v);
}

http::Response Stream(Call& call) {
  if (!call.request.query.empty()) {
    return http::Response::Error(
        400, "bad_request",
        call.request.query.begin()->first +
            ": unknown parameter (the stream takes none; resume with the Last-Event-ID header)");
  }
  auto after = LastEventId(call.request);
  if (!after) return ErrorResponse(after.error());
  StreamHub* hub = call.api.hub.get();
  if (hub == nullptr) {
    return http::Response::Error(503, "unavailable", "live updates are not running; retry shortly");
  }
  http::Response r;
  r.status = 200;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("X-Accel-Buffering", "no");  // a proxy must pass each event on at once
  Caller caller = call.caller;
  http::Request request = call.request;
  std::optional<std::int64_t> from = *after;
  r.stream = [hub, caller, request, from](std::shared_ptr<http::StreamSink> sink) {
    hub->Subscribe(std::move(sink), caller, request, from);
  };
  return r;
}

}  // namespace

std::vector<Route> StreamRoutes() {
  return {
      {{"GET", "/api/v1/stream", Access::kSignedIn, false}, Stream},
  };
}

}  // namespace rectify::api
