// Tables (engine/report_table.h) as the API answers them: JSON (the route's own object), CSV
// (UTF-8 with a byte order mark, so that Excel reads Chinese text right) or XLSX (libxlsxwriter:
// header row bold, columns as wide as their text, dates as dates, numbers as numbers). The
// format is the `format` query parameter (json, csv, xlsx), else the Accept header, else JSON.
//
// Not for use outside adapters/http/api/.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "adapters/http/http_server.h"
#include "rectify/engine/report_table.h"
#include "rectify/result.h"

namespace rectify::api {

enum class TableFormat { kJson, kCsv, kXlsx };

inline constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The format a request asks for; kBadInput for a `format` other than json, csv or xlsx.
Result<TableFormat> RequestedFormat(const http::Request& request);

// The table as an XLSX workbook of one sheet named `sheet` (written to a temporary file, which is
// removed, and read back: Debian's libxlsxwriter has no in-memory output).
Result<std::string> TableXlsx(const engine::ReportTable& table, const std::string& sheet);

// The answer: `json` as JSON, or the table as CSV or XLSX with a Content-Disposition naming
// `filename` (without its extension: "overdue-2017-05-20").
http::Response TableResponse(TableFormat format, const boost::json::value& json,
                             const engine::ReportTable& table, const std::string& filename);

}  // namespace rectify::api
