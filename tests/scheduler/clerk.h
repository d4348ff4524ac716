// A clerk for the crash, multi-node and outage tests: a thread with its own database connection
// and engine that acts on the items while the engine nodes fire their timers (and are killed),
// the way people do through the API or `rectify item act`: the responsible person submits, the
// unit head asks for an extension, the verifier accepts or sends back, the inspector reopens a
// closed item. It runs on the nodes'
// accelerated timeline (the same anchor), so its transitions fall in order with their firings.
//
//   Clerk clerk(url, 200, speed, anchor, seed);
//   clerk.Start();
//   ...                                  // kill nodes, restart them
//   clerk.Stop();
//   ClerkCheck c = clerk.Check(true);    // every success is in the instances and the audit log
//
// A transition the engine said had committed must be in the audit log, in the order the clerk
// made them, and the item must be in the state the last of them reported. Check(true) also
// requires that nothing else is: a refused or failed transition left no trace. Check(false), for
// the outage test, allows a failed one to be there too (its commit may have reached the server
// without the answer reaching the clerk).
//
// Thread-safety: Start, Stop and Check from the test's thread; the clerk's own thread does the
// rest.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/soci/database.h"
#include "adapters/store/soci/database_url.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/clock.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/engine.h"

namespace rectify::test {

inline const Timestamp kClerkT0 = *ParseIso("2017-04-21T09:00:00+08:00");

inline std::string ClerkItemId(int i) { return "C-" + std::to_string(10000 + i); }

inline std::shared_ptr<const definition::DefinitionSet> ClerkDefinitions() {
  static auto set = [] {
    Diagnostics diags;
    auto s = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
    if (!s.ok()) throw std::runtime_error(diags.Format());
    return *s;
  }();
  return set;
}

struct ClerkCheck {
  int succeeded = 0, failed = 0;
  std::vector<std::string> problems;  // what does not match, one line each
};

class Clerk {
 public:
  struct Act {
    std::string item, event;
    bool ok = false;
    std::string state;  // the state the engine reported, or why it failed
  };

  // Acts on items ClerkItemId(0 .. pool-1), registered and assigned ("rectifying").
  Clerk(std::string url, int pool, double speed, Timestamp anchor, std::uint32_t seed)
      : url_(std::move(url)), pool_(pool), speed_(speed), anchor_(anchor), seed_(seed) {}
  ~Clerk() { Stop(); }
  Clerk(const Clerk&) = delete;
  Clerk& operator=(const Clerk&) = delete;

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::vector<Act> acts() const {
    std::lock_guard lock(mu_);
    return acts_;
  }

  ClerkCheck Check(bool strict) const {
    ClerkCheck out;
    std::map<std::string, std::vector<std::string>> done, failed;  // item -> events, in order
    std::map<std::string, std::string> last_state;
    for (const Act& a : acts()) {
      if (a.ok) {
        ++out.succeeded;
        done[a.item].push_back(a.event);
        last_state[a.item] = a.state;
      } else {
        ++out.failed;
        failed[a.item].push_back(a.event);
      }
    }
    auto parsed = store_soci::ParseDatabaseUrl(url_);
    auto db = store_soci::Database::Open(*parsed, {});
    if (!db) {
      out.problems.push_back("cannot open the database: " + db.error().message());
      return out;
    }
    soci::session& sql = (*db)->session();
    std::map<std::string, std::vector<std::string>> logged;
    {
      std::string instance, event;
      soci::statement st =
          (sql.prepare << "SELECT instance_id, event FROM audit_log WHERE event IN ('submit', "
                          "'accept', 'reject', 'extend', 'reopen') ORDER BY instance_id, seq",
           soci::into(instance), soci::into(event));
      st.execute();
      while (st.fetch()) logged[instance].push_back(event);
    }
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& e : v) s += (s.empty() ? "" : " ") + e;
      return "[" + s + "]";
    };
    std::map<std::string, bool> items;
    for (const auto& [k, v] : done) items[k] = true;
    for (const auto& [k, v] : logged) items[k] = true;
    for (const auto& [item, unused] : items) {
      const std::vector<std::string>& ok = done[item];
      const std::vector<std::string>& log = logged[item];
      bool matches = false;
      if (strict) {
        matches = ok == log;
      } else {
        // Every success, in order, and nothing but successes and failed attempts in between.
        std::map<std::string, int> spare;
        for (const auto& e : failed[item]) ++spare[e];
        std::size_t i = 0;
        matches = true;
        for (const auto& e : log) {
          if (i < ok.size() && ok[i] == e) {
            ++i;
          } else if (spare[e]-- <= 0) {
            matches = false;
          }
        }
        matches = matches && i == ok.size();
      }
      if (!matches) {
        out.problems.push_back(item + ": the clerk's transitions that succeeded " + join(ok) +
                               ", the audit log " + join(log));
      }
    }
    for (const auto& [item, state] : last_state) {
      std::string stored;
      sql << "SELECT state FROM instances WHERE id = :id", soci::use(item), soci::into(stored);
      if (stored != state) {
        out.problems.push_back(item + ": the clerk's last transition left it '" + state +
                               "', the database says '" + stored + "'");
      }
    }
    return out;
  }

 private:
  void Run() {
    AcceleratedClock clock(kClerkT0, speed_, anchor_);
    std::mt19937 random(seed_);
    std::uniform_int_distribution<int> pick(0, pool_ - 1);
    std::uniform_int_distribution<int> coin(0, 99);
    std::map<std::string, std::string> state;  // as the engine last reported it
    std::map<std::string, bool> extended;
    std::unique_ptr<Store> store;
    std::unique_ptr<engine::Engine> engine;
    while (!stop_) {
      if (!engine) {
        auto parsed = store_soci::ParseDatabaseUrl(url_);
        store_soci::OpenOptions options;
        options.create = false;
        auto opened = store_soci::OpenStore(*parsed, options);
        if (!opened) {
          Pause(200);
          continue;
        }
        store = std::move(*opened);
        engine = std::make_unique<engine::Engine>(*store, clock, ClerkDefinitions());
      }
      std::string item = ClerkItemId(pick(random));
      std::string& now = state.try_emplace(item, "rectifying").first->second;
      engine::Command cmd;
      cmd.instance_id = item;
      if (now == "rectifying") {
        if (!extended[item] && coin(random) < 25) {
          cmd.event = "extend";
          cmd.actor = "xs-0012";
          cmd.reason = "等待县里批复 (waiting for the county's approval)";
        } else {
          cmd.event = "submit";
          cmd.actor = "xs-0014";
          cmd.evidence = {"整改照片 photos.zip"};
        }
      } else if (now == "verifying") {
        if (coin(random) < 60) {
          cmd.event = "accept";
          cmd.actor = "xs-0007";
        } else {
          cmd.event = "reject";
          cmd.actor = "xs-0007";
          cmd.reason = "材料不全 (evidence incomplete)";
        }
      } else {
        // Closed: a look back (回头看) finds it done badly and reopens it with a new time limit.
        cmd.event = "reopen";
        cmd.actor = "xs-0003";
        cmd.reason = "回头看发现问题反弹 (the look back found the problem back)";
      }
      auto result = engine->Act(cmd);
      Act a{item, cmd.event, result.ok(), ""};
      if (result) {
        a.state = result->record.state;
        now = a.state;
        if (cmd.event == "extend") extended[item] = true;
      } else {
        a.state = result.error().message();
        // Whatever went wrong (a lost connection, a busy database), start afresh.
        engine.reset();
        store.reset();
      }
      {
        std::lock_guard lock(mu_);
        acts_.push_back(std::move(a));
      }
      Pause(40);
    }
  }

  void Pause(int ms) {
    for (int i = 0; i < ms / 5 && !stop_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::string url_;
  int pool_;
  double speed_;
  Timestamp anchor_;
  std::uint32_t seed_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Act> acts_;
};

}  // namespace rectify::test
