// `rectify bulletin` through the real binary on an SQLite file: Xinshao 2017's headquarters issues
// the first-quarter inspection's bulletin (seed 001), lists it and shows it as text, JSON, HTML and
// PDF; bad requests (an unknown campaign, a round the campaign does not have, a caller without the
// issuing role) are refused with why and write nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;

std::map<std::string, std::string> Env(const std::string& db) {
  return {{"RECTIFY_DB", db}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

class BulletinCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = Env("sqlite:" + dir_.File("b.db"));
    ASSERT_EQ(RunRectify({"migrate"}, env_).exit_code, 0);
    CommandResult start = RunRectify(
        {"campaign", "start", "xinshao-2017", "--at", "2017-04-01T09:00:00+08:00"}, env_);
    ASSERT_EQ(start.exit_code, 0) << start.err;
    CommandResult add =
        RunRectify({"finding", "add", "--campaign", "xinshao-2017", "--round", "q1_inspection",
                    "--unit", "niangxi", "--title", "长塘村贫困户信息不一致", "--as", "xs-0004",
                    "--at", "2017-04-10T10:00:00+08:00"},
                   env_);
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }

  CommandResult Issue(std::vector<std::string> more) {
    std::vector<std::string> args{"bulletin", "issue", "--at", "2017-04-24T10:00:00+08:00"};
    args.insert(args.end(), more.begin(), more.end());
    return RunRectify(args, env_);
  }

  std::string List() {
    CommandResult list =
        RunRectify({"bulletin", "list", "--campaign", "xinshao-2017", "--format", "json"}, env_);
    EXPECT_EQ(list.exit_code, 0) << list.err;
    return list.out;
  }

  test::TempDir dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(BulletinCliTest, IssueListAndShowInEveryFormat) {
  CommandResult dry = Issue(
      {"--campaign", "xinshao-2017", "--round", "q1_inspection", "--as", "xs-0003", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("would issue xinshao-2017 bulletin 2017年第1期 (2017-1)"));
  EXPECT_EQ(List(), "[]\n");

  CommandResult issued =
      Issue({"--campaign", "xinshao-2017", "--round", "q1_inspection", "--as", "xs-0003"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_THAT(issued.out,
              HasSubstr("issued xinshao-2017 bulletin 2017年第1期 (2017-1): "
                        "关于第一季度督查考核发现问题及整改情况的通报\n"
                        "  findings 1, overdue items 0, measures since the previous bulletin 0\n"
                        "  sent to "));
  auto listed = boost::json::parse(List()).as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("number_label"), "2017年第1期");

  CommandResult text = RunRectify({"bulletin", "show", "1", "--campaign", "xinshao-2017"}, env_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("2017年第1期\n关于第一季度督查考核发现问题及整改情况的通报\n"));
  EXPECT_THAT(text.out, HasSubstr("长塘村贫困户信息不一致"));
  CommandResult en = RunRectify(
      {"bulletin", "show", "2017-1", "--campaign", "xinshao-2017", "--lang", "en"}, env_);
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_THAT(en.out, HasSubstr("2017 No. 1"));
  CommandResult html =
      RunRectify({"bulletin", "show", "1", "--campaign", "xinshao-2017", "--format", "html"}, env_);
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_THAT(html.out, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html.out, HasSubstr("2017年第1期"));
  CommandResult no_file =
      RunRectify({"bulletin", "show", "1", "--campaign", "xinshao-2017", "--format", "pdf"}, env_);
  EXPECT_NE(no_file.exit_code, 0);
  EXPECT_THAT(no_file.err, HasSubstr("add --output FILE"));
  std::string pdf = dir_.File("1.pdf");
  CommandResult wrote = RunRectify(
      {"bulletin", "show", "1", "--campaign", "xinshao-2017", "--format", "pdf", "--output", pdf},
      env_);
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err;
  CommandResult pdftext = test::RunCommand({"pdftotext", pdf, "-"});
  ASSERT_EQ(pdftext.exit_code, 0) << pdftext.err;
  EXPECT_THAT(pdftext.out, HasSubstr("2017年第1期"));
  EXPECT_THAT(pdftext.out, HasSubstr("长塘村贫困户信息不一致"));

  CommandResult none = RunRectify({"bulletin", "show", "7", "--campaign", "xinshao-2017"}, env_);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("has no bulletin 7; it has 2017-1"));
}

TEST_F(BulletinCliTest, BadRequestsSayWhyAndWriteNothing) {
  CommandResult unknown = Issue({"--campaign", "xinshao-2019", "--as", "xs-0003"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("xinshao-2019"));
  CommandResult round =
      Issue({"--campaign", "xinshao-2017", "--round", "q3_inspection", "--as", "xs-0003"});
  EXPECT_NE(round.exit_code, 0);
  EXPECT_THAT(round.err,
              HasSubstr("campaign xinshao-2017 has no inspection round 'q3_inspection'; its "
                        "rounds: q1_inspection"));
  CommandResult head = Issue({"--campaign", "xinshao-2017", "--as", "xs-0012"});
  EXPECT_NE(head.exit_code, 0);
  EXPECT_THAT(head.err, HasSubstr("徐文波 (xs-0012) may not issue bulletins of campaign "
                                  "xinshao-2017: that takes the role inspector over 新邵县"));
  CommandResult scope =
      Issue({"--campaign", "xinshao-2017", "--as", "xs-0003", "--scope", "niangxi,atlantis"});
  EXPECT_NE(scope.exit_code, 0);
  EXPECT_THAT(scope.err, HasSubstr("no unit or unit kind 'atlantis'"));
  EXPECT_EQ(List(), "[]\n");
  CommandResult outbox = RunRectify({"outbox", "list", "--format", "json"}, env_);
  EXPECT_THAT(outbox.out, ::testing::Not(HasSubstr("bulletin|")));
}

}  // namespace
}  // namespace rectify
