// The scheduler: fires durable timers as they fall due, exactly once, on one engine node among
// any number sharing one database (DESIGN.md sections 2 and 4; docs/architecture.md, "Timers").
//
//   Scheduler scheduler(io, clock, open_store, definitions, options, metrics, health);
//   scheduler.OnBatch([](const BatchEvent& b) { ... });   // on the io thread, after each commit
//   scheduler.Start();
//   io.run();                                              // until Stop() and the io runs dry
//
// How it works:
//   - The timers live in the database, indexed by due time. In memory the node keeps only a near
//     horizon (horizon.h): the due times of the timers falling due in the next `horizon`, read
//     from the database every `refresh` and added to as this node's own firings arm new timers.
//     One Clock timer on the io_context waits for the earliest of them.
//   - When it wakes, it kicks the workers. Each worker is a thread with its own Store (database
//     connection) and Engine. It claims due timers in batches (Store::ClaimDue: a lease under a
//     fresh token; FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes and workers never claim the same
//     timer), loads their instances in one query, applies the firings and commits them, many
//     instances to a transaction, each firing fenced by its lease token. It claims again until
//     nothing is due. Database work never runs on the io_context.
//   - Workers also poll every `poll` on their own, so timers armed by other nodes, or beyond a
//     truncated horizon, are found without the horizon.
//   - Exactly once: a timer fires only under its current lease token and only while pending
//     (store.h). A node that dies leaves its leases to run out (`lease`); another node then claims
//     the timers again. A node paused past its lease cannot commit (fencing).
//   - At start-up the node is recovering: it fires what fell due while no engine ran, in due
//     order, marked late (the interpreter marks a firing late when it is well past due), and
//     then serves.
//   - When the database goes away, the worker reports the node unready (Health), drops its
//     connection, and retries with exponential backoff up to `retry_max`; it loses nothing,
//     because nothing is fired until it is committed, and its leases are its own to take back.
//   - Memory is bounded: the horizon holds at most `horizon_limit` entries and a worker at most
//     one batch; work that cannot be fired yet waits in the database, and the metrics say how
//     far behind the node is (rectify_timer_lateness_seconds, rectify_scheduler_behind_seconds,
//     rectify_scheduler_due_timers: the backlog of due timers at the last horizon read, and
//     rectify_scheduler_saturated: 1 while batches come back full, so work is arriving at least
//     as fast as the node commits it).
//   - Time: waiting uses the Clock's timers, which sleep on the steady clock and re-check wall
//     time (clock.h), and a timer fires only when wall time has reached its due time, so a wall
//     clock jump backwards fires nothing early and a jump forwards fires exactly what became due.
//
// SQLite has one writer: the workers' connections take turns at its write lock, each loading and
// computing its batch while another commits; a second node on the same file is refused by the
// caller (serve), which says so.
//
// Thread-safety: construct, Start, Stop, Armed and OnBatch on the io_context's thread. The Clock
// must be safe to read from several threads (SystemClock and AcceleratedClock are; VirtualClock
// is not, so tests drive it with one worker and advance it between batches).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rectify/clock.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/engine.h"
#include "rectify/metrics.h"
#include "rectify/result.h"
#include "rectify/scheduler/node_lifecycle.h"
#include "rectify/store.h"

namespace rectify::scheduler {

struct SchedulerOptions {
  std::string node_id = "node-1";  // lease owner; each worker claims as "<node_id>/<n>"
  int workers = 1;                 // database threads, each with its own connection
  std::int64_t batch = 1000;       // timers claimed and fired per transaction
  Duration lease = std::chrono::seconds(30);
  Duration horizon = std::chrono::seconds(60);
  std::size_t horizon_limit = 100000;
  Duration refresh = std::chrono::seconds(10);  // how often the horizon is read again
  std::chrono::milliseconds poll{1000};         // a worker's own look for due timers
  std::chrono::milliseconds retry_min{100};     // backoff while the database is away ...
  std::chrono::milliseconds retry_max{5000};    // ... doubling up to this
};

// Opens a Store (one database connection) for a worker.
using StoreFactory = std::function<Result<std::unique_ptr<Store>>()>;

// One committed batch, as observers see it.
struct BatchEvent {
  int worker = 0;
  engine::FireReport report;
  Timestamp committed_at;  // the Clock's time right after the commit
};

class Scheduler {
 public:
  Scheduler(boost::asio::io_context& io, Clock& clock, StoreFactory open_store,
            std::shared_ptr<const definition::DefinitionSet> definitions, SchedulerOptions options,
            Metrics& metrics, Health& health);
  ~Scheduler();  // Stop() and Join()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Called on the io thread after each committed batch (and for errors, with report.errors).
  void OnBatch(std::function<void(const BatchEvent&)> observer);
  // Called on the io thread when the node changes phase.
  void OnPhase(std::function<void(NodePhase)> observer);

  void Start();
  // Drains: workers finish the batch in flight and claim nothing new; the io timer is cancelled.
  // Returns at once; Join() waits for the workers.
  void Stop();
  void Join();

  // Timers this process armed outside the scheduler (a command the API applied): added to the
  // horizon when they fall due within it.
  void Armed(const std::vector<TimerRecord>& timers);

  NodePhase phase() const;
  std::size_t horizon_size() const;

 private:
  struct Shared;
  class Worker;
  void ArmWake();
  void OnWake();
  void OnCommitted(BatchEvent event);
  void OnHorizon(std::vector<Timestamp> due, bool read_all);
  void Kick();

  boost::asio::io_context& io_;
  Clock& clock_;
  SchedulerOptions options_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<Timer> wake_;
  std::function<void(const BatchEvent&)> on_batch_;
  std::function<void(NodePhase)> on_phase_;
};

}  // namespace rectify::scheduler
