// A county that is not shipped runs its own campaign (issue 12), on SQLite and PostgreSQL: its
// org, workflow, six-step ladder and third-quarter campaign sit in a folder beside the library
// (tests/engine/county/qingshan.yaml), and the campaign's `items:` block is what runs, whichever
// way an item comes in (ledger import, item add, simulate): its workflow, its time limit, and its
// ladder in place of the `overdue:` chain the workflow names, even after a restart. Items
// registered inside a special rectification window are due by its end at the latest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/engine/ledger.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace fs = std::filesystem;
using test::T;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;

const std::string kCountyFolder = std::string(RECTIFY_SOURCE_DIR) + "/tests/engine/county";

std::shared_ptr<const definition::DefinitionSet> LibraryAndCounty() {
  static auto set = test::LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows", kCountyFolder});
  return set;
}

// The ladder's steps as the audit rows record them: "local-at step-id".
const char* const kLadderFromJuly17[] = {
    "2017-07-18T00:00:00+08:00 qs_reminder",       // at the deadline, the end of 07-17
    "2017-07-19T08:30:00+08:00 qs_supervision",    // 2wd
    "2017-07-21T08:30:00+08:00 qs_interview",      // 4wd
    "2017-07-25T08:30:00+08:00 qs_finance",        // 6wd: the finance bureau suspends the funds
    "2017-07-27T08:30:00+08:00 qs_criticism",      // 8wd
    "2017-07-31T08:30:00+08:00 qs_accountability"  // 10wd
};

class CountyCampaignTest : public test::EngineFixture {
 protected:
  CountyCampaignTest() : EngineFixture("2017-07-01T00:00:00+08:00") {}

  void SetUp() override {
    EngineFixture::SetUp();
    if (HasFatalFailure()) return;
    Open(LibraryAndCounty());
  }

  Result<engine::ImportReport> Import(const std::string& text, const std::string& campaign,
                                      const std::string& registrar, Diagnostics& diags) {
    engine::LedgerOptions options{
        .file = "ledger.csv", .campaign = campaign, .registrar = registrar};
    options.now = clock_.Now();
    engine::Ledger ledger = engine::ParseLedger(text, *definitions_, options, diags);
    if (diags.has_errors()) return Error::BadInput(diags.Format());
    return engine::ImportLedger(*engine_, ledger, options, {}, diags);
  }

  engine::NewInstance Item(const std::string& id) {
    engine::NewInstance req;
    req.id = id;
    req.campaign = "qingshan-2017q3";
    req.unit = "taiping-dongcun";
    req.responsible = "qs-008";
    req.title = "危房改造台账不全";
    req.actor = "qs-003";
    return req;
  }

  std::vector<std::string> Steps(const std::string& id) {
    return AuditValues(id, "escalate", "step", true);
  }
};

TEST_P(CountyCampaignTest, LedgerImportRunsTheCampaignsWorkflowTimeLimitAndLadder) {
  At("2017-07-03T09:00:00+08:00");
  Diagnostics diags;
  // No workflow and no time limit in the row: the campaign's (qingshan-item, 10wd).
  auto report = Import(
      "id,title,unit,responsible,registered_at,time_limit\n"
      "QS-1,危房改造台账不全,taiping-dongcun,qs-008,2017-07-03,\n",
      "qingshan-2017q3", "qs-003", diags);
  ASSERT_TRUE(report.ok()) << report.error().message() << diags.Format();
  engine::Instance item = Load("QS-1");
  EXPECT_EQ(item.record.workflow, "qingshan-item");
  EXPECT_EQ(item.escalation, "qingshan-ladder@1");
  EXPECT_EQ(item.Field("time_limit"), "10wd");
  EXPECT_EQ(item.record.state, "rectifying");
  EXPECT_EQ(Due("QS-1"), "2017-07-18T00:00:00+08:00");  // 07-03 + 10wd: the end of 07-17
  EXPECT_THAT(AuditValues("QS-1", "register", "escalation_from", true),
              ElementsAre("2017-07-03T00:00:00+08:00 campaign qingshan-2017q3"));

  RunUntil("2017-08-04T00:00:00+08:00");
  // The county's ladder, not the overdue-rectification chain qingshan-item names.
  EXPECT_THAT(Steps("QS-1"),
              ElementsAre(kLadderFromJuly17[0], kLadderFromJuly17[1], kLadderFromJuly17[2],
                          kLadderFromJuly17[3], kLadderFromJuly17[4], kLadderFromJuly17[5]));
  EXPECT_THAT(AuditValues("QS-1", "escalate", "chain", true), Each(EndsWith(" qingshan-ladder@1")));
  // The finance bureau's head is told to suspend the funds, and of the referral.
  EXPECT_THAT(AuditValues("QS-1", "escalate", "recipients"),
              Contains("2017-07-25T08:30:00+08:00 [\"qs-004\",\"qs-007\"]"));
  EXPECT_THAT(AuditValues("QS-1", "escalate", "recipients"),
              Contains("2017-07-31T08:30:00+08:00 [\"qs-005\",\"qs-004\"]"));
  EXPECT_TRUE(Load("QS-1").payment_suspended);
}

TEST_P(CountyCampaignTest, ItemAddRunsTheCampaignsLadderAcrossARestart) {
  At("2017-07-03T09:00:00+08:00");
  auto added = engine_->Register(Item("QS-2"));
  ASSERT_TRUE(added.ok()) << added.error().message();
  EXPECT_EQ(added->record.workflow, "qingshan-item");
  EXPECT_EQ(added->escalation, "qingshan-ladder@1");
  EXPECT_EQ(added->Field("time_limit"), "10wd");
  ASSERT_TRUE(Act("QS-2", "assign", "qs-003").ok());
  EXPECT_EQ(Due("QS-2"), "2017-07-18T00:00:00+08:00");

  RunUntil("2017-07-20T00:00:00+08:00");
  EXPECT_THAT(Steps("QS-2"), ElementsAre(kLadderFromJuly17[0], kLadderFromJuly17[1]));
  Open(LibraryAndCounty());  // a restart: the chain is read from the instance
  RunUntil("2017-08-04T00:00:00+08:00");
  EXPECT_THAT(Steps("QS-2"),
              ElementsAre(kLadderFromJuly17[0], kLadderFromJuly17[1], kLadderFromJuly17[2],
                          kLadderFromJuly17[3], kLadderFromJuly17[4], kLadderFromJuly17[5]));
}

TEST_P(CountyCampaignTest, TheRegistrationsOwnChoiceComesFirstAndOldInstancesKeepTheirChain) {
  At("2017-07-03T09:00:00+08:00");
  engine::NewInstance own = Item("QS-3");
  own.escalation = "overdue-rectification";
  own.fields["time_limit"] = "5wd";
  auto added = engine_->Register(own);
  ASSERT_TRUE(added.ok()) << added.error().message();
  EXPECT_EQ(added->record.workflow, "qingshan-item");  // the campaign's
  EXPECT_EQ(added->escalation, "overdue-rectification@1");
  EXPECT_EQ(added->Field("time_limit"), "5wd");
  EXPECT_THAT(AuditValues("QS-3", "register", "escalation_from", true),
              ElementsAre("2017-07-03T09:00:00+08:00 registration"));

  // Outside a campaign nothing is recorded: the state's own chain runs, as for every instance
  // written before the chain was recorded.
  engine::NewInstance plain = Item("QS-4");
  plain.campaign.clear();
  plain.workflow = "qingshan-item";
  plain.fields["time_limit"] = "10wd";
  auto outside = engine_->Register(plain);
  ASSERT_TRUE(outside.ok()) << outside.error().message();
  EXPECT_EQ(outside->escalation, "");
  ASSERT_TRUE(Act("QS-4", "assign", "qs-003").ok());
  RunUntil("2017-07-20T00:00:00+08:00");
  EXPECT_THAT(Steps("QS-4"), ElementsAre("2017-07-18T00:00:00+08:00 reminder_letter"));
  EXPECT_THAT(AuditValues("QS-4", "escalate", "chain", true),
              ElementsAre("2017-07-18T00:00:00+08:00 overdue-rectification@1"));

  engine::NewInstance unknown = Item("QS-5");
  unknown.escalation = "qingshan-ladderr";
  auto refused = engine_->Register(unknown);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message(), HasSubstr("no escalation chain 'qingshan-ladderr'"));
}

TEST_P(CountyCampaignTest, ALedgersEscalationCellComesFirstAndAnUnknownChainIsAnError) {
  At("2017-07-03T09:00:00+08:00");
  Diagnostics diags;
  auto report = Import(
      "id,title,unit,responsible,registered_at,time_limit,escalation\n"
      "E-1,自选督办,taiping-dongcun,qs-008,2017-07-03,5wd,overdue-rectification\n"
      "E-2,战役督办,taiping-dongcun,qs-008,2017-07-03,5wd,\n",
      "qingshan-2017q3", "qs-003", diags);
  ASSERT_TRUE(report.ok()) << report.error().message() << diags.Format();
  EXPECT_EQ(Load("E-1").escalation, "overdue-rectification@1");
  EXPECT_EQ(Load("E-2").escalation, "qingshan-ladder@1");

  Diagnostics wrong;
  auto refused = Import(
      "id,title,unit,responsible,registered_at,time_limit,escalation\n"
      "E-3,错字,taiping-dongcun,qs-008,2017-07-03,5wd,qingshan-ladde\n",
      "qingshan-2017q3", "qs-003", wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(wrong.Format(), HasSubstr("ledger.csv:2:7: error: escalation: no escalation chain "
                                        "'qingshan-ladde' is loaded (hint: did you mean "
                                        "'qingshan-ladder'?)"));
  EXPECT_EQ(Instances(), 2);
}

TEST_P(CountyCampaignTest, AnItemRegisteredInTheRectificationWindowIsDueByItsEnd) {
  At("2017-08-01T10:00:00+08:00");
  Diagnostics diags;
  // The window is 2017-07-10 .. 2017-07-31 (Mon).
  auto report = Import(
      "id,title,unit,responsible,registered_at,time_limit\n"
      "W-1,窗口内，时限越过窗口,taiping-dongcun,qs-008,2017-07-24,10wd\n"
      "W-2,窗口内，时限在窗口内,taiping-dongcun,qs-008,2017-07-10,10wd\n"
      "W-3,窗口内，日期越过窗口,taiping-dongcun,qs-008,2017-07-31,2017-08-15\n"
      "W-4,窗口之后,taiping-dongcun,qs-008,2017-08-01,10wd\n"
      "W-5,窗口之前,taiping-dongcun,qs-008,2017-07-07,10wd\n",
      "qingshan-2017q3", "qs-003", diags);
  ASSERT_TRUE(report.ok()) << report.error().message() << diags.Format();
  // 07-24 + 10wd would end on 08-07: cut to the end of 07-31.
  EXPECT_EQ(Load("W-1").Field("time_limit"), "2017-07-31");
  EXPECT_EQ(Due("W-1"), "2017-08-01T00:00:00+08:00");
  EXPECT_THAT(AuditValues("W-1", "register", "time_limit_asked", true),
              ElementsAre("2017-07-24T00:00:00+08:00 10wd"));
  EXPECT_THAT(AuditValues("W-1", "register", "time_limit_capped_by", true),
              ElementsAre("2017-07-24T00:00:00+08:00 july_rectification"));
  // 07-10 + 10wd ends on 07-24, inside the window: kept.
  EXPECT_EQ(Load("W-2").Field("time_limit"), "10wd");
  EXPECT_EQ(Due("W-2"), "2017-07-25T00:00:00+08:00");
  EXPECT_EQ(Due("W-3"), "2017-08-01T00:00:00+08:00");
  // Outside the window the time limit runs in full: 08-01 + 10wd ends on 08-15, 07-07 on 07-21.
  EXPECT_EQ(Due("W-4"), "2017-08-16T00:00:00+08:00");
  EXPECT_EQ(Due("W-5"), "2017-07-22T00:00:00+08:00");
}

TEST_P(CountyCampaignTest, XinshaosWindowCapsAcrossLabourDay) {
  At("2017-06-01T09:00:00+08:00");
  Diagnostics diags;
  // Xinshao's special rectification runs 2017-04-21 .. 2017-05-21 (Sun).
  auto report = Import(
      "id,title,unit,responsible,registered_at,time_limit\n"
      "X-1,窗口内越界,niangxi,xs-0014,2017-05-10,15wd\n"
      "X-2,跨劳动节,niangxi,xs-0014,2017-04-28,10wd\n",
      "xinshao-2017", "xs-0009", diags);
  ASSERT_TRUE(report.ok()) << report.error().message() << diags.Format();
  // The campaign works the window's weekends: 05-10 + 15wd would end on 05-25 (05-11 .. 05-25),
  // so it is cut to the end of Sunday 05-21.
  EXPECT_EQ(Due("X-1"), "2017-05-22T00:00:00+08:00");
  // 04-28 + 10wd skips 04-29..05-01 (Labour Day) and, with Saturday 05-06 and Sunday 05-07
  // worked, ends on 05-11, inside the window.
  EXPECT_EQ(Due("X-2"), "2017-05-12T00:00:00+08:00");
  EXPECT_EQ(Load("X-2").Field("time_limit"), "10wd");
}

// The same through the real binary, with the county's folder beside a copy of the library as
// RECTIFY_HOME: ledger import, item add, item show, simulate and explain all say the ladder.
class CountyCampaignCliTest : public CountyCampaignTest {
 protected:
  void SetUp() override {
    CountyCampaignTest::SetUp();
    if (HasFatalFailure()) return;
    fs::copy(fs::path(RECTIFY_SOURCE_DIR) / "workflows", home_.path() / "workflows",
             fs::copy_options::recursive);
    fs::copy(fs::path(RECTIFY_SOURCE_DIR) / "migrations", home_.path() / "migrations",
             fs::copy_options::recursive);
    fs::create_directories(home_.path() / "workflows" / "qingshan");
    fs::copy_file(kCountyFolder + "/qingshan.yaml", home_.File("workflows/qingshan/qingshan.yaml"));
  }

  test::CommandResult Run(const std::vector<std::string>& args) {
    return test::RunRectify(args,
                            {{"RECTIFY_DB", db_->url()}, {"RECTIFY_HOME", home_.path().string()}});
  }

  static std::string Line(const std::string& out, const std::string& prefix) {
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with(prefix)) return line;
    }
    return "";
  }

  test::TempDir home_;
};

TEST_P(CountyCampaignCliTest, LedgerImportAndItemAddRecordTheLadderThatItemShowAndTickUse) {
  std::ofstream(home_.File("q3.csv"))
      << "id,title,unit,responsible,registered_at,time_limit\n"
         "QS-1,危房改造台账不全,taiping-dongcun,qs-008,2017-07-03,\n";
  auto imported = Run({"ledger", "import", home_.File("q3.csv"), "--campaign", "qingshan-2017q3",
                       "--as", "qs-003", "--at", "2017-07-03T09:00:00+08:00"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto added = Run({"item", "add", "--id", "QS-2", "--campaign", "qingshan-2017q3", "--unit",
                    "taiping-dongcun", "--responsible", "qs-008", "--title", "资金拨付滞后", "--as",
                    "qs-003", "--at", "2017-07-03T09:00:00+08:00"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.out,
            "registered QS-2 (qingshan-item@1) in state registered, escalating by "
            "qingshan-ladder@1\n");
  ASSERT_EQ(
      Run({"item", "act", "QS-2", "assign", "--as", "qs-003", "--at", "2017-07-03T10:00:00+08:00"})
          .exit_code,
      0);
  ASSERT_EQ(Run({"tick", "--until", "2017-07-26T00:00:00+08:00"}).exit_code, 0);
  for (const char* id : {"QS-1", "QS-2"}) {
    auto shown = Run({"item", "show", id, "--at", "2017-07-26T00:00:00+08:00"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_EQ(Line(shown.out, "chain:"),
              "chain:        qingshan-ladder@1 (青山县逾期整改六级督办), when rectifying is "
              "overdue, recorded at registration")
        << id;
    EXPECT_EQ(Line(shown.out, "escalation:"),
              "escalation:   level 4, suspension of fund payment (暂停拨付)")
        << id;
  }
}

TEST_P(CountyCampaignCliTest, SimulateRunsTheLadderAndExplainSaysSo) {
  std::ofstream(home_.File("q3.csv"))
      << "id,title,unit,responsible,registered_at,time_limit\n"
         "QS-1,危房改造台账不全,taiping-dongcun,qs-008,2017-07-03,\n";
  auto sim =
      Run({"simulate", "--campaign", "qingshan-2017q3", "--items", home_.File("q3.csv"), "--until",
           "2017-08-10", "--on-time", "0", "--late", "0", "--format", "jsonl", "--quiet"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  std::vector<std::string> steps;
  std::istringstream in(sim.out);
  for (std::string line; std::getline(in, line);) {
    auto o = boost::json::parse(line).as_object();
    if (o.at("event") != "escalation" || o.at("item") != "QS-1") continue;
    EXPECT_EQ(o.at("chain"), "qingshan-ladder@1");
    steps.push_back(std::string(o.at("step").as_string()) + " " +
                    boost::json::serialize(o.at("recipients")));
  }
  EXPECT_THAT(
      steps,
      ElementsAre("qs_reminder [\"qs-008\",\"qs-007\"]", "qs_supervision [\"qs-007\",\"qs-006\"]",
                  "qs_interview [\"qs-007\",\"qs-002\"]", "qs_finance [\"qs-004\",\"qs-007\"]",
                  "qs_criticism [\"qs-007\"]", "qs_accountability [\"qs-005\",\"qs-004\"]"));

  auto explained = Run({"explain", kCountyFolder + "/qingshan.yaml", "--definitions",
                        std::string(RECTIFY_SOURCE_DIR) + "/workflows"});
  ASSERT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_THAT(explained.out,
              HasSubstr("  workflow    qingshan-item@1 (items.workflow)\n"
                        "  time limit  10wd (items.time_limit), in state rectifying\n"
                        "  escalation  qingshan-ladder@1 (items.escalation), when "
                        "rectifying is overdue, in place of the workflow's "
                        "overdue-rectification@1 of rectifying\n"));
  EXPECT_THAT(
      explained.out,
      HasSubstr(
          "    4. suspension of fund payment (暂停拨付), 6wd after the deadline: 2017-07-24 (Mon) "
          "08:30\n"));
  EXPECT_THAT(explained.out, HasSubstr("notify org:qingshan-finance.head, unit.head"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CountyCampaignTest,
                         ::testing::Values(test::Backend::kSqlite, test::Backend::kPostgresql),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Backends, CountyCampaignCliTest,
                         ::testing::Values(test::Backend::kSqlite, test::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
