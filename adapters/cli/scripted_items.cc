#include "adapters/cli/scripted_items.h"

#include <fstream>
#include <map>
#include <sstream>

namespace rectify::cli {

namespace {

// Splits CSV text into rows of fields; quotes may hold commas, quotes ("") and newlines.
Result<std::vector<std::vector<std::string>>> SplitCsv(const std::string& text,
                                                       const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  int line = 1;
  std::size_t i = 0;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) i = 3;  // a UTF-8 byte order mark
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      ++line;
      if (any || !field.empty()) row.push_back(std::move(field));
      if (!row.empty()) rows.push_back(std::move(row));
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) return Error::BadInput(path + ":" + std::to_string(line) + ": a quote is not closed");
  if (any || !field.empty()) row.push_back(std::move(field));
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}

}  // namespace

Result<std::vector<engine::LedgerItem>> ReadScriptedItems(const std::string& path,
                                                          const Calendar& calendar) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::BadInput("cannot read the ledger " + path);
  std::ostringstream s;
  s << in.rdbuf();
  auto rows = SplitCsv(s.str(), path);
  if (!rows) return rows.error();
  if (rows->empty()) return Error::BadInput(path + ": the ledger is empty; it needs a header row");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rows->front().size(); ++i) col[rows->front()[i]] = i;
  for (const char* need : {"id", "title", "unit", "responsible", "registered_at", "time_limit"}) {
    if (!col.count(need)) {
      return Error::BadInput(
          path + ": row 1: the header has no column '" + need +
          "'; a ledger needs id,title,unit,responsible,registered_at,time_limit");
    }
  }
  std::vector<engine::LedgerItem> out;
  for (std::size_t r = 1; r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    auto get = [&](const std::string& name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= row.size()) return "";
      return row[it->second];
    };
    std::string where = path + ": row " + std::to_string(r + 1) + ", column ";
    engine::LedgerItem item;
    item.id = get("id");
    item.title = get("title");
    item.unit = get("unit");
    item.responsible = get("responsible");
    item.time_limit = get("time_limit");
    item.special_action = get("special_action");
    item.measures = get("measures");
    for (const char* need : {"id", "title", "unit", "responsible"}) {
      if (get(need).empty()) return Error::BadInput(where + need + ": empty");
    }
    std::string at = get("registered_at");
    if (auto d = ParseDate(at); d) {
      item.registered_at = calendar.AtLocalTime(*d, std::chrono::hours(9));
    } else if (auto t = ParseIso(at); t) {
      item.registered_at = *t;
    } else {
      return Error::BadInput(where + "registered_at: '" + at +
                             "' is neither a date (2017-04-21) nor an ISO 8601 instant");
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace rectify::cli
