// Small XLSX workbooks for tests (xlsx_file.h).
#include "tests/support/xlsx_file.h"

#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>

namespace rectify::test {

void WriteXlsx(const std::string& path, const std::vector<XlsxSheet>& sheets, bool inline_strings) {
  lxw_workbook_options options{};
  options.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  ASSERT_NE(wb, nullptr) << path;
  lxw_format* date_format = workbook_add_format(wb);
  format_set_num_format(date_format, "yyyy/m/d");
  lxw_format* datetime_format = workbook_add_format(wb);
  format_set_num_format(datetime_format, "yyyy/m/d h:mm");
  for (const XlsxSheet& sheet : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
    ASSERT_NE(ws, nullptr) << sheet.name;
    // Merged ranges first: constant-memory mode writes rows in order.
    std::vector<std::pair<int, int>> merged_cells;
    for (const std::string& range : sheet.merges) {
      lxw_row_t r1 = 0, r2 = 0;
      lxw_col_t c1 = 0, c2 = 0;
      r1 = lxw_name_to_row(range.c_str());
      c1 = lxw_name_to_col(range.c_str());
      r2 = lxw_name_to_row_2(range.c_str());
      c2 = lxw_name_to_col_2(range.c_str());
      ASSERT_LT(r1, sheet.rows.size()) << range;
      ASSERT_LT(c1, sheet.rows[r1].size()) << range;
      ASSERT_EQ(worksheet_merge_range(ws, r1, c1, r2, c2, sheet.rows[r1][c1].c_str(), nullptr),
                LXW_NO_ERROR)
          << range;
      for (lxw_row_t r = r1; r <= r2; ++r) {
        for (lxw_col_t c = c1; c <= c2; ++c) merged_cells.emplace_back(r, c);
      }
    }
    for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
      for (std::size_t c = 0; c < sheet.rows[r].size(); ++c) {
        const std::string& v = sheet.rows[r][c];
        if (v.empty()) continue;
        if (std::find(merged_cells.begin(), merged_cells.end(),
                      std::pair<int, int>(static_cast<int>(r), static_cast<int>(c))) !=
            merged_cells.end()) {
          continue;
        }
        auto row = static_cast<lxw_row_t>(r);
        auto col = static_cast<lxw_col_t>(c);
        lxw_error e = LXW_NO_ERROR;
        if (v.rfind("#n", 0) == 0) {
          e = worksheet_write_number(ws, row, col, std::stod(v.substr(2)), nullptr);
        } else if (v.rfind("#d", 0) == 0) {
          lxw_datetime dt{};
          int hour = 0, minute = 0;
          ASSERT_GE(std::sscanf(v.c_str() + 2, "%d-%d-%d %d:%d", &dt.year, &dt.month, &dt.day,
                                &hour, &minute),
                    3)
              << v;
          dt.hour = hour;
          dt.min = minute;
          e = worksheet_write_datetime(ws, row, col, &dt,
                                       v.size() > 12 ? datetime_format : date_format);
        } else {
          e = worksheet_write_string(ws, row, col, v.c_str(), nullptr);
        }
        ASSERT_EQ(e, LXW_NO_ERROR) << v;
      }
    }
  }
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR) << path;
}

}  // namespace rectify::test
