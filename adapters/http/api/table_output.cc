// Tables as JSON, CSV or XLSX (table_output.h).
#include "adapters/http/api/table_output.h"

#include <xlsxwriter.h>

#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/http/api/api_internal.h"
#include "rectify/auth/secrets.h"

namespace rectify::api {

namespace {

using Kind = engine::ReportTable::Kind;

// Characters as a spreadsheet shows them: a CJK character is about two Latin ones wide.
double DisplayWidth(const std::string& text) {
  double w = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2.1 : 1.1;
    i += len;
  }
  return w;
}

bool ReadInt(std::string_view s, int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "2017-05-08" or "2017-04-21T09:00:00+08:00" (its local date and time: a spreadsheet has no
// time zones) as a date for the sheet.
bool ReadDateTime(const std::string& s, lxw_datetime& out) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  out = lxw_datetime{};
  if (!ReadInt(std::string_view(s).substr(0, 4), out.year) ||
      !ReadInt(std::string_view(s).substr(5, 2), out.month) ||
      !ReadInt(std::string_view(s).substr(8, 2), out.day)) {
    return false;
  }
  if (s.size() >= 16 && s[10] == 'T' && s[13] == ':') {
    if (!ReadInt(std::string_view(s).substr(11, 2), out.hour) ||
        !ReadInt(std::string_view(s).substr(14, 2), out.min)) {
      return false;
    }
  }
  return out.year >= 1900 && out.month >= 1 && out.month <= 12 && out.day >= 1 && out.day <= 31;
}

bool ReadNumber(const std::string& s, double& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<TableFormat> RequestedFormat(const http::Request& request) {
  auto it = request.query.find("format");
  if (it != request.query.end() && !it->second.empty()) {
    if (it->second == "json") return TableFormat::kJson;
    if (it->second == "csv") return TableFormat::kCsv;
    if (it->second == "xlsx") return TableFormat::kXlsx;
    return Error::BadInput("format: write json, csv or xlsx (not '" + it->second + "')");
  }
  std::string accept = request.Header("accept");
  if (accept.find("application/json") != std::string::npos) return TableFormat::kJson;
  if (accept.find("text/csv") != std::string::npos) return TableFormat::kCsv;
  if (accept.find(kXlsxType) != std::string::npos) return TableFormat::kXlsx;
  return TableFormat::kJson;
}

Result<std::string> TableXlsx(const engine::ReportTable& table, const std::string& sheet) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Error::Internal("no temporary directory for XLSX: " + ec.message());
  std::filesystem::path file =
      dir / ("rectify-report-" + auth::NewSessionSecret().id.substr(0, 16) + ".xlsx");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  std::string tmpdir = dir.string();
  options.tmpdir = tmpdir.data();
  lxw_workbook* book = workbook_new_opt(file.c_str(), &options);
  if (!book) return Error::Internal("libxlsxwriter could not create " + file.string());
  lxw_worksheet* ws = workbook_add_worksheet(book, sheet.c_str());
  // A name Excel refuses (over 31 characters, or []:*?/\ in it): the default, Sheet1.
  if (!ws) ws = workbook_add_worksheet(book, nullptr);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* datetime = workbook_add_format(book);
  format_set_num_format(datetime, "yyyy-mm-dd hh:mm");
  std::vector<double> widths(table.header.size(), 8);
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), table.header[c].c_str(), bold);
    widths[c] = std::max(widths[c], DisplayWidth(table.header[c]));
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    auto at = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < row.size() && c < table.header.size(); ++c) {
      auto col = static_cast<lxw_col_t>(c);
      const std::string& cell = row[c];
      Kind kind = c < table.kinds.size() ? table.kinds[c] : Kind::kText;
      double number = 0;
      lxw_datetime when{};
      if (cell.empty()) continue;
      if (kind == Kind::kNumber && ReadNumber(cell, number)) {
        worksheet_write_number(ws, at, col, number, nullptr);
      } else if ((kind == Kind::kDate || kind == Kind::kDateTime) && ReadDateTime(cell, when)) {
        worksheet_write_datetime(ws, at, col, &when, kind == Kind::kDate ? date : datetime);
        widths[c] = std::max(widths[c], kind == Kind::kDate ? 11.0 : 17.0);
        continue;
      } else if (kind == Kind::kBool && (cell == "true" || cell == "false")) {
        worksheet_write_boolean(ws, at, col, cell == "true", nullptr);
      } else {
        worksheet_write_string(ws, at, col, cell.c_str(), nullptr);
      }
      widths[c] = std::max(widths[c], DisplayWidth(cell));
    }
  }
  for (std::size_t c = 0; c < widths.size(); ++c) {
    auto col = static_cast<lxw_col_t>(c);
    worksheet_set_column(ws, col, col, std::min(widths[c] + 1, 60.0), nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  lxw_error closed = workbook_close(book);
  if (closed != LXW_NO_ERROR) {
    std::filesystem::remove(file, ec);
    return Error::Internal(std::string("libxlsxwriter: ") + lxw_strerror(closed));
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::filesystem::remove(file, ec);
  if (!in) return Error::Internal("could not read back " + file.string());
  return bytes.str();
}

http::Response TableResponse(TableFormat format, const boost::json::value& json,
                             const engine::ReportTable& table, const std::string& filename) {
  switch (format) {
    case TableFormat::kJson:
      return JsonResponse(200, json);
    case TableFormat::kCsv: {
      auto r = http::Response::Text(200, engine::TableCsv(table), "text/csv; charset=utf-8");
      r.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + filename + ".csv\"");
      return r;
    }
    case TableFormat::kXlsx: {
      auto bytes = TableXlsx(table, filename.substr(0, 31));
      if (!bytes) return ErrorResponse(bytes.error());
      auto r = http::Response::Text(200, std::move(*bytes), kXlsxType);
      r.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + filename + ".xlsx\"");
      return r;
    }
  }
  return JsonResponse(200, json);
}

}  // namespace rectify::api
