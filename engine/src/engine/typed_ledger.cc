// Typed ledgers: a file's rows checked against the declared columns (typed_ledger.h).
#include "rectify/engine/typed_ledger.h"

#include <algorithm>
#include <map>
#include <set>

#include "rectify/diagnostics.h"
#include "rectify/engine/ledger.h"
#include "rectify/engine/table_input.h"

namespace rectify::engine {

namespace {

using definition::ColumnType;
using definition::LedgerColumn;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string BeforeBracket(std::string s) {
  if (auto open = s.find('('); open != std::string::npos && open > 0) s = s.substr(0, open);
  return s;
}

std::string JoinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The cell as the column keeps it, or an error message (`error` set) saying what is wrong.
std::string Canonical(const LedgerColumn& col, const std::string& cell, const definition::Org* org,
                      std::string& error, std::string& hint) {
  switch (col.type) {
    case ColumnType::kText:
      return cell;
    case ColumnType::kDate: {
      if (auto d = ParseOfficeDate(cell)) return FormatDate(*d);
      error = "'" + cell + "' is not a date";
      hint = "write a date such as 2017-04-21, 2017/4/21 or 2017年4月21日";
      return {};
    }
    case ColumnType::kMoney: {
      std::string m = ParseMoney(cell);
      if (m.empty()) {
        error = "'" + cell + "' is not an amount of money";
        hint = "write yuan with at most two decimals: 12000, 12,000.50, 1.2万";
      }
      return m;
    }
    case ColumnType::kInteger: {
      std::size_t i = (cell[0] == '-' || cell[0] == '+') ? 1 : 0;
      bool ok = i < cell.size() && cell.size() - i <= 15;
      for (std::size_t k = i; k < cell.size(); ++k)
        ok = ok && std::isdigit(static_cast<unsigned char>(cell[k]));
      if (!ok) {
        error = "'" + cell + "' is not a whole number";
        hint = "write digits only, such as 119";
        return {};
      }
      std::string digits = cell.substr(i);
      digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
      return (cell[0] == '-' && digits != "0" ? "-" : "") + digits;
    }
    case ColumnType::kEnum: {
      if (std::find(col.values.begin(), col.values.end(), cell) != col.values.end()) return cell;
      error = "'" + cell + "' is not one of the values of the column";
      hint = SuggestHint(cell, col.values, "write one of: " + JoinNames(col.values));
      return {};
    }
    case ColumnType::kUnit: {
      if (!org) return cell;
      if (org->FindUnit(cell)) return cell;
      std::vector<std::string> named, ids;
      for (const auto& u : org->units()) {
        if (u.name == cell) named.push_back(u.id);
        ids.push_back(u.id);
      }
      if (named.size() == 1) return named.front();
      if (named.size() > 1) {
        error = "several units are named '" + cell + "': " + JoinNames(named);
        hint = "write the unit's id";
        return {};
      }
      error = "no unit '" + cell + "' in org " + org->info().name;
      hint = SuggestHint(cell, ids, "write a unit id or name from workflows/orgs/");
      return {};
    }
    case ColumnType::kPerson: {
      if (!org) return cell;
      if (org->FindPerson(cell)) return cell;
      std::vector<std::string> named, ids;
      for (const auto& p : org->people()) {
        if (p.name == cell) named.push_back(p.id);
        ids.push_back(p.id);
      }
      if (named.size() == 1) return named.front();
      if (named.size() > 1) {
        error = "several people are named '" + cell + "': " + JoinNames(named);
        hint = "write the person's id";
        return {};
      }
      error = "no person '" + cell + "' in org " + org->info().name;
      hint = SuggestHint(cell, ids, "write a person id or name from workflows/orgs/");
      return {};
    }
  }
  return cell;
}

}  // namespace

std::string ParseMoney(std::string_view in) {
  std::string s;
  // Full-width digits and punctuation as ASCII, through the ledger's header folding (which also
  // drops spaces); then the currency signs and units offices add.
  s = NormalizeHeader(in);
  for (std::string_view sign : {"¥", "￥", "rmb", "人民币"}) {
    if (s.rfind(sign, 0) == 0) s = s.substr(sign.size());
  }
  bool wan = false;
  for (std::string_view unit : {"万元", "万", "元"}) {
    if (s.size() >= unit.size() && s.compare(s.size() - unit.size(), unit.size(), unit) == 0) {
      s.resize(s.size() - unit.size());
      wan = unit != "元";
      break;
    }
  }
  std::erase(s, ',');
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.erase(0, 1);
  auto dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 13) return {};
  for (char c : whole + frac) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return {};
  }
  // In 万 the amount has up to six decimals (分 of 万元); in yuan two.
  std::size_t places = wan ? 6 : 2;
  while (frac.size() > places && frac.back() == '0') frac.pop_back();
  if (frac.size() > places) return {};
  frac.resize(places, '0');
  // In 分 either way: two places of yuan, or six places of 万 (1万 is 1,000,000 分).
  std::string cents = whole + frac;
  cents.erase(0, std::min(cents.find_first_not_of('0'), cents.size() - 1));
  if (cents.size() < 3) cents.insert(0, 3 - cents.size(), '0');
  std::string out = cents.substr(0, cents.size() - 2) + "." + cents.substr(cents.size() - 2);
  return (negative && out != "0.00" ? "-" : "") + out;
}

std::string KeyOf(const definition::LedgerKind& kind, const std::vector<std::string>& values) {
  std::string key;
  for (const std::string& k : kind.key()) {
    for (std::size_t c = 0; c < kind.columns().size(); ++c) {
      if (kind.columns()[c].name == k) key += (key.empty() ? "" : " / ") + values[c];
    }
  }
  return key;
}

TypedLedger ParseTypedLedger(std::string_view bytes, const definition::LedgerKind& kind,
                             const definition::DefinitionSet& definitions,
                             const TypedLedgerOptions& options, Diagnostics& diags) {
  TypedLedger out;
  const std::size_t first_diag = diags.items().size();
  auto table = ReadTableInput(bytes, {options.file, options.encoding, options.sheet}, diags);
  if (!table) return out;
  out.sheet = table->sheet;
  const auto& columns = kind.columns();
  std::shared_ptr<const definition::Org> org;
  if (kind.org().resolved()) org = definitions.FindOrg(kind.org().name, kind.org().version);
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  if (table->records.empty()) {
    diags.Error({options.file, 1, 0}, "", "the ledger is empty",
                "the first row names the columns: " + JoinNames(names));
    AddCellReferences(diags, first_diag, *table);
    return out;
  }
  const CsvRecord& header = table->records.front();
  // The file's column of each of the kind's columns (0: absent).
  std::vector<int> at(columns.size(), 0);
  for (std::size_t f = 0; f < header.cells.size(); ++f) {
    const std::string& h = header.cells[f];
    if (h.empty()) continue;
    SourcePos pos{options.file, header.row, static_cast<int>(f) + 1};
    std::string folded = NormalizeHeader(h);
    std::optional<std::size_t> match;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      std::string title = NormalizeHeader(columns[c].title);
      if (folded == Lower(columns[c].name) ||
          (!title.empty() && (folded == title || BeforeBracket(folded) == BeforeBracket(title)))) {
        match = c;
        break;
      }
    }
    if (!match) {
      diags.Warning(
          pos, "",
          "column '" + h + "' is not a column of ledger " + kind.info().name + "; it is ignored",
          SuggestHint(folded, names, "its columns: " + JoinNames(names)));
    } else if (at[*match]) {
      diags.Error(pos, columns[*match].name, "the column is named twice",
                  "remove or rename one of them");
    } else {
      at[*match] = static_cast<int>(f) + 1;
    }
  }
  std::vector<std::string> missing;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].required && !at[c]) {
      missing.push_back(columns[c].name +
                        (columns[c].title.empty() ? "" : " (" + columns[c].title + ")"));
    }
  }
  if (!missing.empty()) {
    diags.Error({options.file, header.row, 0}, "",
                std::string("missing required column") + (missing.size() == 1 ? " " : "s ") +
                    JoinNames(missing),
                "the header names the columns by name or title");
    AddCellReferences(diags, first_diag, *table);
    return out;
  }
  for (std::size_t c = 0; c < columns.size() && !kind.key().empty(); ++c) {
    if (columns[c].name == kind.key().front()) out.key_column = at[c];
  }
  out.file_columns = at;
  std::map<std::string, int> keys;  // key -> its first row
  for (std::size_t r = 1; r < table->records.size(); ++r) {
    const CsvRecord& rec = table->records[r];
    TypedRow row;
    row.row = rec.row;
    row.values.resize(columns.size());
    bool ok = true;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (!at[c]) continue;
      std::size_t f = static_cast<std::size_t>(at[c] - 1);
      std::string cell = f < rec.cells.size() ? rec.cells[f] : "";
      SourcePos pos{options.file, rec.row, at[c]};
      if (cell.empty()) {
        if (columns[c].required) {
          diags.Error(
              pos, columns[c].name, "the cell is empty; the column is required",
              "fill it in" + (columns[c].title.empty() ? "" : " (" + columns[c].title + ")"));
          ok = false;
        }
        continue;
      }
      std::string error, hint;
      std::string v = Canonical(columns[c], cell, org.get(), error, hint);
      if (!error.empty()) {
        diags.Error(pos, columns[c].name, error, hint);
        ok = false;
        continue;
      }
      row.values[c] = std::move(v);
    }
    if (!kind.key().empty() && ok) {
      row.key = KeyOf(kind, row.values);
      auto [it, fresh] = keys.emplace(row.key, rec.row);
      if (!fresh) {
        diags.Error(
            {options.file, rec.row, out.key_column}, kind.key().front(),
            "'" + row.key + "' is also the key of row " + std::to_string(it->second),
            "each row of ledger " + kind.info().name + " needs its own " + JoinNames(kind.key()));
        ok = false;
      }
    }
    if (ok) out.rows.push_back(std::move(row));
  }
  if (table->records.size() == 1) {
    diags.Warning({options.file, header.row, 0}, "", "the ledger has a header and no rows");
  }
  AddCellReferences(diags, first_diag, *table);
  return out;
}

ReportTable TypedLedgerTable(const definition::LedgerKind& kind,
                             const std::vector<std::vector<std::string>>& rows) {
  ReportTable t;
  for (const auto& c : kind.columns()) {
    t.header.push_back(c.name);
    t.kinds.push_back(c.type == ColumnType::kMoney || c.type == ColumnType::kInteger
                          ? ReportTable::Kind::kNumber
                      : c.type == ColumnType::kDate ? ReportTable::Kind::kDate
                                                    : ReportTable::Kind::kText);
  }
  t.rows = rows;
  return t;
}

}  // namespace rectify::engine
