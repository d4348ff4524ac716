// Campaign runs on the shipped Xinshao 2017 campaign, the cn calendar and a virtual clock, on
// SQLite and on PostgreSQL (sqlite/CampaignScenarioTest.*, postgresql/CampaignScenarioTest.*):
// phases on their dates, the materials checkpoint, the monthly assessment and its ranking, the
// look back, and the run's lifecycle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_script.h"
#include "rectify/engine/engine.h"
#include "tests/engine/engine_fixture.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace json = boost::json;

using test::T;

const std::vector<std::string> kTownships = {
    "chenjiafang", "cunshi", "daxin", "jukoupu", "longxipu", "niangxi", "pingshang", "quetang",
    "taizhimiao",  "tanfu",  "tanxi", "tuqiao",  "xiaotang", "yantang", "yingguang"};

class CampaignScenarioTest : public test::EngineFixture {
 protected:
  CampaignScenarioTest() : EngineFixture("2016-12-31T12:00:00+08:00") {}

  // A new connection and a new engine on the same database: an engine restart.
  void Reopen() { Open(definitions_); }

  void Start(const char* at) {
    At(at);
    auto run = engine::StartCampaign(*engine_, "xinshao-2017");
    ASSERT_TRUE(run.ok()) << run.error().message();
  }

  // The run's audit rows of `event` as "local-at value-of-field".
  std::vector<std::string> RunAudit(const std::string& event, const char* field,
                                    const std::string& id = "campaign:xinshao-2017") {
    return AuditValues(id, event, field, /*unquoted=*/true);
  }

  json::object LastRow(const std::string& event, const std::string& id = "campaign:xinshao-2017") {
    json::object last;
    auto rows = store_->AuditOf(id);
    for (const auto& a : *rows) {
      if (a.event == event) last = json::parse(a.data_json).as_object();
    }
    return last;
  }

  // Registers an item of the campaign in `unit` and assigns it (verifier 马娟德).
  void Item(const std::string& id, const std::string& unit, const std::string& responsible,
            const std::string& limit) {
    engine::NewInstance req;
    req.id = id;
    req.workflow = "rectification-item";
    req.campaign = "xinshao-2017";
    req.unit = unit;
    req.responsible = responsible;
    req.title = "贫困户识别不准 " + id;
    req.actor = "xs-0009";
    req.fields = {{"time_limit", limit}};
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
    ASSERT_TRUE(Act(id, "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}}).ok());
  }

  static std::string Head(const std::string& unit) {
    const definition::Org& org = *test::ShippedDefinitions()->FindOrg("xinshao");
    return org.person(org.unit(*org.FindUnit(unit)).roles.at("head").front()).id;
  }
};

TEST_P(CampaignScenarioTest, PhasesBeginAndEndOnTheirDatesAndTheRunClosesAtTheYearsEnd) {
  Start("2016-12-31T12:00:00+08:00");
  EXPECT_EQ(Load("campaign:xinshao-2017").record.state, "scheduled");
  RunUntil("2017-01-01T00:00:00+08:00");
  EXPECT_EQ(Load("campaign:xinshao-2017").record.state, "running");
  EXPECT_EQ(Load("campaign:xinshao-2017").Field("phase"), "spring_action");
  RunUntil("2018-01-02T00:00:00+08:00");
  EXPECT_THAT(RunAudit("phase_began", "phase"),
              ElementsAre("2017-01-01T00:00:00+08:00 spring_action",
                          "2017-04-01T00:00:00+08:00 summer_attack",
                          "2017-07-01T00:00:00+08:00 autumn_breakthrough",
                          "2017-10-01T00:00:00+08:00 winter_general_attack"));
  EXPECT_THAT(RunAudit("phase_ended", "phase"),
              ElementsAre("2017-04-01T00:00:00+08:00 spring_action",
                          "2017-07-01T00:00:00+08:00 summer_attack",
                          "2017-10-01T00:00:00+08:00 autumn_breakthrough",
                          "2018-01-01T00:00:00+08:00 winter_general_attack"));
  EXPECT_THAT(RunAudit("checkpoint_began", "checkpoint"),
              ElementsAre("2017-04-07T00:00:00+08:00 q1_inspection",
                          "2017-04-21T00:00:00+08:00 special_rectification"));
  EXPECT_THAT(RunAudit("checkpoint_ended", "checkpoint"),
              ElementsAre("2017-04-15T00:00:00+08:00 q1_inspection",
                          "2017-05-22T00:00:00+08:00 special_rectification",  // P1M from 04-21
                          "2017-07-01T00:00:00+08:00 look_back"));
  EXPECT_THAT(RunAudit("campaign_began", "campaign"),
              ElementsAre("2017-01-01T00:00:00+08:00 xinshao-2017"));
  EXPECT_THAT(RunAudit("campaign_closed", "campaign"),
              ElementsAre("2018-01-01T00:00:00+08:00 xinshao-2017"));
  engine::Instance run = Load("campaign:xinshao-2017");
  EXPECT_EQ(run.record.state, "closed");
  EXPECT_TRUE(run.timers.empty());
  // The versions it started with are pinned on the run.
  auto pins = json::parse(run.Field("pins")).as_object();
  EXPECT_EQ(pins["campaign"].as_string(), "xinshao-2017@3");
  EXPECT_EQ(pins["org"].as_string(), "xinshao@1");
  EXPECT_EQ(pins["workflows"].as_object()["materials-submission"].as_int64(), 1);
  EXPECT_EQ(pins["assessments"].as_object()["xinshao-monthly"].as_int64(), 2);
  // A phase change reaches the county's bulletin.
  auto pending = store_->PendingOutbox(T("2019-01-01T00:00:00Z"), 1000);
  ASSERT_TRUE(pending.ok());
  int bulletins = 0;
  for (const auto& o : *pending) bulletins += o.channel == "bulletin" && o.recipient == "xinshao";
  EXPECT_GE(bulletins, 8);

  // Exactly once: an engine restart fires nothing again.
  Reopen();
  auto again = engine_->FireDue();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->timers, 0);
  EXPECT_EQ(RunAudit("phase_began", "phase").size(), 4u);
}

TEST_P(CampaignScenarioTest, MonthlyAssessmentFiresOnTheFirstWorkingDayOfEachMonth) {
  Start("2016-12-31T12:00:00+08:00");
  RunUntil("2018-01-01T00:00:00+08:00");
  // January's first working day assesses December 2016, before the campaign: not armed.
  // 2017-04-01 is a Saturday worked for Qingming; May 1 and the National Day week are holidays.
  EXPECT_THAT(RunAudit("assessment", "period"),
              ElementsAre("2017-02-03T08:30:00+08:00 2017-01-01..2017-01-31",
                          "2017-03-01T08:30:00+08:00 2017-02-01..2017-02-28",
                          "2017-04-01T08:30:00+08:00 2017-03-01..2017-03-31",
                          "2017-05-02T08:30:00+08:00 2017-04-01..2017-04-30",
                          "2017-06-01T08:30:00+08:00 2017-05-01..2017-05-31",
                          "2017-07-03T08:30:00+08:00 2017-06-01..2017-06-30",
                          "2017-08-01T08:30:00+08:00 2017-07-01..2017-07-31",
                          "2017-09-01T08:30:00+08:00 2017-08-01..2017-08-31",
                          "2017-10-09T08:30:00+08:00 2017-09-01..2017-09-30",
                          "2017-11-01T08:30:00+08:00 2017-10-01..2017-10-31",
                          "2017-12-01T08:30:00+08:00 2017-11-01..2017-11-30"));
}

TEST_P(CampaignScenarioTest, MaterialsCheckpointOpensOneInstancePerTownshipDueAtTheEndOfMay15) {
  Start("2017-04-21T00:00:00+08:00");
  // Started mid-campaign: the summer phase and the special rectification are under way, the
  // first-quarter inspection is past and skipped.
  RunUntil("2017-04-21T00:00:00+08:00");
  EXPECT_THAT(RunAudit("phase_began", "phase"),
              ElementsAre("2017-04-21T00:00:00+08:00 summer_attack"));
  EXPECT_THAT(RunAudit("checkpoint_began", "checkpoint"),
              ElementsAre("2017-04-21T00:00:00+08:00 special_rectification"));
  auto opened = LastRow("checkpoint_opened");
  ASSERT_TRUE(opened.contains("instances"));
  EXPECT_EQ(opened["instances"].as_array().size(), 15u);
  EXPECT_EQ(opened["notified"].as_array().size(), 15u);  // each township's head

  InstanceFilter filter;
  filter.campaign = "xinshao-2017";
  filter.workflow = "materials-submission";
  auto list = store_->ListInstances(filter);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> units;
  for (const auto& r : *list) units.push_back(r.unit_id);
  EXPECT_EQ(units, kTownships);

  engine::Instance m = Load("xinshao-2017/materials/niangxi");
  EXPECT_EQ(m.record.state, "preparing");
  EXPECT_EQ(m.responsible, "xs-0012");  // 酿溪镇's head
  EXPECT_EQ(m.Field("due"), "2017-05-15");
  EXPECT_EQ(FormatIso(**DeadlineClock(Cn(), m.clocks.at("preparing").clock).RunningDeadline()),
            "2017-05-15T16:00:00Z");  // the end of 2017-05-15 in Shanghai
  std::vector<std::string> timers;
  for (const auto& t : m.timers) timers.push_back(Cn().FormatLocal(t.due) + " " + t.name);
  // The campaign cancels weekend rest during its special rectification (04-21 .. 05-21), so its
  // instances count Saturday 05-13, Sunday 05-14 and Saturday 05-20 as working days: -3wd is
  // Friday 05-12, -1wd Sunday 05-14, and the informed criticism 5wd after the due day Saturday
  // 05-20 (16, 17, 18, 19, 20).
  EXPECT_THAT(timers, ElementsAre("2017-05-12T08:30:00+08:00 remind:preparing:0",
                                  "2017-05-14T08:30:00+08:00 remind:preparing:1",
                                  "2017-05-16T00:00:00+08:00 escalate:preparing:0",
                                  "2017-05-17T08:30:00+08:00 escalate:preparing:1",
                                  "2017-05-20T08:30:00+08:00 escalate:preparing:2"));

  // 酿溪镇 files on time (on Saturday, a working day of the campaign); the others are reminded
  // and, once late, escalated.
  RunUntil("2017-05-13T10:00:00+08:00");
  ASSERT_TRUE(Act("xinshao-2017/materials/niangxi", "submit", "xs-0012", {"材料汇编.pdf"}).ok());
  RunUntil("2017-05-17T00:00:00+08:00");
  EXPECT_THAT(RunAudit("remind", "offset", "xinshao-2017/materials/yantang"),
              ElementsAre("2017-05-12T08:30:00+08:00 -3wd", "2017-05-14T08:30:00+08:00 -1wd"));
  EXPECT_THAT(RunAudit("escalate", "measure", "xinshao-2017/materials/yantang"),
              ElementsAre("2017-05-16T00:00:00+08:00 reminder_letter"));
  EXPECT_THAT(RunAudit("remind", "offset", "xinshao-2017/materials/niangxi"),
              ElementsAre("2017-05-12T08:30:00+08:00 -3wd"));
  EXPECT_TRUE(RunAudit("escalate", "measure", "xinshao-2017/materials/niangxi").empty());
}

TEST_P(CampaignScenarioTest, AssessmentRanksTownshipsFromDeductionsWithTheOneVoteVeto) {
  Start("2017-04-21T00:00:00+08:00");
  At("2017-04-21T10:00:00+08:00");
  // Due 2017-05-04, never submitted: 10 working days from Friday 04-21 with the special
  // rectification's weekends worked (04-22 .. 04-28, 05-02 .. 05-04; Labour Day off).
  Item("Q-1", "niangxi", "xs-0014", "10wd");
  Item("Q-2", "yantang", "xs-0025", "10wd");
  RunUntil("2017-05-03T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-2", "submit", "xs-0025", {"整改照片.zip"}).ok());
  RunUntil("2017-05-04T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-2", "accept", "xs-0007").ok());
  // Every township files its materials on time, so only Q-1 costs points.
  for (const auto& t : kTownships) {
    ASSERT_TRUE(Act("xinshao-2017/materials/" + t, "submit", Head(t), {"材料汇编.pdf"}).ok());
    ASSERT_TRUE(Act("xinshao-2017/materials/" + t, "accept", "xs-0007").ok());
  }
  RunUntil("2017-06-01T09:00:00+08:00");

  auto june = LastRow("assessment");
  EXPECT_EQ(june["period"].as_string(), "2017-05-01..2017-05-31");
  const auto& ranking = june["ranking"].as_array();
  ASSERT_EQ(ranking.size(), 15u);
  // Everyone else keeps 100; 酿溪镇 lost 0.5 + 1 + 1 + 2 + 3 + 3 + (5 + 2) for May's seven steps
  // (05-05, 05-07, 05-09, 05-12, 05-16, 05-19 and the informed criticism on 05-24, with its own
  // -2) and 1 for its item overdue at the run.
  // The 14 level at 100 in the org's order (the definition's ties end with unit_order).
  EXPECT_EQ(ranking[0].as_object().at("unit").as_string(), "yantang");
  const auto& last = ranking[14].as_object();
  EXPECT_EQ(last.at("unit").as_string(), "niangxi");
  EXPECT_EQ(last.at("rank").as_int64(), 15);
  EXPECT_EQ(last.at("score").as_string(), "81.5");
  EXPECT_EQ(last.at("escalations").as_int64(), 7);
  EXPECT_EQ(last.at("overdue_items").as_int64(), 1);

  // Accountability (2017-06-08) is a veto criterion: July's ranking fails 酿溪镇 whatever its
  // score, after every unit that passed.
  RunUntil("2017-07-03T09:00:00+08:00");
  auto july = LastRow("assessment");
  EXPECT_EQ(july["period"].as_string(), "2017-06-01..2017-06-30");
  const auto& vetoed = july["ranking"].as_array()[14].as_object();
  EXPECT_EQ(vetoed.at("unit").as_string(), "niangxi");
  EXPECT_EQ(json::serialize(vetoed.at("vetoes")), "[\"accountability_case\"]");
  EXPECT_NE(vetoed.at("score").as_string(), "100.0");

  auto bulletin = store_->PendingOutbox(T("2019-01-01T00:00:00Z"), 2000);
  ASSERT_TRUE(bulletin.ok());
  bool named = false;
  for (const auto& o : *bulletin) {
    named = named || (o.template_name == "campaign" &&
                      o.payload_json.find("15. 酿溪镇") != std::string::npos);
  }
  EXPECT_TRUE(named) << "the bulletin names the last place";
}

TEST_P(CampaignScenarioTest, LookBackSamplesClosedItemsDeterministicallyAndAnInspectorReopens) {
  Start("2017-04-21T00:00:00+08:00");
  At("2017-04-21T10:00:00+08:00");
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 10; ++i) {
    std::string id = "Q-" + std::to_string(i + 1);
    Item(id, kTownships[i], Head(kTownships[i]), "10wd");
    ids.push_back(id);
  }
  At("2017-05-03T10:00:00+08:00");
  for (const auto& id : ids) {
    ASSERT_TRUE(Act(id, "submit", Load(id).responsible, {"整改照片.zip"}).ok());
  }
  At("2017-05-04T10:00:00+08:00");
  for (const auto& id : ids) ASSERT_TRUE(Act(id, "accept", "xs-0007").ok());
  RunUntil("2017-06-01T01:00:00+08:00");

  std::vector<std::string> expected =
      engine::SampleForLookBack(ids, 0.2, "xinshao-2017|look_back|2017-06-01");
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_EQ(engine::SampleForLookBack(ids, 0.2, "xinshao-2017|look_back|2017-06-01"), expected);
  auto look_back = LastRow("look_back");
  EXPECT_EQ(look_back["candidates"].as_int64(), 10);
  std::vector<std::string> sampled;
  for (const auto& v : look_back["sampled"].as_array()) sampled.emplace_back(v.as_string());
  EXPECT_EQ(sampled, expected);
  EXPECT_THAT(RunAudit("look_back", "checkpoint", expected[0]),
              ElementsAre("2017-06-01T00:00:00+08:00 look_back"));
  EXPECT_EQ(Load(expected[0]).Field("look_back"), "look_back@2017-06-01");
  EXPECT_EQ(Load(expected[0]).record.state, "closed");  // reopening is the inspector's call

  // The inspector finds the rectification did not hold and reopens it: a fresh 10wd.
  At("2017-06-05T10:00:00+08:00");
  auto reopened = Act(expected[0], "reopen", "xs-0004", {}, "回头看发现问题反弹");
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  EXPECT_EQ(reopened->record.state, "rectifying");
  EXPECT_EQ(
      FormatIso(**DeadlineClock(Cn(), reopened->clocks.at("rectifying").clock).RunningDeadline()),
      "2017-06-19T16:00:00Z");
}

// Seed 001: during the special rectification (2017-04-21..2017-05-21) "the county poverty
// alleviation office canceled the weekend break". Its weekends are working days for the items'
// deadlines, Labour Day (04-29..05-01) stays a holiday, and after the window the official
// calendar holds again. Checked by hand against the 2017 State Council calendar.
TEST_P(CampaignScenarioTest, WeekendRestCancelledDuringTheSpecialRectificationMovesDeadlines) {
  auto c = test::ShippedDefinitions()->FindCampaign("xinshao-2017");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->calendar_changes().size(), 1u);
  const Calendar& items_cal = *c->item_calendar_ptr();
  // The campaign's working days: Saturday 04-22 and Sunday 05-21 are worked; 04-29 and 04-30
  // (Labour Day's weekend) are not; Saturday 05-27 is the official make-up day anyway; 06-03
  // (after the window) is a Saturday off.
  for (const char* d : {"2017-04-22", "2017-05-06", "2017-05-21", "2017-05-27"})
    EXPECT_TRUE(*items_cal.IsWorkday(*ParseDate(d))) << d;
  for (const char* d : {"2017-04-29", "2017-04-30", "2017-05-01", "2017-06-03", "2017-04-16"})
    EXPECT_FALSE(*items_cal.IsWorkday(*ParseDate(d))) << d;
  EXPECT_FALSE(*Cn().IsWorkday(*ParseDate("2017-05-06")));  // the official calendar is untouched

  Start("2017-04-21T00:00:00+08:00");
  // Registered Monday 04-24 with 10wd: 04-25..04-28 (4), 05-02..05-05 (8), Saturday 05-06 (9),
  // Sunday 05-07 (10). On the official calendar it would be Tuesday 05-09.
  At("2017-04-24T10:00:00+08:00");
  Item("Q-1", "niangxi", "xs-0014", "10wd");
  auto due = [&](const std::string& id) {
    engine::Instance i = Load(id);
    DeadlineClock dc(items_cal, i.CurrentClock()->clock);
    return items_cal.FormatLocal(**dc.RunningDeadline());
  };
  EXPECT_EQ(due("Q-1"), "2017-05-08T00:00:00+08:00");  // the end of Sunday 05-07
  // The reminder a working day before falls on Saturday 05-06, at the start of working hours.
  std::vector<std::string> timers = PendingTimers("Q-1");
  EXPECT_THAT(timers, ::testing::Contains("2017-05-06T08:30:00+08:00 remind:rectifying:1"));

  // Registered after the window, on Thursday 06-01 with 5wd: 06-02, then Monday 06-05..06-08.
  At("2017-06-01T10:00:00+08:00");
  Item("Q-2", "yantang", "xs-0025", "5wd");
  EXPECT_EQ(due("Q-2"), "2017-06-09T00:00:00+08:00");
  EXPECT_EQ(Due("Q-2"), "2017-06-09T00:00:00+08:00");
  EXPECT_EQ(Due("Q-1"), "2017-05-08T00:00:00+08:00");  // Due() reads the item's calendar too
}

// Seed 001: "problems are found again during the inspection, the relevant leaders and
// responsible persons will be held fully responsible". An item that had reached the suggestion
// letter (step 3) before it was closed, sampled by the June look back and reopened, goes on one
// step higher at once (the work interview, with its interview task) and the later steps follow
// its new deadline; the letters it had received are not sent again.
TEST_P(CampaignScenarioTest, FoundAgainAtTheLookBackContinuesTheLadderOneStepHigher) {
  Start("2017-04-21T00:00:00+08:00");
  At("2017-04-21T10:00:00+08:00");
  // Due 05-04 (the special rectification works its weekends): reminder letter 05-05 00:00,
  // supervision letter 05-07 (3wd), suggestion letter 05-09 (5wd), work interview 05-12 (8wd).
  Item("Q-1", "niangxi", "xs-0014", "10wd");
  RunUntil("2017-05-10T10:00:00+08:00");
  EXPECT_THAT(RunAudit("escalate", "measure", "Q-1"),
              ElementsAre("2017-05-05T00:00:00+08:00 reminder_letter",
                          "2017-05-07T08:30:00+08:00 supervision_letter",
                          "2017-05-09T08:30:00+08:00 suggestion_letter"));
  ASSERT_TRUE(Act("Q-1", "submit", "xs-0014", {"整改照片.zip"}).ok());
  ASSERT_TRUE(Act("Q-1", "accept", "xs-0007").ok());
  RunUntil("2017-06-01T01:00:00+08:00");
  // The only closed item of the campaign, so 20% of one (rounded up) samples it.
  auto look_back = LastRow("look_back");
  EXPECT_EQ(json::serialize(look_back["sampled"]), "[\"Q-1\"]");
  EXPECT_EQ(look_back["chosen_by"].as_string(), "campaign run xinshao-2017 (system)");
  EXPECT_EQ(look_back["method"].as_string(),
            "the 1 of 1 closed items with the lowest StableHash(seed|item id) (share rounded up)");

  At("2017-06-05T10:00:00+08:00");
  auto reopened = Act("Q-1", "reopen", "xs-0004", {}, "回头看发现问题反弹");
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  auto row = LastRow("reopen", "Q-1");
  EXPECT_EQ(row["ladder"].as_string(), "step_up");
  EXPECT_EQ(row["level_reached"].as_int64(), 3);
  EXPECT_EQ(row["level"].as_int64(), 4);
  EXPECT_EQ(row["step"].as_string(), "work_interview");
  EXPECT_THAT(RunAudit("escalate", "measure", "Q-1"),
              ElementsAre("2017-05-05T00:00:00+08:00 reminder_letter",
                          "2017-05-07T08:30:00+08:00 supervision_letter",
                          "2017-05-09T08:30:00+08:00 suggestion_letter",
                          "2017-06-05T10:00:00+08:00 work_interview"));
  auto interview = LastRow("escalate", "Q-1");
  ASSERT_TRUE(interview.contains("task"));
  EXPECT_EQ(Load(std::string(interview["task"].as_string())).record.state, "scheduled");
  // A fresh 10wd from 06-05 ends 06-19; the next step, the warning interview, is 12wd after it
  // (06-20 .. 06-30, 07-03 .. 07-05); nothing below the work interview is armed again.
  std::vector<std::string> escalations;
  for (const auto& t : PendingTimers("Q-1")) {
    if (t.find("escalate:") != std::string::npos) escalations.push_back(t);
  }
  ASSERT_FALSE(escalations.empty());
  EXPECT_EQ(escalations.front(), "2017-07-05T08:30:00+08:00 escalate:rectifying:4");
  RunUntil("2017-07-06T00:00:00+08:00");
  EXPECT_EQ(RunAudit("escalate", "measure", "Q-1").back(),
            "2017-07-05T08:30:00+08:00 warning_interview");
  EXPECT_EQ(RunAudit("escalate", "measure", "Q-1").size(), 5u);
}

TEST_P(CampaignScenarioTest, StartingTwiceOrAfterTheEndIsRefused) {
  Start("2017-04-21T00:00:00+08:00");
  auto again = engine::StartCampaign(*engine_, "xinshao-2017");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUniqueViolation);
  EXPECT_THAT(again.error().message(), HasSubstr("was started before (it is running)"));
  At("2018-01-05T00:00:00+08:00");
  auto late = engine::StartCampaign(*engine_, "jinkouhe-2017");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), ErrorCode::kFailedPrecondition);
  auto unknown = engine::StartCampaign(*engine_, "nowhere-2017");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message(), HasSubstr("known: hecheng-supervision-2017"));
}

TEST_P(CampaignScenarioTest, ThemedInspectionOpensARoundPerTownshipWithTheMonthsTheme) {
  At("2017-01-01T00:00:00+08:00");
  ASSERT_TRUE(engine::StartCampaign(*engine_, "jinkouhe-2017").ok());
  RunUntil("2017-02-10T00:00:00+08:00");
  auto rows = RunAudit("recurring", "theme", "campaign:jinkouhe-2017");
  // The fifth working day: 2017-01-09 (Jan 2 was a holiday); in February, after the Spring
  // Festival, 02-03, the make-up Saturday 02-04, 02-06, 02-07, 02-08.
  EXPECT_THAT(rows, ElementsAre("2017-01-09T08:30:00+08:00 精准识别",
                                "2017-02-08T08:30:00+08:00 项目资金"));
  auto opened = LastRow("recurring", "campaign:jinkouhe-2017");
  ASSERT_FALSE(opened["instances"].as_array().empty());
  engine::Instance round = Load(std::string(opened["instances"].as_array()[0].as_string()));
  EXPECT_EQ(round.record.workflow, "inspection-round");
  EXPECT_EQ(round.Field("theme"), "项目资金");
}

INSTANTIATE_TEST_SUITE_P(Backends, CampaignScenarioTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

TEST(CampaignLifecycleTest, RefusesIllegalEventsAndStaysWhereItWas) {
  engine::CampaignLifecycle life;
  EXPECT_EQ(life.state(), engine::CampaignState::kDraft);
  Status close = life.Process(engine::CampaignEvent::kClose);
  ASSERT_FALSE(close.ok());
  EXPECT_EQ(close.error().message(), "cannot close a campaign that is draft");
  EXPECT_FALSE(life.Process(engine::CampaignEvent::kBegin).ok());
  EXPECT_EQ(life.state(), engine::CampaignState::kDraft);
  EXPECT_TRUE(life.Process(engine::CampaignEvent::kSchedule).ok());
  EXPECT_EQ(life.Process(engine::CampaignEvent::kSchedule).error().message(),
            "cannot schedule a campaign that is scheduled");
  EXPECT_TRUE(life.Process(engine::CampaignEvent::kBegin).ok());
  engine::CampaignLifecycle copy = life;
  EXPECT_EQ(copy.state(), engine::CampaignState::kRunning);
  EXPECT_TRUE(life.Process(engine::CampaignEvent::kClose).ok());
  EXPECT_EQ(life.Process(engine::CampaignEvent::kClose).error().message(),
            "cannot close a campaign that is closed");
  EXPECT_EQ(life.state(), engine::CampaignState::kClosed);
  engine::CampaignLifecycle restored(engine::CampaignState::kClosed);
  EXPECT_FALSE(restored.Process(engine::CampaignEvent::kBegin).ok());
}

TEST(StableHashTest, IsStableAcrossRunsAndSpreadsShares) {
  EXPECT_EQ(engine::StableHash("xinshao-2017|look_back|2017-06-01|Q-1"),
            engine::StableHash("xinshao-2017|look_back|2017-06-01|Q-1"));
  EXPECT_NE(engine::StableHash("a"), engine::StableHash("b"));
  int below = 0;
  for (int i = 0; i < 1000; ++i) below += engine::StableShare("item-" + std::to_string(i)) < 0.3;
  EXPECT_GT(below, 240);
  EXPECT_LT(below, 360);
}

}  // namespace
}  // namespace rectify
