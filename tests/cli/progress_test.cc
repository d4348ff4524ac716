// Progress lines through the real binary: a long `ledger import` and `simulate` show a line that
// updates in place ("\r") on a terminal's standard error, and nothing of it reaches standard
// output (the data: a pipe or a file) nor a standard error that is a pipe; --quiet silences
// simulate's. Standard error is a pseudo-terminal here (tests/support/terminal_command.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"
#include "tests/support/terminal_command.h"

namespace rectify {
namespace {

using test::RunRectify;
using test::RunRectifyOnTerminal;
using ::testing::HasSubstr;
using ::testing::Not;

class ProgressTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env() {
    return {{"RECTIFY_DB", "sqlite:" + dir_.File("progress.db")},
            {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  }

  // A valid ledger of `n` rows: enough (100 or more) for the import to show its progress.
  std::string Ledger(int n) {
    std::string path = dir_.File("ledger.csv");
    std::ofstream out(path, std::ios::binary);
    out << "id,title,unit,responsible,registered_at,time_limit\n";
    for (int i = 1; i <= n; ++i) {
      out << "Q-" << i << ",问题 " << i << ",niangxi,xs-0014,2017-04-21,10wd\n";
    }
    return path;
  }

  static std::vector<std::string> SimulateArgs(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "simulate",
        "--campaign",
        "xinshao-2017",
        "--items",
        std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-2017-sample.csv",
        "--until",
        "2017-06-30",
        "--format",
        "jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  static void ExpectJsonLines(const std::string& out) {
    std::istringstream in(out);
    int n = 0;
    for (std::string line; std::getline(in, line); ++n) {
      boost::system::error_code ec;
      boost::json::parse(line, ec);
      ASSERT_FALSE(ec) << "not JSON: " << line;
    }
    EXPECT_GT(n, 100);
  }

  test::TempDir dir_;
};

TEST_F(ProgressTest, ALongImportShowsProgressOnATerminalOnly) {
  ASSERT_EQ(RunRectify({"migrate"}, Env()).exit_code, 0);
  std::string ledger = Ledger(120);
  auto tty = RunRectifyOnTerminal({"ledger", "import", ledger, "--as", "xs-0009", "--dry-run",
                                   "--at", "2017-06-01T09:00:00+08:00"},
                                  Env());
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  // The rows name no verifier: after the summary, who will verify them.
  const std::string verifiers =
      "  verifier: items Q-1, Q-2, Q-3, Q-4, Q-5 and 115 more name no verifier; the holders of "
      "the role verifier for their units act as verifier and get its reminders: 马娟德 (xs-0007), "
      "罗燕勇 (xs-0008)\n";
  EXPECT_EQ(tty.out, ledger + ": 120 items would be imported; nothing was changed (--dry-run)\n" +
                         verifiers);
  // The line updates in place and is wiped at the end, so the terminal is left clean.
  EXPECT_THAT(tty.err, HasSubstr("\rchecking " + ledger + ": 60/120 (50%)"));
  EXPECT_THAT(tty.err, HasSubstr("\rchecking " + ledger + ": 120/120 (100%)"));
  EXPECT_TRUE(tty.err.ends_with("\r\033[K")) << tty.err;

  // On a pipe, nothing: not even the wiping.
  auto pipe = RunRectify(
      {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-06-01T09:00:00+08:00"}, Env());
  ASSERT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_EQ(pipe.err, "");
  EXPECT_EQ(pipe.out, "imported 120 items from " + ledger + "\n" + verifiers);
}

TEST_F(ProgressTest, AShortImportShowsNoProgressEvenOnATerminal) {
  ASSERT_EQ(RunRectify({"migrate"}, Env()).exit_code, 0);
  std::string ledger = Ledger(99);
  auto tty = RunRectifyOnTerminal(
      {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-06-01T09:00:00+08:00"}, Env());
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_EQ(tty.err, "");
}

TEST_F(ProgressTest, SimulateShowsItsTickLineOnATerminalAndKeepsStandardOutputJson) {
  auto tty = RunRectifyOnTerminal(SimulateArgs(), {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  ExpectJsonLines(tty.out);
  EXPECT_THAT(tty.out, Not(HasSubstr("simulating")));
  EXPECT_THAT(tty.err, HasSubstr("\rsimulating xinshao-2017: 2017-0"));
  EXPECT_THAT(tty.err, HasSubstr(" actions)\033[K"));
  // Wiped before the summary, which is a line of its own.
  EXPECT_THAT(tty.err, HasSubstr("\r\033[Ksimulated 2017-01-01 to 2017-06-30: "));

  auto quiet =
      RunRectifyOnTerminal(SimulateArgs({"--quiet"}), {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_TRUE(quiet.out == tty.out) << "the timeline differs with --quiet";

  auto pipe = RunRectify(SimulateArgs(), {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  ASSERT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_THAT(pipe.err, Not(HasSubstr("simulating")));
  EXPECT_THAT(pipe.err, Not(HasSubstr("\r")));
  EXPECT_THAT(pipe.err, ::testing::StartsWith("simulated 2017-01-01 to 2017-06-30: "));
  EXPECT_TRUE(pipe.out == tty.out) << "the timeline differs on a pipe";
}

}  // namespace
}  // namespace rectify
