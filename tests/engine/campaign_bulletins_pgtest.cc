// The bulletins a campaign schedules (`bulletins: { after:, within: }`), issued by its run as its
// durable timers fire, on SQLite and PostgreSQL: Jinkouhe 2017 (seed 000), whose first special
// inspection ran Monday March 13 to Friday March 17, 2017, and whose inspection group issues a
// bulletin three working days after each round: Wednesday March 22 at 10:00 (no holiday that
// week; checked by hand against the calendar). The engine is stopped and opened again (a
// restart) around that moment; the bulletin is issued once, numbered 2017年第1期, and sent to the
// heads of the 14 units in scope; one issued by hand before stands for it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "adapters/store/soci/bulletin_store.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/findings.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/forwarding_store.h"

namespace rectify {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;
namespace json = boost::json;

// The heads of the 6 townships and 8 district departments (org jinkouhe@3).
const std::vector<std::string> kHeadsInScope = {"jkh-06", "jkh-07", "jkh-08", "jkh-09", "jkh-10",
                                                "jkh-11", "jkh-12", "jkh-13", "jkh-20", "jkh-21",
                                                "jkh-22", "jkh-23", "jkh-24", "jkh-25"};

class CampaignBulletinsTest : public test::EngineFixture {
 protected:
  CampaignBulletinsTest() : EngineFixture("2017-03-01T09:00:00+08:00") {}

  void SetUp() override {
    EngineFixture::SetUp();
    auto db = store_soci::Database::Open(*store_soci::ParseDatabaseUrl(db_->url()), {});
    ASSERT_TRUE(db.ok()) << db.error().message();
    side_ = std::move(*db);
    GiveTemplates();
  }

  // The shipped document templates, as `rectify serve` gives each store it opens.
  void GiveTemplates() {
    Status st = store_soci::SetBulletinTemplates(
        *store_, std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    ASSERT_TRUE(st.ok()) << st.error().message();
  }

  // Starts jinkouhe-2017 and has the first round find two problems in 金河镇 and one in the
  // finance bureau, confirmed on the round's last day.
  void StartAndInspect(const std::function<void()>& after_start = {}) {
    auto started = engine::StartCampaign(*engine_, "jinkouhe-2017");
    ASSERT_TRUE(started.ok()) << started.error().message();
    if (after_start) after_start();
    RunUntil("2017-03-14T10:00:00+08:00");
    std::vector<std::string> found;
    for (auto [unit, title] :
         {std::pair{"jinhe", "贫困户识别档案不全"}, std::pair{"jinhe", "帮扶手册填写不规范"},
          std::pair{"jkh-finance", "项目资金拨付滞后"}}) {
      engine::NewFinding f;
      f.campaign = "jinkouhe-2017";
      f.round = "special_1";
      f.unit = unit;
      f.title = title;
      f.actor = "jkh-04";
      auto r = engine::RecordFinding(*engine_, f);
      ASSERT_TRUE(r.ok()) << r.error().message();
      found.push_back(r->record.id);
    }
    RunUntil("2017-03-17T16:00:00+08:00");
    for (const std::string& id : found) {
      engine::Confirmation c;
      c.source = id;
      c.actor = "jkh-05";
      auto done = engine::ConfirmFinding(*engine_, c);
      ASSERT_TRUE(done.ok()) << done.error().message();
    }
  }

  // The engine stops and starts again on the same database (a new connection, a new engine).
  void Restart() {
    Open(test::ShippedDefinitions());
    GiveTemplates();
  }

  std::vector<store_soci::StoredBulletin> Issued() {
    auto listed = store_soci::ListBulletins(*side_, "jinkouhe-2017");
    EXPECT_TRUE(listed.ok()) << listed.error().message();
    return listed.ok() ? *listed : std::vector<store_soci::StoredBulletin>{};
  }

  // The people sent bulletin `key` (one outbox row each).
  std::vector<std::string> SentTo(const std::string& key) {
    store_soci::SociOutboxStore outbox(*side_);
    notify::OutboxQuery q;
    q.limit = 1000;
    auto rows = outbox.List(q);
    EXPECT_TRUE(rows.ok()) << rows.error().message();
    std::vector<std::string> out;
    if (!rows.ok()) return out;
    for (const auto& r : *rows) {
      if (r.dedup_key.rfind("bulletin|jinkouhe-2017|" + key + "|", 0) == 0) {
        out.push_back(r.recipient);
      }
    }
    return out;
  }

  // The run's audit events of that name, with their data.
  std::vector<json::object> RunAudit(const std::string& event) {
    auto audit = store_->AuditOf(engine::CampaignInstanceId("jinkouhe-2017"));
    EXPECT_TRUE(audit.ok()) << audit.error().message();
    std::vector<json::object> out;
    if (!audit.ok()) return out;
    for (const AuditRecord& a : *audit) {
      if (a.event == event) out.push_back(json::parse(a.data_json).as_object());
    }
    return out;
  }

  // Makes the run what a run started before campaign runs scheduled bulletins is: no bulletin
  // timers, in the store or in the run's own schedule. Returns the names taken away.
  std::set<std::string> ForgetBulletinTimers() {
    const std::string id = engine::CampaignInstanceId("jinkouhe-2017");
    std::string data;
    side_->session() << "SELECT data FROM instances WHERE id = :id", soci::into(data),
        soci::use(id);
    json::object o = json::parse(data).as_object();
    json::array kept;
    std::set<std::string> taken;
    for (const json::value& t : o["timers"].as_array()) {
      std::string name(t.as_object().at("name").as_string());
      if (name.rfind("bulletin:", 0) == 0) {
        taken.insert(name);
      } else {
        kept.push_back(t);
      }
    }
    o["timers"] = std::move(kept);
    std::string text = json::serialize(o);
    side_->session() << "UPDATE instances SET data = :data WHERE id = :id", soci::use(text),
        soci::use(id);
    side_->session() << "DELETE FROM timers WHERE instance_id = :id AND name LIKE 'bulletin:%'",
        soci::use(id);
    return taken;
  }

  std::unique_ptr<store_soci::Database> side_;
};

TEST_P(CampaignBulletinsTest,
       TheRunIssuesTheBulletinThreeWorkingDaysAfterTheRoundOnceAcrossRestarts) {
  StartAndInspect();
  // Armed when the campaign started, beside the round's own timers.
  EXPECT_THAT(PendingTimers(engine::CampaignInstanceId("jinkouhe-2017")),
              testing::Contains("2017-03-22T10:00:00+08:00 bulletin:special_1:2017-03-17"));

  RunUntil("2017-03-22T09:59:00+08:00");
  EXPECT_TRUE(Issued().empty());
  Restart();
  RunUntil("2017-03-22T10:00:00+08:00");

  auto issued = Issued();
  ASSERT_EQ(issued.size(), 1u);
  const store_soci::StoredBulletin& b = issued[0];
  EXPECT_EQ(b.key(), "2017-1");
  EXPECT_EQ(b.content.at("number_label").as_object().at("zh").as_string(), "2017年第1期");
  EXPECT_EQ(b.round, "special_1");
  EXPECT_EQ(FormatIso(b.issued_at), "2017-03-22T02:00:00Z");
  // In the name of an inspector of the inspection group, who holds the role over the district.
  EXPECT_THAT(std::vector<std::string>{b.issued_by},
              testing::IsSubsetOf(std::vector<std::string>{"jkh-04", "jkh-05", "jkh-08"}));
  // Its scope and counts: the 14 units; the round's three problems in two of them.
  EXPECT_EQ(b.content.at("scope").as_object().at("units").as_array().size(), 14u);
  EXPECT_EQ(b.content.at("findings").as_object().at("total").as_int64(), 3);
  std::map<std::string, std::int64_t> per_unit;
  for (const json::value& u : b.content.at("findings").as_object().at("units").as_array()) {
    per_unit[std::string(u.as_object().at("unit").as_string())] =
        u.as_object().at("count").as_int64();
  }
  EXPECT_EQ(per_unit, (std::map<std::string, std::int64_t>{{"jinhe", 2}, {"jkh-finance", 1}}));
  // Sent to the head of each unit in scope, through the outbox.
  EXPECT_THAT(SentTo("2017-1"), UnorderedElementsAreArray(kHeadsInScope));
  // And its document, from the shipped templates the test's store was given.
  auto kept = store_soci::LoadBulletin(*side_, "jinkouhe-2017", "2017-1");
  ASSERT_TRUE(kept.ok()) << kept.error().message();
  EXPECT_THAT(kept->html_zh, HasSubstr("2017年第1期"));
  EXPECT_THAT(kept->html_zh, HasSubstr("项目资金拨付滞后"));
  auto issued_audit = RunAudit("bulletin_issued");
  ASSERT_EQ(issued_audit.size(), 1u);
  EXPECT_EQ(issued_audit[0].at("bulletin").as_string(), "2017-1");
  EXPECT_EQ(issued_audit[0].at("after").as_string(), "special_1");

  // Another restart and a week on: still one bulletin, sent once.
  Restart();
  RunUntil("2017-03-31T18:00:00+08:00");
  EXPECT_EQ(Issued().size(), 1u);
  EXPECT_EQ(SentTo("2017-1").size(), kHeadsInScope.size());
  EXPECT_EQ(RunAudit("bulletin_issued").size(), 1u);
}

// A store whose commit fails once the firing of a bulletin timer is in it: the node died after
// the bulletin was issued and before the timer was marked fired.
class DiesBeforeTheBulletinTimerIsClaimed : public test::ForwardingStore,
                                            public engine::BulletinDesk {
 public:
  explicit DiesBeforeTheBulletinTimerIsClaimed(Store& inner)
      : ForwardingStore(inner), desk_(dynamic_cast<engine::BulletinDesk&>(inner)) {}
  Result<engine::BulletinReceipt> IssueOnce(engine::Engine& engine,
                                            const engine::BulletinRequest& request,
                                            Timestamp counts_from) override {
    return desk_.IssueOnce(engine, request, counts_from);
  }
  Status Commit(const ChangeSet& changes) override {
    for (const TimerFire& f : changes.timer_fires) {
      if (f.key.name.rfind("bulletin:", 0) == 0) {
        return Error::Unavailable("the node stopped (test)");
      }
    }
    return ForwardingStore::Commit(changes);
  }

 private:
  engine::BulletinDesk& desk_;
};

TEST_P(CampaignBulletinsTest, AFiringRepeatedAfterACrashDoesNotIssueTheBulletinAgain) {
  StartAndInspect();
  {
    DiesBeforeTheBulletinTimerIsClaimed dying(*store_);
    engine::Engine node(dying, clock_, definitions_);
    auto r = engine::RunUntil(node, clock_, io_, *ParseIso("2017-03-22T10:00:00+08:00"));
    EXPECT_FALSE(r.ok());
  }
  ASSERT_EQ(Issued().size(), 1u);  // issued before the claim failed
  Restart();
  RunUntil("2017-03-23T10:00:00+08:00");
  auto issued = Issued();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].key(), "2017-1");
  EXPECT_EQ(SentTo("2017-1").size(), kHeadsInScope.size());
  // The timer fired once more and found it: no second number.
  auto again = RunAudit("bulletin_issued_before");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].at("bulletin").as_string(), "2017-1");
  EXPECT_TRUE(RunAudit("bulletin_issued").empty());
}

TEST_P(CampaignBulletinsTest, ABulletinIssuedByHandForTheRoundIsNotIssuedAgain) {
  StartAndInspect();
  At("2017-03-20T15:00:00+08:00");
  engine::BulletinRequest r;
  r.campaign = "jinkouhe-2017";
  r.round = "special_1";
  r.actor = "jkh-04";
  auto by_hand = store_soci::IssueBulletin(*side_, *engine_, r, {}, false);
  ASSERT_TRUE(by_hand.ok()) << by_hand.error().message();
  RunUntil("2017-03-31T18:00:00+08:00");
  auto issued = Issued();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].key(), "2017-1");
  EXPECT_EQ(issued[0].issued_by, "jkh-04");
  EXPECT_EQ(FormatIso(issued[0].issued_at), "2017-03-20T07:00:00Z");
  auto before = RunAudit("bulletin_issued_before");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].at("bulletin").as_string(), "2017-1");
}

// Nothing in the bulletins table makes a round's bulletin unique (a round may rightly have a
// second bulletin issued by hand), so two nodes issuing the scheduled one at once rely on the
// dense number: both read the same latest number, the primary key lets one insert it, and the
// other, trying again, finds the round issued. Eight connections race here; one bulletin comes
// out, and every node is told the same number.
TEST_P(CampaignBulletinsTest, NodesIssuingTheScheduledBulletinAtOnceIssueItOnce) {
  StartAndInspect();
  constexpr int kNodes = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kNodes; ++i) {
    stores.push_back(OpenStore(clock_.Now()));
    ASSERT_NE(stores.back(), nullptr);
    Status st = store_soci::SetBulletinTemplates(
        *stores.back(), std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    ASSERT_TRUE(st.ok()) << st.error().message();
  }
  engine::BulletinRequest request;
  request.campaign = "jinkouhe-2017";
  request.round = "special_1";
  request.actor = "jkh-04";
  const Timestamp round_began = test::T("2017-03-13T00:00:00+08:00");
  std::vector<Result<engine::BulletinReceipt>> receipts(kNodes, Error::Unavailable("not run"));
  std::atomic<int> ready{0};
  std::vector<std::thread> nodes;
  nodes.reserve(kNodes);
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      engine::Engine node(*stores[i], clock_, definitions_);
      auto* desk = dynamic_cast<engine::BulletinDesk*>(stores[i].get());
      ++ready;
      while (ready.load() < kNodes) std::this_thread::yield();
      receipts[i] = desk->IssueOnce(node, request, round_began);
    });
  }
  for (std::thread& t : nodes) t.join();
  int issued_now = 0;
  for (const auto& r : receipts) {
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->key, "2017-1");
    issued_now += r->issued_now ? 1 : 0;
  }
  EXPECT_EQ(issued_now, 1);
  auto issued = Issued();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].key(), "2017-1");
  EXPECT_THAT(SentTo("2017-1"), UnorderedElementsAreArray(kHeadsInScope));
  // The run's own timer, when it fires on March 22, finds it issued.
  RunUntil("2017-03-23T10:00:00+08:00");
  EXPECT_EQ(Issued().size(), 1u);
  EXPECT_EQ(RunAudit("bulletin_issued_before").size(), 1u);
}

// A run started before campaign runs issued their bulletins has none of their timers. At its next
// firing after the upgrade (the round's opening, March 13) it arms those still ahead, says so in
// its audit, and issues the round's bulletin on March 22 as a new run would.
TEST_P(CampaignBulletinsTest, ARunStartedWithoutBulletinTimersGetsThemAtItsNextFiring) {
  std::set<std::string> forgotten;
  StartAndInspect([&] {
    forgotten = ForgetBulletinTimers();
    Restart();  // the upgraded node
  });
  ASSERT_EQ(forgotten.count("bulletin:special_1:2017-03-17"), 1u);
  auto added = RunAudit("campaign_timers_added");
  ASSERT_EQ(added.size(), 1u);
  std::set<std::string> armed;
  for (const json::value& v : added[0].at("timers").as_array()) {
    armed.insert(std::string(v.as_string()));
  }
  EXPECT_EQ(armed, forgotten);
  RunUntil("2017-03-23T10:00:00+08:00");
  auto issued = Issued();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].key(), "2017-1");
  EXPECT_EQ(FormatIso(issued[0].issued_at), "2017-03-22T02:00:00Z");
  EXPECT_EQ(RunAudit("bulletin_issued").size(), 1u);
  EXPECT_EQ(RunAudit("campaign_timers_added").size(), 1u);  // once: the next firings find them
}

INSTANTIATE_TEST_SUITE_P(Backends, CampaignBulletinsTest,
                         ::testing::Values(store_soci::Backend::kSqlite,
                                           store_soci::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
