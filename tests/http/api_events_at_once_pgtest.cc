// Events sent at the same moment through a live `rectify serve` on SQLite and PostgreSQL, whose
// API workers commit through one group commit (rectify/engine/group_commit.h): each request gets
// its own answer, showing the item as committed, and of two submits of one item at one version
// exactly one goes through and the other is 412. (That the commits are grouped, and what happens
// when a group fails, is tested on the engine: tests/engine/group_commit_pgtest.cc.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;

class ApiEventsAtOnceTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ApiEventsAtOnceTest, EachEventSentAtOnceGetsItsOwnAnswer) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start({"--api-workers", "4"}));
  struct Send {
    std::string person, item;
  };
  // Each responsible person submits their item; 唐强华 (xs-0014) twice, both at version 1.
  const std::vector<Send> sends = {
      {"xs-0014", "T-A1"}, {"xs-0012", "T-A2"}, {"xs-0025", "T-B1"}, {"xs-0014", "T-A1"}};
  std::map<std::string, std::string> tokens;
  for (const auto& s : sends) {
    if (!tokens.contains(s.person)) tokens[s.person] = env.Token(s.person);
  }
  std::vector<HttpAnswer> answers(sends.size());
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sends.size(); ++i) {
    threads.emplace_back([&, i] {
      HttpClient c = env.Client();
      ++ready;
      while (ready.load() < static_cast<int>(sends.size())) std::this_thread::yield();
      answers[i] = c.Send("POST", "/api/v1/items/" + sends[i].item + "/events/submit",
                          R"({"evidence":["整改照片.jpg"]})",
                          {{"Authorization", "Bearer " + tokens[sends[i].person]},
                           {"Content-Type", "application/json"},
                           {"If-Match", "\"1\""}});
    });
  }
  for (auto& t : threads) t.join();

  for (std::size_t i : {1u, 2u}) {
    ASSERT_EQ(answers[i].status, 200) << sends[i].item << ": " << answers[i].body;
    EXPECT_EQ(answers[i].Header("etag"), "\"2\"");
    auto item = answers[i].Json().as_object();
    EXPECT_EQ(item.at("id").as_string(), sends[i].item);
    EXPECT_EQ(item.at("state").as_string(), "verifying") << answers[i].body;
    EXPECT_EQ(item.at("version").as_int64(), 2);
  }
  // T-A1 twice at version 1: one submit, and a 412 that names the version it is at now.
  std::vector<int> statuses{answers[0].status, answers[3].status};
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 412})) << answers[0].body << "\n" << answers[3].body;
  const HttpAnswer& won = answers[0].status == 200 ? answers[0] : answers[3];
  const HttpAnswer& lost = answers[0].status == 200 ? answers[3] : answers[0];
  EXPECT_EQ(won.Header("etag"), "\"2\"");
  EXPECT_EQ(won.Json().at("state").as_string(), "verifying");
  EXPECT_EQ(lost.ErrorCode(), "precondition_failed") << lost.body;

  // What each responsible person reads afterwards: their item submitted once.
  HttpClient reader = env.Client();
  for (const auto& [item, person] : std::map<std::string, std::string>{
           {"T-A1", "xs-0014"}, {"T-A2", "xs-0012"}, {"T-B1", "xs-0025"}}) {
    HttpAnswer got = reader.Send("GET", "/api/v1/items/" + item, "",
                                 {{"Authorization", "Bearer " + tokens[person]}});
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.Header("etag"), "\"2\"") << item;
    EXPECT_EQ(got.Json().at("state").as_string(), "verifying") << item;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiEventsAtOnceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
