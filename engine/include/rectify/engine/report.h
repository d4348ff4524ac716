// Leaders' reports: which items are overdue where, and how a campaign stands.
//
//   ReportQuery q{.campaign = "xinshao-2017", .as_of = clock.Now()};
//   Result<std::vector<OverdueRow>> rows = OverdueReport(store, definitions, q);
//   Result<Summary> s = SummaryReport(store, definitions, q);
//   boost::json::value j = ToJson(*s);
//
// What counts: items are instances that no escalation opened (no parent); the follow-up tasks an
// escalation opens count only as interviews held. "Overdue" is computed from each item's clock
// as of `as_of` (DeadlineClock::IsOverdue), never read from a stored flag. An item closed (in a
// final state) was closed on time when its responsible person's work was handed over by the
// deadline then in force: the audit row of the transition that last left the state whose
// deadline the responsible person owns (rectifying -> verifying), compared with that state's
// deadline at that instant (extensions and pauses included). Workflows whose deadlines are owned
// by someone else compare the closing transition itself with the deadline of the state it left.
//
// An item whose workflow or org is not in `definitions` is never left out silently: the report
// is then kNotFound, naming what is missing (a county's folder not loaded), and prints nothing.
//
// Both reports read the store page by page (ListInstances, 1000 at a time), so they run on large
// stores in bounded memory per page.
//
// Thread-safety: use the Store from one thread.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rectify/definition/definition_set.h"
#include "rectify/engine/instance.h"
#include "rectify/instance/deadline_clock.h"
#include "rectify/result.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

namespace rectify::engine {

struct ReportQuery {
  std::optional<std::string> unit;  // this unit and the units under it
  std::optional<std::string> campaign;
  Timestamp as_of;
};

struct OverdueRow {
  std::string unit_id;
  std::string unit_path;  // "新邵县 / 酿溪镇": names from the root down
  std::string item;
  std::string title;
  std::string responsible;       // person id
  std::string responsible_name;  // as the org names them; empty when unknown
  std::string state;
  std::string deadline;  // the deadline's local day, 2017-05-08
  int working_days_overdue = 0;
  int calendar_days_overdue = 0;
  int escalation_level = 0;
  std::string escalation_measure;  // definition::MeasureName; empty at level 0
  bool payment_suspended = false;
};

// Overdue items, sorted by unit path (in pinyin order, rectify/collation.h), then most working
// days overdue first, then id.
Result<std::vector<OverdueRow>> OverdueReport(Store& store,
                                              const definition::DefinitionSet& definitions,
                                              const ReportQuery& query);

struct UnitCount {
  std::string unit_id;
  std::string unit_path;
  double value = 0;
};

// The counts of one workflow's instances (rectification items, materials submissions, ...).
struct WorkflowCount {
  std::string workflow;
  std::string title;  // the workflow's title; empty when it has none
  std::int64_t items = 0;
  std::int64_t open = 0;
  std::int64_t closed_on_time = 0;
  std::int64_t closed_late = 0;
  std::int64_t overdue_now = 0;
};

struct Summary {
  // Every kind together (kept for programs that read them); by_workflow tells the kinds apart.
  std::int64_t items = 0;
  std::int64_t open = 0;
  std::int64_t closed_on_time = 0;
  std::int64_t closed_late = 0;
  std::int64_t overdue_now = 0;
  // The same counts by workflow: rectification items (instances of the campaign's `items:`
  // workflow, else `rectification-item`) first, then the other kinds (a checkpoint's materials
  // submissions, public reports) by name. Follow-up tasks count only as interviews held.
  std::vector<WorkflowCount> by_workflow;
  // Escalation steps taken, by measure (definition::MeasureName), in the ladder's order.
  std::vector<std::pair<std::string, std::int64_t>> escalations_by_measure;
  std::int64_t interviews_held = 0;  // follow-up interview tasks completed (not cancelled)
  // Units whose items put them on a bulletin: value is the number of such items. These lists
  // are in pinyin order of their unit paths.
  std::vector<UnitCount> units_on_bulletins;
  // Score deductions by the unit they were recorded against (negative points).
  std::vector<UnitCount> deductions_by_unit;
};

Result<Summary> SummaryReport(Store& store, const definition::DefinitionSet& definitions,
                              const ReportQuery& query);

// What one instance adds to a Summary, whatever the instant it is counted at. SummaryReport is
// FoldSummary over the parts of the instances of the query's campaign; a server that keeps the
// parts of every instance in memory (the API's item index) folds them without reading the store.
struct SummaryPart {
  std::string id;
  std::string unit_id;
  std::string campaign;
  // Its org or workflow is not loaded ("org qingshui@1", "workflow x@2"): a summary that selects
  // it is kNotFound rather than wrong. Empty when loaded.
  std::string unloaded;
  bool run = false;             // a campaign's run (bound to no workflow): counts nowhere
  bool task = false;            // opened by an escalation: counts only as an interview held
  bool completed_task = false;  // a task closed, not cancelled
  std::string workflow;
  std::string workflow_title;
  bool final = false;
  bool closed_late = false;          // final: closed after its deadline (see the file comment)
  std::optional<ClockRecord> clock;  // open: the current state's clock, for overdue_now
  std::vector<std::pair<std::string, std::string>> escalations;  // (measure, task id or '')
  bool on_bulletin = false;
  std::string unit_path;
  std::vector<UnitCount> deductions;           // value: the points deducted from that unit
  std::shared_ptr<const definition::Org> org;  // null when not loaded
  const Calendar* calendar = nullptr;
};

Result<SummaryPart> SummaryPartOf(Store& store, const definition::DefinitionSet& definitions,
                                  const Instance& instance);

// The summary of the parts the query selects (its unit's subtree and its campaign; kNotFound for
// a unit no loaded org has, or a selected part whose definitions are not loaded). `next_change`,
// when given, is set to the first instant after query.as_of at which an open item's clock runs
// out: the same parts give the same summary at any instant before it.
Result<Summary> FoldSummary(const definition::DefinitionSet& definitions, const ReportQuery& query,
                            const std::vector<const SummaryPart*>& parts,
                            std::optional<Timestamp>* next_change = nullptr);

boost::json::value ToJson(const OverdueRow& row);
boost::json::value ToJson(const Summary& summary);

}  // namespace rectify::engine
