// Data comparison: two files matched by key, mismatches by rule, clues registered as findings in
// one transaction (rectify/engine/comparison.h).
#include "rectify/engine/comparison.h"

#include <cmath>
#include <map>
#include <set>

#include "rectify/definition/canonical.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/typed_ledger.h"
#include "rectify/sha256.h"

namespace rectify::engine {
namespace {

using definition::CompareCheck;
using definition::CompareRule;
using definition::Comparison;
using definition::Side;

constexpr int kMaxAttempts = 3;

// One side read: its rows and, by normalised key, the indexes of the rows that have it.
struct SideData {
  const definition::DataSet* set = nullptr;
  std::string file;
  TypedLedger ledger;
  std::map<std::string, std::vector<std::size_t>> by_key;
};

int ColumnIndex(const definition::LedgerKind& kind, const std::string& name) {
  for (std::size_t c = 0; c < kind.columns().size(); ++c) {
    if (kind.columns()[c].name == name) return static_cast<int>(c);
  }
  return -1;
}

std::string ValueOf(const SideData& d, std::size_t row, const std::string& column) {
  int c = ColumnIndex(*d.set->kind, column);
  return c < 0 ? std::string() : d.ledger.rows[row].values[static_cast<std::size_t>(c)];
}

SideData ReadSide(const Comparison& cmp, Side side, const definition::DefinitionSet& defs,
                  const ComparisonFile& file, Diagnostics& diags) {
  SideData d;
  d.set = &cmp.data(side);
  d.file = file.name;
  d.ledger =
      ParseTypedLedger(file.bytes, *d.set->kind, defs,
                       {.file = file.name, .encoding = file.encoding, .sheet = file.sheet}, diags);
  std::vector<int> key_columns;
  for (const auto& k : cmp.key(side)) key_columns.push_back(ColumnIndex(*d.set->kind, k));
  for (std::size_t r = 0; r < d.ledger.rows.size(); ++r) {
    std::string key;
    bool empty = true;
    for (std::size_t i = 0; i < key_columns.size(); ++i) {
      std::string cell =
          key_columns[i] < 0
              ? std::string()
              : NormalizeKeyCell(d.ledger.rows[r].values[static_cast<std::size_t>(key_columns[i])],
                                 cmp.parts().normalize);
      empty = empty && cell.empty();
      key += (i ? " / " : "") + cell;
    }
    if (empty) {
      diags.Error({file.name, d.ledger.rows[r].row, 0}, cmp.key(side).front(),
                  "the row has no key (" + std::string(definition::SideName(side)) +
                      " key: " + cmp.key(side).front() + ")",
                  "fill in the key, or remove the row");
      continue;
    }
    d.by_key[key].push_back(r);
  }
  return d;
}

std::vector<int> RowsOf(const SideData& d, const std::vector<std::size_t>& idx) {
  std::vector<int> out;
  out.reserve(idx.size());
  for (std::size_t i : idx) out.push_back(d.ledger.rows[i].row);
  return out;
}

double Number(const std::string& canonical) {
  try {
    return std::stod(canonical);
  } catch (...) {
    return 0;
  }
}

// The rule's clue template with its placeholders filled from the mismatch's first rows.
std::string FillClue(const CompareRule& rule, const Mismatch& m, const SideData& left,
                     const std::vector<std::size_t>& lrows, const SideData& right,
                     const std::vector<std::size_t>& rrows) {
  std::string out;
  const std::string& t = rule.clue;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] != '{') {
      out += t[i++];
      continue;
    }
    std::size_t end = t.find('}', i);
    if (end == std::string::npos) {
      out += t.substr(i);
      break;
    }
    std::string name = t.substr(i + 1, end - i - 1);
    if (name == "key") {
      out += m.key;
    } else if (name == "rule") {
      out += rule.name;
    } else if (name.rfind("left.", 0) == 0 && !lrows.empty()) {
      out += ValueOf(left, lrows.front(), name.substr(5));
    } else if (name.rfind("right.", 0) == 0 && !rrows.empty()) {
      out += ValueOf(right, rrows.front(), name.substr(6));
    }
    i = end + 1;
  }
  return out;
}

std::string RowList(const std::vector<int>& rows) {
  std::string out;
  for (int r : rows) out += (out.empty() ? "" : ", ") + std::to_string(r);
  return out;
}

}  // namespace

std::string NormalizeKeyCell(std::string_view cell, const definition::KeyNormalization& n) {
  std::string out;
  out.reserve(cell.size());
  for (std::size_t i = 0; i < cell.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(cell[i]);
    // Full-width forms U+FF01..U+FF5E are EF BC 81..EF BD 9E; U+3000 (ideographic space) is
    // E3 80 80.
    if (n.half_width && c == 0xEF && i + 2 < cell.size()) {
      unsigned char b1 = static_cast<unsigned char>(cell[i + 1]);
      unsigned char b2 = static_cast<unsigned char>(cell[i + 2]);
      int cp = -1;
      if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) cp = 0xFF00 + (b2 - 0x80);
      if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) cp = 0xFF40 + (b2 - 0x80);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out += static_cast<char>(cp - 0xFF01 + 0x21);
        i += 2;
        continue;
      }
    }
    if (n.half_width && c == 0xE3 && i + 2 < cell.size() &&
        static_cast<unsigned char>(cell[i + 1]) == 0x80 &&
        static_cast<unsigned char>(cell[i + 2]) == 0x80) {
      out += ' ';
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  if (n.trim) {
    // Spaces at either end, the ideographic space among them (E3 80 80).
    auto is_space_at = [&](std::size_t at) -> std::size_t {
      if (at < out.size() &&
          (out[at] == ' ' || out[at] == '\t' || out[at] == '\r' || out[at] == '\n')) {
        return 1;
      }
      if (at < out.size() && out.compare(at, 3, "\xE3\x80\x80") == 0) return 3;
      return 0;
    };
    std::size_t b = 0;
    while (std::size_t w = is_space_at(b)) b += w;
    std::size_t e = out.size();
    for (;;) {
      if (e > b &&
          (out[e - 1] == ' ' || out[e - 1] == '\t' || out[e - 1] == '\r' || out[e - 1] == '\n')) {
        --e;
      } else if (e >= b + 3 && out.compare(e - 3, 3, "\xE3\x80\x80") == 0) {
        e -= 3;
      } else {
        break;
      }
    }
    out = out.substr(b, e - b);
  }
  if (n.upper_case) {
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

ComparisonResult CompareData(const Comparison& cmp, const definition::DefinitionSet& defs,
                             const ComparisonFile& left_file, const ComparisonFile& right_file,
                             Diagnostics& diags) {
  ComparisonResult result;
  SideData left = ReadSide(cmp, Side::kLeft, defs, left_file, diags);
  SideData right = ReadSide(cmp, Side::kRight, defs, right_file, diags);
  result.left_rows = static_cast<int>(left.ledger.rows.size());
  result.right_rows = static_cast<int>(right.ledger.rows.size());
  static const std::vector<std::size_t> kNone;

  for (const CompareRule& rule : cmp.rules()) {
    auto add = [&](const std::string& key, const std::vector<std::size_t>& lrows,
                   const std::vector<std::size_t>& rrows, std::string detail) {
      Mismatch m;
      m.rule = rule.name;
      m.check = rule.check;
      m.key = key;
      m.left_rows = RowsOf(left, lrows);
      m.right_rows = RowsOf(right, rrows);
      m.detail = std::move(detail);
      m.time_limit = rule.time_limit;
      if (!rule.unit_fixed.empty()) {
        m.unit = rule.unit_fixed;
      } else {
        const SideData& d = rule.unit_side == Side::kLeft ? left : right;
        const auto& rows = rule.unit_side == Side::kLeft ? lrows : rrows;
        if (!rows.empty()) m.unit = ValueOf(d, rows.front(), rule.unit_column);
        if (m.unit.empty()) {
          int row = rows.empty() ? 0 : d.ledger.rows[rows.front()].row;
          diags.Error({d.file, row, 0}, rule.unit_column,
                      "rule " + rule.name + " finds a mismatch (key " + key +
                          ") but the row names no unit to register the clue at",
                      "fill in " + rule.unit_column + " on that row");
        }
      }
      m.clue = FillClue(rule, m, left, lrows, right, rrows);
      result.mismatches.push_back(std::move(m));
    };
    switch (rule.check) {
      case CompareCheck::kOnlyLeft:
        for (const auto& [key, rows] : left.by_key) {
          if (!right.by_key.count(key)) add(key, rows, kNone, "");
        }
        break;
      case CompareCheck::kOnlyRight:
        for (const auto& [key, rows] : right.by_key) {
          if (!left.by_key.count(key)) add(key, kNone, rows, "");
        }
        break;
      case CompareCheck::kDiffers:
        for (const auto& [key, lrows] : left.by_key) {
          auto it = right.by_key.find(key);
          if (it == right.by_key.end()) continue;
          std::string lv = ValueOf(left, lrows.front(), rule.left_column);
          std::string rv = ValueOf(right, it->second.front(), rule.right_column);
          if (lv != rv) {
            add(key, lrows, it->second,
                // A finding's text, built once per differing key.
                rule.left_column + " " + lv + " / " + rule.right_column + " " + rv);
          }
        }
        break;
      case CompareCheck::kOverLimit: {
        const SideData& d = rule.side == Side::kLeft ? left : right;
        for (const auto& [key, rows] : d.by_key) {
          std::vector<std::size_t> over;
          std::string values;
          for (std::size_t r : rows) {
            std::string v = ValueOf(d, r, rule.column);
            if (!v.empty() && Number(v) > rule.limit) {
              over.push_back(r);
              values += (values.empty() ? "" : ", ") + v;
            }
          }
          if (over.empty()) continue;
          char limit[64];
          // 500, or 500.50: never an exponent for a large limit.
          std::snprintf(limit, sizeof limit, rule.limit == std::floor(rule.limit) ? "%.0f" : "%.2f",
                        rule.limit);
          std::string detail = rule.column + " " + values + " > " + limit;
          if (rule.side == Side::kLeft) {
            add(key, over, kNone, detail);
          } else {
            add(key, kNone, over, detail);
          }
        }
        break;
      }
      case CompareCheck::kDuplicate: {
        const SideData& d = rule.side == Side::kLeft ? left : right;
        for (const auto& [key, rows] : d.by_key) {
          if (rows.size() < 2) continue;
          std::string detail = std::to_string(rows.size()) + " rows";
          if (rule.side == Side::kLeft) {
            add(key, rows, kNone, detail);
          } else {
            add(key, kNone, rows, detail);
          }
        }
        break;
      }
    }
  }
  return result;
}

Result<ClueRun> RegisterClues(Engine& engine, const Comparison& cmp, ComparisonResult& result,
                              const ClueOptions& options) {
  ClueRun run;
  run.campaign = options.campaign.empty() ? cmp.parts().campaign : options.campaign;
  run.round = cmp.parts().round;
  if (run.campaign.empty()) {
    return Error::BadInput("comparison " + cmp.info().name +
                           " names no campaign; name the campaign the clues belong to "
                           "(--campaign, ?campaign=)");
  }
  auto campaign = engine.interpreter().definitions().FindCampaign(run.campaign);
  if (!campaign) {
    return Error::NotFound("no campaign '" + run.campaign +
                           "' is loaded; check the name (rectify campaign list)");
  }
  if (campaign->org().info().name != cmp.parts().org.name) {
    return Error::BadInput("campaign " + run.campaign + " is of org " +
                           campaign->org().info().name + "; comparison " + cmp.info().name +
                           " finds units of org " + cmp.parts().org.name);
  }
  // The registrar needs the round's `record` role at every mismatch's unit, also where every
  // clue was registered before and nothing would be registered now: the check is the registration
  // RegisterClues would make, applied in memory only (its `record` command is where the workflow
  // checks the role).
  if (!options.actor.empty()) {
    std::set<std::string> units;
    for (const auto& m : result.mismatches) {
      if (m.unit.empty() || !units.insert(m.unit).second) continue;
      NewFinding probe;
      probe.campaign = run.campaign;
      probe.round = run.round;
      probe.unit = m.unit;
      probe.title = m.clue;
      probe.found_by = "data_comparison";
      probe.actor = options.actor;
      auto prepared = PrepareFinding(engine, probe);
      if (!prepared) continue;  // another problem, reported with its rule and key below
      prepared->item.id = "probe";
      prepared->then[0].instance_id = "probe";
      auto may = engine.interpreter().Register(*prepared);
      if (!may && may.error().code() == ErrorCode::kPermissionDenied) return may.error();
    }
  }
  const std::string prefix = FindingIdPrefix(run.campaign, run.round);
  std::vector<std::string> ids;
  for (auto& m : result.mismatches) {
    m.clue_id =
        prefix + "DC" + Sha256Hex(cmp.info().name + "\n" + m.rule + "\n" + m.key).substr(0, 10);
    ids.push_back(m.clue_id);
  }
  const std::string left_title = cmp.parts().left.title, right_title = cmp.parts().right.title;
  for (int attempt = 1;; ++attempt) {
    std::set<std::string> existing;
    if (!ids.empty()) {
      auto found = engine.store().LoadInstances(ids);
      if (!found) return found.error();
      for (const auto& rec : *found) existing.insert(rec.id);
    }
    ChangeSet changes;
    run.registered = run.registered_before = 0;
    std::set<std::string> seen;
    for (auto& m : result.mismatches) {
      m.registered_before = existing.count(m.clue_id) > 0;
      if (m.registered_before) {
        ++run.registered_before;
        continue;
      }
      if (!seen.insert(m.clue_id).second) continue;
      NewFinding f;
      f.campaign = run.campaign;
      f.round = run.round;
      f.unit = m.unit;
      f.title = m.clue;
      std::string where;
      if (!m.left_rows.empty()) where += left_title + " row " + RowList(m.left_rows);
      if (!m.right_rows.empty()) {
        where += (where.empty() ? "" : "; ") + right_title + " row " + RowList(m.right_rows);
      }
      f.location = where;
      f.found_by = "data_comparison";
      f.actor = options.actor;
      f.time_limit = m.time_limit;
      f.channel = options.channel;
      f.request_id = options.request_id;
      if (options.dry_run && options.actor.empty()) {
        ++run.registered;
        continue;
      }
      auto prepared = PrepareFinding(engine, f);
      if (!prepared) {
        return Error(prepared.error().code(),
                     "rule " + m.rule + ", key " + m.key + ": " + prepared.error().message());
      }
      prepared->item.id = m.clue_id;
      prepared->item.audit_notes["comparison"] = cmp.info().Label();
      prepared->then[0].instance_id = m.clue_id;
      auto fx = engine.interpreter().Register(*prepared);
      if (!fx) {
        return Error(fx.error().code(),
                     "rule " + m.rule + ", key " + m.key + ": " + fx.error().message());
      }
      fx->AppendTo(changes);
      ++run.registered;
    }
    if (options.dry_run || run.registered == 0) return run;
    Status s = engine.Commit(changes);
    if (s) return run;
    if (s.error().code() != ErrorCode::kUniqueViolation || attempt == kMaxAttempts) {
      return s.error();
    }
  }
}

boost::json::object ComparisonJson(const Comparison& cmp, const ComparisonResult& result,
                                   const ClueRun* run, bool dry_run, const std::string& left_file,
                                   const std::string& right_file) {
  namespace json = boost::json;
  json::object o;
  o["comparison"] = cmp.info().name;
  o["campaign"] = run ? run->campaign : cmp.parts().campaign;
  o["round"] = cmp.parts().round;
  o["dry_run"] = dry_run;
  o["left"] = json::object{
      {"file", left_file}, {"title", cmp.parts().left.title}, {"rows", result.left_rows}};
  o["right"] = json::object{
      {"file", right_file}, {"title", cmp.parts().right.title}, {"rows", result.right_rows}};
  json::array rules;
  for (const auto& r : cmp.rules()) {
    std::int64_t n = 0;
    for (const auto& m : result.mismatches) n += m.rule == r.name;
    rules.push_back(json::object{
        {"name", r.name}, {"check", definition::CompareCheckName(r.check)}, {"mismatches", n}});
  }
  o["rules"] = std::move(rules);
  json::array ms;
  for (const auto& m : result.mismatches) {
    json::array lrows, rrows;
    for (int r : m.left_rows) lrows.push_back(r);
    for (int r : m.right_rows) rrows.push_back(r);
    json::object j{{"rule", m.rule},
                   {"check", definition::CompareCheckName(m.check)},
                   {"key", m.key},
                   {"left_rows", std::move(lrows)},
                   {"right_rows", std::move(rrows)},
                   {"detail", m.detail},
                   {"unit", m.unit},
                   {"clue", m.clue},
                   {"registered_before", m.registered_before}};
    if (m.clue_id.empty()) {
      j["clue_id"] = nullptr;
    } else {
      j["clue_id"] = m.clue_id;
    }
    ms.push_back(std::move(j));
  }
  o["mismatches"] = std::move(ms);
  o["registered"] = run ? run->registered : 0;
  o["registered_before"] = run ? run->registered_before : 0;
  return o;
}

}  // namespace rectify::engine
