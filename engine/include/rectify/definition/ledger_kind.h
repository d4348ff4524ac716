// A compiled typed ledger (`kind: ledger`): a register the supervision bodies keep beside the
// problem ledger, with its columns declared (seed 002's "four books": the fund transfer ledger
// 资金拨付台账, the project supervision responsibility ledger 项目监管责任台账 and the project
// acceptance ledger 项目验收绩效评价台账, beside the problem ledger that items are).
//
//   kind: ledger
//   name: jinkouhe-fund-transfers
//   title: 扶贫移民项目资金拨付台账
//   org: jinkouhe              # units and people are checked against it
//   key: [transfer_no]         # unique in the file and in the database; optional
//   columns:
//     - { name: transfer_no, title: 拨付编号, type: text, required: true }
//     - { name: amount, title: 拨付金额, type: money, required: true }
//     - { name: level, title: 拨付层级, type: enum, values: [县级, 乡级, 村级] }
//
// Column types and the canonical text a cell keeps (typed_ledger.h reads cells as offices write
// them): text; date (2017-04-21); money (yuan with two decimals, "12000.00"; 1.2万 and commas
// read); integer; enum (one of `values`); unit (a unit id of the org, by id or name); person (a
// person id of the org, by id or name).
//
// Thread-safety: immutable once compiled; share it freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/common.h"

namespace rectify::definition {

enum class ColumnType { kText, kDate, kMoney, kInteger, kEnum, kUnit, kPerson };
std::string_view ColumnTypeName(ColumnType t);
const std::vector<std::string>& ColumnTypeNames();

struct LedgerColumn {
  std::string name;   // an identifier: the CSV header an export writes
  std::string title;  // the Chinese header offices write; an import reads either
  ColumnType type = ColumnType::kText;
  bool required = false;
  std::vector<std::string> values;  // kEnum: the allowed values
  SourcePos pos;
};

class LedgerKind {
 public:
  struct Parts {
    Ref org;  // unresolved (version 0) when the ledger names no org
    std::vector<LedgerColumn> columns;
    std::vector<std::string> key;  // column names; empty: no key
  };

  LedgerKind(DefinitionInfo info, Parts parts) : info_(std::move(info)), parts_(std::move(parts)) {}

  const DefinitionInfo& info() const { return info_; }
  const Ref& org() const { return parts_.org; }
  const std::vector<LedgerColumn>& columns() const { return parts_.columns; }
  const std::vector<std::string>& key() const { return parts_.key; }
  const LedgerColumn* FindColumn(std::string_view name) const;

 private:
  DefinitionInfo info_;
  Parts parts_;
};

}  // namespace rectify::definition
