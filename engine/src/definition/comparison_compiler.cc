// kind: comparison -> Comparison (comparison.h): the data sets, the key and the rules, every
// column checked against the ledgers that declare them.
#include <set>

#include "compile.h"
#include "rectify/definition/comparison.h"

namespace rectify::definition {

std::string_view CompareCheckName(CompareCheck c) {
  switch (c) {
    case CompareCheck::kOnlyLeft:
      return "only_left";
    case CompareCheck::kOnlyRight:
      return "only_right";
    case CompareCheck::kDiffers:
      return "differs";
    case CompareCheck::kOverLimit:
      return "over_limit";
    case CompareCheck::kDuplicate:
      return "duplicate";
  }
  return "only_left";
}

std::string_view SideName(Side s) { return s == Side::kLeft ? "left" : "right"; }

namespace internal {
namespace {

const std::vector<std::string>& CheckNames() {
  static const std::vector<std::string> kNames = {"only_left", "only_right", "differs",
                                                  "over_limit", "duplicate"};
  return kNames;
}

std::vector<std::string> ColumnNames(const LedgerKind& kind) {
  std::vector<std::string> out;
  for (const auto& c : kind.columns()) out.push_back(c.name);
  return out;
}

// Reports a column that `kind` (of data set `side`) does not declare; returns it when it does.
const LedgerColumn* CheckColumn(DocContext& doc, const YAML::Node& node, const std::string& path,
                                const DataSet& set, Side side, const std::string& name) {
  if (!set.kind) return nullptr;  // the ledger failed: reported there
  if (const LedgerColumn* c = set.kind->FindColumn(name)) return c;
  doc.Error(node, path,
            "the " + std::string(SideName(side)) + " data set (ledger " + set.ledger.name +
                ") has no column '" + name + "'",
            SuggestHint(name, ColumnNames(*set.kind)));
  return nullptr;
}

std::optional<Side> ReadSide(DocContext& doc, const YAML::Node& node, const std::string& path) {
  auto text = AsString(doc, node, path);
  if (!text) return std::nullopt;
  if (*text == "left") return Side::kLeft;
  if (*text == "right") return Side::kRight;
  doc.Error(node, path, "'" + *text + "' is not a side", "write left or right");
  return std::nullopt;
}

}  // namespace

std::shared_ptr<const Comparison> CompileComparison(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker) {
  std::size_t errors_before = doc.error_count();
  MapReader m(doc, raw.root, "");
  AllowHeaderKeys(m);
  Comparison::Parts parts;
  std::shared_ptr<const Org> org;
  if (YAML::Node n = m.Require("org", "org: hecheng"); n.IsDefined()) {
    if (auto ref = linker.Resolve(doc, Kind::kOrg, n, "org")) {
      parts.org = *ref;
      org = linker.GetOrg(*ref);
    }
  }
  parts.round = m.String("round", true).value_or("");
  if (YAML::Node n = m.Get("campaign"); n.IsDefined()) {
    if (auto ref = linker.Resolve(doc, Kind::kCampaign, n, "campaign")) {
      parts.campaign = ref->name;
      auto campaign = linker.GetCampaign(*ref);
      if (campaign && !parts.round.empty()) {
        const Checkpoint* found = nullptr;
        std::vector<std::string> rounds;
        for (const auto& cp : campaign->checkpoints()) {
          if (cp.kind != CheckpointKind::kInspection) continue;
          rounds.push_back(cp.id);
          if (cp.id == parts.round) found = &cp;
        }
        if (!found) {
          doc.Error(m.Get("round"), "round",
                    "campaign " + ref->name + " has no inspection round '" + parts.round + "'",
                    SuggestHint(parts.round, rounds,
                                "add a checkpoint of kind: inspection (found_by: "
                                "data_comparison) to the campaign"));
        }
      }
      if (campaign && org && campaign->org().info().name != org->info().name) {
        doc.Error(n, "campaign",
                  "campaign " + ref->name + " is of org " + campaign->org().info().name + ", not " +
                      org->info().name,
                  "the clues are registered at units of the comparison's org");
      }
    }
  }

  auto read_set = [&](std::string_view key, DataSet& set) {
    YAML::Node n = m.Require(key, "{ ledger: hecheng-beneficiary-roster }");
    if (!n.IsDefined()) return;
    MapReader s(doc, n, std::string(key));
    if (!s.valid()) return;
    if (YAML::Node l = s.Require("ledger", "ledger: hecheng-beneficiary-roster"); l.IsDefined()) {
      if (auto ref = linker.Resolve(doc, Kind::kLedger, l, s.PathOf("ledger"))) {
        set.ledger = *ref;
        set.kind = linker.GetLedgerKind(*ref);
      }
    }
    set.title = s.String("title").value_or("");
    if (set.title.empty() && set.kind) set.title = set.kind->info().title;
    if (set.title.empty()) set.title = set.ledger.name;
    s.Finish();
  };
  read_set("left", parts.left);
  read_set("right", parts.right);

  if (YAML::Node k = m.Require("key", "key: { left: [id_card], right: [id_card] }");
      k.IsDefined()) {
    MapReader kr(doc, k, "key");
    if (kr.valid()) {
      for (Side side : {Side::kLeft, Side::kRight}) {
        std::string sname(SideName(side));
        auto& out = side == Side::kLeft ? parts.left_key : parts.right_key;
        const DataSet& set = side == Side::kLeft ? parts.left : parts.right;
        YAML::Node cols = kr.Require(sname, "[id_card]");
        if (!cols.IsDefined()) continue;
        for (const auto& c : AsStringList(doc, cols, kr.PathOf(sname))) {
          CheckColumn(doc, c.node, c.path, set, side, c.value);
          out.push_back(c.value);
        }
      }
      if (!parts.left_key.empty() && !parts.right_key.empty() &&
          parts.left_key.size() != parts.right_key.size()) {
        doc.Error(k, "key", "the two keys have different numbers of columns",
                  "name as many key columns for the left as for the right");
      }
      if (YAML::Node n = kr.Get("normalize"); n.IsDefined()) {
        parts.normalize = {false, false, false};
        for (const auto& v : AsStringList(doc, n, kr.PathOf("normalize"))) {
          if (v.value == "trim") {
            parts.normalize.trim = true;
          } else if (v.value == "half_width") {
            parts.normalize.half_width = true;
          } else if (v.value == "upper_case") {
            parts.normalize.upper_case = true;
          } else {
            doc.Error(v.node, v.path, "unknown normalisation '" + v.value + "'",
                      SuggestHint(v.value, {"trim", "half_width", "upper_case"}));
          }
        }
      }
      kr.Finish();
    }
  }

  YAML::Node rules = m.Require("rules", "rules: [{ name: not_paid, check: only_left }]");
  if (rules.IsDefined() && !IsList(rules)) {
    doc.Error(rules, "rules", "expected a list of rules, found " + Describe(rules));
  } else if (rules.IsDefined()) {
    if (rules.size() == 0) doc.Error(rules, "rules", "a comparison has at least one rule");
    std::set<std::string> names;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      std::string p = IndexPath("rules", i);
      MapReader r(doc, rules[i], p);
      if (!r.valid()) continue;
      CompareRule rule;
      rule.pos = doc.Pos(rules[i]);
      if (auto name = r.String("name", true)) {
        CheckIdentifier(doc, r.Get("name"), r.PathOf("name"), *name, "a rule name");
        if (!names.insert(*name).second) {
          doc.Error(r.Get("name"), r.PathOf("name"), "the rule '" + *name + "' is named twice");
        }
        rule.name = *name;
      }
      bool check_ok = false;
      if (auto check = r.String("check", true)) {
        for (CompareCheck c :
             {CompareCheck::kOnlyLeft, CompareCheck::kOnlyRight, CompareCheck::kDiffers,
              CompareCheck::kOverLimit, CompareCheck::kDuplicate}) {
          if (CompareCheckName(c) == *check) {
            rule.check = c;
            check_ok = true;
          }
        }
        if (!check_ok) {
          doc.Error(r.Get("check"), r.PathOf("check"), "unknown check '" + *check + "'",
                    SuggestHint(*check, CheckNames()));
        }
      }
      // The sides whose row a mismatch of this rule has.
      bool has_left = true, has_right = true;
      if (check_ok) {
        switch (rule.check) {
          case CompareCheck::kOnlyLeft:
            has_right = false;
            break;
          case CompareCheck::kOnlyRight:
            has_left = false;
            break;
          case CompareCheck::kDiffers: {
            auto l = r.String("left", true), rt = r.String("right", true);
            const LedgerColumn* lc =
                l ? CheckColumn(doc, r.Get("left"), r.PathOf("left"), parts.left, Side::kLeft, *l)
                  : nullptr;
            const LedgerColumn* rc = rt ? CheckColumn(doc, r.Get("right"), r.PathOf("right"),
                                                      parts.right, Side::kRight, *rt)
                                        : nullptr;
            if (lc && rc && lc->type != rc->type) {
              doc.Error(rules[i], p,
                        "the columns compared are of different types (" +
                            std::string(ColumnTypeName(lc->type)) + " and " +
                            std::string(ColumnTypeName(rc->type)) + ")",
                        "compare columns of one type: money with money, text with text");
            }
            rule.left_column = l.value_or("");
            rule.right_column = rt.value_or("");
            break;
          }
          case CompareCheck::kOverLimit:
          case CompareCheck::kDuplicate: {
            if (YAML::Node s = r.Require("side", "side: right"); s.IsDefined()) {
              if (auto side = ReadSide(doc, s, r.PathOf("side"))) rule.side = *side;
            }
            has_left = rule.side == Side::kLeft;
            has_right = !has_left;
            if (rule.check == CompareCheck::kOverLimit) {
              const DataSet& set = rule.side == Side::kLeft ? parts.left : parts.right;
              if (auto col = r.String("column", true)) {
                rule.column = *col;
                const LedgerColumn* c =
                    CheckColumn(doc, r.Get("column"), r.PathOf("column"), set, rule.side, *col);
                if (c && c->type != ColumnType::kMoney && c->type != ColumnType::kInteger) {
                  doc.Error(r.Get("column"), r.PathOf("column"),
                            "over_limit checks a money or integer column; " + *col + " is " +
                                std::string(ColumnTypeName(c->type)));
                }
              }
              rule.limit = r.Number("limit", true).value_or(0);
            }
            break;
          }
        }
      }
      rule.clue = r.String("clue").value_or("");
      if (rule.clue.empty()) rule.clue = "{rule}: {key}";
      // Every {placeholder} names something the mismatch has.
      for (std::size_t at = rule.clue.find('{'); at != std::string::npos;
           at = rule.clue.find('{', at + 1)) {
        std::size_t end = rule.clue.find('}', at);
        if (end == std::string::npos) {
          doc.Error(r.Get("clue"), r.PathOf("clue"), "a '{' is not closed",
                    "write {key}, {rule}, {left.COLUMN} or {right.COLUMN}");
          break;
        }
        std::string name = rule.clue.substr(at + 1, end - at - 1);
        if (name == "key" || name == "rule") continue;
        bool left = name.rfind("left.", 0) == 0, right = name.rfind("right.", 0) == 0;
        if (!left && !right) {
          doc.Error(r.Get("clue"), r.PathOf("clue"), "unknown placeholder {" + name + "}",
                    "write {key}, {rule}, {left.COLUMN} or {right.COLUMN}");
          continue;
        }
        if ((left && !has_left) || (right && !has_right)) {
          doc.Error(r.Get("clue"), r.PathOf("clue"),
                    "{" + name + "}: a mismatch of check " +
                        std::string(CompareCheckName(rule.check)) + " has no " +
                        (left ? "left" : "right") + " row");
          continue;
        }
        CheckColumn(doc, r.Get("clue"), r.PathOf("clue"), left ? parts.left : parts.right,
                    left ? Side::kLeft : Side::kRight, name.substr(left ? 5 : 6));
      }
      if (YAML::Node u = r.Require("unit", "unit: { left: town }"); u.IsDefined()) {
        MapReader ur(doc, u, r.PathOf("unit"));
        if (ur.valid()) {
          int given = ur.Has("left") + ur.Has("right") + ur.Has("fixed");
          if (given != 1) {
            doc.Error(u, r.PathOf("unit"),
                      "name the unit by one column of a side or one fixed unit",
                      "unit: { left: town } or unit: { fixed: pingan-fpyj }");
          }
          for (Side side : {Side::kLeft, Side::kRight}) {
            std::string sname(SideName(side));
            auto col = ur.String(sname);
            if (!col) continue;
            rule.unit_side = side;
            rule.unit_column = *col;
            if ((side == Side::kLeft && !has_left) || (side == Side::kRight && !has_right)) {
              doc.Error(ur.Get(sname), ur.PathOf(sname),
                        "a mismatch of check " + std::string(CompareCheckName(rule.check)) +
                            " has no " + sname + " row to read the unit from",
                        std::string("use unit: { ") + (has_left ? "left" : "right") +
                            ": COLUMN } or unit: { fixed: UNIT }");
              continue;
            }
            const LedgerColumn* c =
                CheckColumn(doc, ur.Get(sname), ur.PathOf(sname),
                            side == Side::kLeft ? parts.left : parts.right, side, *col);
            // A unit column is read against the ledger's org (by id or name) as the file is
            // read, so an unknown unit is reported at its cell before anything is registered.
            if (c && c->type != ColumnType::kUnit) {
              doc.Error(
                  ur.Get(sname), ur.PathOf(sname),
                  "the unit's column is of type unit, not " + std::string(ColumnTypeName(c->type)),
                  "declare it in the ledger as { name: " + *col + ", type: unit }");
            }
            const DataSet& set = side == Side::kLeft ? parts.left : parts.right;
            if (c && org && set.kind && set.kind->org().name != org->info().name) {
              doc.Error(ur.Get(sname), ur.PathOf(sname),
                        "ledger " + set.ledger.name + " reads units of org " +
                            set.kind->org().name + ", not " + org->info().name);
            }
          }
          if (auto fixed = ur.String("fixed")) {
            rule.unit_fixed = *fixed;
            if (org && !org->FindUnit(*fixed)) {
              std::vector<std::string> ids;
              for (const auto& unit : org->units()) ids.push_back(unit.id);
              doc.Error(ur.Get("fixed"), ur.PathOf("fixed"),
                        "org " + org->info().name + " has no unit '" + *fixed + "'",
                        SuggestHint(*fixed, ids));
            }
          }
          ur.Finish();
        }
      }
      if (YAML::Node t = r.Get("time_limit"); t.IsDefined()) {
        if (ReadSpan(doc, t, r.PathOf("time_limit"))) {
          rule.time_limit = AsString(doc, t, r.PathOf("time_limit")).value_or("");
        }
      }
      r.Finish();
      parts.rules.push_back(std::move(rule));
    }
  }
  m.Finish();
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const Comparison>(raw.info, std::move(parts));
}

}  // namespace internal
}  // namespace rectify::definition
