// Bulletins (通报, issue 15 point 2) on SQLite and PostgreSQL, on Xinshao 2017 (seed 001): the
// first-quarter inspection (April 7-14) found problems in the townships; after the April 21
// mobilisation meeting they went into the ledger with 15 working days; headquarters issues a
// bulletin of the round, and another once the items fell overdue and the ladder began.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "adapters/http/api/bulletin_document.h"
#include "adapters/store/soci/bulletin_store.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/findings.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;

class BulletinTest : public test::EngineFixture {
 protected:
  BulletinTest() : EngineFixture("2017-04-01T09:00:00+08:00") {}

  void SetUp() override {
    EngineFixture::SetUp();
    auto db = store_soci::Database::Open(*store_soci::ParseDatabaseUrl(db_->url()), {});
    ASSERT_TRUE(db.ok()) << db.error().message();
    side_ = std::move(*db);
    auto t =
        store_soci::LoadBulletinTemplates(std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    ASSERT_TRUE(t.ok()) << t.error().message();
    templates_ = *t;
  }

  std::string Find(const std::string& unit, const std::string& title) {
    engine::NewFinding f;
    f.campaign = "xinshao-2017";
    f.round = "q1_inspection";
    f.unit = unit;
    f.title = title;
    f.actor = "xs-0004";
    auto r = engine::RecordFinding(*engine_, f);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? r->record.id : "";
  }

  // Three findings in two townships, one dismissed; the other two confirmed on April 21.
  void InspectAndConfirm() {
    auto started = engine::StartCampaign(*engine_, "xinshao-2017");
    ASSERT_TRUE(started.ok()) << started.error().message();
    At("2017-04-10T10:00:00+08:00");
    std::string a = Find("niangxi", "长塘村贫困户信息采集表与系统数据不一致（7户）");
    std::string b = Find("niangxi", "危房改造对象识别不准");
    std::string c = Find("yantang", "退出户收入测算台账缺失");
    At("2017-04-21T09:00:00+08:00");
    for (const std::string& id : {a, c}) {
      engine::Confirmation cf;
      cf.source = id;
      cf.actor = "xs-0007";
      auto done = engine::ConfirmFinding(*engine_, cf);
      ASSERT_TRUE(done.ok()) << done.error().message();
    }
    ASSERT_TRUE(engine::DismissFinding(*engine_, b, "xs-0007", "系统数据已更正，核实无误").ok());
  }

  Result<store_soci::StoredBulletin> Issue(const std::string& round, const std::string& as,
                                           bool dry_run = false) {
    engine::BulletinRequest r;
    r.campaign = "xinshao-2017";
    r.round = round;
    r.actor = as;
    return store_soci::IssueBulletin(*side_, *engine_, r, templates_, dry_run);
  }

  std::vector<OutboxRecord> Bulletins() {
    store_soci::SociOutboxStore outbox(*side_);
    notify::OutboxQuery q;
    q.limit = 1000;
    auto rows = outbox.List(q);
    EXPECT_TRUE(rows.ok()) << rows.error().message();
    std::vector<OutboxRecord> out;
    if (!rows.ok()) return out;
    for (const auto& r : *rows) {
      if (r.template_name == "bulletin") out.push_back(r);
    }
    return out;
  }

  static std::int64_t Total(const json::object& content, const char* part) {
    return content.at(part).as_object().at("total").as_int64();
  }

  std::unique_ptr<store_soci::Database> side_;
  store_soci::BulletinTemplates templates_;
};

TEST_P(BulletinTest, ARoundsBulletinIsNumberedBuiltFromItsFindingsKeptAndSent) {
  InspectAndConfirm();
  At("2017-04-24T10:00:00+08:00");
  auto b = Issue("q1_inspection", "xs-0003");
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(b->year, 2017);
  EXPECT_EQ(b->number, 1);
  EXPECT_EQ(b->content.at("number_label").as_object().at("zh").as_string(), "2017年第1期");
  EXPECT_EQ(b->content.at("number_label").as_object().at("en").as_string(), "2017 No. 1");
  EXPECT_EQ(b->title, "关于第一季度督查考核发现问题及整改情况的通报");
  EXPECT_EQ(b->content.at("issued_on").as_string(), "2017-04-24");
  EXPECT_EQ(b->content.at("issuer").as_object().at("name").as_string(), "县脱贫攻坚指挥部");
  EXPECT_EQ(b->content.at("scope").as_object().at("name").as_string(), "新邵县");

  // The dismissed finding is no problem; the two others are, per unit.
  EXPECT_EQ(Total(b->content, "findings"), 2);
  const json::array& units = b->content.at("findings").as_object().at("units").as_array();
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].as_object().at("unit").as_string(), "niangxi");
  EXPECT_EQ(units[0].as_object().at("count").as_int64(), 1);
  EXPECT_EQ(units[1].as_object().at("unit").as_string(), "yantang");
  EXPECT_EQ(Total(b->content, "overdue"), 0);  // due 2017-05-10
  EXPECT_TRUE(b->content.at("ranking").is_null());

  // Rendered in both languages, as a document.
  EXPECT_THAT(b->html_zh, HasSubstr("2017年第1期"));
  EXPECT_THAT(b->html_zh, HasSubstr("长塘村贫困户信息采集表与系统数据不一致（7户）"));
  EXPECT_THAT(b->html_zh, HasSubstr("酿溪镇"));
  EXPECT_THAT(b->html_zh, Not(HasSubstr("危房改造对象识别不准")));
  EXPECT_THAT(b->html_en, HasSubstr("2017 No. 1"));
  EXPECT_THAT(b->html_en, HasSubstr("found 2 problem(s) in 2 unit(s)"));

  // Sent to the head of every unit directly under the county (one row each), niangxi's among
  // them, with the unit's own counts.
  auto rows = Bulletins();
  EXPECT_EQ(rows.size(), b->sent_to.size());
  EXPECT_GE(rows.size(), 3u);
  bool niangxi = false;
  for (const auto& r : rows) {
    if (r.recipient != "xs-0012") continue;
    niangxi = true;
    auto payload = json::parse(r.payload_json).as_object();
    EXPECT_EQ(payload.at("number_label").as_string(), "2017年第1期");
    EXPECT_EQ(payload.at("findings").as_string(), "1");
    EXPECT_EQ(payload.at("unit_name").as_string(), "酿溪镇");
    EXPECT_EQ(r.dedup_key, "bulletin|xinshao-2017|2017-1|xs-0012");
  }
  EXPECT_TRUE(niangxi);

  // Kept as issued.
  auto listed = store_soci::ListBulletins(*side_, "xinshao-2017");
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  ASSERT_EQ(listed->size(), 1u);
  auto shown = store_soci::LoadBulletin(*side_, "xinshao-2017", "1");
  ASSERT_TRUE(shown.ok()) << shown.error().message();
  EXPECT_EQ(shown->html_zh, b->html_zh);
  EXPECT_EQ(json::serialize(shown->content), json::serialize(b->content));

  // As a PDF: one or more A4 pages with the number, the title and the units.
  auto pdf = api::DrawBulletinPdf(shown->content, "zh");
  ASSERT_TRUE(pdf.ok()) << pdf.error().message();
  test::TempDir dir;
  std::string file = dir.File("bulletin.pdf");
  std::ofstream(file, std::ios::binary) << *pdf;
  auto info = test::RunCommand({"pdfinfo", file});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("A4"));
  auto text = test::RunCommand({"pdftotext", file, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("2017年第1期"));
  EXPECT_THAT(text.out, HasSubstr("酿溪镇"));
  EXPECT_THAT(text.out, HasSubstr("县脱贫攻坚指挥部"));
}

TEST_P(BulletinTest, TheNextBulletinReportsOverdueItemsAndTheMeasuresSinceTheLastOne) {
  InspectAndConfirm();
  At("2017-04-24T10:00:00+08:00");
  auto first = Issue("q1_inspection", "xs-0003");
  ASSERT_TRUE(first.ok()) << first.error().message();
  const std::string first_html = first->html_zh;

  // Past the due day (2017-05-10): both items are overdue and their ladders have begun. The run
  // issued the bulletins its plan schedules meanwhile (campaign_bulletins_pgtest.cc): the one
  // after the April assessment (due April 11, issued late when the timers ran) and the one four
  // working days after the May assessment (May 8); the round's own was issued by hand above, so
  // it is not issued again.
  RunUntil("2017-05-22T10:00:00+08:00");
  auto second = Issue("", "xs-0004");
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->number, 4);
  EXPECT_EQ(second->content.at("since").as_string(), "2017-05-08T10:00:00+08:00");
  EXPECT_TRUE(second->content.at("round").is_null());
  EXPECT_EQ(Total(second->content, "findings"), 0);
  // Overdue: the two problems, and whatever else of the campaign is late (the units' materials
  // the campaign asked for by a submission checkpoint).
  std::vector<std::string> overdue_problems, overdue_other;
  for (const auto& u : second->content.at("overdue").at("units").as_array()) {
    for (const auto& r : u.at("rows").as_array()) {
      std::string id(r.at("id").as_string());
      (id.rfind("P-", 0) == 0 ? overdue_problems : overdue_other).push_back(id);
    }
  }
  EXPECT_THAT(overdue_problems,
              ElementsAre("P-xinshao-2017-q1_inspection-001", "P-xinshao-2017-q1_inspection-003"));
  EXPECT_EQ(Total(second->content, "overdue"),
            static_cast<std::int64_t>(overdue_problems.size() + overdue_other.size()));
  EXPECT_GE(Total(second->content, "measures"), 2);
  EXPECT_THAT(second->html_zh, HasSubstr("P-xinshao-2017-q1_inspection-003"));
  EXPECT_THAT(second->html_zh, HasSubstr("提醒函"));

  // A later change to an item does not change a published bulletin.
  auto one = store_soci::LoadBulletin(*side_, "xinshao-2017", "2017-1");
  ASSERT_TRUE(one.ok()) << one.error().message();
  EXPECT_EQ(one->html_zh, first_html);
  EXPECT_EQ(Total(one->content, "overdue"), 0);

  // A dry run shows the number it would take and changes nothing.
  const std::size_t sent = Bulletins().size();
  auto dry = Issue("", "xs-0003", /*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.error().message();
  EXPECT_EQ(dry->number, 5);
  EXPECT_FALSE(dry->sent_to.empty());
  EXPECT_EQ(Bulletins().size(), sent);
  auto listed = store_soci::ListBulletins(*side_, "xinshao-2017");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 4u);
  EXPECT_EQ(store_soci::LoadBulletin(*side_, "xinshao-2017", "5").error().code(),
            ErrorCode::kNotFound);
}

TEST_P(BulletinTest, BadRequestsAreRefusedWithWhyAndWriteNothing) {
  InspectAndConfirm();
  At("2017-04-24T10:00:00+08:00");
  engine::BulletinRequest r;
  r.campaign = "xinshao-2016";
  r.actor = "xs-0003";
  auto unknown = store_soci::IssueBulletin(*side_, *engine_, r, templates_, false);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(unknown.error().message(), HasSubstr("no campaign 'xinshao-2016'"));

  auto not_a_round = Issue("special_rectification", "xs-0003");
  ASSERT_FALSE(not_a_round.ok());
  EXPECT_THAT(not_a_round.error().message(), HasSubstr("not an inspection round"));
  auto no_round = Issue("q9_inspection", "xs-0003");
  ASSERT_FALSE(no_round.ok());
  EXPECT_EQ(no_round.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(no_round.error().message(), HasSubstr("its rounds: q1_inspection"));

  // A township head is no headquarters inspector.
  auto no_role = Issue("q1_inspection", "xs-0012");
  ASSERT_FALSE(no_role.ok());
  EXPECT_EQ(no_role.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(no_role.error().message(), HasSubstr("takes the role inspector over 新邵县"));

  r.campaign = "xinshao-2017";
  r.scope = {"atlantis"};
  auto bad_scope = store_soci::IssueBulletin(*side_, *engine_, r, templates_, false);
  ASSERT_FALSE(bad_scope.ok());
  EXPECT_THAT(bad_scope.error().message(), HasSubstr("no unit or unit kind 'atlantis'"));

  EXPECT_EQ(store_soci::LoadBulletin(*side_, "xinshao-2017", "x").error().code(),
            ErrorCode::kBadInput);
  auto listed = store_soci::ListBulletins(*side_, "xinshao-2017");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  EXPECT_TRUE(Bulletins().empty());
}

TEST_P(BulletinTest, AScopeOfKindsNamesOnlyThoseUnits) {
  InspectAndConfirm();
  At("2017-04-24T10:00:00+08:00");
  engine::BulletinRequest r;
  r.campaign = "xinshao-2017";
  r.round = "q1_inspection";
  r.actor = "xs-0003";
  r.scope = {"yantang"};
  auto b = store_soci::IssueBulletin(*side_, *engine_, r, templates_, false);
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(Total(b->content, "findings"), 1);
  EXPECT_THAT(b->sent_to, ElementsAre(::testing::_));
  EXPECT_THAT(b->html_zh, Not(HasSubstr("长塘村")));
}

// Two nodes issuing at once: every bulletin gets its own number, and the numbers are dense.
TEST_P(BulletinTest, NodesIssuingAtOnceGetDenseNumbersNeverTheSame) {
  auto started = engine::StartCampaign(*engine_, "xinshao-2017");
  ASSERT_TRUE(started.ok()) << started.error().message();
  At("2017-04-24T10:00:00+08:00");
  constexpr int kNodes = 2, kEach = 4;
  std::vector<std::vector<int>> numbers(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> nodes;
  nodes.reserve(kNodes);
  for (int n = 0; n < kNodes; ++n) {
    nodes.emplace_back([&, n] {
      auto url = store_soci::ParseDatabaseUrl(db_->url());
      auto engine_db = store_soci::Database::Open(*url, {});
      auto side = store_soci::Database::Open(*url, {});
      if (!engine_db.ok() || !side.ok()) {
        errors[n] = "open";
        return;
      }
      auto store = store_soci::MakeStore(std::move(*engine_db));
      engine::Engine node(*store, clock_, definitions_);
      for (int i = 0; i < kEach; ++i) {
        engine::BulletinRequest r;
        r.campaign = "xinshao-2017";
        r.actor = "xs-0003";
        auto b = store_soci::IssueBulletin(**side, node, r, templates_, false);
        if (!b.ok()) {
          errors[n] = b.error().message();
          return;
        }
        numbers[n].push_back(b->number);
      }
    });
  }
  for (auto& t : nodes) t.join();
  std::vector<int> all;
  for (int n = 0; n < kNodes; ++n) {
    EXPECT_EQ(errors[n], "") << "node " << n;
    all.insert(all.end(), numbers[n].begin(), numbers[n].end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_THAT(all, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  auto listed = store_soci::ListBulletins(*side_, "xinshao-2017");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 8u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BulletinTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
