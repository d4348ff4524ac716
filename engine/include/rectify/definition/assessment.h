// A compiled assessment (`kind: assessment`): how units are scored and ranked each period
// (seed 001's monthly assessment with its one-vote veto; seed 002's annual score deductions).
//
// A unit's score for a period is:
//   sum over criteria of (criterion mark, 0..max, scaled to 100) x weight       (weights sum to 1)
//   plus its bonus points, at most `bonus.max`
//   minus `deductions[measure]` for every escalation step of that measure the unit received
//   minus the steps' own `score` points when `include_step_scores`
//   minus `per_overdue_item` for each of its items overdue at the end of the period,
// floored at 0. Without criteria the first term is 100. A mark is entered per unit, period and
// criterion by a holder of the criterion's role (`by:`, else the assessment's `assessed_by:`)
// whose scope covers the unit (engine/assessment.h); a criterion not marked yet leaves the unit
// "not assessed": until every criterion is marked a ranking is provisional, scores the unit on
// the weights of the criteria marked (100 when none is), lists what is missing, and cannot be
// published. A unit that fails any veto criterion fails the assessment whatever its score
// ("one-vote veto", 一票否决) and is ranked after every unit that passed.
//
// A veto criterion is failed by (`when:`):
//   - a measure: any escalation step of that measure the unit received in the period;
//   - `manual`: an act of a holder of the criterion's role (`by:`) with a reason (`rectify
//     assessment veto`), or, kept for compatibility, an assessor's finding recorded as an instance
//     of the campaign in the unit (or a unit counted for it) whose field `veto` (kVetoField) names
//     the criterion's id, several ids comma-separated, registered within the period. Any workflow
//     that declares a `veto` field can record findings; ids that are not manual criteria of the
//     assessment are ignored.
//
// Thread-safety: immutable once compiled; share it freely (shared_ptr<const Assessment>).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/common.h"

namespace rectify::definition {

enum class Period { kWeek, kMonth, kQuarter, kYear };
std::string_view PeriodName(Period p);

struct Criterion {
  std::string id;
  std::string title;
  double weight = 0;
  double max = 100;
  std::string by;  // the org role that marks it; empty: the assessment's assessed_by
  SourcePos pos;
};

// Bonus points (加分): entered per unit and period like a mark, with a reason; at most `max`.
struct Bonus {
  double max = 0;  // 0: the assessment gives no bonus
  std::string by;  // empty: the assessment's assessed_by
  SourcePos pos;
};

// The instance field that records manual veto findings (see above).
inline constexpr std::string_view kVetoField = "veto";

struct Veto {
  enum class When { kManual, kMeasure };
  std::string id;
  std::string title;
  When when = When::kManual;                   // kManual: an assessor marks it failed
  Measure measure = Measure::kAccountability;  // kMeasure: any step of this measure fails it
  std::string by;  // kManual: the org role that takes it; empty: the assessment's assessed_by
  SourcePos pos;
};

// How units with the same score are ordered (`ranking.ties`), in turn; units still level after
// the last are ordered by unit id.
struct TieBreak {
  enum class Kind { kFewerOverdue, kFewerEscalations, kFewerDeducted, kCriterion, kUnitOrder };
  Kind kind = Kind::kUnitOrder;
  std::string criterion;  // kCriterion: the higher mark first
};

// One column of the XLSX export: a field of the ranking's line (rank, unit, name, kind, score,
// marks, bonus, deducted, escalations, overdue_items, vetoes, status, criterion:<id>) and its
// titles.
struct ExportColumn {
  std::string field;
  std::string title_zh;
  std::string title_en;
};
struct ExportLayout {
  std::string sheet_zh;
  std::string sheet_en;
  std::vector<ExportColumn> columns;  // empty: every field, titled in English
};

struct Ranking {
  bool descending = true;  // highest score first
  bool by_kind = true;     // rank townships with townships, departments with departments
  int top = 0;             // how many to name at the top of the bulletin (0: none)
  int bottom = 0;          // ... and at the bottom ("first queue", 排队)
  std::vector<TieBreak> ties;
};

class Assessment {
 public:
  struct Parts {
    Period period = Period::kMonth;
    std::vector<std::string> applies_to;  // unit kinds; empty: every unit with items
    std::vector<Criterion> criteria;
    std::map<Measure, double> deductions;
    double per_overdue_item = 0;
    bool include_step_scores = true;
    std::vector<Veto> vetoes;
    Ranking ranking;
    std::string assessed_by;   // the org role that enters marks, bonus and vetoes by default
    std::string published_by;  // the org role that publishes a period's ranking (closes it)
    Bonus bonus;
    ExportLayout layout;
  };

  Assessment(DefinitionInfo info, Parts parts) : info_(std::move(info)), parts_(std::move(parts)) {}

  const DefinitionInfo& info() const { return info_; }
  Period period() const { return parts_.period; }
  const std::vector<std::string>& applies_to() const { return parts_.applies_to; }
  const std::vector<Criterion>& criteria() const { return parts_.criteria; }
  const std::map<Measure, double>& deductions() const { return parts_.deductions; }
  double per_overdue_item() const { return parts_.per_overdue_item; }
  bool include_step_scores() const { return parts_.include_step_scores; }
  const std::vector<Veto>& vetoes() const { return parts_.vetoes; }
  const Ranking& ranking() const { return parts_.ranking; }
  const std::string& assessed_by() const { return parts_.assessed_by; }
  const std::string& published_by() const { return parts_.published_by; }
  const Bonus& bonus() const { return parts_.bonus; }
  const ExportLayout& layout() const { return parts_.layout; }
  const Criterion* FindCriterion(std::string_view id) const {
    for (const Criterion& c : parts_.criteria) {
      if (c.id == id) return &c;
    }
    return nullptr;
  }
  const Veto* FindVeto(std::string_view id) const {
    for (const Veto& v : parts_.vetoes) {
      if (v.id == id) return &v;
    }
    return nullptr;
  }
  // The role a criterion, a veto or the bonus names, else assessed_by.
  const std::string& RoleOr(const std::string& by) const {
    return by.empty() ? parts_.assessed_by : by;
  }

 private:
  DefinitionInfo info_;
  Parts parts_;
};

}  // namespace rectify::definition
