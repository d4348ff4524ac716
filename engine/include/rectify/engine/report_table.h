// The leaders' reports and the ledger export as plain tables: one header, rows of cells, and the
// kind of each column, so that every door writes the same figures in its own format (the CLI's
// and the API's CSV, the API's XLSX) without each keeping its own list of columns.
//
//   ReportTable t = OverdueTable(*rows);
//   std::string csv = TableCsv(t);          // UTF-8 with a byte order mark, for Excel
//
// Cells are text as the CSV writes them; `kinds` says how a spreadsheet should read a column
// (a number, a date "2017-05-08", a date and time "2017-04-21 09:00", true/false).
//
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/definition_set.h"
#include "rectify/engine/instance.h"
#include "rectify/engine/report.h"
#include "rectify/store.h"

namespace rectify::engine {

// Excel opens a CSV as UTF-8 only when it starts with one.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct ReportTable {
  enum class Kind { kText, kNumber, kDate, kDateTime, kBool };
  std::vector<std::string> header;
  std::vector<Kind> kinds;  // one per column
  std::vector<std::vector<std::string>> rows;
};

// `rectify report overdue --format csv`: a row per overdue item.
ReportTable OverdueTable(const std::vector<OverdueRow>& rows);
// `rectify report summary --format csv`: section, name, unit_path, value.
ReportTable SummaryTable(const Summary& summary);

// The last assessment recorded on campaign `campaign`'s run (its audit row's data: assessment,
// period, ranking), or nullopt when none was recorded yet; kNotFound when the campaign has not
// been started.
Result<std::optional<boost::json::object>> LastAssessment(Store& store,
                                                          const std::string& campaign);
// An assessment's ranking: rank, unit, name, kind, score, deducted, escalations, overdue_items,
// vetoes (space separated).
ReportTable RankingTable(const boost::json::object& assessment);

// `rectify ledger export`: the items (follow-up tasks left out) in the columns `ledger import`
// reads: id, title, unit, responsible, registered_at, time_limit, workflow, campaign, then every
// other field some item has, in name order. registered_at is local time on the item's
// workflow's calendar.
ReportTable LedgerExportTable(const std::vector<Instance>& items,
                              const definition::DefinitionSet& definitions);

// The table as CSV (RFC 4180, CRLF), after a byte order mark.
std::string TableCsv(const ReportTable& table);

}  // namespace rectify::engine
