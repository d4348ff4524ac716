// `rectify instances migrate` and MigrateInstances on SQLite and PostgreSQL, with a version 1 and
// a version 2 of a small workflow written to a TempDir next to the shipped definitions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "rectify/engine/migration.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using test::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Version 1: open -> checking -> done. Version 2 renames the states, reminds two working days
// before the deadline instead of one, and gives the check five working days instead of three.
constexpr const char* kV1 = R"(kind: workflow
name: fix-item
version: 1
calendar: cn
fields:
  time_limit: { type: duration }
states:
  open:
    deadline: { at: $time_limit, otherwise: 10wd }
    remind: [-1wd]
    overdue: overdue-rectification
    on:
      submit: { to: checking, by: [responsible] }
  checking:
    deadline: { within: 3wd, owner: registrar }
    on:
      accept: { to: done, by: [registrar] }
      reject: { to: open, by: [registrar], clock: continue }
  done:
    final: true
)";

constexpr const char* kV2 = R"(kind: workflow
name: fix-item
version: 2
calendar: cn
fields:
  time_limit: { type: duration }
states:
  rectifying:
    deadline: { at: $time_limit, otherwise: 10wd }
    remind: [-2wd]
    overdue: overdue-rectification
    on:
      submit: { to: verifying, by: [responsible] }
  verifying:
    deadline: { within: 5wd, owner: registrar }
    on:
      accept: { to: closed, by: [registrar] }
      reject: { to: rectifying, by: [registrar], clock: continue }
  closed:
    final: true
)";

class MigrationTest : public test::EngineFixture {
 protected:
  void SetUp() override {
    test::EngineFixture::SetUp();
    // A definitions folder: the shipped one plus both versions of fix-item.
    fs::copy(std::string(RECTIFY_SOURCE_DIR) + "/workflows", Definitions(),
             fs::copy_options::recursive);
    std::ofstream(Definitions() + "/workflows/fix-item-v1.yaml") << kV1;
    std::ofstream(Definitions() + "/workflows/fix-item-v2.yaml") << kV2;
    Open(test::LoadSet({Definitions()}));
  }

  std::string Definitions() const { return dir_.File("definitions"); }

  void Register(const std::string& id, const char* at, const char* limit,
                const std::string& workflow = "fix-item", int version = 1) {
    At(at);
    engine::NewInstance req;
    req.id = id;
    req.workflow = workflow;
    req.workflow_version = version;
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "危房改造对象识别不准";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", limit}};
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
  }

  Result<engine::MigrationReport> Migrate(std::map<std::string, std::string> map) {
    engine::MigrationRequest req;
    req.workflow = "fix-item";
    req.from_version = 1;
    req.to_version = 2;
    req.state_map = std::move(map);
    return engine::MigrateInstances(*engine_, req);
  }

  // A: open, B: checking, C: done (final), D: rectification-item (another workflow).
  void Scenario() {
    Register("A", "2017-04-21T10:00:00+08:00", "10wd");
    Register("B", "2017-04-21T10:00:00+08:00", "10wd");
    Register("C", "2017-04-21T10:00:00+08:00", "10wd");
    Register("D", "2017-04-21T10:00:00+08:00", "10wd", "rectification-item", 0);
    At("2017-04-26T10:00:00+08:00");
    ASSERT_TRUE(Act("B", "submit", "xs-0014").ok());
    ASSERT_TRUE(Act("C", "submit", "xs-0014").ok());
    ASSERT_TRUE(Act("C", "accept", "xs-0009").ok());
  }

  test::TempDir dir_;
};

TEST_P(MigrationTest, AnIncompleteMappingNamesEachUnmappedStateAndChangesNothing) {
  Scenario();
  auto r = Migrate({{"open", "rectifying"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "every state of workflow fix-item@1 with running instances must be mapped; unmapped: "
            "'checking' (1 instance) (hint: add --map checking=STATE, a state of workflow "
            "fix-item@2: rectifying, verifying, closed)");
  EXPECT_EQ(Load("A").record.workflow_version, 1);
  EXPECT_EQ(Load("A").audit_seq, 1);

  auto unknown = Migrate({{"open", "rectifying"}, {"checking", "verifyin"}, {"gone", "closed"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(),
            "--map: 'verifyin' is not a state of workflow fix-item@2 (did you mean 'verifying'?), "
            "'gone' is not a state of workflow fix-item@1 (did you mean 'done'?)");
}

TEST_P(MigrationTest, ACompleteMappingKeepsClocksReprojectsTimersAndAuditsEachInstance) {
  Scenario();
  RunUntil("2017-05-12T00:00:00+08:00");  // A is overdue: steps 0 and 1 were taken
  std::string due_a = Due("A"), due_b = Due("B");
  EXPECT_EQ(due_a, "2017-05-09T00:00:00+08:00");
  EXPECT_EQ(Load("A").EscalationLevel(), 2);
  auto clock_a = Load("A").clocks.at("open").clock;

  auto r = Migrate({{"open", "rectifying"}, {"checking", "verifying"}});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->moved.size(), 2u);
  EXPECT_EQ(r->moved[0].id, "A");
  EXPECT_EQ(r->moved[1].id, "B");
  EXPECT_EQ(r->left_final, 1);

  engine::Instance a = Load("A");
  EXPECT_EQ(a.record.workflow_version, 2);
  EXPECT_EQ(a.record.state, "rectifying");
  EXPECT_EQ(Due("A"), due_a);  // the same clock, so the same deadline
  EXPECT_EQ(a.clocks.at("rectifying").clock.anchor, clock_a.anchor);
  EXPECT_EQ(a.clocks.at("rectifying").clock.generation, clock_a.generation);
  EXPECT_EQ(a.EscalationLevel(), 2);  // steps taken are not taken again
  EXPECT_THAT(PendingTimers("A"), ElementsAre("2017-05-15T08:30:00+08:00 escalate:rectifying:2",
                                              "2017-05-18T08:30:00+08:00 escalate:rectifying:3",
                                              "2017-05-24T08:30:00+08:00 escalate:rectifying:4",
                                              "2017-05-27T08:30:00+08:00 escalate:rectifying:5",
                                              "2017-06-06T08:30:00+08:00 escalate:rectifying:6",
                                              "2017-06-20T08:30:00+08:00 escalate:rectifying:7"));
  engine::Instance b = Load("B");
  EXPECT_EQ(b.record.state, "verifying");
  EXPECT_EQ(Due("B"), due_b);                 // v1's 3wd check clock moved as it was, not v2's 5wd
  EXPECT_TRUE(b.clocks.count("rectifying"));  // the paused clock of `open` moved too

  auto audit = store_->AuditOf("A");
  ASSERT_TRUE(audit.ok());
  const AuditRecord& last = audit->back();
  EXPECT_EQ(last.event, "migrated");
  EXPECT_EQ(last.from_state, "open");
  EXPECT_EQ(last.to_state, "rectifying");
  auto data = boost::json::parse(last.data_json).as_object();
  EXPECT_EQ(data.at("from_workflow").as_string(), "fix-item@1");
  EXPECT_EQ(data.at("to_workflow").as_string(), "fix-item@2");
  EXPECT_EQ(data.at("deadline").as_string(), "2017-05-08T16:00:00Z");

  // Untouched: the closed instance and the other workflow's.
  EXPECT_EQ(Load("C").record.workflow_version, 1);
  EXPECT_EQ(Load("C").record.state, "done");
  EXPECT_EQ(Load("D").record.workflow, "rectification-item");
  EXPECT_EQ(Load("D").audit_seq, 1);

  // The new version's path works, and the old timers never fire.
  RunUntil("2017-05-16T00:00:00+08:00");
  EXPECT_EQ(Load("A").EscalationLevel(), 3);
  auto timers = store_->TimersOf("A");
  ASSERT_TRUE(timers.ok());
  for (const auto& t : *timers) {
    if (t.key.name.find(":open:") != std::string::npos) {
      EXPECT_NE(t.state, TimerState::kPending) << t.key.name;
    }
  }
  At("2017-05-16T10:00:00+08:00");
  ASSERT_TRUE(Act("B", "accept", "xs-0009").ok());
  EXPECT_EQ(Load("B").record.state, "closed");
}

TEST_P(MigrationTest, TheCommandLineMigratesWithADryRunFirst) {
  Scenario();
  std::map<std::string, std::string> env = {{"RECTIFY_DB", db_->url()},
                                            {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  std::vector<std::string> args = {"instances",      "migrate",
                                   "--workflow",     "fix-item",
                                   "--from-version", "1",
                                   "--to-version",   "2",
                                   "--map",          "open=rectifying",
                                   "--definitions",  Definitions(),
                                   "--at",           "2017-05-01T10:00:00+08:00"};
  auto incomplete = test::RunRectify(args, env);
  EXPECT_EQ(incomplete.exit_code, 1);
  EXPECT_THAT(incomplete.err, HasSubstr("unmapped: 'checking' (1 instance)"));

  args.insert(args.end(), {"--map", "checking=verifying", "--dry-run"});
  auto dry = test::RunRectify(args, env);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out,
            "A: fix-item@1 open -> @2 rectifying (deadline 2017-05-09T00:00:00+08:00)\n"
            "B: fix-item@1 checking -> @2 verifying (deadline 2017-05-03T00:00:00+08:00)\n"
            "would migrate 2 instances of fix-item from version 1 to version 2; 1 in a final "
            "state stay on version 1 (--dry-run: nothing was changed)\n");
  EXPECT_EQ(Load("A").record.workflow_version, 1);

  args.pop_back();
  auto done = test::RunRectify(args, env);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("migrated 2 instances of fix-item from version 1 to version 2"));
  EXPECT_EQ(Load("A").record.workflow_version, 2);
  EXPECT_EQ(Load("B").record.state, "verifying");
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest,
                         ::testing::Values(test::Backend::kSqlite, test::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
