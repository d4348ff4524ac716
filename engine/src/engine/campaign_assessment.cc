// An assessment run's ranking (definition/assessment.h): 100 less the deductions, vetoes last.
// A veto is failed by a step of its measure, or, for a manual one, by an instance of the unit
// that records it in its `veto` field (definition::kVetoField).
#include <algorithm>
#include <map>

#include "rectify/engine/campaign.h"
#include "rectify/instance/deadline_clock.h"

namespace rectify::engine {

namespace {

bool AppliesTo(const definition::Assessment& a, const std::string& kind) {
  return a.applies_to().empty() ||
         std::find(a.applies_to().begin(), a.applies_to().end(), kind) != a.applies_to().end();
}

// The unit an item counts for: its own unit or the nearest one above it that is assessed.
std::optional<definition::UnitIndex> AssessedUnit(const definition::Assessment& a,
                                                  const definition::Org& org,
                                                  const std::string& unit_id) {
  auto u = org.FindUnit(unit_id);
  if (!u) return std::nullopt;
  for (definition::UnitIndex i = *u; i != definition::kNoIndex; i = org.unit(i).parent) {
    if (AppliesTo(a, org.unit(i).kind)) return i;
  }
  return std::nullopt;
}

// The manual veto criteria an instance records: its field `veto` names criteria by id (several
// comma-separated); ids that are not manual criteria of `a` are ignored.
std::vector<std::string> RecordedVetoes(const definition::Assessment& a, const Instance& item) {
  std::vector<std::string> out;
  std::string text = item.Field(std::string(definition::kVetoField));
  std::size_t i = 0;
  while (i <= text.size() && !text.empty()) {
    std::size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    std::string id = text.substr(i, j - i);
    id.erase(0, id.find_first_not_of(' '));
    id.erase(id.find_last_not_of(' ') + 1);
    for (const definition::Veto& v : a.vetoes()) {
      if (v.when == definition::Veto::When::kManual && v.id == id) out.push_back(id);
    }
    i = j + 1;
  }
  return out;
}

void AddVeto(RankedUnit& r, const std::string& id) {
  if (std::find(r.vetoes.begin(), r.vetoes.end(), id) == r.vetoes.end()) r.vetoes.push_back(id);
}

double DeductionFor(const definition::Assessment& a, const std::string& measure) {
  for (const auto& [m, points] : a.deductions()) {
    if (definition::MeasureName(m) == measure) return points;
  }
  return 0;
}

}  // namespace

std::vector<RankedUnit> RankUnits(const definition::Assessment& assessment,
                                  const definition::Org& org, const Calendar* calendar,
                                  const std::vector<Instance>& items, Timestamp from, Timestamp to,
                                  Timestamp now) {
  std::map<definition::UnitIndex, RankedUnit> by_unit;
  auto line = [&](definition::UnitIndex i) -> RankedUnit& {
    auto it = by_unit.find(i);
    if (it != by_unit.end()) return it->second;
    RankedUnit r;
    r.unit = org.unit(i).id;
    r.name = org.unit(i).name;
    r.kind = org.unit(i).kind;
    return by_unit.emplace(i, std::move(r)).first->second;
  };
  if (!assessment.applies_to().empty()) {
    for (const std::string& kind : assessment.applies_to()) {
      for (definition::UnitIndex i : org.UnitsOfKind(kind)) line(i);
    }
  }
  for (const Instance& item : items) {
    // Follow-up tasks (interviews) are the escalation's own work, not the unit's items.
    if (!item.parent.empty()) continue;
    auto u = AssessedUnit(assessment, org, item.record.unit_id);
    if (!u) continue;
    RankedUnit& r = line(*u);
    if (item.record.created_at >= from && item.record.created_at < to) {
      for (const std::string& id : RecordedVetoes(assessment, item)) AddVeto(r, id);
    }
    for (const EscalationTaken& e : item.escalations) {
      if (e.at < from || e.at >= to) continue;
      ++r.escalations;
      r.deducted += DeductionFor(assessment, e.measure);
      for (const definition::Veto& v : assessment.vetoes()) {
        if (v.when == definition::Veto::When::kMeasure &&
            definition::MeasureName(v.measure) == e.measure) {
          AddVeto(r, v.id);
        }
      }
    }
    if (assessment.include_step_scores()) {
      for (const ScoreDeduction& d : item.deductions) {
        if (d.at >= from && d.at < to) r.deducted += -d.points;
      }
    }
    if (calendar != nullptr) {
      if (const StateClock* c = item.CurrentClock(); c && c->clock.phase != ClockPhase::kStopped) {
        DeadlineClock dc(*calendar, c->clock);
        if (dc.IsOverdue(now)) {
          ++r.overdue_items;
          r.deducted += assessment.per_overdue_item();
        }
      }
    }
  }
  std::vector<RankedUnit> out;
  for (auto& [i, r] : by_unit) {
    r.score = std::max(0.0, 100.0 - r.deducted);
    out.push_back(std::move(r));
  }
  const definition::Ranking& ranking = assessment.ranking();
  std::stable_sort(out.begin(), out.end(), [&](const RankedUnit& a, const RankedUnit& b) {
    if (ranking.by_kind && a.kind != b.kind) return a.kind < b.kind;
    if (a.vetoes.empty() != b.vetoes.empty()) return a.vetoes.empty();
    if (a.score != b.score) return ranking.descending ? a.score > b.score : a.score < b.score;
    return a.unit < b.unit;
  });
  std::string kind;
  int rank = 0;
  for (RankedUnit& r : out) {
    if (!ranking.by_kind || r.kind != kind) {
      kind = r.kind;
      if (ranking.by_kind || rank == 0) rank = 0;
    }
    r.rank = ++rank;
  }
  return out;
}

}  // namespace rectify::engine
