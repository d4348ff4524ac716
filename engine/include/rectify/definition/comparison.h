// A compiled data comparison (`kind: comparison`, issue 15 point 8): two data sets matched by key
// and the rules whose mismatches become clues (seed 003: "by comparing data from poverty
// alleviation policy projects, problems were found accurately").
//
//   kind: comparison
//   name: hecheng-subsidy-check
//   org: hecheng                           # units are found in it
//   campaign: hecheng-supervision-2017     # where clues are registered (--campaign overrides)
//   round: data_comparison                 # the campaign's inspection round of the clues
//   left:  { ledger: hecheng-beneficiary-roster, title: 花名册 }
//   right: { ledger: hecheng-subsidy-payments, title: 发放表 }
//   key: { left: [id_card], right: [id_card], normalize: [trim, half_width, upper_case] }
//   rules:
//     - name: not_paid
//       check: only_left                   # in the roster, absent from the payments
//       clue: "{left.name}（{key}）在花名册中，发放表中没有发放记录"
//       unit: { left: town }               # a column naming the unit (id or name); or fixed:
//       time_limit: 10wd
//
// Each data set's columns are a typed ledger's (`kind: ledger`, ledger_kind.h), so a file is read
// and checked as a ledger import reads it (typed_ledger.h). The checks: only_left, only_right
// (a key on one side and not the other), differs (a column of the left differs from one of the
// right for the same key), over_limit (a money or integer column of one side above `limit`),
// duplicate (a key on more than one row of one side).
//
// Thread-safety: immutable once compiled; share it freely.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/common.h"
#include "rectify/definition/ledger_kind.h"

namespace rectify::definition {

enum class CompareCheck { kOnlyLeft, kOnlyRight, kDiffers, kOverLimit, kDuplicate };
std::string_view CompareCheckName(CompareCheck c);

enum class Side { kLeft, kRight };
std::string_view SideName(Side s);  // "left", "right"

// How key cells are made comparable before matching.
struct KeyNormalization {
  bool trim = true;        // spaces at either end (also the full-width space U+3000)
  bool half_width = true;  // full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) as ASCII
  bool upper_case = true;  // ASCII letters upper-cased (an ID card's final x as X)
};

struct DataSet {
  Ref ledger;
  std::shared_ptr<const LedgerKind> kind;
  std::string title;  // for messages and reports; the ledger's title when empty
};

struct CompareRule {
  std::string name;  // an identifier
  CompareCheck check = CompareCheck::kOnlyLeft;
  Side side = Side::kLeft;                // over_limit, duplicate: the side checked
  std::string left_column, right_column;  // differs: the two columns compared
  std::string column;                     // over_limit: the column of `side`
  double limit = 0;                       // over_limit
  std::string clue;  // the clue's text: {key}, {rule}, {left.COLUMN}, {right.COLUMN}
  // The responsible unit: a column of one side naming it (id or name in the org), or a fixed one.
  Side unit_side = Side::kLeft;
  std::string unit_column;  // empty: `unit_fixed`
  std::string unit_fixed;
  std::string time_limit;  // a span (10wd) for the clue's item; empty: the campaign's
  SourcePos pos;
};

class Comparison {
 public:
  struct Parts {
    Ref org;
    std::string campaign;  // may be empty: the run names it
    std::string round;
    DataSet left, right;
    std::vector<std::string> left_key, right_key;
    KeyNormalization normalize;
    std::vector<CompareRule> rules;
  };

  Comparison(DefinitionInfo info, Parts parts) : info_(std::move(info)), parts_(std::move(parts)) {}

  const DefinitionInfo& info() const { return info_; }
  const Parts& parts() const { return parts_; }
  const DataSet& data(Side s) const { return s == Side::kLeft ? parts_.left : parts_.right; }
  const std::vector<std::string>& key(Side s) const {
    return s == Side::kLeft ? parts_.left_key : parts_.right_key;
  }
  const std::vector<CompareRule>& rules() const { return parts_.rules; }

 private:
  DefinitionInfo info_;
  Parts parts_;
};

}  // namespace rectify::definition
