// What the database says the scheduler did, read back with plain SQL, for the scheduler tests and
// the crash, multi-node and outage tests: every reminder and escalation step an audit row
// records (each names its timer and generation), and the timers still pending.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "adapters/store/soci/database_url.h"
#include "rectify/clock.h"

namespace rectify::testing {

struct FiringLedger {
  int effects = 0;                      // audit rows of reminders and escalation steps
  int late = 0;                         // ... of which marked late
  std::vector<std::string> duplicates;  // "instance timer#generation" recorded more than once
  int fired_timers = 0;                 // timers in state 'fired'
  int pending_timers = 0;
};

// Reads the ledger; `due_by` counts pending timers due at or before it into `pending_due`.
inline FiringLedger ReadFiringLedger(const std::string& url, Timestamp due_by, int* pending_due) {
  FiringLedger out;
  auto parsed = store_soci::ParseDatabaseUrl(url);
  auto db = store_soci::Database::Open(*parsed, {});
  if (!db) throw std::runtime_error(db.error().message());
  soci::session& sql = (*db)->session();
  std::map<std::string, int> seen;
  std::string instance, data;
  soci::statement st = (sql.prepare << "SELECT instance_id, data FROM audit_log WHERE event IN "
                                       "('remind', 'escalate')",
                        soci::into(instance), soci::into(data));
  st.execute();
  while (st.fetch()) {
    auto v = boost::json::parse(data).as_object();
    std::string key = instance + " " + std::string(v.at("timer").as_string()) + "#" +
                      std::to_string(v.at("generation").as_int64());
    if (++seen[key] == 2) out.duplicates.push_back(key);
    ++out.effects;
    if (v.at("late").as_bool()) ++out.late;
  }
  sql << "SELECT COUNT(*) FROM timers WHERE state = 'fired'", soci::into(out.fired_timers);
  sql << "SELECT COUNT(*) FROM timers WHERE state = 'pending'", soci::into(out.pending_timers);
  long long by = ToMicros(due_by);
  if (pending_due) {
    sql << "SELECT COUNT(*) FROM timers WHERE state = 'pending' AND due_at <= :by", soci::use(by),
        soci::into(*pending_due);
  }
  return out;
}

}  // namespace rectify::testing
