// `rectify dispatch` says why it holds each message, `rectify dispatch --at` previews a dispatch
// at an instant without changing anything, and `rectify outbox list` shows the queue with its
// filters, through the binary on SQLite and PostgreSQL.
#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/notify/channels_file.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/support/run_command.h"

namespace rectify::notify {
namespace {

using test::CommandResult;
using test::RunRectify;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace test_env;

class OutboxCliTest : public DispatcherFixture {
 protected:
  // The shipped cn calendar (08:30-18:00), a log channel taking one message a minute, and a
  // daily digest for xs-0025.
  void WriteChannels(const std::string& calendar = "cn") {
    channels_file_ = db_->dir().File("channels.yaml");
    std::ofstream f(channels_file_);
    if (calendar != "cn") f << test::RoundTheClockCalendar(calendar) << "---\n";
    f << "kind: channels\nname: outbox-test\ncalendar: " << calendar
      << "\nchannels:\n  log: { kind: log, rate_limit: 1, burst: 1 }\n"
         "routes: { email: log, sms: log, inbox: log }\norg: xinshao\ncontacts:\n"
         "  - people: [xs-0025]\n    email: \"li@example.org\"\n    digest: daily\n"
         "  - email: \"rehearsal+{id}@example.org\"\n";
  }
  CommandResult Rectify(std::vector<std::string> rest) {
    std::vector<std::string> a{"--db", db_->url()};
    a.insert(a.end(), rest.begin(), rest.end());
    return RunRectify(a, {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  }
  // Monday 2017-05-08: two reminders due at 10:00 (the second behind the first in the channel's
  // rate limit), one for a person who takes a daily digest, the first letter of Q-2 queued at
  // midnight for 08:30 on the 9th, a retry waiting for its backoff, a notice queued for the 10th,
  // and one each sent, dead and cancelled.
  void Scenario() {
    WriteChannels();
    OutboxRecord letter = Row("Q-2|escalate:rectifying:0|1|xs-0014", T("2017-05-09T08:30:00+08:00"),
                              "xs-0014", "escalation");
    letter.created_at = T("2017-05-09T00:00:00+08:00");
    OutboxRecord later = Row("Q-6|notice|1|xs-0014", T("2017-05-10T10:00:00+08:00"));
    later.template_name = "notice";
    later.created_at = T("2017-05-08T10:00:00+08:00");
    Enqueue({Row("Q-1|remind:rectifying:2|1|xs-0014", T("2017-05-08T10:00:00+08:00")), letter,
             Row("Q-3|remind:rectifying:2|1|xs-0025", T("2017-05-08T10:00:00+08:00"), "xs-0025"),
             Row("Q-4|remind:rectifying:2|1|xs-0015", T("2017-05-08T10:00:00+08:00"), "xs-0015"),
             Row("Q-5|remind:rectifying:2|1|xs-0014", T("2017-05-08T09:00:00+08:00")), later,
             Row("Q-7|remind:rectifying:0|1|xs-0014", T("2017-05-01T10:00:00+08:00")),
             Row("Q-8|remind:rectifying:0|1|xs-0014", T("2017-05-01T10:00:00+08:00")),
             Row("Q-9|remind:rectifying:0|1|xs-0014", T("2017-05-01T10:00:00+08:00"))});
    auto db = Connect();
    ASSERT_NE(db, nullptr);
    db->session() << "UPDATE outbox SET attempts = 1, last_error = '421 try again later', "
                     "next_attempt_at = "
                  << ToMicros(T("2017-05-08T10:05:00+08:00"))
                  << " WHERE dedup_key = 'Q-5|remind:rectifying:2|1|xs-0014'";
    db->session() << "UPDATE outbox SET state = 'sent', sent_at = 1 WHERE dedup_key LIKE 'Q-7|%'";
    db->session() << "UPDATE outbox SET state = 'dead', attempts = 5 WHERE dedup_key LIKE 'Q-8|%'";
    db->session() << "UPDATE outbox SET state = 'cancelled' WHERE dedup_key LIKE 'Q-9|%'";
  }
  // Every row as the database holds it, and the attempts: what "changes nothing" compares.
  std::string Snapshot() {
    auto db = Connect();
    std::string out;
    soci::rowset<soci::row> rows = db->session().prepare
                                   << "SELECT dedup_key, state, attempts, next_attempt_at, "
                                      "last_error FROM outbox ORDER BY id";
    for (const auto& r : rows) {
      out += r.get<std::string>(0) + " " + r.get<std::string>(1) + " " +
             std::to_string(r.get<long long>(2)) + " " + std::to_string(r.get<long long>(3)) + " " +
             r.get<std::string>(4) + "\n";
    }
    long long attempts = 0;
    db->session() << "SELECT count(*) FROM delivery_attempts", soci::into(attempts);
    return out + "attempts " + std::to_string(attempts) + "\n";
  }
  // "item state rule goes_at" of each row of `outbox list --format jsonl` or `dispatch --at`.
  static std::vector<std::string> Rows(const std::string& jsonl) {
    std::vector<std::string> out;
    std::istringstream in(jsonl);
    for (std::string line; std::getline(in, line);) {
      auto v = boost::json::parse(line).as_object();
      out.push_back(std::string(v.at("item").as_string()) + " " +
                    std::string(v.at("state").as_string()) + " " +
                    std::string(v.at("rule").as_string()) + " " +
                    std::string(v.at("goes_at").as_string()));
    }
    return out;
  }
  // The line of the text table that shows `item`.
  static std::string LineOf(const std::string& text, const std::string& item) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.find("  " + item + "  ") != std::string::npos) return line;
    }
    return "(no line for " + item + " in:\n" + text + ")";
  }
  std::string channels_file_;
};

TEST_P(OutboxCliTest, DispatchAtAnInstantInsideWorkingHoursSaysWhichRuleHoldsEachAndWhen) {
  Scenario();
  std::string before = Snapshot();
  CommandResult r = Rectify({"--format", "jsonl", "dispatch", "--at", "2017-05-08T10:00:00+08:00",
                             "--channels", channels_file_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "dispatch at 2017-05-08T10:00:00+08:00: 1 would be sent, 5 held, 0 dead-lettered; "
            "nothing was sent or changed (--at)\n");
  EXPECT_THAT(Rows(r.out),
              ElementsAre("Q-1 queued  now", "Q-3 held daily digest 2017-05-09T08:30:00+08:00",
                          "Q-4 held rate limit 2017-05-08T10:01:00+08:00",
                          "Q-5 held backoff after a failed attempt 2017-05-08T10:05:00+08:00",
                          "Q-2 held working hours 2017-05-09T08:30:00+08:00",
                          "Q-6 held not yet due 2017-05-10T10:00:00+08:00"));
  EXPECT_EQ(Snapshot(), before) << "a preview changes nothing";
}

TEST_P(OutboxCliTest, DispatchAtAnInstantOutsideWorkingHoursHoldsAllButNamesTheRules) {
  Scenario();
  std::string before = Snapshot();
  CommandResult r =
      Rectify({"dispatch", "--at", "2017-05-08T20:00:00+08:00", "--channels", channels_file_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "dispatch at 2017-05-08T20:00:00+08:00: 0 would be sent, 6 held, 0 dead-lettered; "
            "nothing was sent or changed (--at)\n");
  // The retry's backoff ran out at 10:05: now working hours hold it like the rest.
  EXPECT_THAT(LineOf(r.out, "Q-1"), AllOf(HasSubstr("唐强华 (xs-0014)"), HasSubstr("held"),
                                          HasSubstr("working hours  2017-05-09T08:30:00+08:00")));
  EXPECT_THAT(LineOf(r.out, "Q-5"), HasSubstr("working hours  2017-05-09T08:30:00+08:00"));
  EXPECT_THAT(LineOf(r.out, "Q-3"), HasSubstr("working hours  2017-05-09T08:30:00+08:00"));
  EXPECT_THAT(LineOf(r.out, "Q-6"), HasSubstr("not yet due    2017-05-10T10:00:00+08:00"));
  EXPECT_EQ(Snapshot(), before) << "a preview changes nothing";
  CommandResult bad = Rectify({"dispatch", "--at", "tonight", "--channels", channels_file_});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, StartsWith("rectify: error: --at: "));
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(OutboxCliTest, OutboxListFiltersByItemPersonAndState) {
  Scenario();
  std::string before = Snapshot();
  auto list = [&](std::vector<std::string> filters) {
    std::vector<std::string> a{"--format",   "jsonl",       "outbox",
                               "list",       "--at",        "2017-05-08T10:00:00+08:00",
                               "--channels", channels_file_};
    a.insert(a.end(), filters.begin(), filters.end());
    CommandResult r = Rectify(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Rows(r.out);
  };
  EXPECT_THAT(list({"--item", "Q-4"}),
              ElementsAre("Q-4 held rate limit 2017-05-08T10:01:00+08:00"));
  EXPECT_THAT(list({"--person", "xs-0025"}),
              ElementsAre("Q-3 held daily digest 2017-05-09T08:30:00+08:00"));
  EXPECT_THAT(list({"--state", "queued"}), ElementsAre("Q-1 queued  now"));
  EXPECT_EQ(list({"--state", "held"}).size(), 5u);
  EXPECT_EQ(list({"--state", "pending"}).size(), 6u);
  EXPECT_THAT(list({"--state", "sent"}), ElementsAre("Q-7 sent  "));
  EXPECT_THAT(list({"--state", "dead"}), ElementsAre("Q-8 dead  "));
  EXPECT_THAT(list({"--state", "cancelled"}), ElementsAre("Q-9 cancelled  "));
  EXPECT_THAT(list({"--item", "Q-1", "--state", "held"}), ::testing::IsEmpty());

  CommandResult csv = Rectify({"--format", "csv", "outbox", "list", "--item", "Q-3", "--at",
                               "2017-05-08T10:00:00+08:00", "--channels", channels_file_});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "\xEF\xBB\xBFid,item,recipient,recipient_name,template,channel,state,rule,goes_at,"
            "attempts,last_error,dedup_key,receipt,receipt_code,receipt_detail,provider_ref\r\n"
            "3,Q-3,xs-0025,冯文志,reminder,email,held,daily digest,2017-05-09T08:30:00+08:00,0,,"
            "Q-3|remind:rectifying:2|1|xs-0025,none,,,\r\n");
  CommandResult text =
      Rectify({"outbox", "list", "--person", "xs-9999", "--channels", channels_file_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "no messages in the outbox to xs-9999\n");
  CommandResult bad = Rectify({"outbox", "list", "--state", "lost"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(Snapshot(), before) << "listing changes nothing";
}

// A real dispatch says which rule held each message it put back, and when it will go. On a
// calendar open around the clock, so that the test passes at any hour: the channel's rate limit
// of one a minute holds the second message.
TEST_P(OutboxCliTest, DispatchNamesTheRuleThatHeldEachMessage) {
  WriteChannels("round-the-clock");
  Enqueue({Row("Q-1|remind:rectifying:2|1|xs-0014", T("2017-05-08T10:00:00+08:00")),
           Row("Q-4|remind:rectifying:2|1|xs-0015", T("2017-05-08T10:00:00+08:00"), "xs-0015")});
  CommandResult r = Rectify({"dispatch", "--once", "--channels", channels_file_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 delivered, 0 to retry, 0 dead-lettered, 1 held (1 rate limit)"));
  EXPECT_THAT(r.err, HasSubstr("dispatch: held Q-4|remind:rectifying:2|1|xs-0015 (reminder to "
                               "xs-0015): rate limit; goes at 20"));
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxCliTest,
                         ::testing::Values(store_soci::Backend::kSqlite,
                                           store_soci::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
