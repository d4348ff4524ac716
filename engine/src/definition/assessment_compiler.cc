// kind: assessment -> Assessment.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "compile.h"

namespace rectify::definition {

std::string_view PeriodName(Period p) {
  switch (p) {
    case Period::kWeek:
      return "week";
    case Period::kMonth:
      return "month";
    case Period::kQuarter:
      return "quarter";
    case Period::kYear:
      return "year";
  }
  return "month";
}

namespace internal {
namespace {

std::optional<Period> ParsePeriod(std::string_view s) {
  for (Period p : {Period::kWeek, Period::kMonth, Period::kQuarter, Period::kYear}) {
    if (PeriodName(p) == s) return p;
  }
  return std::nullopt;
}

void CheckUnitKinds(DocContext& doc, const YAML::Node& node, const std::string& path,
                    const RoleVocabulary& vocab, std::vector<std::string>& out) {
  for (const auto& k : AsStringList(doc, node, path)) {
    if (vocab.have_org && std::find(vocab.unit_kinds.begin(), vocab.unit_kinds.end(), k.value) ==
                              vocab.unit_kinds.end()) {
      doc.Error(k.node, k.path, "unknown unit kind '" + k.value + "'",
                SuggestHint(k.value, vocab.unit_kinds));
      continue;
    }
    out.push_back(k.value);
  }
}

}  // namespace

std::shared_ptr<const Assessment> CompileAssessment(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker) {
  std::size_t errors_before = doc.error_count();
  MapReader m(doc, raw.root, "");
  AllowHeaderKeys(m);
  Assessment::Parts parts;
  if (auto period = m.String("period", true)) {
    if (auto p = ParsePeriod(*period)) {
      parts.period = *p;
    } else {
      doc.Error(m.Get("period"), "period", "unknown period '" + *period + "'",
                SuggestHint(*period, {"week", "month", "quarter", "year"}));
    }
  }
  if (YAML::Node a = m.Get("applies_to"); a.IsDefined()) {
    CheckUnitKinds(doc, a, "applies_to", linker.vocabulary(), parts.applies_to);
  }
  if (YAML::Node criteria = m.Get("criteria"); criteria.IsDefined()) {
    if (!IsList(criteria)) {
      doc.Error(criteria, "criteria", "expected a list of criteria, found " + Describe(criteria));
    } else {
      double total = 0;
      std::set<std::string> ids;
      for (std::size_t i = 0; i < criteria.size(); ++i) {
        std::string p = IndexPath("criteria", i);
        MapReader c(doc, criteria[i], p);
        if (!c.valid()) continue;
        Criterion cr;
        cr.pos = doc.Pos(criteria[i]);
        cr.id = c.String("id", true).value_or("");
        if (!cr.id.empty() && !ids.insert(cr.id).second) {
          doc.Error(c.Get("id"), c.PathOf("id"), "duplicate criterion '" + cr.id + "'");
        }
        cr.title = c.String("title").value_or("");
        if (auto w = c.Number("weight", true)) {
          if (*w <= 0 || *w > 1) {
            doc.Error(c.Get("weight"), c.PathOf("weight"), "a weight is more than 0 and at most 1",
                      "weights are shares of the score, and they add up to 1");
          }
          cr.weight = *w;
          total += *w;
        }
        if (auto mx = c.Number("max")) {
          if (*mx <= 0) doc.Error(c.Get("max"), c.PathOf("max"), "max must be more than 0");
          cr.max = *mx;
        }
        c.Finish();
        parts.criteria.push_back(cr);
      }
      if (!parts.criteria.empty() && std::fabs(total - 1.0) > 1e-6) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", total);
        doc.Error(criteria, "criteria", std::string("the weights add up to ") + buf + ", not 1",
                  "adjust the weights so that they add up to 1");
      }
    }
  }
  if (YAML::Node ded = m.Get("deductions"); ded.IsDefined()) {
    MapReader d(doc, ded, "deductions");
    for (const auto& e : d.entries()) {
      d.Allow({e.key});
      auto measure = ParseMeasure(e.key);
      if (!measure) {
        doc.Error(e.key_node, d.PathOf(e.key), "unknown measure '" + e.key + "'",
                  SuggestHint(e.key, MeasureNames()));
        continue;
      }
      if (auto pts = AsNumber(doc, e.value, d.PathOf(e.key))) {
        if (*pts < 0) {
          doc.Error(e.value, d.PathOf(e.key), "deductions are written as positive points",
                    "write " + e.key + ": " + e.value.Scalar().substr(1));
        } else {
          parts.deductions[*measure] = *pts;
        }
      }
    }
  }
  if (auto per = m.Number("per_overdue_item")) {
    if (*per < 0) doc.Error(m.Get("per_overdue_item"), "per_overdue_item", "must not be negative");
    parts.per_overdue_item = *per;
  }
  parts.include_step_scores = m.Bool("include_step_scores").value_or(true);
  if (YAML::Node veto = m.Get("veto"); veto.IsDefined()) {
    if (!IsList(veto)) {
      doc.Error(veto, "veto", "expected a list of veto criteria, found " + Describe(veto));
    } else {
      for (std::size_t i = 0; i < veto.size(); ++i) {
        std::string p = IndexPath("veto", i);
        MapReader v(doc, veto[i], p);
        if (!v.valid()) continue;
        Veto vt;
        vt.pos = doc.Pos(veto[i]);
        vt.id = v.String("id", true).value_or("");
        vt.title = v.String("title").value_or("");
        if (auto when = v.String("when")) {
          if (*when == "manual") {
            vt.when = Veto::When::kManual;
          } else if (auto ms = ParseMeasure(*when)) {
            vt.when = Veto::When::kMeasure;
            vt.measure = *ms;
          } else {
            std::vector<std::string> options = MeasureNames();
            options.push_back("manual");
            doc.Error(v.Get("when"), v.PathOf("when"), "unknown veto trigger '" + *when + "'",
                      SuggestHint(*when, options, "use manual or a measure name"));
          }
        }
        v.Finish();
        parts.vetoes.push_back(vt);
      }
    }
  }
  if (YAML::Node rank = m.Get("ranking"); rank.IsDefined()) {
    MapReader r(doc, rank, "ranking");
    if (auto order = r.String("order")) {
      if (*order == "ascending")
        parts.ranking.descending = false;
      else if (*order != "descending")
        doc.Error(r.Get("order"), r.PathOf("order"), "unknown order '" + *order + "'",
                  SuggestHint(*order, {"ascending", "descending"}));
    }
    if (auto g = r.String("group_by")) {
      if (*g == "none")
        parts.ranking.by_kind = false;
      else if (*g != "kind")
        doc.Error(r.Get("group_by"), r.PathOf("group_by"), "unknown grouping '" + *g + "'",
                  SuggestHint(*g, {"kind", "none"}));
    }
    if (auto top = r.Int("top"))
      parts.ranking.top = static_cast<int>(std::max<std::int64_t>(0, *top));
    if (auto bottom = r.Int("bottom")) {
      parts.ranking.bottom = static_cast<int>(std::max<std::int64_t>(0, *bottom));
    }
    r.Finish();
  }
  m.Finish();
  if (parts.criteria.empty() && parts.deductions.empty() && parts.vetoes.empty() &&
      doc.error_count() == errors_before) {
    doc.Error(raw.root, "", "the assessment scores nothing", "add criteria:, deductions: or veto:");
  }
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const Assessment>(raw.info, std::move(parts));
}

}  // namespace internal
}  // namespace rectify::definition
