// `rectify campaign show` through the real binary on a SQLite file, compared with golden files
// under campaign_show_golden/: the Xinshao 2017 run started on 2017-04-21 with one item of 酿溪镇
// that is never submitted, after the timers up to 2017-06-02 have fired (the materials checkpoint,
// the May and June rankings). Everything runs on a virtual clock, so the output is the same on
// every run. To update a golden file after a deliberate change, set RECTIFY_UPDATE_GOLDEN=1, run
// the test, and review the diff.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::RunRectify;

std::string GoldenPath(const std::string& name) {
  return std::string(RECTIFY_SOURCE_DIR) + "/tests/cli/campaign_show_golden/" + name;
}

void ExpectGolden(const std::string& out, const std::string& name) {
  if (const char* update = std::getenv("RECTIFY_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(GoldenPath(name)) << out;
  }
  std::ifstream in(GoldenPath(name));
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(out, golden.str()) << "golden file " << GoldenPath(name);
}

class CampaignShowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Run({"migrate"});
    Run({"campaign", "start", "xinshao-2017", "--at", "2017-04-21"});
    Run({"item", "add", "--id", "Q-1", "--unit", "niangxi", "--responsible", "xs-0014", "--title",
         "危房改造对象识别不准", "--time-limit", "10wd", "--campaign", "xinshao-2017", "--as",
         "xs-0009", "--at", "2017-04-21T10:00:00+08:00"});
    Run({"item", "act", "Q-1", "assign", "--as", "xs-0003", "--set", "verifier=xs-0007", "--at",
         "2017-04-21T10:05:00+08:00"});
    Run({"tick", "--until", "2017-06-02T00:00:00+08:00"});
  }

  std::string Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", "sqlite:" + dir_.File("rectify.db")});
    auto r = RunRectify(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return r.out;
  }

  test::TempDir dir_;
};

TEST_F(CampaignShowTest, Text) {
  ExpectGolden(Run({"campaign", "show", "xinshao-2017"}), "xinshao-2017.txt");
}

TEST_F(CampaignShowTest, Json) {
  ExpectGolden(Run({"--format", "json", "campaign", "show", "xinshao-2017"}), "xinshao-2017.json");
}

// `campaign start` says what falls due first, as `campaign show` lists it (it used to name the
// first timer the store returned, campaign:close, with the time of another).
TEST(CampaignStartTest, NextIsTheEarliestDatedEvent) {
  test::TempDir dir;
  std::string db = "sqlite:" + dir.File("rectify.db");
  ASSERT_EQ(RunRectify({"--db", db, "migrate"}).exit_code, 0);
  auto started =
      RunRectify({"--db", db, "campaign", "start", "xinshao-2017", "--at", "2017-04-21"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_THAT(started.out, ::testing::EndsWith("\nnext: phase:summer_attack:begin at "
                                               "2017-04-21T00:00:00+08:00\n"));
  auto shown = RunRectify({"--db", db, "campaign", "show", "xinshao-2017"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, ::testing::HasSubstr(
                             "  next      2017-04-21T00:00:00+08:00  phase:summer_attack:begin\n"));
}

TEST(CampaignShowNotStartedTest, SaysHowToStartIt) {
  test::TempDir dir;
  std::string db = "sqlite:" + dir.File("rectify.db");
  ASSERT_EQ(RunRectify({"--db", db, "migrate"}).exit_code, 0);
  auto r = RunRectify({"--db", db, "campaign", "show", "xinshao-2017"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "rectify: error: campaign xinshao-2017 has not been started; start it with 'rectify "
            "campaign start xinshao-2017'\n");
}

}  // namespace
}  // namespace rectify
