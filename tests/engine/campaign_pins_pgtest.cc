// Campaign version pins on SQLite and PostgreSQL: once a campaign runs, a new version of a
// workflow it uses changes neither the items already running nor the version its new items get
// (by `item add --campaign`, `ledger import --campaign` or its own checkpoints and recurring
// events); only a migration moves instances (migration_pgtest.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/engine/campaign.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using store_soci::Backend;

using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace fs = std::filesystem;

std::string Shipped(const std::string& file) {
  std::ifstream in(std::string(RECTIFY_SOURCE_DIR) + "/workflows/workflows/" + file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The next version of a shipped workflow (`version` + 1): its text with one change.
std::string NextVersion(const std::string& file, int version, const std::string& from,
                        const std::string& to) {
  std::string text = Shipped(file);
  auto replace = [&](const std::string& a, const std::string& b) {
    auto at = text.find(a);
    EXPECT_NE(at, std::string::npos) << a;
    if (at != std::string::npos) text.replace(at, a.size(), b);
  };
  replace("version: " + std::to_string(version) + "\n",
          "version: " + std::to_string(version + 1) + "\n");
  replace(from, to);
  return text;
}

class CampaignPinsTest : public test::EngineFixture {
 protected:
  CampaignPinsTest() : EngineFixture("2017-04-21T09:00:00+08:00") {}

  // The shipped definitions plus version 3 of rectification-item (a 3wd check instead of 5wd)
  // beside the shipped 1 and 2, and version 2 of inspection-round (5wd instead of 10wd).
  std::string Definitions() {
    std::string dir = dir_.File("definitions");
    if (fs::exists(dir)) return dir;
    fs::copy(std::string(RECTIFY_SOURCE_DIR) + "/workflows", dir, fs::copy_options::recursive);
    std::ofstream(dir + "/workflows/rectification-item-v3.yaml")
        << NextVersion("rectification-item.yaml", 2, "deadline: { within: 5wd, owner: verifier }",
                       "deadline: { within: 3wd, owner: verifier }");
    std::ofstream(dir + "/workflows/inspection-round-v2.yaml")
        << NextVersion("inspection-round.yaml", 1, "deadline: { within: 10wd, owner: inspector }",
                       "deadline: { within: 5wd, owner: inspector }");
    return dir;
  }

  Result<engine::Instance> Register(const std::string& id, const std::string& campaign,
                                    int version = 0) {
    engine::NewInstance req;
    req.id = id;
    req.workflow = "rectification-item";
    req.workflow_version = version;
    req.campaign = campaign;
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "危房改造对象识别不准";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", "10wd"}};
    return engine_->Register(req);
  }

  test::TempDir dir_;
};

TEST_P(CampaignPinsTest, ARunningCampaignsNewItemsUseThePinnedVersionAndRunningOnesStayPut) {
  ASSERT_TRUE(engine::StartCampaign(*engine_, "xinshao-2017").ok());
  ASSERT_TRUE(Register("Q-1", "xinshao-2017").ok());
  ASSERT_TRUE(Act("Q-1", "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}}).ok());
  EXPECT_EQ(Load("Q-1").record.workflow_version, 2);

  // rectification-item@3 is loaded (an engine restart on the new definitions).
  At("2017-04-24T09:00:00+08:00");
  Open(test::LoadSet({Definitions()}));
  std::int64_t q1_seq = Load("Q-1").audit_seq;

  auto pinned = Register("Q-2", "xinshao-2017");
  ASSERT_TRUE(pinned.ok()) << pinned.error().message();
  EXPECT_EQ(pinned->record.workflow_version, 2);
  auto outside = Register("Q-3", "");
  ASSERT_TRUE(outside.ok()) << outside.error().message();
  EXPECT_EQ(outside->record.workflow_version, 3);  // no campaign: the latest
  auto other = Register("Q-4", "xinshao-2017", 3);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(other.error().message(),
            "campaign xinshao-2017 pinned rectification-item@2 when it started; its items run on "
            "that version, not @3 (leave the version out; running instances move to another "
            "version only by 'rectify instances migrate')");

  // Through the command line: item add and a ledger import into the campaign.
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    args.insert(args.end(), {"--definitions", Definitions(), "--at", "2017-04-24T10:00:00+08:00"});
    return test::RunRectify(args);
  };
  auto add =
      run({"item", "add", "--id", "Q-5", "--unit", "niangxi", "--responsible", "xs-0014", "--title",
           "台账不实", "--time-limit", "10wd", "--as", "xs-0009", "--campaign", "xinshao-2017"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  // The campaign's chain is recorded on the item (engine/campaign_items.h).
  EXPECT_EQ(add.out,
            "registered Q-5 (rectification-item@2) in state registered, escalating by "
            "overdue-rectification@1\n");
  std::string ledger = dir_.File("ledger.csv");
  std::ofstream(ledger) << "id,title,unit,responsible,registered_at,time_limit\n"
                           "L-1,驻村工作队考勤不实,yantang,xs-0025,2017-04-24,15wd\n";
  auto imported =
      run({"ledger", "import", ledger, "--as", "xs-0009", "--campaign", "xinshao-2017"});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(Load("L-1").record.workflow_version, 2);
  std::ofstream(ledger) << "id,title,unit,responsible,registered_at,time_limit,workflow\n"
                           "L-2,驻村工作队考勤不实,yantang,xs-0025,2017-04-24,15wd,"
                           "rectification-item@3\n";
  auto refused = run({"ledger", "import", ledger, "--as", "xs-0009", "--campaign", "xinshao-2017"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err,
              HasSubstr(":2:7: error: workflow: campaign xinshao-2017 pinned "
                        "rectification-item@2 when it started; its items run on that version"));

  // The running item was left alone and moves on version 2: its check takes 5wd, not 3wd.
  engine::Instance q1 = Load("Q-1");
  EXPECT_EQ(q1.record.workflow_version, 2);
  EXPECT_EQ(q1.audit_seq, q1_seq);
  At("2017-04-25T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-1", "submit", "xs-0014", {"整改照片.zip"}).ok());
  EXPECT_EQ(Due("Q-1"), "2017-05-04T00:00:00+08:00");  // April 26-28, May 2 and 3
}

TEST_P(CampaignPinsTest, ACampaignsRecurringInspectionsOpenOnThePinnedWorkflowVersion) {
  // Jinkouhe's monthly themed inspection opens an inspection-round per township on the fifth
  // working day of the month: May 8 in 2017.
  ASSERT_TRUE(engine::StartCampaign(*engine_, "jinkouhe-2017").ok());
  Open(test::LoadSet({Definitions()}));  // inspection-round@2 arrives before May
  RunUntil("2017-05-09T00:00:00+08:00");
  InstanceFilter filter;
  filter.workflow = "inspection-round";
  auto opened = store_->ListInstances(filter);
  ASSERT_TRUE(opened.ok());
  ASSERT_THAT(*opened, Not(IsEmpty()));
  std::vector<std::int64_t> versions;
  for (const auto& r : *opened) versions.push_back(r.workflow_version);
  EXPECT_THAT(versions, Each(1));
}

TEST_P(CampaignPinsTest, PinsThatDoNotParseAreAnErrorNotTheLatestVersion) {
  ASSERT_TRUE(engine::StartCampaign(*engine_, "xinshao-2017").ok());
  engine::Instance run = Load("campaign:xinshao-2017");
  auto pinned = engine::PinnedWorkflows(run);
  ASSERT_TRUE(pinned.ok()) << pinned.error().message();
  EXPECT_EQ(pinned->at("rectification-item"), 2);

  // The run's pinned version of rectification-item damaged: a string where the number was.
  std::string& pins = run.fields["pins"];
  const std::string good = R"("rectification-item":2)";
  ASSERT_NE(pins.find(good), std::string::npos) << pins;
  pins.replace(pins.find(good), good.size(), R"("rectification-item":"2")");
  auto damaged = engine::PinnedWorkflows(run);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(damaged.error().message(),
            "campaign xinshao-2017: the versions its run pinned when it started "
            "(campaign:xinshao-2017, field pins) do not parse: workflows.rectification-item is "
            "\"2\", not a version (1, 2, ...); nothing was changed. Its items must run on those "
            "versions: restore the run from a backup of the database");
}

INSTANTIATE_TEST_SUITE_P(Backends, CampaignPinsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
