// Every route of the API as every kind of caller, against a live `rectify serve` on SQLite and
// PostgreSQL: each answer is what that caller may see and do, and nothing more. A route that has
// no row in the table below fails the test, so a new route cannot ship without its access rules
// being written down here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <set>

#include "adapters/http/api/api_service.h"
#include "tests/http/api_env.h"
#include "tests/http/sse_client.h"

namespace rectify {
namespace {

using store_soci::Backend;
using testing::ApiEnv;
using ::testing::HasSubstr;
using testing::HttpAnswer;
using testing::HttpClient;
using ::testing::UnorderedElementsAreArray;

// A caller: how it authenticates, and what it may read.
struct Caller {
  std::string name;
  std::string person;  // empty: no account
  enum { kNone, kSession, kToken, kReadToken, kEndedSession, kRevokedToken } how;
  std::set<std::string> reads;       // items it may read
  std::set<std::string> may_submit;  // items it may send "submit" on (responsible)
};

const std::vector<Caller>& Callers() {
  static const std::vector<Caller> callers = {
      {"anonymous", "", Caller::kNone, {}, {}},
      {"cadre of unit A (niangxi-team-1)", "xs-0014", Caller::kSession, {"T-A1"}, {"T-A1"}},
      {"cadre of unit B (yantang-team-1)", "xs-0025", Caller::kSession, {"T-B1"}, {"T-B1"}},
      {"township head (niangxi)", "xs-0012", Caller::kSession, {"T-A1", "T-A2"}, {"T-A2"}},
      {"county leader", "xs-0002", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}},
      {"inspector (headquarters)", "xs-0004", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}},
      {"discipline committee", "xs-0011", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}},
      {"headquarters administrator", "xs-0003", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}},
      {"township head by token", "xs-0012", Caller::kToken, {"T-A1", "T-A2"}, {"T-A2"}},
      {"township head by read token", "xs-0012", Caller::kReadToken, {"T-A1", "T-A2"}, {}},
      {"expired session (signed out)", "xs-0014", Caller::kEndedSession, {}, {}},
      {"revoked token", "xs-0014", Caller::kRevokedToken, {}, {}},
  };
  return callers;
}

const std::vector<std::string> kItems = {"T-A1", "T-A2", "T-B1"};

// A client set up as the caller, and what write requests need (CSRF, bearer).
struct Session {
  HttpClient client;
  std::map<std::string, std::string> headers;
};

class ApiAccessTest : public ::testing::TestWithParam<Backend> {
 public:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }

  Session As(const Caller& c) {
    Session s{env_->Client(), {}};
    switch (c.how) {
      case Caller::kNone:
        break;
      case Caller::kSession:
        s.headers["X-CSRF-Token"] = env_->SignIn(s.client, c.person);
        break;
      case Caller::kEndedSession: {
        std::string csrf = env_->SignIn(s.client, c.person);
        auto cookies = s.client.cookies;
        HttpAnswer out = s.client.Send("DELETE", "/api/v1/session", "", {{"X-CSRF-Token", csrf}});
        EXPECT_EQ(out.status, 200) << out.body;
        s.client.cookies = cookies;  // a client that kept the old cookie
        s.headers["X-CSRF-Token"] = csrf;
        break;
      }
      case Caller::kToken:
      case Caller::kReadToken:
      case Caller::kRevokedToken: {
        std::string token = env_->Token(c.person, c.how == Caller::kReadToken ? "read" : "write");
        if (c.how == Caller::kRevokedToken) {
          EXPECT_TRUE(env_->Run({"token", "revoke", token.substr(4, 12)}));
        }
        s.headers["Authorization"] = "Bearer " + token;
        break;
      }
    }
    return s;
  }

  static bool Authenticated(const Caller& c) {
    return c.how == Caller::kSession || c.how == Caller::kToken || c.how == Caller::kReadToken;
  }

  std::unique_ptr<ApiEnv> env_;
};

using Check = std::function<void(ApiAccessTest&, const Caller&, Session&)>;

TEST_P(ApiAccessTest, EveryRouteAnswersEveryCallerWithinTheirScope) {
  std::map<std::string, Check> table;

  table["POST /api/v1/session"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
    // Signing in is open to all; a wrong password is the same answer as an unknown person.
    HttpClient fresh = t.env_->Client();
    HttpAnswer wrong = fresh.Send("POST", "/api/v1/session",
                                  R"({"person":")" + (c.person.empty() ? "nobody" : c.person) +
                                      R"(","password":"not the password at all"})");
    EXPECT_EQ(wrong.status, 401) << c.name;
    EXPECT_THAT(wrong.body, HasSubstr("the person id or the password is wrong"));
    EXPECT_TRUE(fresh.cookies.empty());
    (void)s;
  };
  table["GET /api/v1/session"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/session", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name << ": " << a.body;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("person"), c.person.c_str()) << c.name;
  };
  table["DELETE /api/v1/session"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
    if (c.how == Caller::kSession) {
      // On a session of its own, so the caller's stays for the other rows.
      HttpClient other = t.env_->Client();
      std::string csrf = t.env_->SignIn(other, c.person);
      HttpAnswer no_csrf = other.Send("DELETE", "/api/v1/session");
      EXPECT_EQ(no_csrf.status, 403) << c.name;
      HttpAnswer out = other.Send("DELETE", "/api/v1/session", "", {{"X-CSRF-Token", csrf}});
      EXPECT_EQ(out.status, 200) << c.name << ": " << out.body;
      EXPECT_EQ(other.Send("GET", "/api/v1/session").status, 401) << c.name;
      return;
    }
    HttpAnswer a = s.client.Send("DELETE", "/api/v1/session", "", s.headers);
    if (c.how == Caller::kToken || c.how == Caller::kReadToken) {
      EXPECT_EQ(a.status, c.how == Caller::kReadToken ? 403 : 400) << c.name << ": " << a.body;
    } else {
      EXPECT_EQ(a.status, 401) << c.name << ": " << a.body;
    }
  };
  table["GET /api/v1/items"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/items", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    std::vector<std::string> ids;
    boost::json::value a_items_json = a.Json();
    for (const auto& i : a_items_json.at("items").as_array())
      ids.emplace_back(i.at("id").as_string());
    EXPECT_THAT(ids, UnorderedElementsAreArray(c.reads)) << c.name;
  };
  table["GET /api/v1/items/{id}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    for (const auto& id : kItems) {
      HttpAnswer a = s.client.Send("GET", "/api/v1/items/" + id, "", s.headers);
      int expected = !Authenticated(c) ? 401 : c.reads.count(id) ? 200 : 404;
      EXPECT_EQ(a.status, expected) << c.name << " " << id << ": " << a.body;
      if (expected == 404) {
        // Exactly as an item that does not exist.
        HttpAnswer none = s.client.Send("GET", "/api/v1/items/NO-SUCH-" + id, "", s.headers);
        std::string body = a.body, other = none.body;
        body.replace(body.find(id), id.size(), "X");
        other.replace(other.find("NO-SUCH-" + id), id.size() + 8, "X");
        EXPECT_EQ(body, other) << c.name;
      }
      if (expected == 200) {
        EXPECT_EQ(a.Header("etag"), "\"" + std::to_string(1) + "\"");
      }
    }
  };
  table["GET /api/v1/items/{id}/events"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    for (const auto& id : kItems) {
      HttpAnswer a = s.client.Send("GET", "/api/v1/items/" + id + "/events", "", s.headers);
      int expected = !Authenticated(c) ? 401 : c.reads.count(id) ? 200 : 404;
      ASSERT_EQ(a.status, expected) << c.name << " " << id << ": " << a.body;
      if (expected != 200) continue;
      std::vector<std::string> events;
      boost::json::value a_events_json = a.Json();
      for (const auto& e : a_events_json.at("events").as_array()) {
        events.emplace_back(e.at("event").as_string());
      }
      bool lists_submit = std::find(events.begin(), events.end(), "submit") != events.end();
      bool responsible = (id == "T-A1" && c.person == "xs-0014") ||
                         (id == "T-A2" && c.person == "xs-0012") ||
                         (id == "T-B1" && c.person == "xs-0025");
      EXPECT_EQ(lists_submit, responsible) << c.name << " " << id;
    }
  };
  table["GET /api/v1/openapi.json"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    // The contract is public: every caller reads it, even one whose credential no longer works.
    HttpAnswer a = s.client.Send("GET", "/api/v1/openapi.json", "", s.headers);
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("openapi"), "3.1.0") << c.name;
  };
  table["GET /api/v1/stream"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
    // Every signed-in caller may open the stream (what it carries is scoped: see
    // api_stream_pgtest.cc); a credential that no longer works, or none, may not.
    auto headers = testing::SessionHeaders(s.client);
    if (s.headers.count("Authorization")) headers["Authorization"] = s.headers.at("Authorization");
    testing::SseClient stream(t.env_->port(), headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(stream.status(), 401) << c.name << ": " << stream.body();
      return;
    }
    EXPECT_EQ(stream.status(), 200) << c.name << ": " << stream.body();
    EXPECT_THAT(stream.Header("content-type"), HasSubstr("text/event-stream")) << c.name;
  };
  // Items already submitted: a second submit with the If-Match of version 1 is stale (412).
  std::set<std::string> submitted;
  table["POST /api/v1/items/{id}/events/{event}"] = [&submitted](ApiAccessTest&, const Caller& c,
                                                                 Session& s) {
    for (const auto& id : kItems) {
      auto headers = s.headers;
      headers["If-Match"] = "\"1\"";
      HttpAnswer a = s.client.Send("POST", "/api/v1/items/" + id + "/events/submit",
                                   R"({"evidence":["整改照片.jpg"]})", headers);
      int expected = !Authenticated(c)             ? 401
                     : c.how == Caller::kReadToken ? 403
                     : !c.reads.count(id)          ? 404
                     : submitted.count(id)         ? 412  // the If-Match is checked first
                     : !c.may_submit.count(id)     ? 403
                                                   : 200;
      EXPECT_EQ(a.status, expected) << c.name << " " << id << ": " << a.body;
      if (a.status == 200) {
        submitted.insert(id);
        EXPECT_EQ(a.Json().at("state"), "verifying");
        EXPECT_EQ(a.Header("etag"), "\"2\"");
      }
    }
  };

  // Every route served has a row, and every row is a route served.
  std::set<std::string> served;
  for (const auto& r : api::ApiService::Routes()) served.insert(r.method + " " + r.path);
  for (const auto& route : served) {
    EXPECT_TRUE(table.count(route)) << "no row in the access table for " << route;
  }
  for (const auto& [route, check] : table) {
    EXPECT_TRUE(served.count(route))
        << "the access table has a row for " << route << ", which is not served";
  }

  // The writes last: a submit moves items on.
  std::vector<std::string> order;
  for (const auto& [route, check] : table) {
    if (route.rfind("POST /api/v1/items", 0) != 0) order.push_back(route);
  }
  order.push_back("POST /api/v1/items/{id}/events/{event}");
  for (const Caller& c : Callers()) {
    Session s = As(c);
    for (const auto& route : order) {
      SCOPED_TRACE(c.name + ": " + route);
      if (route.rfind("POST /api/v1/items", 0) == 0 && !c.may_submit.empty()) continue;
      table.at(route)(*this, c, s);
    }
  }
  // The responsible ones submit after everyone else was refused: the township head's token first
  // (no CSRF token with a bearer), then the township head signed in, whose If-Match is then stale.
  std::vector<const Caller*> submitters;
  for (const Caller& c : Callers()) {
    if (!c.may_submit.empty() && c.how == Caller::kToken) submitters.push_back(&c);
  }
  for (const Caller& c : Callers()) {
    if (!c.may_submit.empty() && c.how == Caller::kSession) submitters.push_back(&c);
  }
  for (const Caller* cp : submitters) {
    const Caller& c = *cp;
    Session s = As(c);
    SCOPED_TRACE(c.name + ": submit");
    table.at("POST /api/v1/items/{id}/events/{event}")(*this, c, s);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiAccessTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         testing::BackendTestName);

}  // namespace
}  // namespace rectify
