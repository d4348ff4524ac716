// `rectify calendar` as a user runs it: the real binary, its output and its exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::CommandResult;
using test::RunRectify;
using test::TempDir;
using ::testing::HasSubstr;

// The shipped definitions, whatever RECTIFY_HOME the caller's environment has.
CommandResult Cal(const std::vector<std::string>& args) {
  std::vector<std::string> all{"calendar"};
  all.insert(all.end(), args.begin(), args.end());
  return RunRectify(all, {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
}

TEST(CalendarCliTest, AddPrintsTheDayTheDeadlineEnds) {
  auto r = Cal({"add", "--calendar", "cn", "2017-04-21", "10wd"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2017-05-08\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-04-21", "3d"}).out, "2017-04-24\n");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-01-31", "P1M"}).out, "2017-02-28\n");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-05-08", "--", "-5wd"}).out, "2017-04-28\n");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-05-08", "-5wd"}).out, "2017-04-28\n");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-05-08", "--", "-P1W"}).out, "2017-05-01\n");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-04-21", "0"}).out, "2017-04-21\n");
}

TEST(CalendarCliTest, AddWithHoursPrintsALocalDateTime) {
  auto r = Cal({"add", "--calendar", "cn", "2017-04-21T10:00:00+08:00", "4h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2017-04-21T14:00:00+08:00\n");
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-04-21T10:00:00+08:00", "10wd"}).out,
            "2017-05-08\n");
}

TEST(CalendarCliTest, AddAsJson) {
  auto r = Cal({"add", "--calendar", "cn", "2017-04-21", "10wd", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"calendar\":\"cn\",\"from\":\"2017-04-21\",\"duration\":\"10wd\",\"result\":"
            "\"2017-05-08\",\"date\":\"2017-05-08\",\"deadline\":\"2017-05-08T16:00:00Z\","
            "\"deadline_local\":\"2017-05-09T00:00:00+08:00\"}\n");
}

TEST(CalendarCliTest, IsWorkdayPrintsYesOrNo) {
  auto holiday = Cal({"is-workday", "--calendar", "cn", "2017-05-01"});
  EXPECT_EQ(holiday.exit_code, 0) << holiday.err;
  EXPECT_EQ(holiday.out, "no\n");
  EXPECT_EQ(Cal({"is-workday", "--calendar", "cn", "2017-09-30"}).out, "yes\n");  // make-up Sat
  EXPECT_EQ(Cal({"is-workday", "--calendar", "cn", "2017-10-04"}).out, "no\n");
  EXPECT_EQ(Cal({"is-workday", "--calendar", "cn", "2026-02-28"}).out, "yes\n");
  EXPECT_EQ(Cal({"is-workday", "--calendar", "cn", "2017-05-01", "--format", "json"}).out,
            "{\"calendar\":\"cn\",\"date\":\"2017-05-01\",\"workday\":false}\n");
}

TEST(CalendarCliTest, DateOutsideTheCalendarExitsOne) {
  auto r = Cal({"is-workday", "--calendar", "cn", "2031-01-05"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("rectify: error: 2031-01-05 is outside calendar 'cn', which covers "
                               "2016-2026; add the year's holidays to "));
  EXPECT_THAT(r.err, HasSubstr("workflows/calendars/cn.yaml\n"));
  auto add = Cal({"add", "--calendar", "cn", "2026-12-24", "10wd"});
  EXPECT_EQ(add.exit_code, 1);
  EXPECT_THAT(add.err, HasSubstr("2027-01-01 is outside calendar 'cn'"));
}

TEST(CalendarCliTest, BadInputExitsOne) {
  auto duration = Cal({"add", "--calendar", "cn", "2017-04-21", "10days"});
  EXPECT_EQ(duration.exit_code, 1);
  EXPECT_THAT(duration.err, HasSubstr("rectify: error: '10days' is not a duration (unknown unit "
                                      "'days'); accepted forms: 0, 10wd (working days)"));
  auto date = Cal({"is-workday", "--calendar", "cn", "2017-02-30"});
  EXPECT_EQ(date.exit_code, 1);
  EXPECT_THAT(date.err, HasSubstr("'2017-02-30' is not a date (no such day)"));
  auto anchor = Cal({"add", "--calendar", "cn", "tomorrow", "1wd"});
  EXPECT_EQ(anchor.exit_code, 1);
  EXPECT_THAT(anchor.err, HasSubstr("'tomorrow' is not a date or date-time"));
}

TEST(CalendarCliTest, UnknownCalendarListsTheOnesFound) {
  auto r = Cal({"is-workday", "--calendar", "mars", "2017-05-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("rectify: error: no calendar named 'mars' under "));
  EXPECT_THAT(r.err, HasSubstr("; found: cn"));
}

TEST(CalendarCliTest, DefinitionsFolderCanBeChosen) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "nested");
  std::ofstream(dir.File("nested/de.yaml")) << "kind: calendar\n"
                                               "name: de\n"
                                               "timezone: Europe/Berlin\n"
                                               "years:\n"
                                               "  2017: {holidays: [2017-05-01, 2017-10-03]}\n";
  std::ofstream(dir.File("broken.yaml")) << "kind: [\n";  // skipped: not this command's business
  auto r = RunRectify({"calendar", "is-workday", "--calendar", "de", "--definitions",
                       dir.path().string(), "2017-10-03"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no\n");
  // The folder is added to the shipped library; --no-library leaves that out.
  auto missing = RunRectify({"calendar", "add", "--calendar", "cn", "--no-library", "--definitions",
                             dir.path().string(), "2017-04-21", "10wd"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err,
              HasSubstr("no calendar named 'cn' under " + dir.path().string() + "; found: de"));
}

TEST(CalendarCliTest, InvalidCalendarFileShowsItsDiagnostics) {
  TempDir dir;
  std::ofstream(dir.File("bad.yaml")) << "kind: calendar\nname: bad\ntimezone: Mars/Olympus\n"
                                         "years: {2017: {}}\n";
  auto r = RunRectify({"calendar", "is-workday", "--calendar", "bad", "--definitions",
                       dir.path().string(), "2017-10-03"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:3:11: error: timezone: unknown time zone 'Mars/Olympus'"));
}

TEST(CalendarCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cal({"add", "--calendar", "cn", "2017-04-21"}).exit_code, 2);
  EXPECT_EQ(Cal({"add", "2017-04-21", "10wd"}).exit_code, 2);
  EXPECT_EQ(Cal({}).exit_code, 2);
  EXPECT_EQ(Cal({"is-workday", "--calendar", "cn", "2017-05-01", "--bogus"}).exit_code, 2);
}

}  // namespace
}  // namespace rectify
