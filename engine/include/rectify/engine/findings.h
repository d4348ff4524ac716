// Findings: how a problem gets into the ledger (issue 15, point 1).
//
// An inspection round is an `inspection` checkpoint of a campaign (definition/campaign.h). During
// the round an inspector records findings per unit: what was found (the title), where
// (`location`), how (FoundBy: the round's way, an open or an unannounced visit...), with evidence
// when there is some. A finding is an instance of the round's findings workflow (the library's
// `finding`, or the one the checkpoint names in `findings:`), so it has the items' machinery:
// access rules (its `record` transition names who records, `confirm` and `dismiss` who confirms),
// a hash-chained audit log, one versioned row. It is a draft until confirmed or dismissed with a
// reason.
//
// Confirming a finding opens a rectification item at its unit, with the campaign's item workflow,
// chain and time limit (the finding's own `time_limit` first; campaign_items.h decides), assigned
// at once by the confirmer, in the SAME transaction as the confirmation. The two are linked both
// ways through Instance::origin: the finding's `opened` names the item; the item's `source`,
// `round`, `campaign`, `recorded_by` and `found_at` say where it was found. A public report (the
// `public-report` intake workflow) is confirmed the same way: its `confirm` opens the item at the
// responsible unit the confirmer names, found_by public_report, and the reporter's ticket follows
// that item (adapters/http/api/public_routes.cc).
//
//   auto f = RecordFinding(engine, {.campaign = "xinshao-2017", .round = "q1_inspection",
//                                   .unit = "niangxi", .title = "...", .actor = "xs-0004"});
//   auto c = ConfirmFinding(engine, {.source = f->record.id, .actor = "xs-0007"});
//   c->item.record.state;   // "rectifying", due as the campaign says
//
// Thread-safety: functions of one thread, like the Engine they use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/engine/engine.h"
#include "rectify/engine/instance.h"
#include "rectify/result.h"

namespace rectify::engine {

// How an item was found: a closed set (the seeds' ways of finding problems, and the ledger
// import's own).
enum class FoundBy {
  kInspection,
  kOpenVisit,
  kUnannouncedVisit,
  kPublicReport,
  kDataComparison,
  kAudit,
  kImported,
};
std::string_view FoundByName(FoundBy f);  // "inspection", "open_visit", ...
// Parses a name (also accepts '-' for '_'); kBadInput listing the values.
Result<FoundBy> ParseFoundBy(std::string_view text);
// "inspection, open_visit, ..." for messages and docs.
std::string FoundByNames();

// The library workflow of findings, and the intake workflow of public reports.
inline constexpr const char* kFindingWorkflow = "finding";
inline constexpr const char* kPublicReportWorkflow = "public-report";

struct NewFinding {
  std::string campaign;
  std::string round;  // an inspection checkpoint's id
  std::string unit;   // where the problem is
  std::string title;  // what was found
  std::string location;
  std::string found_by;  // empty: the round's (`found_by:`), else inspection
  std::string actor;     // the inspector recording it
  std::vector<std::string> evidence;
  std::string time_limit;      // the finding's own time limit for its item; empty: the campaign's
  std::string responsible;     // the person responsible at the unit, when known
  std::string special_action;  // a tag of the campaign
  std::string channel, request_id;
};
// Records a draft finding at clock.Now(), with the round's next id F-<campaign>-<round>-NNN.
// kNotFound for an unknown campaign or round;
// kBadInput for a round that is not an inspection, a unit the round does not apply to, a bad
// found_by; kFailedPrecondition before the round begins; kPermissionDenied when the actor may
// not record at the unit (the workflow's `record`).
Result<Instance> RecordFinding(Engine& engine, const NewFinding& finding);

// The checks of RecordFinding and the registration it would take, without an id (the caller
// names it: item.id and then[0].instance_id) and without storing anything: for findings
// registered together in one transaction (`rectify compare`, comparison.h).
Result<Registration> PrepareFinding(Engine& engine, const NewFinding& finding);

// "F-<campaign>-<round>-": the ids of a round's findings start with it.
std::string FindingIdPrefix(const std::string& campaign, const std::string& round);

struct Confirmation {
  std::string source;  // the finding's id, or a public report's
  std::string actor;
  std::string item_id;     // the item to open; empty: the finding's id with F- replaced by P-
  std::string time_limit;  // overrides the finding's own
  // A public report only: the responsible unit (required), its campaign (optional), and the
  // evidence the report workflow's `confirm` requires.
  std::string unit;
  std::string campaign;
  std::string responsible;
  std::vector<std::string> evidence;
  std::string channel, request_id;
};
struct Confirmed {
  Instance source;  // the finding or report, confirmed
  Instance item;    // the rectification item it opened
};
// Confirms a draft finding (or a public report being checked) and opens its item, in one
// transaction.
Result<Confirmed> ConfirmFinding(Engine& engine, const Confirmation& confirmation);

// Dismisses a draft finding with its reason.
Result<Instance> DismissFinding(Engine& engine, const std::string& id, const std::string& actor,
                                const std::string& reason, const std::string& channel = {},
                                const std::string& request_id = {});

// A finding with the item it opened (when it was confirmed and the item is there).
struct FindingView {
  Instance finding;
  std::optional<Instance> item;
};
// The findings of campaign `campaign` (of round `round`; empty: every round), by id.
Result<std::vector<FindingView>> ListFindings(Store& store, const std::string& campaign,
                                              const std::string& round);

// How and where an item was found, in one line for `item show`: "inspection, round q1_inspection
// of xinshao-2017, finding F-xinshao-2017-q1_inspection-001, 2017-04-10, by 邓涛华 (xs-0004)";
// empty when the item has no origin. `calendar` (may be null) gives the local date.
std::string DescribeOrigin(const Origin& origin, const definition::Org& org,
                           const Calendar* calendar);

// The round's checkpoint, or kNotFound/kBadInput saying which rounds there are.
Result<const definition::Checkpoint*> FindRound(const definition::Campaign& campaign,
                                                const std::string& round);

}  // namespace rectify::engine
