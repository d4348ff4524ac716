// The timeline of what the engine did, read back from the durable record: the audit log and the
// outbox of a database, merged in time order (then instance, audit before outbox, sequence), one
// event per row. `rectify simulate` prints it whole; `rectify serve` prints what is new after
// each step. Because it is read from the record, it is exactly what was committed.
//
//   Timeline timeline(db.session(), definitions, campaign);
//   for (const TimelineEvent& e : timeline.ReadNew().value()) out << e.Json() << "\n";
//
// Event names: campaign_started, campaign_began, campaign_closed, phase_began, phase_ended,
// checkpoint_began, checkpoint_ended, checkpoint_opened, look_back, assessment, recurring (the
// run's rows); registered, transition (with action, from, to), reminder, escalation,
// look_back_sampled, signed (an instance's rows); notification (an outbox row); bulletin (a
// bulletin the campaign issued, bulletin_store.h: its number, day, units and problems counted).
//
// Thread-safety: one thread. Ownership: borrows the session and shares the definitions.
#pragma once

#include <soci/soci.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rectify/definition/campaign.h"
#include "rectify/result.h"

namespace rectify::rehearsal {

struct TimelineEvent {
  Timestamp at;
  std::string instance;
  int source = 0;  // 0 audit, 1 outbox
  std::int64_t seq = 0;
  boost::json::object fields;  // at, event, item, unit, then the rest
  std::string text;            // one line for people

  std::string Json() const { return boost::json::serialize(fields); }
};

class Timeline {
 public:
  Timeline(soci::session& sql, std::shared_ptr<const definition::Campaign> campaign);

  // Every event not returned before, in order.
  Result<std::vector<TimelineEvent>> ReadNew();

 private:
  TimelineEvent FromAudit(const std::string& instance, std::int64_t seq, Timestamp at,
                          const std::string& actor, const std::string& event,
                          const std::string& from, const std::string& to, const std::string& reason,
                          const std::string& data);
  TimelineEvent FromOutbox(std::int64_t id, const std::string& instance, const std::string& channel,
                           const std::string& recipient, const std::string& template_name,
                           const std::string& payload, Timestamp not_before,
                           const std::string& state, Timestamp created);
  TimelineEvent FromBulletin(int year, int number, const std::string& issued_by, Timestamp at,
                             const std::string& content);
  std::string PersonName(const std::string& id) const;
  std::string UnitName(const std::string& id) const;
  std::string Local(Timestamp t) const;

  soci::session& sql_;
  std::shared_ptr<const definition::Campaign> campaign_;
  std::map<std::string, std::string> unit_of_;  // instance id -> unit id
  std::int64_t audit_since_ = 0;                // micros; rows at or after, not yet seen
  std::set<std::pair<std::string, std::int64_t>> seen_audit_;
  std::int64_t last_outbox_ = 0;
  std::set<std::pair<int, int>> seen_bulletins_;  // (year, number)
};

}  // namespace rectify::rehearsal
