// What an item registered into a campaign runs on: one precedence for every path that creates an
// item (rectify item add, ledger import, the scripted registrars of simulate and serve --items),
// so that what runs is what the campaign says.
//
// For each of the item's workflow, escalation chain and time limit, the first of:
//   1. the registration's own choice: a ledger row's cell (`workflow`, `escalation`,
//      `time_limit`), or a command's option (--workflow, --escalation, --time-limit; ledger
//      import's apply to rows without the cell);
//   2. the campaign's `items:` block (`workflow`, `escalation`, `time_limit`);
//   3. the workflow's own: the library's `rectification-item` (kDefaultItemWorkflow), the
//      `overdue:` chain each state names, the deadline's `otherwise:` budget.
// The chain chosen in 1 or 2 is recorded on the instance (Instance::escalation) and runs, for
// every state that escalates (names `overdue:`), in place of the chain that state names.
//
// Then a campaign's special rectification window (a `rectification` checkpoint) caps the time
// limit: an item registered inside the window whose time limit would end after the window ends
// is due at the end of the window's last day (the earlier of the two). Its `time_limit` becomes
// that date, and the `register` audit row keeps what was asked (time_limit_asked) and the window
// (time_limit_capped_by).
//
//   NewInstance req{.id = "Q-1", .campaign = "shaoyang-q3", .unit = ..., .at = now};
//   if (Status s = ApplyCampaignItems(store, definitions, req); !s) return s.error();
//   engine.interpreter().Create(req);
//
// Where each choice came from is written into req.audit_notes (`workflow_from`,
// `escalation_from`, `time_limit_from`: "registration", "campaign NAME" or "workflow").
//
// Thread-safety: pure functions of their arguments, except for the store read.
#pragma once

#include <string>

#include "rectify/definition/campaign.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/interpreter.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

// The workflow of an item that names none, outside a campaign that names one.
inline constexpr const char* kDefaultItemWorkflow = "rectification-item";

// Fills what `request` leaves open from campaign `c` (null: no campaign, or one not loaded), then
// applies c's rectification windows. kBadInput when the time limit cannot be read or resolved.
Status ApplyCampaignItems(const definition::Campaign* c, const definition::DefinitionSet& defs,
                          NewInstance& request);

// The same with request.campaign looked up: the version its run pinned when it was started
// (kFailedPrecondition when that version is not loaded), else the latest loaded; no campaign of
// that name loaded: the workflow's own defaults.
Status ApplyCampaignItems(Store& store, const definition::DefinitionSet& defs,
                          NewInstance& request);

// The calendar an item's deadlines run on: its workflow's, with the campaign's calendar_changes
// (weekend rest cancelled, rest days of its own) applied when the item belongs to a loaded
// campaign whose calendar is the workflow's (by name). The latest loaded version of the campaign
// decides, so that a corrected calendar_changes reaches the items already registered. Null when
// the workflow names no calendar.
const Calendar* ItemCalendar(const definition::DefinitionSet& defs,
                             const definition::Workflow& workflow, std::string_view campaign);

// The rectification window of `c` that `day` falls in, if any.
const definition::Checkpoint* RectificationWindowAt(const definition::Campaign& c, Date day);

}  // namespace rectify::engine
