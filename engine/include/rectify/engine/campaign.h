// Campaign runs: a `kind: campaign` definition (definition/campaign.h) brought to life on the
// engine's durable timers.
//
// A run is an instance like any other, stored with the id `campaign:<name>` and the workflow
// `kCampaignWorkflow`, so it shares the items' machinery: a versioned row, a hash-chained audit
// log, durable timers claimed exactly once, and outbox rows, all committed through one ChangeSet.
// Its lifecycle (draft, scheduled, running, closed) is the Boost.MSM machine of
// campaign_lifecycle.h. Its record's `campaign` column is empty, so listing a campaign's items
// (InstanceFilter{.campaign = name}) never returns the run itself.
//
//   auto run = StartCampaign(engine, "xinshao-2017");   // at engine.clock().Now()
//   engine.FireDue();     // phases, checkpoints, recurring events, look backs, as they fall due
//
// Starting records on the run the versions of every definition the campaign uses (the campaign,
// its org, the items' workflow and chain, each checkpoint's workflow and each assessment; the
// calendar by name only). The workflow pins hold while it runs: its checkpoints and recurring
// events open, and registrations into it (item add, ledger import) get, the pinned version even
// after a newer one is loaded (ApplyCampaignPin); the chains and assessments are those the pinned
// definitions resolved to when loaded. Starting also arms one durable timer per dated event that
// is still ahead:
//
//   phase:<id>:begin / phase:<id>:end      at the start of the phase's first day / end of its last
//   checkpoint:<id>:begin / :end           a window (inspection, rectification, look back)
//   checkpoint:<id>:open                   a submission opens one instance of its workflow per
//                                          unit of the kinds it applies to, due on its date; it
//                                          opens at the start of the phase the date falls in
//                                          (or at once, when the run starts later)
//   recurring:<id>:<yyyy-mm-dd>            each occurrence, at the start of working hours
//   campaign:close                         the end of the campaign's last day
//
// What each firing does (all audited on the run, with notifications through the outbox):
//   - a phase begins or ends: the county's bulletin says so;
//   - a look back begins: it samples the campaign's closed items deterministically (a stable hash
//     of campaign, checkpoint, date and item id; same input, same sample), marks each sampled item
//     for re-inspection (field `look_back` on the item, an audit row on it) and notifies the
//     inspectors. Whether an item fails is an inspector's decision: they `reopen` it (rectify item
//     act ID reopen), which the workflow turns into a fresh time limit. `rectify simulate` scripts
//     that decision;
//   - an assessment occurrence ranks the units the assessment applies to (assessment.h): 100 less
//     the deductions for escalation steps their items received in the period, less step scores,
//     less a deduction per item overdue at the run; a unit whose items received a veto measure
//     fails whatever its score. The ranking is recorded on the run's audit row and sent to the
//     county's bulletin;
//   - a recurring event that runs a workflow (a monthly themed inspection) opens one instance per
//     unit it applies to, with the occurrence's theme.
// An occurrence at first_workday (or any day but last_workday) assesses the period that ended
// before it ("at the start of the month, the month's assessment"); one at last_workday assesses
// its own period.
//
// Thread-safety: functions of one thread, like the Engine they use.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/campaign.h"
#include "rectify/engine/campaign_lifecycle.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/instance.h"

namespace rectify::engine {

// The workflow name stored on campaign runs.
inline constexpr const char* kCampaignWorkflow = "campaign";

// "campaign:xinshao-2017".
std::string CampaignInstanceId(std::string_view campaign_name);
bool IsCampaignRun(const InstanceRecord& record);

// A stable 64-bit hash (FNV-1a) and a share in [0, 1) from it: the same text gives the same
// value on every machine and run, unlike std::hash.
std::uint64_t StableHash(std::string_view text);
double StableShare(std::string_view text);

// Starts campaign `name` (version 0: the latest loaded) at engine.clock().Now(): draft ->
// scheduled, and -> running at once when its first day has come. kUniqueViolation when it was
// started before.
Result<Instance> StartCampaign(Engine& engine, const std::string& name, int version = 0);
// Who starts it and through which door, recorded on the run's campaign_started audit row (its
// actor; `channel` and `request_id` in its data, as Command records them for an item's event).
struct CampaignStarter {
  std::string actor;       // a person id; empty: system
  std::string channel;     // "cli", "api", "web"; empty: not recorded
  std::string request_id;  // the API request's id; empty: not recorded
};
Result<Instance> StartCampaign(Engine& engine, const std::string& name, int version,
                               const CampaignStarter& starter);

// The definition versions a run pinned when it started, as its `pins` field holds them:
//   {"campaign":"xinshao-2017@1","org":"xinshao@1","calendar":"cn-mainland",
//    "workflows":{"rectification-item":2},"escalations":{...},"assessments":{...}}
struct CampaignPins {
  std::string campaign;                  // name@version
  std::string org;                       // name@version
  std::string calendar;                  // by name only
  std::map<std::string, int> workflows;  // name -> version
  std::map<std::string, int> escalations;
  std::map<std::string, int> assessments;

  // The field as StartCampaign writes it; BadInput saying what is wrong with anything else.
  static Result<CampaignPins> Parse(std::string_view text);
};
// The workflow versions a run pinned when it started, by name (from its `pins` field). Pins that
// do not parse are an error (kFailedPrecondition), never an empty set: that would put the
// campaign's new items on the latest versions.
Result<std::map<std::string, int>> PinnedWorkflows(const Instance& run);
// The workflow versions campaign `campaign`'s run pinned; empty when it has not been started.
Result<std::map<std::string, int>> LoadPinnedWorkflows(Store& store, const std::string& campaign);
// Those of every started campaign, by campaign name (for ledger imports: LedgerOptions::pinned).
Result<std::map<std::string, std::map<std::string, int>>> LoadAllPinnedWorkflows(Store& store);
// Gives a registration into a started campaign (`pins`: LoadPinnedWorkflows of
// request.campaign) the workflow version the campaign pinned, so a version loaded since does not
// change what a running campaign's items run on, or refuses another version asked for
// explicitly (kFailedPrecondition). Engine::Register and RegisterMany, and ledger imports into a
// campaign, go through this.
Status ApplyCampaignPin(const std::map<std::string, int>& pins, NewInstance& request);
// "campaign xinshao-2017 pinned rectification-item@1 when it started; ..., not @2 (...)".
std::string CampaignPinMismatch(const std::string& campaign, const std::string& workflow,
                                int pinned, int asked);

// Fires the due timers of a campaign run (the Engine calls this for instances of
// kCampaignWorkflow). Reads the campaign's items from `store` for look backs and assessments.
// Effects::follow_ups carries the instances it opens and the items it marks.
Result<Effects> FireCampaign(const Interpreter& interpreter, Store& store, const Instance& run,
                             const std::vector<TimerRecord>& timers, Timestamp now);

// One unit's line in an assessment ranking.
struct RankedUnit {
  int rank = 0;  // 1-based, among units of its kind
  std::string unit;
  std::string name;
  std::string kind;
  double score = 100;
  double deducted = 0;
  int overdue_items = 0;
  int escalations = 0;
  std::vector<std::string> vetoes;  // ids of the veto criteria failed
  // The marks (engine/assessment.h): the weighted part (100 without criteria or marks), the
  // bonus counted (capped), the mark entered per criterion and the criteria not marked yet.
  double marks = 100;
  double bonus = 0;
  std::map<std::string, double> criteria;
  std::vector<std::string> not_assessed;
  // Each deduction with its cause: "measure" (an escalation step), "step_score" (a step's own
  // points), "overdue" (an item overdue at the run).
  struct Deduction {
    std::string cause;
    std::string item;
    std::string step;
    std::string measure;
    std::string date;  // the local date it was taken (overdue: the run's)
    double points = 0;
  };
  std::vector<Deduction> deductions;
  std::map<std::string, std::string> veto_reasons;  // veto id -> who took it, when and why
};

// Ranks the units `assessment` applies to from `items` (the campaign's instances; follow-up
// tasks, which have a parent, are not counted) over [from, to), as of `now`. Pure.
std::vector<RankedUnit> RankUnits(const definition::Assessment& assessment,
                                  const definition::Org& org, const Calendar* calendar,
                                  const std::vector<Instance>& items, Timestamp from, Timestamp to,
                                  Timestamp now);

// Deterministic look-back sample: ceil(share x closed) of `candidates` (item ids), chosen by
// StableHash(seed + "|" + id), returned sorted by id.
std::vector<std::string> SampleForLookBack(const std::vector<std::string>& candidates, double share,
                                           const std::string& seed);

}  // namespace rectify::engine
