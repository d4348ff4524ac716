// Year-on-year figures (issue 15, point 9) on SQLite and PostgreSQL: Xinshao's second quarter of
// 2018 against the same dates of 2017, counted by hand, and the seed's own percentages (seed 003:
// clues dropped by 33.5%, disciplinary sanctions 37.7%, registered cases 48.5%).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/engine/findings.h"
#include "rectify/engine/year_on_year.h"
#include "tests/engine/engine_fixture.h"

namespace rectify {
namespace {

using store_soci::Backend;

TEST(PercentChangeTest, AsTheSeedWritesIt) {
  // 200 clues -> 133 is -33.5% (seed 003's clues); 1000 -> 623 is -37.7%; 200 -> 103 is -48.5%.
  EXPECT_EQ(engine::PercentChange(200, 133), "-33.5%");
  EXPECT_EQ(engine::ChangeInWords(200, 133), "dropped by 33.5%");
  EXPECT_EQ(engine::PercentChange(1000, 623), "-37.7%");
  EXPECT_EQ(engine::PercentChange(200, 103), "-48.5%");
  EXPECT_EQ(engine::PercentChange(10, 12), "+20.0%");
  EXPECT_EQ(engine::ChangeInWords(10, 12), "rose by 20.0%");
  EXPECT_EQ(engine::PercentChange(3, 3), "0.0%");
  EXPECT_EQ(engine::ChangeInWords(3, 3), "unchanged");
  // Nothing a year before: no division, "new".
  EXPECT_EQ(engine::PercentChange(0, 5), "new");
  EXPECT_EQ(engine::ChangeInWords(0, 5), "new");
  EXPECT_EQ(engine::PercentChange(0, 0), "-");
  EXPECT_EQ(engine::ChangeInWords(0, 0), "none either year");
  EXPECT_EQ(engine::PercentChange(3, 0), "-100.0%");
  EXPECT_EQ(FormatDate(engine::YearBefore(*ParseDate("2016-02-29"))), "2015-02-28");
  EXPECT_EQ(FormatDate(engine::YearBefore(*ParseDate("2018-06-30"))), "2017-06-30");
}

class YearOnYearTest : public test::EngineFixture {
 protected:
  YearOnYearTest() : EngineFixture("2017-04-01T09:00:00+08:00") {}

  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    Open(test::LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows",
                        std::string(RECTIFY_SOURCE_DIR) + "/tests/engine/year_on_year"}));
  }

  std::string Record(const std::string& campaign, const std::string& unit) {
    engine::NewFinding f;
    f.campaign = campaign;
    f.round = "q1_inspection";
    f.unit = unit;
    f.title = "扶贫对象识别不精准";
    f.actor = "xs-0004";
    auto r = engine::RecordFinding(*engine_, f);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? r->record.id : "";
  }

  void Confirm(const std::string& id) {
    auto c = engine::ConfirmFinding(*engine_, {.source = id, .actor = "xs-0007"});
    ASSERT_TRUE(c.ok()) << c.error().message();
  }

  std::map<std::string, engine::YearOnYearLine> Lines(const engine::YearOnYear& r) {
    std::map<std::string, engine::YearOnYearLine> out;
    for (const auto& l : r.lines) out[l.measure] = l;
    return out;
  }
};

TEST_P(YearOnYearTest, TheSecondQuarterAgainstTheSameDatesAYearBefore) {
  // 2017: five findings in the first-quarter inspection, four confirmed on 04-21 into items, and
  // a public report confirmed on 05-03 into a fifth item; none is rectified.
  At("2017-04-10T10:00:00+08:00");
  std::vector<std::string> f2017;
  for (const char* unit : {"niangxi", "yantang", "tuqiao", "niangxi", "yantang"}) {
    f2017.push_back(Record("xinshao-2017", unit));
  }
  At("2017-04-21T09:00:00+08:00");
  for (int i = 0; i < 4; ++i) Confirm(f2017[i]);
  At("2017-05-03T09:00:00+08:00");
  engine::NewInstance report;
  report.id = "PR-2017-1";
  report.workflow = "public-report";
  report.unit = "xinshao-fpo";
  report.title = "低保户名单公示不全";
  report.actor = "xs-0009";
  ASSERT_TRUE(engine_->Register(report).ok());
  ASSERT_TRUE(Act("PR-2017-1", "register", "xs-0009").ok());
  auto pr = engine::ConfirmFinding(*engine_, {.source = "PR-2017-1",
                                              .actor = "xs-0004",
                                              .unit = "niangxi",
                                              .campaign = "xinshao-2017",
                                              .evidence = {"核查笔录"}});
  ASSERT_TRUE(pr.ok()) << pr.error().message();
  RunUntil("2017-07-01T00:00:00+08:00");

  // 2018: three findings, two confirmed on 04-20; no public report.
  RunUntil("2018-04-10T10:00:00+08:00");
  std::vector<std::string> f2018;
  for (const char* unit : {"niangxi", "tuqiao", "yantang"}) {
    f2018.push_back(Record("xinshao-2018", unit));
  }
  At("2018-04-20T09:00:00+08:00");
  Confirm(f2018[0]);
  Confirm(f2018[1]);
  RunUntil("2018-07-01T00:00:00+08:00");

  engine::YearOnYearQuery q{.campaign = "xinshao-2018",
                            .with = "xinshao-2017",
                            .from = *ParseDate("2018-04-01"),
                            .to = *ParseDate("2018-06-30")};
  auto r = engine::YearOnYearReport(*store_, *definitions_, q);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(FormatDate(r->with_from), "2017-04-01");
  EXPECT_EQ(FormatDate(r->with_to), "2017-06-30");
  auto lines = Lines(*r);
  // 5 -> 3 findings: -40.0%.
  EXPECT_EQ(lines["problems_found"].before, 5);
  EXPECT_EQ(lines["problems_found"].now, 3);
  EXPECT_EQ(lines["problems_found"].change, "-40.0%");
  EXPECT_EQ(lines["problems_found"].words, "dropped by 40.0%");
  // 5 -> 2 items (four findings and the report; two findings): -60.0%.
  EXPECT_EQ(lines["items_opened"].before, 5);
  EXPECT_EQ(lines["items_opened"].now, 2);
  EXPECT_EQ(lines["items_opened"].change, "-60.0%");
  // Every item missed its deadline (15 working days: due in May) within the quarter.
  EXPECT_EQ(lines["items_overdue"].before, 5);
  EXPECT_EQ(lines["items_overdue"].now, 2);
  EXPECT_EQ(lines["public_report_clues"].before, 1);
  EXPECT_EQ(lines["public_report_clues"].now, 0);
  EXPECT_EQ(lines["public_report_clues"].change, "-100.0%");
  EXPECT_EQ(lines["items_closed"].change, "-");
  EXPECT_EQ(lines["items_closed"].words, "none either year");
  // The ladder's first rung (the reminder letter) once per overdue item.
  EXPECT_EQ(lines["escalation:reminder_letter"].before, 5);
  EXPECT_EQ(lines["escalation:reminder_letter"].now, 2);
  EXPECT_EQ(lines["escalation:reminder_letter"].change, "-60.0%");

  // The earlier period named instead (the first quarter of 2017, before the inspection): nothing
  // then, so each count of 2018 is new.
  q.with_from = *ParseDate("2017-01-01");
  q.with_to = *ParseDate("2017-03-31");
  auto phase = engine::YearOnYearReport(*store_, *definitions_, q);
  ASSERT_TRUE(phase.ok()) << phase.error().message();
  auto pl = Lines(*phase);
  EXPECT_EQ(pl["problems_found"].before, 0);
  EXPECT_EQ(pl["problems_found"].change, "new");

  // A period that ends before it begins, and an unknown campaign: refused, saying what to do.
  q.with_from.reset();
  q.with_to.reset();
  q.to = *ParseDate("2018-03-01");
  auto backwards = engine::YearOnYearReport(*store_, *definitions_, q);
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().code(), ErrorCode::kBadInput);
  q.with = "xinshao-2016";
  EXPECT_EQ(engine::YearOnYearReport(*store_, *definitions_, q).error().code(),
            ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, YearOnYearTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
