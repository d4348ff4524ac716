// Task inventories (issue 15, point 6; engine/tasks.h) on SQLite and PostgreSQL: Jinkouhe's
// 119-project inventory (seed 000) imported from the shipped sample, a bad file refused with every
// cell's row and column and nothing written, a milestone missed (reminders, then the escalation
// ladder, dates counted by hand on the cn calendar), a month without a progress report, and the
// export read back with the XLSX reader.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/http/api/table_output.h"
#include "rectify/engine/assessment.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/tasks.h"
#include "rectify/engine/xlsx_reader.h"
#include "tests/engine/engine_fixture.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kHeader =
    "任务编号,类别,项目名称,建设内容,责任单位,责任人,计划投资（元）,开工时限,完工时限\n";

class TasksTest : public test::EngineFixture {
 protected:
  TasksTest() : EngineFixture("2017-05-02T09:00:00+08:00") {}

  const definition::LedgerKind& Jinkouhe() {
    return *definitions_->FindLedgerKind("jinkouhe-tasks");
  }

  Result<engine::TaskImport> Import(const std::string& bytes, const std::string& actor,
                                    Diagnostics& diags, const std::string& file = "任务清单.csv") {
    engine::TaskImportOptions o;
    o.file.file = file;
    o.actor = actor;
    return engine::ImportTasks(*engine_, *definitions_, Jinkouhe(), bytes, o, diags);
  }

  Result<engine::Instance> Report(const std::string& task, const std::string& percent,
                                  const std::string& text, const std::string& actor = "jkh-21") {
    return engine::ReportProgress(*engine_, *definitions_, {task, actor, percent, text});
  }

  // The escalation steps taken on `id`, as "local-at measure".
  std::vector<std::string> Steps(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& e : Load(id).escalations)
      out.push_back(Cn().FormatLocal(e.at) + " " + e.measure);
    return out;
  }
};

TEST_P(TasksTest, TheShippedJinkouheInventoryImportsAs119TasksWithTheirMilestones) {
  std::string bytes =
      ReadFile(std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/jinkouhe-tasks-sample.csv");
  Diagnostics diags;
  auto done = Import(bytes, "jkh-04", diags, "jinkouhe-tasks-sample.csv");
  ASSERT_TRUE(done.ok()) << done.error().message() << "\n" << diags.Format();
  EXPECT_FALSE(diags.has_errors());
  EXPECT_EQ(done->rows, 119u);
  EXPECT_EQ(done->tasks.size(), 119u);
  EXPECT_EQ(done->milestones.size(), 238u);  // start and completion of each
  EXPECT_EQ(done->first_period, "2017-05");
  EXPECT_EQ(Instances(), 357);

  engine::Instance t = Load("JKH-RW-001");
  EXPECT_EQ(t.record.workflow, "task");
  EXPECT_EQ(t.record.state, "reporting");
  EXPECT_EQ(t.Field("inventory"), "jinkouhe-tasks");
  EXPECT_EQ(t.Field("period"), "2017-05");
  // May's report is due on its last working day: 2017-05-31, a Wednesday (the Dragon Boat
  // holiday was 05-28 .. 05-30), so the deadline ends with that day.
  EXPECT_EQ(t.Field("period_due"), "2017-05-31");
  EXPECT_EQ(Due("JKH-RW-001"), "2017-06-01T00:00:00+08:00");
  EXPECT_EQ(t.record.unit_id, "gongtong");  // 共安彝族乡, by its name in the file
  EXPECT_EQ(t.responsible, "jkh-22");       // 共三, by name
  EXPECT_EQ(t.title, "共安彝族乡团结村乡村旅游接待点建设");
  engine::Instance start = Load("JKH-RW-001-start");
  EXPECT_EQ(start.record.workflow, "task-milestone");
  EXPECT_EQ(start.Field("task"), "JKH-RW-001");
  EXPECT_EQ(start.Field("due"), "2017-05-20");
  EXPECT_EQ(Due("JKH-RW-001-start"), "2017-05-21T00:00:00+08:00");

  auto all = engine::ListTasks(*engine_, *definitions_, {"jinkouhe-tasks", "", std::nullopt});
  ASSERT_TRUE(all.ok()) << all.error().message();
  EXPECT_EQ(all->size(), 119u);
  EXPECT_EQ(all->front().milestones.size(), 2u);
  // A township head reads the tasks of the township only.
  auto heping = engine::ListTasks(
      *engine_, *definitions_, {"jinkouhe-tasks", "", engine::Reader{"jkh-21", "jinkouhe", false}});
  ASSERT_TRUE(heping.ok()) << heping.error().message();
  EXPECT_GT(heping->size(), 0u);
  EXPECT_LT(heping->size(), 119u);
  for (const auto& v : *heping) EXPECT_EQ(v.task.record.unit_id, "heping") << v.task.record.id;

  // The same file again: every task is there already; nothing more is written.
  Diagnostics again;
  EXPECT_FALSE(Import(bytes, "jkh-04", again).ok());
  EXPECT_EQ(again.error_count(), 119u);
  EXPECT_EQ(Instances(), 357);
}

TEST_P(TasksTest, ABadFileIsRefusedWithEveryCellsRowAndColumnAndNothingIsWritten) {
  std::string bytes =
      std::string(kHeader) +
      "T-1,产业发展,和平彝族乡红花村茶叶种植基地建设,100亩,和平彝族乡,和二,,2017-06-09,2017-09-30\n"
      "T-2,产业发展,挖角村核桃种植,80亩,和平乡,和二,,2017-06-09,2017-09-30\n"
      "T-3,交通道路,前进村通村公路硬化,3.2公里,和平彝族乡,和二,,2017-06-31,下月底\n"
      "T-1,安全饮水,乌坡村安全饮水工程,,和平彝族乡,和二,,2017-06-09,60wd\n"
      "T-5,教育扶贫,,,区教育局,潘林,,2017-06-09,2019-01-10\n";
  Diagnostics diags;
  auto done = Import(bytes, "jkh-04", diags);
  ASSERT_FALSE(done.ok());
  EXPECT_THAT(done.error().message(), HasSubstr("nothing was imported"));
  std::vector<std::string> at;
  for (const auto& d : diags.items()) {
    if (d.severity != Severity::kError) continue;
    at.push_back(std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + " " + d.path);
  }
  EXPECT_THAT(at, ElementsAre("3:5 unit",       // 和平乡 is no unit of jinkouhe
                              "4:8 start_due",  // June has no 31st
                              "5:1 task_no",    // T-1 twice
                              "6:3 project"));  // required, empty
  EXPECT_EQ(Instances(), 0);

  // The ledger's cells are right now; the task role's own checks: a due date or limit that is
  // neither, one outside the calendar's years, the importer's scope.
  std::string second =
      std::string(kHeader) +
      "T-1,产业发展,红花村茶叶种植基地建设,100亩,和平彝族乡,和二,,2017-06-09,下月底\n"
      "T-2,教育扶贫,金河镇中心小学教学楼维修,,区教育局,潘林,,2017-06-09,2031-01-10\n"
      "T-3,产业发展,大河村蔬菜大棚建设,,金河镇,金一,,2017-06-09,60wd\n";
  Diagnostics role_diags;
  ASSERT_FALSE(Import(second, "jkh-21", role_diags).ok());  // 和二, head of 和平彝族乡
  std::vector<std::string> messages;
  for (const auto& d : role_diags.items()) {
    if (d.severity != Severity::kError) continue;
    messages.push_back(std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + " " +
                       d.message);
  }
  ASSERT_EQ(messages.size(), 5u) << role_diags.Format();
  EXPECT_THAT(messages[0], HasSubstr("2:5 和二 (jkh-21) may not register tasks at 和平彝族乡"));
  EXPECT_THAT(messages[1], HasSubstr("2:9 '下月底' is not a due date or a time limit"));
  EXPECT_THAT(messages[2], HasSubstr("3:5 和二 (jkh-21) may not register tasks at 区教育局"));
  EXPECT_THAT(messages[3], HasSubstr("3:9 "));  // 2031 is outside the calendar's years
  EXPECT_THAT(messages[3], HasSubstr("2031"));
  EXPECT_THAT(messages[4], HasSubstr("4:5 和二 (jkh-21) may not register tasks at 金河镇"));
  EXPECT_EQ(Instances(), 0);
}

TEST_P(TasksTest, AMissedMilestoneIsRemindedThenEscalatedLikeAnOverdueItem) {
  At("2017-06-01T09:00:00+08:00");
  std::string bytes = std::string(kHeader) +
                      "T-1,产业发展,和平彝族乡红花村茶叶种植基地建设,100亩,和平彝族乡,和二,,2017-"
                      "06-09,2017-09-29\n";
  Diagnostics diags;
  auto done = Import(bytes, "jkh-04", diags);
  ASSERT_TRUE(done.ok()) << done.error().message() << diags.Format();
  // 开工 by 2017-06-09, a Friday: reminders 5 working days before (06-02), 1 before (06-08) and
  // on the day; overdue from 06-10 00:00.
  EXPECT_EQ(Due("T-1-start"), "2017-06-10T00:00:00+08:00");
  RunUntil("2017-06-09T23:00:00+08:00");
  EXPECT_THAT(
      AuditValues("T-1-start", "remind", "offset"),
      ElementsAre(HasSubstr("2017-06-02"), HasSubstr("2017-06-08"), HasSubstr("2017-06-09")));
  EXPECT_TRUE(Steps("T-1-start").empty());
  // Missed: the reminder letter at once; the supervision letter on the 3rd working day after
  // the deadline's day (06-12, 13, 14) and the work interview on the 8th (06-12 .. 06-21), each
  // when working hours begin there (08:30), as letters go out; the interview opens a task for the
  // district's leader.
  RunUntil("2017-06-23T12:00:00+08:00");
  EXPECT_THAT(Steps("T-1-start"), ElementsAre("2017-06-10T00:00:00+08:00 reminder_letter",
                                              "2017-06-14T08:30:00+08:00 supervision_letter",
                                              "2017-06-21T08:30:00+08:00 work_interview"));
  engine::Instance start = Load("T-1-start");
  EXPECT_EQ(start.EscalationLevel(), 3);
  ASSERT_EQ(start.escalations.size(), 3u);
  EXPECT_FALSE(start.escalations[2].task_id.empty());
  auto shown = engine::ShowTask(*engine_, *definitions_, "T-1", std::nullopt);
  ASSERT_TRUE(shown.ok()) << shown.error().message();
  EXPECT_EQ(shown->milestone_level, 3);
  EXPECT_TRUE(shown->milestones[0].deadline.overdue);

  // Reached late (with evidence): the ladder stops there.
  auto reached = Act("T-1-start", "reach", "jkh-21", {"开工照片"});
  ASSERT_TRUE(reached.ok()) << reached.error().message();
  RunUntil("2017-07-31T12:00:00+08:00");
  EXPECT_EQ(Steps("T-1-start").size(), 3u);
}

TEST_P(TasksTest, AMonthWithoutAReportIsOverdueAndEveryReportIsKept) {
  At("2017-06-01T09:00:00+08:00");
  std::string bytes = std::string(kHeader) +
                      "T-1,产业发展,和平彝族乡红花村茶叶种植基地建设,100亩,和平彝族乡,和二,,2017-"
                      "06-30,2017-12-29\n";
  Diagnostics diags;
  ASSERT_TRUE(Import(bytes, "jkh-04", diags).ok()) << diags.Format();
  EXPECT_EQ(Load("T-1").Field("period"), "2017-06");
  // June's report: due with 06-30 (a Friday); reminded 3 working days before (06-27) and 1
  // before (06-29).
  EXPECT_EQ(Due("T-1"), "2017-07-01T00:00:00+08:00");
  // Too early for July: June's report first, and a report is for the period that is due.
  At("2017-06-20T10:00:00+08:00");
  auto early = Report("T-1", "15", "完成土地流转 100 亩");
  ASSERT_TRUE(early.ok()) << early.error().message();
  EXPECT_EQ(early->Field("reported"), "2017-06");
  EXPECT_EQ(early->Field("period"), "2017-07");
  EXPECT_EQ(Due("T-1"), "2017-08-01T00:00:00+08:00");  // July 31, a Monday
  auto too_soon = Report("T-1", "20", "又完成一部分");
  ASSERT_FALSE(too_soon.ok());
  EXPECT_THAT(too_soon.error().message(), HasSubstr("the report for 2017-07 opens on 2017-07-01"));

  // July passes without a report: reminded 07-26 (3 working days before) and 07-28, then the
  // reminder letter with the deadline (08-01 00:00), the supervision letter on the 2nd working
  // day after July 31 (08-01, 08-02) and the informed criticism on the 5th (08-01 .. 08-07, the
  // weekend skipped), at 08:30 each.
  RunUntil("2017-08-07T12:00:00+08:00");
  EXPECT_THAT(AuditValues("T-1", "remind", "offset"),
              ElementsAre(HasSubstr("2017-07-26"), HasSubstr("2017-07-28")));
  EXPECT_THAT(Steps("T-1"), ElementsAre("2017-08-01T00:00:00+08:00 reminder_letter",
                                        "2017-08-02T08:30:00+08:00 supervision_letter",
                                        "2017-08-07T08:30:00+08:00 informed_criticism"));
  EXPECT_EQ(Load("T-1").EscalationLevel(), 3);

  // Reported late on 08-07, for July: the ladder stops, August's report is due 08-31.
  At("2017-08-07T15:00:00+08:00");
  auto late = Report("T-1", "40", "茶苗栽植完成 60 亩");
  ASSERT_TRUE(late.ok()) << late.error().message();
  EXPECT_EQ(late->Field("reported"), "2017-07");
  EXPECT_EQ(Load("T-1").EscalationLevel(), 0);
  EXPECT_EQ(Due("T-1"), "2017-09-01T00:00:00+08:00");
  RunUntil("2017-08-20T12:00:00+08:00");
  EXPECT_EQ(Steps("T-1").size(), 3u);

  // Only the person responsible (or the unit's head) reports; the percent is a percent.
  auto stranger = Report("T-1", "50", "x", "jkh-20");
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(Report("T-1", "120", "x").error().code(), ErrorCode::kBadInput);
  EXPECT_EQ(Report("T-1", "50", "").error().code(), ErrorCode::kBadInput);

  At("2017-08-25T10:00:00+08:00");
  auto done = Report("T-1", "100", "全部完成，通过验收");
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_EQ(done->record.state, "done");
  EXPECT_EQ(Due("T-1"), "none");
  EXPECT_EQ(Report("T-1", "100", "again").error().code(), ErrorCode::kFailedPrecondition);

  auto shown = engine::ShowTask(*engine_, *definitions_, "T-1", std::nullopt);
  ASSERT_TRUE(shown.ok()) << shown.error().message();
  ASSERT_EQ(shown->reports.size(), 3u);
  EXPECT_EQ(shown->reports[0].period, "2017-06");
  EXPECT_EQ(shown->reports[0].percent, "15");
  EXPECT_FALSE(shown->reports[0].late);
  EXPECT_EQ(shown->reports[1].period, "2017-07");
  EXPECT_EQ(shown->reports[1].text, "茶苗栽植完成 60 亩");
  EXPECT_TRUE(shown->reports[1].late);
  EXPECT_EQ(shown->reports[1].by, "jkh-21");
  EXPECT_EQ(shown->reports[2].period, "2017-08");
  EXPECT_EQ(shown->reports[2].percent, "100");

  // Another township's head does not see it (told as if it were not there).
  auto other =
      engine::ShowTask(*engine_, *definitions_, "T-1", engine::Reader{"jkh-20", "jinkouhe", false});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kNotFound);
}

TEST_P(TasksTest, TheExportHasAColumnPerPeriodAndReadsBackWithTheXlsxReader) {
  At("2017-05-02T09:00:00+08:00");
  std::string bytes = std::string(kHeader) +
                      "T-1,产业发展,红花村茶叶种植基地建设,100亩,和平彝族乡,和二,\"1,200,000\","
                      "2017-06-09,2017-12-29\n"
                      "T-2,交通道路,前进村通村公路硬化,3.2公里,和平彝族乡,和二,,2017-06-09,60wd\n";
  Diagnostics diags;
  ASSERT_TRUE(Import(bytes, "jkh-04", diags).ok()) << diags.Format();
  At("2017-05-25T10:00:00+08:00");
  ASSERT_TRUE(Report("T-1", "10", "完成规划设计").ok());
  At("2017-06-28T10:00:00+08:00");
  ASSERT_TRUE(Report("T-1", "35", "完成土地流转").ok());
  ASSERT_TRUE(Report("T-2", "20", "路基开挖 1 公里").ok());  // May's report, late

  auto tasks = engine::ListTasks(*engine_, *definitions_, {"jinkouhe-tasks", "", std::nullopt});
  ASSERT_TRUE(tasks.ok()) << tasks.error().message();
  engine::ReportTable table = engine::TaskExportTable(Jinkouhe(), *tasks);
  auto xlsx = api::TableXlsx(table, "任务清单");
  ASSERT_TRUE(xlsx.ok()) << xlsx.error().message();
  auto sheet = engine::ReadXlsxSheet(*xlsx, "");
  ASSERT_TRUE(sheet.ok()) << sheet.error().message();
  EXPECT_EQ(sheet->name, "任务清单");
  ASSERT_EQ(sheet->rows.size(), 3u);
  EXPECT_THAT(sheet->rows[0].cells,
              ElementsAre("task_no", "category", "project", "content", "unit", "owner",
                          "investment", "start_due", "finish_due", "state", "milestone_start_state",
                          "milestone_start_due", "milestone_finish_state", "milestone_finish_due",
                          "2017-05 %", "2017-05 进展", "2017-06 %", "2017-06 进展", "2017-07 %",
                          "2017-07 进展"));
  const auto& t1 = sheet->rows[1].cells;
  EXPECT_EQ(t1[0], "T-1");
  EXPECT_EQ(t1[4], "heping");
  EXPECT_EQ(t1[6], "1200000");  // a number
  EXPECT_EQ(t1[9], "reporting");
  EXPECT_EQ(t1[10], "open");
  EXPECT_EQ(t1[11], "2017-06-09");
  EXPECT_EQ(t1[14], "10");
  EXPECT_EQ(t1[15], "完成规划设计");
  EXPECT_EQ(t1[16], "35");
  EXPECT_EQ(t1[17], "完成土地流转");
  const auto& t2 = sheet->rows[2].cells;
  EXPECT_EQ(t2[0], "T-2");
  EXPECT_EQ(t2[14], "20");
  EXPECT_EQ(t2[15], "路基开挖 1 公里");
  EXPECT_TRUE(t2.size() <= 16 || t2[16].empty());
}

// Issue 15, point 1 with point 5: tasks imported into a campaign count in its assessment. Xinshao's
// monthly responsibility breakdown (seed 001) imported into xinshao-2017, whose monthly
// assessment (xinshao-monthly) deducts for escalation measures, step scores and items overdue.
// 酿溪镇's task misses May's report; 严塘镇's reports May and June on time. Counted by hand on the
// cn calendar: May's report is due on 2017-05-31 (Wednesday), so the deadline ends 06-01 00:00.
// overdue-task-report then takes reminder_letter at once (06-01 00:00, 0.5 points),
// supervision_letter 2 working days on (06-01, 06-02: 06-02 08:30, 1 point) and
// informed_criticism 5 working days on (06-01, 02, 05, 06, 07: 06-07 08:30, 5 points, and its
// step score 0.5); the report still missing on 07-03 is an overdue item (1 point): June's
// ranking deducts 8 points more from 酿溪镇 than from 严塘镇. The milestones are due in December
// and take nothing. Everything else (the campaign's own materials submissions) is alike for
// both townships.
TEST_P(TasksTest, TasksOfACampaignCountInItsAssessmentRanking) {
  auto started = engine::StartCampaign(*engine_, "xinshao-2017");
  ASSERT_TRUE(started.ok()) << started.error().message();
  const definition::LedgerKind& kind = *definitions_->FindLedgerKind("xinshao-tasks");
  std::string bytes =
      "序号,专项行动,工作任务,责任单位,责任人,完成时限,备注\n"
      "XS-1,精准识别,酿溪镇贫困户“回头看”入户核查,酿溪镇,徐文波,2017-12-29,\n"
      "XS-2,精准识别,严塘镇贫困户“回头看”入户核查,严塘镇,朱秀霞,2017-12-29,\n";
  engine::TaskImportOptions o;
  o.file.file = "工作责任分解表.csv";
  o.actor = "xs-0004";

  // A campaign not loaded, or another org's, is refused before anything is read.
  Diagnostics none;
  o.campaign = "xinshao-2071";
  auto unknown = engine::ImportTasks(*engine_, *definitions_, kind, bytes, o, none);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kBadInput);
  EXPECT_THAT(unknown.error().message(), HasSubstr("no campaign 'xinshao-2071' is loaded"));
  o.campaign = "jinkouhe-2017";
  auto other = engine::ImportTasks(*engine_, *definitions_, kind, bytes, o, none);
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().message(), HasSubstr("jinkouhe-2017 is a campaign of org jinkouhe"));
  EXPECT_EQ(Instances(), 1);  // the campaign's run

  o.campaign = "xinshao-2017";
  Diagnostics diags;
  auto done = engine::ImportTasks(*engine_, *definitions_, kind, bytes, o, diags);
  ASSERT_TRUE(done.ok()) << done.error().message() << diags.Format();
  engine::Instance t = Load("XS-1");
  EXPECT_EQ(t.record.campaign, "xinshao-2017");
  EXPECT_EQ(Load("XS-1-done").record.campaign, "xinshao-2017");
  // The task escalates by its own chain, not by the campaign's chain for problems.
  EXPECT_EQ(t.escalation, "overdue-task-report@1");
  EXPECT_EQ(Load("XS-1-done").escalation, "overdue-task-milestone@1");
  EXPECT_EQ(Due("XS-1"), "2017-06-01T00:00:00+08:00");

  At("2017-05-31T10:00:00+08:00");
  auto on_time = engine::ReportProgress(*engine_, *definitions_,
                                        {"XS-2", "xs-0023", "60", "入户核查完成 60%"});
  ASSERT_TRUE(on_time.ok()) << on_time.error().message();
  RunUntil("2017-06-30T10:00:00+08:00");
  auto june = engine::ReportProgress(*engine_, *definitions_,
                                     {"XS-2", "xs-0023", "90", "入户核查完成 90%"});
  ASSERT_TRUE(june.ok()) << june.error().message();
  RunUntil("2017-07-03T09:00:00+08:00");
  EXPECT_THAT(Steps("XS-1"), ElementsAre("2017-06-01T00:00:00+08:00 reminder_letter",
                                         "2017-06-02T08:30:00+08:00 supervision_letter",
                                         "2017-06-07T08:30:00+08:00 informed_criticism"));
  EXPECT_TRUE(Steps("XS-2").empty());

  auto view = engine::ShowAssessment(*engine_, "xinshao-2017", "", "2017-06");
  ASSERT_TRUE(view.ok()) << view.error().message();
  const engine::RankedUnit* niangxi = nullptr;
  const engine::RankedUnit* yantang = nullptr;
  for (const auto& r : view->ranking) {
    if (r.unit == "niangxi") niangxi = &r;
    if (r.unit == "yantang") yantang = &r;
  }
  ASSERT_NE(niangxi, nullptr);
  ASSERT_NE(yantang, nullptr);
  std::vector<std::string> from_task;
  for (const auto& d : niangxi->deductions) {
    if (d.item.rfind("XS-", 0) != 0) continue;
    std::ostringstream points;
    points << d.points;
    from_task.push_back(d.cause + " " + d.item + " " + d.measure + " " + d.date + " " +
                        points.str());
  }
  EXPECT_THAT(from_task,
              ElementsAre("measure XS-1 reminder_letter 2017-06-01 0.5",
                          "measure XS-1 supervision_letter 2017-06-02 1",
                          "measure XS-1 informed_criticism 2017-06-07 5",
                          "step_score XS-1  2017-06-07 0.5", "overdue XS-1  2017-07-03 1"));
  for (const auto& d : yantang->deductions) EXPECT_NE(d.item.rfind("XS-", 0), 0u) << d.item;
  EXPECT_DOUBLE_EQ(niangxi->deducted - yantang->deducted, 8);
  EXPECT_DOUBLE_EQ(yantang->score - niangxi->score, 8);
  EXPECT_LT(yantang->rank, niangxi->rank);
}

INSTANTIATE_TEST_SUITE_P(Backends, TasksTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
