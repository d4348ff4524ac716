// An assessment's ranking (definition/assessment.h): the weighted marks entered (100 without
// them) plus the bonus, less the deductions, each kept with its cause; vetoes last; ties broken as
// the definition says. A veto is failed by a step of its measure, by an act of its role
// (engine/assessment.h) or, for compatibility, by an instance of the unit that records it in its
// `veto` field (definition::kVetoField).
#include <algorithm>
#include <map>

#include "rectify/engine/assessment.h"
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
  return RankUnits(assessment, org, calendar, items, from, to, now, AssessmentSheet{});
}

std::vector<RankedUnit> RankUnits(const definition::Assessment& assessment,
                                  const definition::Org& org, const Calendar* calendar,
                                  const std::vector<Instance>& items, Timestamp from, Timestamp to,
                                  Timestamp now, const AssessmentSheet& sheet) {
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
  auto date_of = [&](Timestamp t) {
    return calendar != nullptr ? FormatDate(calendar->DateOf(t)) : FormatIso(t);
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
      for (const std::string& id : RecordedVetoes(assessment, item)) {
        AddVeto(r, id);
        r.veto_reasons.emplace(id, "recorded on " + item.record.id + " (field veto)");
      }
    }
    for (const EscalationTaken& e : item.escalations) {
      if (e.at < from || e.at >= to) continue;
      ++r.escalations;
      double points = DeductionFor(assessment, e.measure);
      r.deducted += points;
      if (points != 0) {
        r.deductions.push_back(
            {"measure", item.record.id, e.step_id, e.measure, date_of(e.at), points});
      }
      for (const definition::Veto& v : assessment.vetoes()) {
        if (v.when == definition::Veto::When::kMeasure &&
            definition::MeasureName(v.measure) == e.measure) {
          AddVeto(r, v.id);
          r.veto_reasons.emplace(v.id, e.measure + " on " + item.record.id + " (" + e.step_id +
                                           ", " + date_of(e.at) + ")");
        }
      }
    }
    if (assessment.include_step_scores()) {
      for (const ScoreDeduction& d : item.deductions) {
        if (d.at >= from && d.at < to) {
          r.deducted += -d.points;
          r.deductions.push_back(
              {"step_score", item.record.id, d.step_id, "", date_of(d.at), -d.points});
        }
      }
    }
    if (calendar != nullptr) {
      if (const StateClock* c = item.CurrentClock(); c && c->clock.phase != ClockPhase::kStopped) {
        DeadlineClock dc(*calendar, c->clock);
        if (dc.IsOverdue(now)) {
          ++r.overdue_items;
          r.deducted += assessment.per_overdue_item();
          if (assessment.per_overdue_item() != 0) {
            r.deductions.push_back({"overdue", item.record.id, item.record.state, "", date_of(now),
                                    assessment.per_overdue_item()});
          }
        }
      }
    }
  }
  // The sheet: marks, bonus and vetoes taken by their roles.
  for (auto& [i, r] : by_unit) {
    double weighted = 0;
    double weights = 0;
    for (const definition::Criterion& c : assessment.criteria()) {
      auto it = sheet.marks.find({r.unit, c.id});
      if (it == sheet.marks.end()) {
        r.not_assessed.push_back(c.id);
        continue;
      }
      r.criteria[c.id] = it->second.value;
      weighted += it->second.value / c.max * 100.0 * c.weight;
      weights += c.weight;
    }
    // Provisional until every criterion is marked: the weights of the criteria marked.
    r.marks = weights > 0 ? weighted / weights : 100.0;
    if (auto b = sheet.bonus.find(r.unit); b != sheet.bonus.end()) {
      r.bonus = std::min(b->second.value, assessment.bonus().max);
    }
    for (const auto& [key, v] : sheet.vetoes) {
      if (key.first != r.unit) continue;
      AddVeto(r, key.second);
      // Read by people: who took it by name (the audit row keeps the id).
      auto by = org.FindPerson(v.by);
      r.veto_reasons[key.second] =
          (by ? org.person(*by).name : v.by) + " " + date_of(v.at) + ": " + v.note;
    }
    std::sort(r.vetoes.begin(), r.vetoes.end());
  }
  std::vector<RankedUnit> out;
  std::map<std::string, definition::UnitIndex> order;
  for (auto& [i, r] : by_unit) {
    r.score = std::max(0.0, r.marks + r.bonus - r.deducted);
    order[r.unit] = i;
    out.push_back(std::move(r));
  }
  const definition::Ranking& ranking = assessment.ranking();
  auto mark = [](const RankedUnit& u, const std::string& id) {
    auto it = u.criteria.find(id);
    return it == u.criteria.end() ? -1.0 : it->second;
  };
  std::stable_sort(out.begin(), out.end(), [&](const RankedUnit& a, const RankedUnit& b) {
    if (ranking.by_kind && a.kind != b.kind) return a.kind < b.kind;
    if (a.vetoes.empty() != b.vetoes.empty()) return a.vetoes.empty();
    if (a.score != b.score) return ranking.descending ? a.score > b.score : a.score < b.score;
    for (const definition::TieBreak& t : ranking.ties) {
      switch (t.kind) {
        case definition::TieBreak::Kind::kFewerOverdue:
          if (a.overdue_items != b.overdue_items) return a.overdue_items < b.overdue_items;
          break;
        case definition::TieBreak::Kind::kFewerEscalations:
          if (a.escalations != b.escalations) return a.escalations < b.escalations;
          break;
        case definition::TieBreak::Kind::kFewerDeducted:
          if (a.deducted != b.deducted) return a.deducted < b.deducted;
          break;
        case definition::TieBreak::Kind::kCriterion:
          if (mark(a, t.criterion) != mark(b, t.criterion)) {
            return mark(a, t.criterion) > mark(b, t.criterion);
          }
          break;
        case definition::TieBreak::Kind::kUnitOrder:
          if (order[a.unit] != order[b.unit]) return order[a.unit] < order[b.unit];
          break;
      }
    }
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
