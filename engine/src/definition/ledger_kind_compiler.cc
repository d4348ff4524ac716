// kind: ledger -> LedgerKind (ledger_kind.h).
#include <algorithm>
#include <set>

#include "compile.h"
#include "rectify/definition/ledger_kind.h"

namespace rectify::definition {

std::string_view ColumnTypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kText:
      return "text";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kMoney:
      return "money";
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kEnum:
      return "enum";
    case ColumnType::kUnit:
      return "unit";
    case ColumnType::kPerson:
      return "person";
  }
  return "text";
}

const std::vector<std::string>& ColumnTypeNames() {
  static const std::vector<std::string> kNames = {"text", "date", "money", "integer",
                                                  "enum", "unit", "person"};
  return kNames;
}

const LedgerColumn* LedgerKind::FindColumn(std::string_view name) const {
  for (const auto& c : parts_.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace internal {

namespace {

// The column `name` of `parts` (for the task role's references), or nullptr.
const LedgerColumn* ColumnOf(const LedgerKind::Parts& parts, const std::string& name) {
  for (const auto& c : parts.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The workflow `key` names (or `fallback`, the library's, when it names none), checked to have
// the fields the task engine sets.
std::shared_ptr<const Workflow> TaskWorkflow(DocContext& doc, MapReader& m, Linker& linker,
                                             const char* key, const char* fallback,
                                             const std::vector<std::string>& fields) {
  YAML::Node named = m.Get(key);
  YAML::Node node = named.IsDefined() ? named : YAML::Node(std::string(fallback));
  auto ref = linker.Resolve(doc, Kind::kWorkflow, node, m.PathOf(key));
  if (!ref) return nullptr;
  auto wf = linker.GetWorkflow(*ref);
  if (!wf) return nullptr;
  for (const auto& f : fields) {
    if (!wf->FindField(f)) {
      doc.Error(named.IsDefined() ? named : m.node(), m.PathOf(key),
                "the " + wf->info().Label() + " has no field '" + f +
                    "', which the tasks of an inventory set",
                std::string("start from the library's ") + fallback + " workflow");
      return nullptr;
    }
  }
  return wf;
}

void ReadTaskRole(DocContext& doc, const YAML::Node& node, LedgerKind::Parts& parts,
                  Linker& linker) {
  MapReader m(doc, node, "tasks");
  if (!m.valid()) return;
  TaskRole role;
  role.pos = doc.Pos(node);
  if (parts.key.size() != 1) {
    doc.Error(node, "tasks", "a task inventory has a key of one column: each task's id",
              "key: [task_no]");
  }
  // A column of one of `types`, named by `key`.
  auto column = [&](const char* key, std::vector<ColumnType> types, const char* what) {
    auto name = m.String(key, true);
    if (!name) return std::string();
    const LedgerColumn* c = ColumnOf(parts, *name);
    if (!c) {
      std::vector<std::string> all;
      for (const auto& col : parts.columns) all.push_back(col.name);
      doc.Error(m.Get(key), m.PathOf(key), "the ledger has no column '" + *name + "'",
                SuggestHint(*name, all));
      return std::string();
    }
    if (std::find(types.begin(), types.end(), c->type) == types.end()) {
      doc.Error(m.Get(key), m.PathOf(key),
                "the column '" + *name + "' is of type " + std::string(ColumnTypeName(c->type)) +
                    "; " + what);
      return std::string();
    }
    if (!c->required) {
      doc.Error(m.Get(key), m.PathOf(key),
                "the column '" + *name + "' is not required, but every task needs it",
                "add required: true to the column");
    }
    return *name;
  };
  role.title = column("title", {ColumnType::kText}, "a task's title is a text column");
  role.unit = column("unit", {ColumnType::kUnit}, "the owner unit is a unit column");
  role.responsible =
      column("responsible", {ColumnType::kPerson}, "the owner person is a person column");
  if (YAML::Node ms = m.Get("milestones"); ms.IsDefined()) {
    if (!IsList(ms)) {
      doc.Error(ms, "tasks.milestones", "expected a list of milestones, found " + Describe(ms));
    } else {
      std::set<std::string> ids;
      for (std::size_t i = 0; i < ms.size(); ++i) {
        std::string p = IndexPath("tasks.milestones", i);
        MapReader r(doc, ms[i], p);
        if (!r.valid()) continue;
        TaskMilestone milestone;
        milestone.pos = doc.Pos(ms[i]);
        if (auto id = r.String("id", true)) {
          CheckIdentifier(doc, r.Get("id"), r.PathOf("id"), *id, "a milestone id");
          if (!ids.insert(*id).second) {
            doc.Error(r.Get("id"), r.PathOf("id"), "the milestone '" + *id + "' is named twice");
          }
          milestone.id = *id;
        }
        milestone.title = r.String("title").value_or(milestone.id);
        if (auto due = r.String("due", true)) {
          const LedgerColumn* c = ColumnOf(parts, *due);
          if (!c) {
            doc.Error(r.Get("due"), r.PathOf("due"), "the ledger has no column '" + *due + "'");
          } else if (c->type != ColumnType::kDate && c->type != ColumnType::kText) {
            doc.Error(r.Get("due"), r.PathOf("due"),
                      "a milestone's due column is a date (2017-06-30) or a text column (a date "
                      "or a limit such as 60wd), not " +
                          std::string(ColumnTypeName(c->type)));
          } else if (!c->required) {
            doc.Error(r.Get("due"), r.PathOf("due"),
                      "the column '" + *due +
                          "' is not required, but every milestone needs a due "
                          "date",
                      "add required: true to the column");
          }
          milestone.due = *due;
        }
        r.Finish();
        role.milestones.push_back(std::move(milestone));
      }
    }
  }
  YAML::Node report = m.Require("report", "report: { every: month, from: 2017-05-01 }");
  if (report.IsDefined()) {
    MapReader r(doc, report, "tasks.report");
    if (r.valid()) {
      if (auto every = r.String("every", true)) {
        bool found = false;
        for (Every e : {Every::kWeek, Every::kMonth, Every::kQuarter, Every::kYear}) {
          if (EveryName(e) == *every) {
            role.every = e;
            found = true;
          }
        }
        if (!found) {
          doc.Error(r.Get("every"), r.PathOf("every"), "unknown period '" + *every + "'",
                    SuggestHint(*every, {"week", "month", "quarter", "year"}));
        }
      }
      if (YAML::Node from = r.Require("from", "from: 2017-05-01"); from.IsDefined()) {
        if (auto d = AsDate(doc, from, r.PathOf("from"))) role.from = *d;
      }
      r.Finish();
    }
  }
  role.workflow =
      TaskWorkflow(doc, m, linker, "workflow", "task",
                   {"inventory", "period", "period_due", "reported", "percent", "progress", "row"});
  role.milestone_workflow = TaskWorkflow(doc, m, linker, "milestone_workflow", "task-milestone",
                                         {"task", "milestone", "due"});
  m.Finish();
  parts.tasks = std::move(role);
}

}  // namespace

std::shared_ptr<const LedgerKind> CompileLedgerKind(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker) {
  std::size_t errors_before = doc.error_count();
  MapReader m(doc, raw.root, "");
  AllowHeaderKeys(m);
  LedgerKind::Parts parts;
  if (YAML::Node org = m.Get("org"); org.IsDefined()) {
    if (auto ref = linker.Resolve(doc, Kind::kOrg, org, "org")) parts.org = *ref;
  }
  std::set<std::string> names;
  bool has_person_or_unit = false;
  YAML::Node columns = m.Require("columns", "columns: [{ name: amount, type: money }]");
  if (columns.IsDefined() && !IsList(columns)) {
    doc.Error(columns, "columns", "expected a list of columns, found " + Describe(columns));
  } else if (columns.IsDefined()) {
    if (columns.size() == 0) {
      doc.Error(columns, "columns", "a ledger has at least one column");
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string p = IndexPath("columns", i);
      MapReader c(doc, columns[i], p);
      if (!c.valid()) continue;
      LedgerColumn col;
      col.pos = doc.Pos(columns[i]);
      if (auto name = c.String("name", true)) {
        CheckIdentifier(doc, c.Get("name"), c.PathOf("name"), *name, "a column name");
        if (!names.insert(*name).second) {
          doc.Error(c.Get("name"), c.PathOf("name"), "the column '" + *name + "' is named twice",
                    "give each column its own name");
        }
        col.name = *name;
      }
      col.title = c.String("title").value_or("");
      if (auto type = c.String("type", true)) {
        bool found = false;
        for (ColumnType t :
             {ColumnType::kText, ColumnType::kDate, ColumnType::kMoney, ColumnType::kInteger,
              ColumnType::kEnum, ColumnType::kUnit, ColumnType::kPerson}) {
          if (ColumnTypeName(t) == *type) {
            col.type = t;
            found = true;
          }
        }
        if (!found) {
          doc.Error(c.Get("type"), c.PathOf("type"), "unknown column type '" + *type + "'",
                    SuggestHint(*type, ColumnTypeNames(),
                                "the types: text, date, money, integer, enum, unit, person"));
        }
      }
      col.required = c.Bool("required").value_or(false);
      if (YAML::Node values = c.Get("values"); values.IsDefined()) {
        std::set<std::string> seen;
        for (const auto& v : AsStringList(doc, values, c.PathOf("values"))) {
          if (!seen.insert(v.value).second) {
            doc.Error(v.node, v.path, "the value '" + v.value + "' is listed twice");
          }
          col.values.push_back(v.value);
        }
        if (col.type != ColumnType::kEnum) {
          doc.Error(values, c.PathOf("values"), "values: is for a column of type enum",
                    "write type: enum, or remove values:");
        }
      }
      if (col.type == ColumnType::kEnum && col.values.empty()) {
        doc.Error(columns[i], p, "an enum column lists its values",
                  "values: [已拨付, 暂停拨付, 未拨付]");
      }
      has_person_or_unit =
          has_person_or_unit || col.type == ColumnType::kUnit || col.type == ColumnType::kPerson;
      c.Finish();
      parts.columns.push_back(std::move(col));
    }
  }
  if (has_person_or_unit && !m.Has("org")) {
    doc.Error(raw.root, "org", "a ledger with unit or person columns names its org",
              "org: jinkouhe");
  }
  if (YAML::Node key = m.Get("key"); key.IsDefined()) {
    std::vector<std::string> all(names.begin(), names.end());
    for (const auto& k : AsStringList(doc, key, "key")) {
      if (!names.count(k.value)) {
        doc.Error(k.node, k.path, "the key names no column '" + k.value + "'",
                  SuggestHint(k.value, all));
        continue;
      }
      parts.key.push_back(k.value);
    }
  }
  if (YAML::Node tasks = m.Get("tasks"); tasks.IsDefined()) {
    ReadTaskRole(doc, tasks, parts, linker);
  }
  m.Finish();
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const LedgerKind>(raw.info, std::move(parts));
}

}  // namespace internal
}  // namespace rectify::definition
