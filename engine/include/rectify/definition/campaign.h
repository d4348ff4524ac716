// A compiled campaign (`kind: campaign`): a year (or any span) of rectification work on one org
// tree and one calendar, in phases, with dated checkpoints, recurring events and the defaults
// for the items registered in it.
//
//   phases       named spans of dates (seed 001's four quarterly themes); they should cover the
//                campaign without overlapping (the validator warns otherwise)
//   checkpoints  dated events: an inspection window over some unit kinds, a special
//                rectification window whose items are due by its end at the latest, a submission
//                due date that opens one instance of a workflow per unit of the kinds it applies
//                to, and look backs that sample closed items and reopen those that fail
//   recurring    events that repeat (every month on the first working day: an assessment; a
//                themed inspection with a theme per occurrence)
//   items        the workflow, escalation chain and default time limit of registered problems
//   special_actions  tags an item may carry (seed 001's six special actions)
//   calendar_changes the campaign's own changes to its calendar for its items: weekend rest
//                cancelled for a span (seed 001: "the county poverty alleviation office canceled
//                the weekend break" during the special rectification), or rest days of its own
//
// Every date is checked against the calendar when the campaign is compiled, so the engine never
// meets a date the calendar cannot answer for.
//
// Thread-safety: immutable once compiled; share it freely (shared_ptr<const Campaign>).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/calendar/span.h"
#include "rectify/definition/assessment.h"
#include "rectify/definition/common.h"
#include "rectify/definition/escalation.h"
#include "rectify/definition/org.h"
#include "rectify/definition/workflow.h"

namespace rectify::definition {

struct Phase {
  std::string id;
  std::string title;
  Date from{};
  Date to{};  // inclusive
  std::vector<std::string> tags;
  SourcePos pos;
};

struct Tag {
  std::string id;
  std::string title;
  SourcePos pos;
};

enum class CheckpointKind { kInspection, kRectification, kSubmission, kLookBack };
std::string_view CheckpointKindName(CheckpointKind k);

struct Checkpoint {
  std::string id;
  std::string title;
  CheckpointKind kind = CheckpointKind::kInspection;
  Date from{};                          // first day (== to for a single date such as a due date)
  Date to{};                            // last day, inclusive; a submission's due date
  std::vector<std::string> applies_to;  // unit kinds
  std::shared_ptr<const Workflow> workflow;  // opened per unit (submission; optional else)
  double sample = 0;                         // look back: share of items re-inspected
  bool of_closed_only = true;                // look back: sample closed items (else all)
  bool reopen_on_failure = true;             // look back
  std::vector<std::string> tags;             // special actions it concerns
  // Inspection: the workflow its findings run on (`findings:`; null: the library's `finding`),
  // whose `confirm` and `dismiss` name the role that confirms them (engine/findings.h), and how
  // the round finds problems (`found_by:`: inspection, open_visit, unannounced_visit, audit, ...).
  std::shared_ptr<const Workflow> findings;
  std::string found_by;
  SourcePos pos;
};

enum class Every { kWeek, kMonth, kQuarter, kYear };
std::string_view EveryName(Every e);
// The first day of the period of `every` that contains `d` (weeks start on Monday).
Date PeriodStart(Every every, Date d);
// The first day of the period after, and of the period before, the one that starts on `start`.
Date PeriodAfter(Every every, Date start);
Date PeriodBefore(Every every, Date start);

struct RecurringAt {
  enum class Kind { kFirstWorkday, kLastWorkday, kDay, kWorkday };
  Kind kind = Kind::kFirstWorkday;
  int n = 1;  // kDay: day of the period (1-based); kWorkday: n-th working day
  std::string text;
};

struct Recurring {
  std::string id;
  std::string title;
  Every every = Every::kMonth;
  RecurringAt at;
  Date from{};                                   // defaults to the campaign's first day
  Date to{};                                     // defaults to its last
  std::shared_ptr<const Assessment> assessment;  // run: { assessment: ... }
  std::shared_ptr<const Workflow> workflow;      // run: { workflow: ... } (one per unit)
  std::vector<std::string> applies_to;
  std::vector<std::string> themes;  // one per occurrence, in turn
  SourcePos pos;
};

// One change a campaign makes to the calendar its items' deadlines run on (engine/campaign_items.h:
// ItemCalendar). The official calendar is the State Council's; these are the county's own.
struct CalendarChange {
  enum class Kind { kCancelWeekendRest, kRestDays };
  std::string id;
  std::string title;
  Kind kind = Kind::kCancelWeekendRest;
  Date from{};         // kCancelWeekendRest: the span, inclusive
  Date to{};           //
  std::string during;  // the checkpoint whose window the span is, when named so
  // kCancelWeekendRest: the weekend days of the span that become working days (official holidays
  // inside the span stay rest days); kRestDays: the working days that become rest days.
  std::vector<Date> days;
  SourcePos pos;
};

// Who issues the campaign's bulletins (通报, engine/bulletin.h) and to which units (`bulletins:`).
struct BulletinSettings {
  std::string issued_by;           // an org role held over the org's top unit; empty: inspector
  std::vector<std::string> scope;  // unit kinds in scope; empty: the top unit's direct children
  // When headquarters issues one (`after:`): after each of these inspection checkpoints (its last
  // day) or recurring events (each occurrence), `within` working days on. Empty: when a person
  // chooses. A rehearsal (`rectify simulate`) issues them then, as the issuing role.
  std::vector<std::string> after;
  int within_workdays = 3;
  SourcePos pos;
};

struct ItemDefaults {
  std::shared_ptr<const Workflow> workflow;
  // Runs, for every state of an item's workflow that escalates (names `overdue:`), in place of
  // the chain the state names (engine/campaign_items.h: unless the registration names another).
  std::shared_ptr<const Escalation> escalation;
  std::optional<Span> time_limit;  // when the ledger row gives none
};

class Campaign {
 public:
  struct Parts {
    std::shared_ptr<const Calendar> calendar;
    std::shared_ptr<const Org> org;
    Date from{};
    Date to{};
    std::vector<Phase> phases;
    std::vector<Tag> special_actions;
    std::vector<Checkpoint> checkpoints;
    std::vector<Recurring> recurring;
    ItemDefaults items;
    std::vector<CalendarChange> calendar_changes;
    BulletinSettings bulletins;
    // `calendar` with calendar_changes applied; null when the campaign makes none.
    std::shared_ptr<const Calendar> item_calendar;
  };

  Campaign(DefinitionInfo info, Parts parts) : info_(std::move(info)), parts_(std::move(parts)) {}

  const DefinitionInfo& info() const { return info_; }
  const Calendar& calendar() const { return *parts_.calendar; }
  const std::shared_ptr<const Calendar>& calendar_ptr() const { return parts_.calendar; }
  const Org& org() const { return *parts_.org; }
  const std::shared_ptr<const Org>& org_ptr() const { return parts_.org; }
  Date from() const { return parts_.from; }
  Date to() const { return parts_.to; }
  const std::vector<Phase>& phases() const { return parts_.phases; }
  const std::vector<Tag>& special_actions() const { return parts_.special_actions; }
  const std::vector<Checkpoint>& checkpoints() const { return parts_.checkpoints; }
  const std::vector<Recurring>& recurring() const { return parts_.recurring; }
  const ItemDefaults& items() const { return parts_.items; }
  const std::vector<CalendarChange>& calendar_changes() const { return parts_.calendar_changes; }
  const BulletinSettings& bulletins() const { return parts_.bulletins; }
  // The calendar its items' deadlines run on: calendar() with calendar_changes applied. The
  // campaign's own dates (checkpoints, recurring events) stay on the official calendar().
  const std::shared_ptr<const Calendar>& item_calendar_ptr() const {
    return parts_.item_calendar ? parts_.item_calendar : parts_.calendar;
  }

  // The phase a date falls in, if any.
  const Phase* PhaseAt(Date d) const;

 private:
  DefinitionInfo info_;
  Parts parts_;
};

// The dates a recurring event falls on between its from and to, on `cal`.
Result<std::vector<Date>> Occurrences(const Recurring& r, const Calendar& cal);

}  // namespace rectify::definition
