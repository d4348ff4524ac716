// The command line's own contract: help, version, and usage errors (DESIGN.md section 5).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_command.h"

namespace rectify {
namespace {

using test::RunRectify;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CliUsageTest, HelpListsTheCommandsAndExitsZero) {
  auto r = RunRectify({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("migrate"));
  EXPECT_THAT(r.out, HasSubstr("status"));
  EXPECT_THAT(r.out, HasSubstr("--db"));
  EXPECT_EQ(r.err, "");
}

TEST(CliUsageTest, EverySubcommandHasHelp) {
  for (const char* command : {"migrate", "status", "validate", "explain", "calendar"}) {
    auto r = RunRectify({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr(command)) << command;
  }
}

TEST(CliUsageTest, VersionPrintsTheVersion) {
  auto r = RunRectify({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("rectify "));
}

TEST(CliUsageTest, UnknownCommandIsAUsageErrorThatNamesIt) {
  auto r = RunRectify({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "rectify: usage error: unknown command 'frobnicate' (run 'rectify --help' for its "
            "commands and options)\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliUsageTest, UnknownOptionIsAUsageErrorThatNamesIt) {
  auto r = RunRectify({"--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option '--frobnicate'"));
}

TEST(CliUsageTest, UnknownSubcommandOptionPointsAtThatSubcommandsHelp) {
  auto r = RunRectify({"migrate", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--frobnicate"));
  EXPECT_THAT(r.err, HasSubstr("rectify migrate --help"));
}

TEST(CliUsageTest, MissingCommandIsAUsageError) {
  auto r = RunRectify({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("rectify --help"));
}

TEST(CliUsageTest, BadFormatIsAUsageError) {
  auto r = RunRectify({"--format", "xml", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("xml"));
}

}  // namespace
}  // namespace rectify
