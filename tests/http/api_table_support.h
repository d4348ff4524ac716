// What the campaign, ledger and report API tests share: the CLI's answer on the live server's
// database (to hold the API's figures against), a caller by bearer token, and an XLSX answer
// read back as cells (tests/http/xlsx_cells.py, the standard library's zipfile and XML).
//
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/http/api_env.h"
#include "tests/support/sink_process.h"

namespace rectify::test {

// `rectify --db DB ARGS...` on the env's database; fails the test when it fails.
inline CommandResult Cli(const ApiEnv& env, std::vector<std::string> args) {
  args.insert(args.begin(), {"--db", env.db().url()});
  CommandResult r = RunRectify(args, ApiEnv::Env(), env.db().dir().path().string());
  EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << r.out << r.err;
  return r;
}

// The headers of a caller that sends `person`'s write token.
inline std::map<std::string, std::string> BearerOf(ApiEnv& env, const std::string& person) {
  return {{"Authorization", "Bearer " + env.Token(person)}};
}

// An XLSX body as {"rows": [[text...]...], "kinds", "header_bold", "widths"} (xlsx_cells.py).
inline boost::json::value XlsxCells(const ApiEnv& env, const std::string& body,
                                    const std::string& name) {
  std::string file = env.db().dir().File(name + ".xlsx");
  std::ofstream(file, std::ios::binary) << body;
  CommandResult r = RunCommand(
      {kSystemPython, std::string(RECTIFY_SOURCE_DIR) + "/tests/http/xlsx_cells.py", file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.out, ec);
  EXPECT_FALSE(ec) << r.out;
  return ec ? boost::json::value() : v;
}

// A JSON value as the API's CSV writes it in a cell: strings bare, others serialized.
inline std::string CellText(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "";
  return boost::json::serialize(v);
}

}  // namespace rectify::test
