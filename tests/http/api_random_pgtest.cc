// Long random sequences of valid and invalid requests from several callers at once, against a live
// `rectify serve` on SQLite and PostgreSQL. After every request the test checks what no answer may
// ever do: show a caller an item outside their scope (a list holds only what they may read; an
// item they may not read answers exactly as one that does not exist), change anything when the
// answer was an error, change anything but the one item a successful write named, or be recorded
// as anyone but the caller. The sequence is seeded (RECTIFY_RANDOM_SEED, else a fixed seed), so a
// failure can be replayed; RECTIFY_RANDOM_STEPS sets its length (400).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;

struct RandomCaller {
  std::string name;
  std::string person;  // empty: anonymous
  enum { kNone, kSession, kToken, kReadToken, kRevokedToken } how;
  std::set<std::string> units;  // the units whose items it may read; empty with `all`
  bool all = false;             // reads the whole county
  HttpClient client{0};
  std::map<std::string, std::string> headers;
};

// Item -> (version, state), as the administrator reads them.
using Snapshot = std::map<std::string, std::pair<std::int64_t, std::string>>;

class ApiRandomTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
    // Nine more items in the three units the callers work in.
    std::string ledger = env_->db().dir().File("more.csv");
    std::ofstream out(ledger);
    out << "id,title,unit,responsible,registered_at,time_limit\n";
    const char* units[] = {"niangxi-team-1", "yantang-team-1", "niangxi"};
    const char* people[] = {"xs-0014", "xs-0025", "xs-0012"};
    for (int i = 0; i < 9; ++i) {
      out << "R-" << i << ",随机测试" << i << "," << units[i % 3] << "," << people[i % 3]
          << ",2017-04-21,15wd\n";
      unit_of_["R-" + std::to_string(i)] = units[i % 3];
    }
    out.close();
    ASSERT_TRUE(env_->Run(
        {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-04-21T09:00:00+08:00"}));
    unit_of_["T-A1"] = "niangxi-team-1";
    unit_of_["T-A2"] = "niangxi";
    unit_of_["T-B1"] = "yantang-team-1";

    std::set<std::string> niangxi = {"niangxi", "niangxi-team-1"};
    callers_.push_back({"anonymous", "", RandomCaller::kNone, {}});
    callers_.push_back({"cadre A", "xs-0014", RandomCaller::kSession, {"niangxi-team-1"}});
    callers_.push_back({"cadre B", "xs-0025", RandomCaller::kSession, {"yantang-team-1"}});
    callers_.push_back({"township head", "xs-0012", RandomCaller::kSession, niangxi});
    callers_.push_back({"township head's token", "xs-0012", RandomCaller::kToken, niangxi});
    callers_.push_back(
        {"township head's read token", "xs-0012", RandomCaller::kReadToken, niangxi});
    callers_.push_back({"county leader", "xs-0002", RandomCaller::kSession, {}, true});
    callers_.push_back({"verifier", "xs-0007", RandomCaller::kSession, {}, true});
    callers_.push_back({"revoked token", "xs-0025", RandomCaller::kRevokedToken, {}});
    for (RandomCaller& c : callers_) {
      c.client = env_->Client();
      switch (c.how) {
        case RandomCaller::kSession:
          c.headers["X-CSRF-Token"] = env_->SignIn(c.client, c.person);
          break;
        case RandomCaller::kToken:
        case RandomCaller::kReadToken:
        case RandomCaller::kRevokedToken: {
          std::string token =
              env_->Token(c.person, c.how == RandomCaller::kReadToken ? "read" : "write");
          c.headers["Authorization"] = "Bearer " + token;
          if (c.how == RandomCaller::kRevokedToken) {
            EXPECT_TRUE(env_->Run({"token", "revoke", token.substr(4, 12)}));
          }
          break;
        }
        case RandomCaller::kNone:
          break;
      }
    }
    admin_ = env_->Client();
    admin_headers_["Authorization"] = "Bearer " + env_->Token("xs-0003", "read");
  }

  bool Reads(const RandomCaller& c, const std::string& id) const {
    if (c.how == RandomCaller::kNone || c.how == RandomCaller::kRevokedToken) return false;
    if (c.all) return unit_of_.count(id) > 0;
    auto it = unit_of_.find(id);
    return it != unit_of_.end() && c.units.count(it->second) > 0;
  }

  Snapshot Take() {
    Snapshot s;
    HttpAnswer a = admin_.Send("GET", "/api/v1/items?limit=200", "", admin_headers_);
    EXPECT_EQ(a.status, 200) << a.body;
    if (a.status != 200) return s;
    boost::json::value v = a.Json();
    for (const auto& item : v.at("items").as_array()) {
      s[std::string(item.at("id").as_string())] = {item.at("version").as_int64(),
                                                   std::string(item.at("state").as_string())};
    }
    return s;
  }

  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> unit_of_;
  std::vector<RandomCaller> callers_;
  HttpClient admin_{0};
  std::map<std::string, std::string> admin_headers_;
};

std::string Pick(std::mt19937& rng, const std::vector<std::string>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

TEST_P(ApiRandomTest, NoCallerSeesOrChangesAnythingOutsideTheirScope) {
  unsigned seed = 20170421;
  if (const char* s = std::getenv("RECTIFY_RANDOM_SEED")) seed = std::stoul(s);
  int steps = 400;
  if (const char* s = std::getenv("RECTIFY_RANDOM_STEPS")) steps = std::stoi(s);
  SCOPED_TRACE("RECTIFY_RANDOM_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<std::string> ids;
  for (const auto& [id, unit] : unit_of_) ids.push_back(id);
  ids.push_back("NO-SUCH-ITEM");
  const std::vector<std::string> events = {"submit", "accept", "reject",
                                           "extend", "assign", "no_such_event"};
  const std::vector<std::string> bodies = {
      R"({"evidence":["整改照片.jpg"]})",
      R"({"reason":"材料不全，退回补充"})",
      R"({"evidence":["a.jpg"],"reason":"x","unknown":1})",
      R"({"evidence":"not a list"})",
      "{not json",
      std::string("{\"reason\":\"\xff\xfe\"}"),
      "",
  };
  const std::vector<std::string> queries = {"",
                                            "?overdue=true",
                                            "?overdue=false",
                                            "?unit=niangxi",
                                            "?unit=yantang-team-1",
                                            "?limit=2",
                                            "?limit=0",
                                            "?state=verifying",
                                            "?cursor=bm90IGEgY3Vyc29y",
                                            "?bogus=1",
                                            "?q=随机",
                                            "?due_before=2017-13-45",
                                            "?min_escalation_level=x"};

  Snapshot before = Take();
  ASSERT_EQ(before.size(), unit_of_.size());
  int writes_done = 0;
  for (int step = 0; step < steps; ++step) {
    RandomCaller& c =
        callers_[std::uniform_int_distribution<std::size_t>(0, callers_.size() - 1)(rng)];
    int action = std::uniform_int_distribution<int>(0, 9)(rng);
    std::string id = Pick(rng, ids);
    SCOPED_TRACE("step " + std::to_string(step) + ": " + c.name + " action " +
                 std::to_string(action) + " on " + id);
    std::string written;  // the item a successful write changed
    if (action <= 2) {
      // A list, with valid and invalid filters.
      std::string q = Pick(rng, queries);
      HttpAnswer a = c.client.Send("GET", "/api/v1/items" + q, "", c.headers);
      if (a.status == 200) {
        boost::json::value v = a.Json();
        for (const auto& item : v.at("items").as_array()) {
          std::string got(item.at("id").as_string());
          EXPECT_TRUE(Reads(c, got)) << c.name << " listed " << got << " (" << q << ")";
        }
      } else {
        EXPECT_TRUE(a.status == 400 || a.status == 401) << a.status << " " << a.body;
      }
    } else if (action <= 4) {
      // One item, or its events: outside the scope exactly as an item that does not exist.
      std::string suffix = action == 3 ? "" : "/events";
      HttpAnswer a = c.client.Send("GET", "/api/v1/items/" + id + suffix, "", c.headers);
      if (c.how == RandomCaller::kNone || c.how == RandomCaller::kRevokedToken) {
        EXPECT_EQ(a.status, 401);
      } else if (Reads(c, id)) {
        EXPECT_EQ(a.status, 200) << a.body;
      } else {
        EXPECT_EQ(a.status, 404) << a.body;
        EXPECT_EQ(a.ErrorCode(), "not_found");
      }
    } else {
      // An event, with a current, stale, missing or malformed If-Match and any body.
      std::string event = Pick(rng, events);
      std::string body = Pick(rng, bodies);
      auto headers = c.headers;
      int match = std::uniform_int_distribution<int>(0, 3)(rng);
      auto known = before.find(id);
      std::int64_t version = known == before.end() ? 1 : known->second.first;
      if (match == 0) headers["If-Match"] = "\"" + std::to_string(version) + "\"";
      if (match == 1) headers["If-Match"] = "\"" + std::to_string(version + 7) + "\"";
      if (match == 2) headers["If-Match"] = "banana";
      // Ask first what the caller may send, as a page would.
      bool offered = false;
      HttpAnswer offer = c.client.Send("GET", "/api/v1/items/" + id + "/events", "", c.headers);
      if (offer.status == 200) {
        boost::json::value v = offer.Json();
        for (const auto& e : v.at("events").as_array()) offered |= e.at("event") == event.c_str();
      }
      HttpAnswer a =
          c.client.Send("POST", "/api/v1/items/" + id + "/events/" + event, body, headers);
      if (a.status == 200) {
        written = id;
        ++writes_done;
        EXPECT_TRUE(Reads(c, id)) << c.name << " changed " << id;
        EXPECT_TRUE(offered) << c.name << " sent " << event << " on " << id
                             << ", which its events did not offer";
        EXPECT_NE(c.how, RandomCaller::kReadToken);
        if (event == "submit") {
          EXPECT_EQ(c.person, id == "T-A1"   ? "xs-0014"
                              : id == "T-A2" ? "xs-0012"
                              : id == "T-B1" ? "xs-0025"
                                             : std::string(id.back() % 3 == 0   ? "xs-0014"
                                                           : id.back() % 3 == 1 ? "xs-0025"
                                                                                : "xs-0012"));
        }
        // The item's history names the caller as the actor, through the API.
        HttpAnswer item = admin_.Send("GET", "/api/v1/items/" + id, "", admin_headers_);
        ASSERT_EQ(item.status, 200);
        boost::json::value iv = item.Json();
        const auto& history = iv.at("history").as_array();
        ASSERT_FALSE(history.empty());
        EXPECT_EQ(history.back().at("actor"), c.person.c_str()) << item.body;
      } else {
        EXPECT_TRUE(a.status >= 400 && a.status < 500) << a.status << " " << a.body;
        if (!Reads(c, id) && c.how != RandomCaller::kNone && c.how != RandomCaller::kRevokedToken &&
            c.how != RandomCaller::kReadToken) {
          EXPECT_EQ(a.status, 404) << a.body;
        }
      }
    }
    // Nothing changed but the one item a successful write named.
    Snapshot after = Take();
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [item, vs] : after) {
      if (item == written) {
        EXPECT_GT(vs.first, before[item].first);
      } else {
        EXPECT_EQ(vs, before[item]) << item << " changed, though step " << step << " wrote "
                                    << (written.empty() ? "nothing" : written);
      }
    }
    before = std::move(after);
    if (::testing::Test::HasFailure()) break;  // one readable failure, with its seed and step
  }
  // The sequence did some writing, or it tested little.
  EXPECT_GT(writes_done, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiRandomTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
