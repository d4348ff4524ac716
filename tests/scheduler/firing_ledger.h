// What the database says the scheduler did, read back with plain SQL, for the scheduler tests and
// the crash, multi-node and outage tests: every reminder and escalation step an audit row
// records (each names its timer and generation), the timers marked fired, and the timers still
// pending. The two are cross-checked: a reminder or escalation timer marked fired must have
// exactly one audit row, and an audit row must name a timer marked fired.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "adapters/store/soci/database_url.h"
#include "rectify/clock.h"

namespace rectify::test {

struct FiringLedger {
  int effects = 0;                      // audit rows of reminders and escalation steps
  int late = 0;                         // ... of which marked late
  std::vector<std::string> duplicates;  // "instance timer#generation" recorded more than once
  int fired_timers = 0;                 // timers in state 'fired'
  int pending_timers = 0;
  // Audit rows per "instance timer#generation".
  std::map<std::string, int> effect_count;
  // Reminder and escalation timers ("remind:STATE:N", "escalate:STATE:N") marked fired without an
  // audit row.
  std::vector<std::string> fired_without_effect;
  // Audit rows whose timer is not marked fired (missing, pending or cancelled).
  std::vector<std::string> effect_without_firing;
  // Fired timers by the first part of their name ("remind", "escalate", ...).
  std::map<std::string, int> fired_by_kind;
  std::set<std::string> fired;  // "instance timer#generation" of every timer marked fired
  // Cancelled timers, as instance -> "timer#generation". A transition that leaves a state or
  // moves its deadline cancels timers; so does a firing, for older missed reminders that the
  // latest one supersedes (timer_projection.cc). Nothing else should.
  std::map<std::string, std::vector<std::string>> cancelled;
  // Escalation steps cancelled while a later step of the same state and generation fired on the
  // same instance: a step of the ladder passed over, one that never took effect.
  std::vector<std::string> passed_over_steps;
  // Reminders cancelled while a later reminder of the same state and generation fired
  // (superseded, as designed).
  std::set<std::string> superseded_reminders;
};

// "remind:rectifying:2" -> {"remind", "rectifying", 2}; index -1 when the name has another form.
struct TimerName {
  std::string kind, state;
  int index = -1;
};
inline TimerName ParseTimerName(const std::string& name) {
  TimerName t;
  auto a = name.find(':');
  auto b = a == std::string::npos ? a : name.find(':', a + 1);
  if (b == std::string::npos) {
    t.kind = name.substr(0, a);
    return t;
  }
  t.kind = name.substr(0, a);
  t.state = name.substr(a + 1, b - a - 1);
  try {
    t.index = std::stoi(name.substr(b + 1));
  } catch (const std::exception&) {
    t.index = -1;
  }
  return t;
}

inline std::string TimerLedgerKey(const std::string& instance, const std::string& timer,
                                  long long generation) {
  return instance + " " + timer + "#" + std::to_string(generation);
}

// Reads the ledger; `due_by` counts pending timers due at or before it into `pending_due`.
inline FiringLedger ReadFiringLedger(const std::string& url, Timestamp due_by, int* pending_due) {
  FiringLedger out;
  auto parsed = store_soci::ParseDatabaseUrl(url);
  auto db = store_soci::Database::Open(*parsed, {});
  if (!db) throw std::runtime_error(db.error().message());
  soci::session& sql = (*db)->session();
  std::string instance, data;
  // Steps taken at once by a reopening (the ladder goes on one step higher, issue 15 point 4):
  // their escalate row follows the reopen row in the same commit and has no timer of its own.
  std::set<std::string> taken_at_reopen;
  {
    std::string event, last_instance, last_event;
    long long seq = 0, last_seq = -1;
    soci::statement st =
        (sql.prepare << "SELECT instance_id, seq, event, data FROM audit_log "
                        "WHERE event IN ('remind', 'escalate', 'reopen') "
                        "ORDER BY instance_id, seq",
         soci::into(instance), soci::into(seq), soci::into(event), soci::into(data));
    st.execute();
    while (st.fetch()) {
      bool after_reopen =
          last_event == "reopen" && last_instance == instance && seq == last_seq + 1;
      last_instance = instance;
      last_event = event;
      last_seq = seq;
      if (event == "reopen") continue;
      auto v = boost::json::parse(data).as_object();
      std::string key = TimerLedgerKey(instance, std::string(v.at("timer").as_string()),
                                       v.at("generation").as_int64());
      if (after_reopen && event == "escalate") taken_at_reopen.insert(key);
      if (++out.effect_count[key] == 2) out.duplicates.push_back(key);
      ++out.effects;
      if (v.at("late").as_bool()) ++out.late;
    }
  }
  std::set<std::string>& fired = out.fired;
  // instance -> (kind, state, generation) -> highest index fired
  std::map<std::string, std::map<std::string, int>> highest_fired;
  auto group = [](const TimerName& t, long long generation) {
    return t.kind + ":" + t.state + "#" + std::to_string(generation);
  };
  {
    std::string name;
    long long generation = 0;
    soci::statement st =
        (sql.prepare << "SELECT instance_id, name, generation FROM timers WHERE state = 'fired'",
         soci::into(instance), soci::into(name), soci::into(generation));
    st.execute();
    while (st.fetch()) {
      std::string key = TimerLedgerKey(instance, name, generation);
      fired.insert(key);
      TimerName tn = ParseTimerName(name);
      const std::string& kind = tn.kind;
      ++out.fired_by_kind[kind];
      int& high = highest_fired[instance].try_emplace(group(tn, generation), -1).first->second;
      high = std::max(high, tn.index);
      if ((kind == "remind" || kind == "escalate") && !out.effect_count.count(key)) {
        out.fired_without_effect.push_back(key);
      }
    }
  }
  out.fired_timers = static_cast<int>(fired.size());
  {
    std::string name;
    long long generation = 0;
    soci::statement st =
        (sql.prepare << "SELECT instance_id, name, generation FROM timers WHERE state = "
                        "'cancelled'",
         soci::into(instance), soci::into(name), soci::into(generation));
    st.execute();
    while (st.fetch()) {
      out.cancelled[instance].push_back(name + "#" + std::to_string(generation));
      TimerName tn = ParseTimerName(name);
      auto inst = highest_fired.find(instance);
      if (inst == highest_fired.end() || tn.index < 0) continue;
      auto high = inst->second.find(group(tn, generation));
      if (high == inst->second.end() || high->second <= tn.index) continue;
      std::string key = TimerLedgerKey(instance, name, generation);
      if (tn.kind == "escalate") out.passed_over_steps.push_back(key);
      if (tn.kind == "remind") out.superseded_reminders.insert(key);
    }
  }
  for (const auto& [key, n] : out.effect_count) {
    if (!fired.count(key) && !taken_at_reopen.count(key)) out.effect_without_firing.push_back(key);
  }
  sql << "SELECT COUNT(*) FROM timers WHERE state = 'pending'", soci::into(out.pending_timers);
  long long by = ToMicros(due_by);
  if (pending_due) {
    sql << "SELECT COUNT(*) FROM timers WHERE state = 'pending' AND due_at <= :by", soci::use(by),
        soci::into(*pending_due);
  }
  return out;
}

}  // namespace rectify::test
