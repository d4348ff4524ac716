#include "rectify/scheduler/scheduler.h"

#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "rectify/scheduler/horizon.h"

namespace rectify::scheduler {

namespace {

template <class D>
double Seconds(D d) {
  return std::chrono::duration<double>(d).count();
}

const std::vector<double> kLatenessBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,     5,    30,    300,  3600};

}  // namespace

// What the io thread and the workers share, under `mu`.
struct Scheduler::Shared {
  Shared(Metrics& m, Health& h, std::size_t horizon_limit, int workers)
      : metrics(m),
        health(h),
        horizon(horizon_limit),
        kicked(workers, true),
        opened(workers, false),
        caught_up(workers, false),
        unavailable(workers) {}

  Metrics& metrics;
  Health& health;
  Scheduler* scheduler = nullptr;  // cleared when the scheduler goes; io thread only
  Horizon horizon;                 // io thread only

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::vector<bool> kicked;
  std::vector<bool> opened;
  std::vector<bool> caught_up;
  std::vector<std::string> unavailable;  // per worker: why its database is away, or ""
  NodeLifecycle life;                    // changed on the io thread, read anywhere under mu

  // Health follows the phase and the workers' connections. Call with `mu` held.
  void UpdateHealth() {
    for (const std::string& why : unavailable) {
      if (!why.empty()) return health.SetReady(false, "database unavailable: " + why);
    }
    switch (life.phase()) {
      case NodePhase::kServing:
        return health.SetReady(true);
      case NodePhase::kStarting:
        return health.SetReady(false, "starting: opening database connections");
      case NodePhase::kRecovering:
        return health.SetReady(false,
                               "recovering: firing the timers that fell due while no engine ran");
      case NodePhase::kDraining:
      case NodePhase::kStopped:
        return health.SetReady(false, "draining: the node is stopping");
    }
  }
};

class Scheduler::Worker {
 public:
  Worker(Scheduler& owner, int index, StoreFactory open_store,
         std::shared_ptr<const definition::DefinitionSet> definitions)
      : io_(owner.io_),
        clock_(owner.clock_),
        options_(owner.options_),
        shared_(owner.shared_),
        index_(index),
        owner_id_(options_.node_id + "/" + std::to_string(index)),
        open_store_(std::move(open_store)),
        definitions_(std::move(definitions)),
        labels_({{"worker", std::to_string(index)}}),
        firings_(shared_->metrics.counter("rectify_timer_firings_total",
                                          "Timer firings committed (reminders, escalation steps, "
                                          "deadlines, campaign events)")),
        skipped_(shared_->metrics.counter(
            "rectify_timer_firings_skipped_total",
            "Claimed timers another node fired first or took over (fenced)")),
        batches_(shared_->metrics.counter("rectify_scheduler_batches_total",
                                          "Transactions committed by the scheduler")),
        errors_(shared_->metrics.counter("rectify_scheduler_database_errors_total",
                                         "Database errors met by a scheduler worker (each one is "
                                         "retried with backoff)",
                                         labels_)),
        lateness_(shared_->metrics.histogram("rectify_timer_lateness_seconds",
                                             "From a timer's due time to the commit of its firing",
                                             kLatenessBuckets)),
        batch_seconds_(shared_->metrics.histogram(
            "rectify_scheduler_batch_seconds", "From claiming a batch to its commit",
            {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5})),
        behind_(shared_->metrics.gauge(
            "rectify_scheduler_behind_seconds",
            "How late the oldest timer of the worker's last batch was when it was claimed",
            labels_)),
        saturated_(shared_->metrics.gauge(
            "rectify_scheduler_saturated",
            "1 while the worker's batches come back full: due work arrives at least as fast as "
            "it commits, and waits in the database",
            labels_)),
        backlog_(shared_->metrics.gauge(
            "rectify_scheduler_due_timers",
            "Timers due and not yet fired at the last horizon read (at most the horizon limit)")) {}

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  // Worker 0 reads the horizon again every `refresh`, also while it drains a backlog (so the
  // backlog gauge stays current under load).
  void MaybeRefresh() {
    if (index_ != 0 || !store_ || clock_.SteadyNow() < next_refresh_) return;
    RefreshHorizon();
    next_refresh_ = clock_.SteadyNow() + options_.refresh;
  }

  void Run() {
    next_refresh_ = clock_.SteadyNow();
    for (;;) {
      {
        std::unique_lock lock(shared_->mu);
        shared_->cv.wait_for(lock, options_.poll,
                             [&] { return shared_->stopping || shared_->kicked[index_]; });
        if (shared_->stopping) break;
        shared_->kicked[index_] = false;
      }
      Drain();
      MaybeRefresh();
    }
    store_.reset();
    engine_.reset();
  }

  bool Stopping() {
    std::lock_guard lock(shared_->mu);
    return shared_->stopping;
  }

  // Claims and fires until nothing is due (or the node stops).
  void Drain() {
    while (!Stopping()) {
      if (!store_ && !Open()) continue;
      SteadyTime started = clock_.SteadyNow();
      Timestamp now = clock_.Now();
      auto claimed = store_->ClaimDue(now, options_.batch, owner_id_, now + options_.lease);
      if (!claimed) {
        Failed(claimed.error());
        continue;
      }
      Recovered();
      if (claimed->empty()) {
        saturated_.Set(0);
        CaughtUp();
        return;
      }
      behind_.Set(Seconds(now - claimed->front().due_at));
      auto report = engine_->FireTimers(*claimed);
      if (!report) {
        Failed(report.error());
        continue;
      }
      Timestamp committed_at = clock_.Now();
      batch_seconds_.Observe(Seconds(clock_.SteadyNow() - started));
      firings_.Inc(report->timers);
      skipped_.Inc(report->skipped);
      batches_.Inc(report->batches);
      for (Timestamp due : report->fired_due) lateness_.Observe(Seconds(committed_at - due));
      Post(BatchEvent{index_, std::move(*report), committed_at});
      MaybeRefresh();
      const bool full = static_cast<std::int64_t>(claimed->size()) >= options_.batch;
      saturated_.Set(full ? 1 : 0);
      if (!full) {
        CaughtUp();
        return;
      }
    }
  }

  bool Open() {
    auto store = open_store_();
    if (!store) {
      Failed(store.error());
      return false;
    }
    store_ = std::move(*store);
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, definitions_);
    bool all_opened = false;
    {
      std::lock_guard lock(shared_->mu);
      shared_->opened[index_] = true;
      all_opened =
          std::all_of(shared_->opened.begin(), shared_->opened.end(), [](bool b) { return b; });
    }
    if (all_opened) PostPhase(NodeEvent::kOpened);
    return true;
  }

  // The database went away (or answered with an error): report unready, drop the connection,
  // and wait before the next try. Nothing is lost: what was not committed is still pending, and
  // the leases this worker took are its own to take back.
  void Failed(const Error& error) {
    errors_.Inc();
    store_.reset();
    engine_.reset();
    std::unique_lock lock(shared_->mu);
    shared_->unavailable[index_] = error.message();
    shared_->UpdateHealth();
    shared_->cv.wait_for(lock, backoff_, [&] { return shared_->stopping; });
    backoff_ = std::min(backoff_ * 2, options_.retry_max);
  }

  void Recovered() {
    backoff_ = options_.retry_min;
    std::lock_guard lock(shared_->mu);
    if (shared_->unavailable[index_].empty()) return;
    shared_->unavailable[index_].clear();
    shared_->UpdateHealth();
  }

  void CaughtUp() {
    bool all = false;
    {
      std::lock_guard lock(shared_->mu);
      if (shared_->caught_up[index_]) return;
      shared_->caught_up[index_] = true;
      all = std::all_of(shared_->caught_up.begin(), shared_->caught_up.end(),
                        [](bool b) { return b; });
    }
    if (all) PostPhase(NodeEvent::kCaughtUp);
  }

  void RefreshHorizon() {
    Timestamp now = clock_.Now();
    auto limit = static_cast<std::int64_t>(options_.horizon_limit);
    auto due = store_->DueTimers(now + options_.horizon, limit);
    if (!due) return Failed(due.error());
    std::vector<Timestamp> times;
    times.reserve(due->size());
    std::int64_t backlog = 0;
    for (const TimerRecord& t : *due) {
      times.push_back(t.due_at);
      backlog += t.due_at <= now;
    }
    backlog_.Set(static_cast<double>(backlog));
    bool read_all = static_cast<std::int64_t>(times.size()) < limit;
    std::weak_ptr<Shared> weak = shared_;
    boost::asio::post(io_, [weak, times = std::move(times), read_all]() mutable {
      if (auto s = weak.lock(); s && s->scheduler)
        s->scheduler->OnHorizon(std::move(times), read_all);
    });
  }

  void Post(BatchEvent event) {
    std::weak_ptr<Shared> weak = shared_;
    boost::asio::post(io_, [weak, event = std::move(event)]() mutable {
      if (auto s = weak.lock(); s && s->scheduler) s->scheduler->OnCommitted(std::move(event));
    });
  }

  void PostPhase(NodeEvent e) {
    std::weak_ptr<Shared> weak = shared_;
    boost::asio::post(io_, [weak, e] {
      auto s = weak.lock();
      if (!s) return;
      NodePhase phase;
      {
        std::lock_guard lock(s->mu);
        if (!s->life.Process(e)) return;  // e.g. caught up while draining: nothing to do
        phase = s->life.phase();
        s->UpdateHealth();
      }
      if (s->scheduler && s->scheduler->on_phase_) s->scheduler->on_phase_(phase);
    });
  }

  boost::asio::io_context& io_;
  Clock& clock_;
  const SchedulerOptions& options_;
  std::shared_ptr<Shared> shared_;
  int index_;
  std::string owner_id_;
  StoreFactory open_store_;
  std::shared_ptr<const definition::DefinitionSet> definitions_;
  Labels labels_;
  Counter& firings_;
  Counter& skipped_;
  Counter& batches_;
  Counter& errors_;
  Histogram& lateness_;
  Histogram& batch_seconds_;
  Gauge& behind_;
  Gauge& saturated_;
  Gauge& backlog_;
  SteadyTime next_refresh_{};
  std::chrono::milliseconds backoff_ = options_.retry_min;
  std::unique_ptr<Store> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::thread thread_;
};

Scheduler::Scheduler(boost::asio::io_context& io, Clock& clock, StoreFactory open_store,
                     std::shared_ptr<const definition::DefinitionSet> definitions,
                     SchedulerOptions options, Metrics& metrics, Health& health)
    : io_(io),
      clock_(clock),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>(metrics, health, options_.horizon_limit,
                                       std::max(options_.workers, 1))) {
  shared_->scheduler = this;
  for (int i = 0; i < std::max(options_.workers, 1); ++i) {
    workers_.push_back(std::make_unique<Worker>(*this, i, open_store, definitions));
  }
  std::lock_guard lock(shared_->mu);
  shared_->UpdateHealth();
}

Scheduler::~Scheduler() {
  Stop();
  Join();
  shared_->scheduler = nullptr;
}

void Scheduler::OnBatch(std::function<void(const BatchEvent&)> observer) {
  on_batch_ = std::move(observer);
}

void Scheduler::OnPhase(std::function<void(NodePhase)> observer) {
  on_phase_ = std::move(observer);
}

void Scheduler::Start() {
  wake_ = clock_.MakeTimer(io_.get_executor());
  for (auto& w : workers_) w->Start();
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopping) return;
    shared_->stopping = true;
    (void)shared_->life.Process(NodeEvent::kDrain);
    shared_->UpdateHealth();
  }
  shared_->cv.notify_all();
  if (wake_) wake_->Cancel();
  if (on_phase_) on_phase_(NodePhase::kDraining);
}

void Scheduler::Join() {
  bool joined = false;
  for (auto& w : workers_) {
    w->Join();
    joined = true;
  }
  std::lock_guard lock(shared_->mu);
  if (joined && shared_->life.phase() == NodePhase::kDraining) {
    (void)shared_->life.Process(NodeEvent::kDrained);
  }
}

void Scheduler::Armed(const std::vector<TimerRecord>& timers) {
  Timestamp end = clock_.Now() + options_.horizon;
  auto before = shared_->horizon.Next();
  for (const TimerRecord& t : timers) {
    if (t.due_at <= end) shared_->horizon.Add(t.due_at);
  }
  if (shared_->horizon.Next() != before) ArmWake();
}

NodePhase Scheduler::phase() const {
  std::lock_guard lock(shared_->mu);
  return shared_->life.phase();
}

std::size_t Scheduler::horizon_size() const { return shared_->horizon.size(); }

void Scheduler::ArmWake() {
  if (!wake_) return;
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopping) return;
  }
  shared_->metrics
      .gauge("rectify_scheduler_horizon_timers",
             "Due times of timers held in memory (the near horizon)")
      .Set(static_cast<double>(shared_->horizon.size()));
  auto next = shared_->horizon.Next();
  if (!next) return wake_->Cancel();
  wake_->ExpireAt(*next);
  std::weak_ptr<Shared> weak = shared_;
  wake_->AsyncWait([weak](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled
    if (auto s = weak.lock(); s && s->scheduler) s->scheduler->OnWake();
  });
}

void Scheduler::OnWake() {
  if (shared_->horizon.PopDue(clock_.Now()) > 0) Kick();
  ArmWake();
}

void Scheduler::Kick() {
  {
    std::lock_guard lock(shared_->mu);
    std::fill(shared_->kicked.begin(), shared_->kicked.end(), true);
  }
  shared_->cv.notify_all();
}

void Scheduler::OnCommitted(BatchEvent event) {
  Armed(event.report.armed);
  if (on_batch_) on_batch_(event);
}

void Scheduler::OnHorizon(std::vector<Timestamp> due, bool read_all) {
  shared_->horizon.Replace(due, read_all);
  ArmWake();
}

}  // namespace rectify::scheduler
