// What people do in an assessment (definition/assessment.h) and what they see of it: marks per
// unit, period and criterion, bonus points and one-vote vetoes entered by the roles the
// definition names, the period's ranking with each deduction's cause, and its publication, which
// closes the period.
//
// Everything is kept on the campaign's run (campaign.h) as hash-chained audit rows, so an entry,
// its correction (with the old value in the row) and the publication are audited like any act,
// and commit with the run's version check (two assessors correcting the same mark at once: one
// of them gets kConflict and tries again). The rows' events:
//
//   assessment_mark    {assessment, period, unit, criterion, mark, max, note, evidence[],
//                       previous (a correction: the value it replaces), reason}
//   assessment_bonus   {assessment, period, unit, points, note, evidence[], previous, reason}
//   assessment_veto    {assessment, period, unit, criterion, reason, withdrawn}
//   assessment         the ranking (campaign.h); with {published: true, by} when published
//
//   AssessmentEntry e{.campaign = "xinshao-2017", .period = "2017-05", .unit = "niangxi",
//                     .criterion = "fund_use", .value = 85, .note = "抽查 3 户", .actor =
//                     "xs-0004"};
//   auto row = EnterMark(engine, e);                     // or EnterBonus, TakeVeto
//   auto view = ShowAssessment(engine, "xinshao-2017", "", "2017-05");
//   auto published = PublishAssessment(engine, "xinshao-2017", "", "2017-05", "xs-0003");
//
// Periods are written as the assessment's period: 2017-05 (month), 2017-Q2 (quarter), 2017
// (year), 2017-05-08 (the Monday of a week); a period is clamped to the campaign's days.
//
// Thread-safety: functions of one thread, like the Engine they use.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/assessment.h"
#include "rectify/definition/campaign.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/report_table.h"

namespace rectify::engine {

struct AssessmentPeriod {
  std::string label;  // "2017-05"
  Date first;         // clamped to the campaign's first day
  Date last;          // clamped to its last day
};

// The period `label` names for `a` within campaign `c`; kBadInput says how to write one.
Result<AssessmentPeriod> ParseAssessmentPeriod(const definition::Assessment& a,
                                               const definition::Campaign& c,
                                               const std::string& label);
// The label of the period of kind `p` that starts on `first` (unclamped).
std::string PeriodLabel(definition::Period p, Date first);

// The periods of a campaign's assessments that have begun by the engine's clock, oldest first
// (a page offers them to choose from): whether each has ended (its ranking may be published from
// the day after its last) and whether it was published. kNotFound: the campaign was not started.
struct AssessmentPeriodState {
  std::string assessment;  // its name
  std::string title;
  definition::Period kind = definition::Period::kMonth;
  AssessmentPeriod period;
  bool ended = false;
  bool published = false;
  std::string published_by;
};
Result<std::vector<AssessmentPeriodState>> ListAssessmentPeriods(Engine& engine,
                                                                 const std::string& campaign);

// What was entered for one assessment and period, read from the run's audit rows: the current
// value of each mark, bonus and veto, the history of every entry, and the publication.
struct SheetEntry {
  std::string event;  // assessment_mark, assessment_bonus, assessment_veto
  std::string unit;
  std::string criterion;  // a mark's or veto's criterion; empty for a bonus
  double value = 0;       // the mark or the points
  std::optional<double> previous;
  bool withdrawn = false;  // a veto lifted
  std::string note;        // the evidence's note, a veto's reason
  std::string reason;      // why a value was corrected
  std::vector<std::string> evidence;
  std::string by;
  Timestamp at;
  std::int64_t seq = 0;
};
struct AssessmentSheet {
  std::map<std::pair<std::string, std::string>, SheetEntry> marks;   // (unit, criterion)
  std::map<std::string, SheetEntry> bonus;                           // unit
  std::map<std::pair<std::string, std::string>, SheetEntry> vetoes;  // (unit, criterion), taken
  std::vector<SheetEntry> history;                                   // every row, oldest first
  std::optional<boost::json::object> published;                      // the published ranking
};
AssessmentSheet ReadSheet(const std::vector<AuditRecord>& run_audit, const std::string& assessment,
                          const std::string& period_label);

// Ranks as RankUnits does, with the sheet's marks, bonus and vetoes (`sheet` may be empty).
std::vector<RankedUnit> RankUnits(const definition::Assessment& assessment,
                                  const definition::Org& org, const Calendar* calendar,
                                  const std::vector<Instance>& items, Timestamp from, Timestamp to,
                                  Timestamp now, const AssessmentSheet& sheet);

// A ranking as its audit row and the API write it (scores as decimal text).
boost::json::array RankingJson(const std::vector<RankedUnit>& ranking);

// The campaign's items (every instance registered into it), read page by page.
Result<std::vector<Instance>> CampaignItems(Store& store, const std::string& campaign);

// How an entry's evidence names a file: "file 抽查表.pdf (2048 bytes, sha256 <64 hex>)", as
// `--evidence FILE` records one and as the API records a file uploaded for the assessment (POST
// /api/v1/assessments/{campaign}/{period}/evidence). The text goes into the entry's audit row, so
// the file's SHA-256 is in the hash chain.
std::string EvidenceFileText(std::string_view name, std::int64_t size, std::string_view sha256);

// One entry: a mark (criterion, value 0..max), a bonus (value 0..bonus.max, no criterion) or a
// veto (criterion of a manual veto; `withdraw` lifts one taken before).
struct AssessmentEntry {
  std::string campaign;
  std::string assessment;  // empty: the campaign's only assessment
  std::string period;
  std::string unit;
  std::string criterion;
  double value = 0;
  std::string note;    // what the assessor found (the evidence's note); a veto's reason
  std::string reason;  // a correction's reason (required when a value is replaced)
  std::vector<std::string> evidence;  // "file 照片.jpg (2048 bytes, sha256 ...)" or a text
  bool withdraw = false;
  std::string actor;  // a person id
  std::string channel;
};

// Each checks the actor's role for the unit, the period (a published period is closed:
// kFailedPrecondition), the value's range, and appends the audit row. The answer is the row's
// data.
Result<boost::json::object> EnterMark(Engine& engine, const AssessmentEntry& entry);
// Several marks of one campaign, assessment and period at a sitting (a township on every
// criterion): each checked as EnterMark checks it, all committed in one transaction or none.
Result<std::vector<boost::json::object>> EnterMarks(Engine& engine,
                                                    const std::vector<AssessmentEntry>& entries);
Result<boost::json::object> EnterBonus(Engine& engine, const AssessmentEntry& entry);
Result<boost::json::object> TakeVeto(Engine& engine, const AssessmentEntry& entry);

// A period's assessment as it stands: the ranking (published, or provisional as of now), what
// is missing before it can be published, and the entries' history.
struct AssessmentView {
  std::string campaign;
  std::shared_ptr<const definition::Assessment> assessment;
  AssessmentPeriod period;
  bool published = false;
  std::string published_by;
  std::string published_at;
  std::vector<RankedUnit> ranking;
  boost::json::array ranking_json;   // as recorded (published) or computed now
  std::vector<std::string> missing;  // "酿溪镇 (niangxi): fund_use"
  std::vector<SheetEntry> history;
};
Result<AssessmentView> ShowAssessment(Engine& engine, const std::string& campaign,
                                      const std::string& assessment, const std::string& period);
boost::json::object AssessmentViewJson(const AssessmentView& view);

// Publishes the period's ranking as `actor` (a holder of the published_by role over the
// campaign's org), recorded as an `assessment` audit row with published: true; refused while a
// mark is missing or when it was published before. The period is closed from then on.
Result<AssessmentView> PublishAssessment(Engine& engine, const std::string& campaign,
                                         const std::string& assessment, const std::string& period,
                                         const std::string& actor, const std::string& channel = "");

// The ranking as a table in the definition's export layout, titles in `lang` ("zh" or "en"), and
// the sheet's name.
ReportTable AssessmentTable(const AssessmentView& view, const std::string& lang);
std::string AssessmentSheetName(const AssessmentView& view, const std::string& lang);

}  // namespace rectify::engine
