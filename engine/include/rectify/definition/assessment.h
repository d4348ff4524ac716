// A compiled assessment (`kind: assessment`): how units are scored and ranked each period
// (seed 001's monthly assessment with its one-vote veto; seed 002's annual score deductions).
//
// A unit's score for a period is:
//   sum over criteria of (criterion mark, 0..max, scaled to 100) x weight       (weights sum to 1)
//   minus `deductions[measure]` for every escalation step of that measure the unit received
//   minus the steps' own `score` points when `include_step_scores`
//   minus `per_overdue_item` for each of its items overdue at the end of the period,
// floored at 0. A unit that fails any veto criterion fails the assessment whatever its score
// ("one-vote veto", 一票否决) and is ranked after every unit that passed.
//
// A veto criterion is failed by (`when:`):
//   - a measure: any escalation step of that measure the unit received in the period;
//   - `manual`: an assessor's finding, recorded as an instance of the campaign in the unit (or a
//     unit counted for it) whose field `veto` (kVetoField) names the criterion's id, several ids
//     comma-separated, registered within the period. Any workflow that declares a `veto` field can
//     record findings; ids that are not manual criteria of the assessment are ignored.
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
  SourcePos pos;
};

struct Ranking {
  bool descending = true;  // highest score first
  bool by_kind = true;     // rank townships with townships, departments with departments
  int top = 0;             // how many to name at the top of the bulletin (0: none)
  int bottom = 0;          // ... and at the bottom ("first queue", 排队)
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

 private:
  DefinitionInfo info_;
  Parts parts_;
};

}  // namespace rectify::definition
