// GET /api/v1/stream through a live `rectify serve` on SQLite and PostgreSQL: a change made by one
// caller reaches another's stream within a second, only within the reader's scope; a reconnect
// with Last-Event-ID gets exactly what was missed, in order, once; a dead letter reaches an
// administrator; signing out ends the stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>
#include <thread>

#include "adapters/store/soci/database.h"
#include "tests/http/api_env.h"
#include "tests/http/sse_client.h"

namespace rectify {
namespace {

using namespace std::chrono_literals;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using test::SessionHeaders;
using test::SseClient;
using ::testing::HasSubstr;

// The item an event is about ("" for none).
std::string Item(const SseClient::Event& e) {
  boost::json::value v = boost::json::parse(e.data);
  const auto& item = v.at("item");
  return item.is_string() ? std::string(item.as_string()) : std::string();
}

class ApiStreamTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }

  // `person` (signed in on `c`) submits `item` with evidence; the answer's status.
  int Submit(HttpClient& c, const std::string& csrf, const std::string& item) {
    HttpAnswer now = c.Send("GET", "/api/v1/items/" + item);
    HttpAnswer a = c.Send("POST", "/api/v1/items/" + item + "/events/submit",
                          R"({"evidence":["整改照片.jpg"]})",
                          {{"X-CSRF-Token", csrf}, {"If-Match", now.Header("etag")}});
    EXPECT_EQ(a.status, 200) << a.body;
    return a.status;
  }

  // A stream opened by `person`, signed in on `c`.
  std::unique_ptr<SseClient> Open(HttpClient& c, std::map<std::string, std::string> extra = {}) {
    auto h = SessionHeaders(c);
    h.insert(extra.begin(), extra.end());
    auto s = std::make_unique<SseClient>(env_->port(), h);
    EXPECT_EQ(s->status(), 200) << s->body();
    EXPECT_THAT(s->Header("content-type"), HasSubstr("text/event-stream"));
    return s;
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiStreamTest, AChangeReachesAReaderWithinASecondAndOnlyWithinTheirScope) {
  HttpClient leader = env_->Client(), cadre_b = env_->Client(), cadre_a = env_->Client();
  env_->SignIn(leader, "xs-0002");
  std::string csrf_b = env_->SignIn(cadre_b, "xs-0025");
  std::string csrf_a = env_->SignIn(cadre_a, "xs-0014");
  auto leader_stream = Open(leader);
  auto b_stream = Open(cadre_b);
  ASSERT_EQ(leader_stream->status(), 200);

  ASSERT_EQ(Submit(cadre_a, csrf_a, "T-A1"), 200);
  auto committed = std::chrono::steady_clock::now();
  auto e = leader_stream->Next(3s);
  ASSERT_TRUE(e.has_value()) << leader_stream->text();
  EXPECT_LT(std::chrono::steady_clock::now() - committed, 1s);
  EXPECT_EQ(e->type, "item");
  EXPECT_FALSE(e->id.empty());
  boost::json::value data = boost::json::parse(e->data);
  EXPECT_EQ(data.at("item"), "T-A1");
  EXPECT_EQ(data.at("event"), "submit");
  EXPECT_EQ(data.at("actor"), "xs-0014");
  EXPECT_TRUE(data.at("version").is_int64());
  EXPECT_TRUE(data.at("from").is_string());
  EXPECT_TRUE(data.at("to").is_string());

  // The cadre of unit B saw nothing of unit A's item, and sees their own.
  ASSERT_EQ(Submit(cadre_b, csrf_b, "T-B1"), 200);
  std::vector<SseClient::Event> seen_b = b_stream->Collect(2s);
  ASSERT_FALSE(seen_b.empty()) << b_stream->text();
  for (const auto& ev : seen_b) EXPECT_EQ(Item(ev), "T-B1") << ev.data;
  EXPECT_THAT(b_stream->text(), ::testing::Not(HasSubstr("T-A1")));
}

TEST_P(ApiStreamTest, AReconnectWithLastEventIdGetsExactlyWhatWasMissedInOrderOnce) {
  HttpClient leader = env_->Client(), head = env_->Client(), cadre_a = env_->Client(),
             cadre_b = env_->Client();
  env_->SignIn(leader, "xs-0002");
  std::string csrf_head = env_->SignIn(head, "xs-0012");
  std::string csrf_a = env_->SignIn(cadre_a, "xs-0014");
  std::string csrf_b = env_->SignIn(cadre_b, "xs-0025");
  // A witness stays connected throughout; the board disconnects after the first event.
  auto witness = Open(leader);
  std::string last_id;
  {
    auto board = Open(leader);
    ASSERT_EQ(Submit(cadre_a, csrf_a, "T-A1"), 200);
    auto first = board->Next(3s);
    ASSERT_TRUE(first.has_value());
    // Everything of that change, so the reconnect starts after it.
    last_id = first->id;
    for (const auto& more : board->Collect(1s)) last_id = more.id;
  }
  ASSERT_EQ(Submit(head, csrf_head, "T-A2"), 200);
  ASSERT_EQ(Submit(cadre_b, csrf_b, "T-B1"), 200);
  // What the board missed, as the witness saw it: everything after last_id, up to the last event
  // of T-B1 and whatever follows it closely.
  std::vector<SseClient::Event> missed;
  bool saw_b = false;
  while (auto e = witness->Next(saw_b ? 1s : 5s)) {
    if (std::stoll(e->id) <= std::stoll(last_id)) continue;
    missed.push_back(*e);
    saw_b = saw_b || Item(*e) == "T-B1";
  }
  ASSERT_TRUE(saw_b) << witness->text();

  auto again = Open(leader, {{"Last-Event-ID", last_id}});
  std::vector<SseClient::Event> replayed;
  while (replayed.size() < missed.size()) {
    auto e = again->Next(5s);
    if (!e) break;
    replayed.push_back(*e);
  }
  // Nothing more, nothing twice.
  for (const auto& extra : again->Collect(1s)) replayed.push_back(extra);
  ASSERT_EQ(replayed.size(), missed.size()) << again->text();
  std::set<std::string> items;
  for (std::size_t i = 0; i < missed.size(); ++i) {
    EXPECT_EQ(replayed[i].id, missed[i].id);
    EXPECT_EQ(replayed[i].data.substr(0, 40), missed[i].data.substr(0, 40));
    if (i > 0) {
      EXPECT_GT(std::stoll(replayed[i].id), std::stoll(replayed[i - 1].id));
    }
    items.insert(Item(replayed[i]));
  }
  EXPECT_TRUE(items.count("T-A2"));
  EXPECT_TRUE(items.count("T-B1"));

  // A Last-Event-ID that is not one, and no credential: clear errors.
  SseClient bad(env_->port(), [&] {
    auto h = SessionHeaders(leader);
    h["Last-Event-ID"] = "yesterday";
    return h;
  }());
  EXPECT_EQ(bad.status(), 400);
  EXPECT_THAT(bad.body(), HasSubstr("Last-Event-ID"));
  SseClient nobody(env_->port(), {});
  EXPECT_EQ(nobody.status(), 401);
}

TEST_P(ApiStreamTest, ADeadLetterReachesAnAdministratorOnly) {
  HttpClient admin = env_->Client(), cadre_b = env_->Client();
  env_->SignIn(admin, "xs-0003");
  env_->SignIn(cadre_b, "xs-0025");
  auto admin_stream = Open(admin);
  auto b_stream = Open(cadre_b);
  {
    // A delivery of no item that the dispatcher gave up on (as after its last attempt).
    auto url = store_soci::ParseDatabaseUrl(env_->db().url());
    ASSERT_TRUE(url.ok());
    store_soci::OpenOptions open;
    open.create = false;
    auto db = store_soci::Database::Open(*url, open);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO outbox (dedup_key, instance_id, channel, recipient, "
                           "template, payload, not_before, state, attempts, next_attempt_at, "
                           "last_error, created_at) VALUES ('stream-test', '', 'email', "
                           "'xs-0003', 'digest', '{}', 0, 'pending', 5, 0, 'refused', 0)")
                    .ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE outbox SET state = 'dead' WHERE dedup_key = 'stream-test'").ok());
  }
  auto e = admin_stream->Next(3s);
  ASSERT_TRUE(e.has_value()) << admin_stream->text();
  EXPECT_EQ(e->type, "dead_letter");
  boost::json::value data = boost::json::parse(e->data);
  EXPECT_TRUE(data.at("item").is_null());
  EXPECT_EQ(data.at("channel"), "email");
  EXPECT_EQ(data.at("attempts"), 5);
  EXPECT_TRUE(b_stream->Collect(1500ms).empty()) << b_stream->text();
}

TEST_P(ApiStreamTest, SigningOutEndsTheStream) {
  HttpClient c = env_->Client();
  std::string csrf = env_->SignIn(c, "xs-0014");
  auto stream = Open(c);
  ASSERT_EQ(stream->status(), 200);
  EXPECT_FALSE(stream->WaitForEnd(500ms));
  HttpAnswer out = c.Send("DELETE", "/api/v1/session", "", {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_TRUE(stream->WaitForEnd(5s)) << stream->text();
}

TEST_P(ApiStreamTest, AGracefulStopEndsOpenStreamsAndDoesNotHang) {
  HttpClient a = env_->Client(), b = env_->Client();
  env_->SignIn(a, "xs-0014");
  env_->SignIn(b, "xs-0003");
  auto first = Open(a);
  auto second = Open(b);
  ASSERT_EQ(first->status(), 200);
  ASSERT_EQ(second->status(), 200);
  auto start = std::chrono::steady_clock::now();
  env_->server().Kill(SIGTERM);
  EXPECT_TRUE(first->WaitForEnd(5s));
  EXPECT_TRUE(second->WaitForEnd(5s));
  while (env_->server().running() && std::chrono::steady_clock::now() - start < 10s) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_FALSE(env_->server().running()) << env_->server().output();
  EXPECT_EQ(env_->server().Wait(), 0) << env_->server().output();
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiStreamTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

// PostgreSQL commits out of order: a feed id taken by a transaction that commits late is below
// ids already visible. The stream holds back what is above the gap until the late row commits,
// then sends both in id order, so a reconnect by id can never skip it. (SQLite has one writer:
// no such gap can form there.)
TEST(ApiStreamPostgresqlTest, ARowCommittedLateIsSentInIdOrderNotSkipped) {
  ApiEnv env(Backend::kPostgresql);
  ASSERT_TRUE(env.Start());
  HttpClient admin = env.Client(), cadre = env.Client();
  env.SignIn(admin, "xs-0003");
  std::string csrf = env.SignIn(cadre, "xs-0014");
  auto url = store_soci::ParseDatabaseUrl(env.db().url());
  ASSERT_TRUE(url.ok());
  store_soci::OpenOptions open;
  open.create = false;
  auto db = store_soci::Database::Open(*url, open);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO outbox (dedup_key, instance_id, channel, recipient, "
                         "template, payload, not_before, state, attempts, next_attempt_at, "
                         "last_error, created_at) VALUES ('late', '', 'email', 'xs-0003', "
                         "'digest', '{}', 0, 'pending', 5, 0, '', 0)")
                  .ok());
  SseClient stream(env.port(), SessionHeaders(admin));
  ASSERT_EQ(stream.status(), 200);

  // The delivery turns dead in a transaction that stays open: its feed id is taken now.
  (*db)->session().begin();
  (*db)->session() << "UPDATE outbox SET state = 'dead' WHERE dedup_key = 'late'";
  // A later change commits first, with a higher id.
  HttpAnswer now = cadre.Send("GET", "/api/v1/items/T-A1");
  HttpAnswer sent =
      cadre.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["照片.jpg"]})",
                 {{"X-CSRF-Token", csrf}, {"If-Match", now.Header("etag")}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  // Held back while the gap may still fill.
  EXPECT_FALSE(stream.Next(1s).has_value()) << stream.text();
  (*db)->session().commit();

  std::vector<SseClient::Event> events = stream.Collect(3s);
  ASSERT_GE(events.size(), 2u) << stream.text();
  EXPECT_EQ(events[0].type, "dead_letter");
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_GT(std::stoll(events[i].id), std::stoll(events[i - 1].id));
    EXPECT_EQ(Item(events[i]), "T-A1");
  }
}

}  // namespace
}  // namespace rectify
