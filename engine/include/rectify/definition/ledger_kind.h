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
// A ledger with a task role (`tasks:`) is a task inventory (任务清单, seed 000's 119 projects,
// seed 001's monthly responsibility breakdown): each row becomes a task, an instance of the
// `task` workflow at the row's unit with its person responsible, with one `task-milestone`
// instance per milestone column, and a progress report due each period (engine/tasks.h):
//
//   tasks:
//     title: project                  # the column each task is called by
//     unit: unit                      # a unit column: the owner unit
//     responsible: owner              # a person column: the owner person
//     milestones:                     # a date column (2017-06-30) or a text column (a date or
//     60wd)
//       - { id: start, title: 开工, due: start_due }
//     report: { every: month, from: 2017-05-01 }   # week, month, quarter, year
//     workflow: task                  # optional: the library's task and task-milestone
//     milestone_workflow: task-milestone
//
// The task's id is its key cell (the ledger has a key of one column).
//
// Thread-safety: immutable once compiled; share it freely.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/campaign.h"
#include "rectify/definition/common.h"
#include "rectify/definition/workflow.h"

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

// A milestone of each task: its due date or working-day limit is read from `due`, a column.
struct TaskMilestone {
  std::string id;  // an identifier; the milestone instance is <task id>-<id>
  std::string title;
  std::string due;  // a column's name (date or text)
  SourcePos pos;
};

// The task role of a ledger (`tasks:`): which columns make a task, and how often it reports.
struct TaskRole {
  std::string title;        // columns' names
  std::string unit;         //
  std::string responsible;  //
  std::vector<TaskMilestone> milestones;
  Every every = Every::kMonth;
  Date from{};  // the first period reported on is the one holding this date (or a later one)
  std::shared_ptr<const Workflow> workflow;            // `task`
  std::shared_ptr<const Workflow> milestone_workflow;  // `task-milestone`
  SourcePos pos;
};

class LedgerKind {
 public:
  struct Parts {
    Ref org;  // unresolved (version 0) when the ledger names no org
    std::vector<LedgerColumn> columns;
    std::vector<std::string> key;  // column names; empty: no key
    std::optional<TaskRole> tasks;
  };

  LedgerKind(DefinitionInfo info, Parts parts) : info_(std::move(info)), parts_(std::move(parts)) {}

  const DefinitionInfo& info() const { return info_; }
  const Ref& org() const { return parts_.org; }
  const std::vector<LedgerColumn>& columns() const { return parts_.columns; }
  const std::vector<std::string>& key() const { return parts_.key; }
  // The task role; null for a ledger that is only a register.
  const TaskRole* tasks() const { return parts_.tasks ? &*parts_.tasks : nullptr; }
  const LedgerColumn* FindColumn(std::string_view name) const;

 private:
  DefinitionInfo info_;
  Parts parts_;
};

}  // namespace rectify::definition
