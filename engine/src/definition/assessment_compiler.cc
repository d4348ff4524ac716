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

// An org role named by `by:`, `assessed_by:` or `published_by:`.
std::string ReadRole(DocContext& doc, MapReader& m, std::string_view key,
                     const RoleVocabulary& vocab) {
  auto role = m.String(key);
  if (!role) return {};
  if (vocab.have_org &&
      std::find(vocab.roles.begin(), vocab.roles.end(), *role) == vocab.roles.end()) {
    doc.Error(m.Get(key), m.PathOf(key), "no org holds the role '" + *role + "'",
              SuggestHint(*role, vocab.roles));
  }
  return *role;
}

// A title in both languages: `{ zh: 名次, en: Rank }`, or one text for both.
void ReadTitles(DocContext& doc, const YAML::Node& node, const std::string& path, std::string& zh,
                std::string& en) {
  if (IsScalar(node)) {
    zh = en = node.Scalar();
    return;
  }
  MapReader t(doc, node, path);
  if (!t.valid()) return;
  zh = t.String("zh", true).value_or("");
  en = t.String("en", true).value_or("");
  t.Finish();
}

const std::vector<std::string>& ExportFields() {
  static const std::vector<std::string> fields = {
      "rank",  "unit",     "name",        "kind",          "score",  "marks",
      "bonus", "deducted", "escalations", "overdue_items", "vetoes", "status"};
  return fields;
}

void ReadTies(DocContext& doc, const YAML::Node& node, const std::string& path,
              const std::vector<Criterion>& criteria, std::vector<TieBreak>& out) {
  static const std::vector<std::string> names = {
      "fewer_overdue", "fewer_escalations", "fewer_deductions", "criterion:<id>", "unit_order"};
  for (const auto& t : AsStringList(doc, node, path)) {
    TieBreak tb;
    if (t.value == "fewer_overdue") {
      tb.kind = TieBreak::Kind::kFewerOverdue;
    } else if (t.value == "fewer_escalations") {
      tb.kind = TieBreak::Kind::kFewerEscalations;
    } else if (t.value == "fewer_deductions") {
      tb.kind = TieBreak::Kind::kFewerDeducted;
    } else if (t.value == "unit_order") {
      tb.kind = TieBreak::Kind::kUnitOrder;
    } else if (t.value.rfind("criterion:", 0) == 0) {
      tb.kind = TieBreak::Kind::kCriterion;
      tb.criterion = t.value.substr(10);
      bool known = std::any_of(criteria.begin(), criteria.end(),
                               [&](const Criterion& c) { return c.id == tb.criterion; });
      if (!known) {
        std::vector<std::string> ids;
        for (const Criterion& c : criteria) ids.push_back(c.id);
        doc.Error(t.node, t.path, "no criterion '" + tb.criterion + "' to break ties by",
                  SuggestHint(tb.criterion, ids, "name one of the assessment's criteria"));
        continue;
      }
    } else {
      doc.Error(t.node, t.path, "unknown tie-break '" + t.value + "'", SuggestHint(t.value, names));
      continue;
    }
    out.push_back(tb);
  }
}

void ReadExport(DocContext& doc, const YAML::Node& node, const std::vector<Criterion>& criteria,
                ExportLayout& out) {
  MapReader e(doc, node, "export");
  if (!e.valid()) return;
  if (YAML::Node sheet = e.Get("sheet"); sheet.IsDefined()) {
    ReadTitles(doc, sheet, e.PathOf("sheet"), out.sheet_zh, out.sheet_en);
    for (const std::string* name : {&out.sheet_zh, &out.sheet_en}) {
      // Excel refuses longer sheet names and these characters.
      std::size_t chars = static_cast<std::size_t>(
          std::count_if(name->begin(), name->end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
      if (chars > 31 || name->find_first_of("[]:*?/\\") != std::string::npos) {
        doc.Error(sheet, e.PathOf("sheet"), "'" + *name + "' cannot name a sheet",
                  "at most 31 characters, none of [ ] : * ? / \\");
      }
    }
  }
  YAML::Node columns = e.Require("columns", "[{ field: rank, title: { zh: 名次, en: Rank } }]");
  if (columns.IsDefined() && !IsList(columns)) {
    doc.Error(columns, "export.columns", "expected a list of columns, found " + Describe(columns));
  } else if (columns.IsDefined()) {
    std::vector<std::string> options = ExportFields();
    for (const Criterion& c : criteria) options.push_back("criterion:" + c.id);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string p = IndexPath("export.columns", i);
      MapReader c(doc, columns[i], p);
      if (!c.valid()) continue;
      ExportColumn col;
      col.field = c.String("field", true).value_or("");
      if (!col.field.empty() &&
          std::find(options.begin(), options.end(), col.field) == options.end()) {
        doc.Error(c.Get("field"), c.PathOf("field"), "unknown column '" + col.field + "'",
                  SuggestHint(col.field, options));
      }
      if (YAML::Node title = c.Get("title"); title.IsDefined()) {
        ReadTitles(doc, title, c.PathOf("title"), col.title_zh, col.title_en);
      } else {
        col.title_zh = col.title_en = col.field;
      }
      c.Finish();
      out.columns.push_back(col);
    }
  }
  e.Finish();
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
        cr.by = ReadRole(doc, c, "by", linker.vocabulary());
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
  parts.assessed_by = ReadRole(doc, m, "assessed_by", linker.vocabulary());
  parts.published_by = ReadRole(doc, m, "published_by", linker.vocabulary());
  if (YAML::Node bonus = m.Get("bonus"); bonus.IsDefined()) {
    MapReader b(doc, bonus, "bonus");
    parts.bonus.pos = doc.Pos(bonus);
    if (auto mx = b.Number("max", true)) {
      if (*mx <= 0) doc.Error(b.Get("max"), b.PathOf("max"), "max must be more than 0");
      parts.bonus.max = *mx;
    }
    parts.bonus.by = ReadRole(doc, b, "by", linker.vocabulary());
    b.Finish();
  }
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
        vt.by = ReadRole(doc, v, "by", linker.vocabulary());
        if (!vt.by.empty() && vt.when != Veto::When::kManual) {
          doc.Error(v.Get("by"), v.PathOf("by"), "a veto taken by a measure is taken by no one",
                    "write when: manual for a veto a role takes, or leave by: out");
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
    if (YAML::Node ties = r.Get("ties"); ties.IsDefined()) {
      ReadTies(doc, ties, r.PathOf("ties"), parts.criteria, parts.ranking.ties);
    }
    r.Finish();
  }
  if (YAML::Node layout = m.Get("export"); layout.IsDefined()) {
    ReadExport(doc, layout, parts.criteria, parts.layout);
  }
  m.Finish();
  // Whatever is entered by hand needs a role to enter it.
  auto need_role = [&](const std::string& by, SourcePos pos, const std::string& path,
                       const std::string& what) {
    if (by.empty() && parts.assessed_by.empty()) {
      doc.ErrorAt(pos, path, what + " names no role that enters it",
                  "write by: <role> on it, or assessed_by: <role> on the assessment");
    }
  };
  for (std::size_t i = 0; i < parts.criteria.size(); ++i) {
    need_role(parts.criteria[i].by, parts.criteria[i].pos, IndexPath("criteria", i),
              "criterion '" + parts.criteria[i].id + "'");
  }
  // A manual veto without any role is still recorded through an instance's `veto` field.
  if (parts.bonus.max > 0) need_role(parts.bonus.by, parts.bonus.pos, "bonus", "the bonus");
  if (parts.criteria.empty() && parts.deductions.empty() && parts.vetoes.empty() &&
      doc.error_count() == errors_before) {
    doc.Error(raw.root, "", "the assessment scores nothing", "add criteria:, deductions: or veto:");
  }
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const Assessment>(raw.info, std::move(parts));
}

}  // namespace internal
}  // namespace rectify::definition
