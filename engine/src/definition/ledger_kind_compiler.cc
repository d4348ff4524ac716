// kind: ledger -> LedgerKind (ledger_kind.h).
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
  m.Finish();
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const LedgerKind>(raw.info, std::move(parts));
}

}  // namespace internal
}  // namespace rectify::definition
