// Every route of the API as every kind of caller, against a live `rectify serve` on SQLite and
// PostgreSQL: each answer is what that caller may see and do, and nothing more. A route that has
// no row in the table below fails the test, so a new route cannot ship without its access rules
// being written down here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "adapters/http/api/api_service.h"
#include "tests/http/api_env.h"
#include "tests/http/multipart_body.h"
#include "tests/http/sse_client.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

// A caller: how it authenticates, and what it may read.
struct Caller {
  std::string name;
  std::string person;  // empty: no account
  enum { kNone, kSession, kToken, kReadToken, kEndedSession, kRevokedToken, kPublicReporter } how;
  std::set<std::string> reads;       // items it may read
  std::set<std::string> may_submit;  // items it may send "submit" on (responsible)
  bool reads_reports = false;        // reads the public's reports (the county's intake unit)
};

const std::vector<Caller>& Callers() {
  static const std::vector<Caller> callers = {
      {"anonymous", "", Caller::kNone, {}, {}},
      {"cadre of unit A (niangxi-team-1)", "xs-0014", Caller::kSession, {"T-A1"}, {"T-A1"}},
      {"cadre of unit B (yantang-team-1)", "xs-0025", Caller::kSession, {"T-B1"}, {"T-B1"}},
      {"township head (niangxi)", "xs-0012", Caller::kSession, {"T-A1", "T-A2"}, {"T-A2"}},
      {"county leader", "xs-0002", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}, true},
      {"inspector (headquarters)", "xs-0004", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}, true},
      {"discipline committee", "xs-0011", Caller::kSession, {"T-A1", "T-A2", "T-B1"}, {}, true},
      {"headquarters administrator",
       "xs-0003",
       Caller::kSession,
       {"T-A1", "T-A2", "T-B1"},
       {},
       true},
      {"township head by token", "xs-0012", Caller::kToken, {"T-A1", "T-A2"}, {"T-A2"}},
      {"township head by read token", "xs-0012", Caller::kReadToken, {"T-A1", "T-A2"}, {}},
      {"expired session (signed out)", "xs-0014", Caller::kEndedSession, {}, {}},
      {"revoked token", "xs-0014", Caller::kRevokedToken, {}, {}},
      // Someone of the public who reported a problem: their ticket's secret, nothing else.
      {"public reporter", "", Caller::kPublicReporter, {}, {}},
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
    // Public reports go to the county's poverty office (xinshao-fpo), registered in the name of
    // its registrar; the limit is high, as every caller here looks a report up.
    env_ = std::make_unique<ApiEnv>(
        GetParam(), std::vector<std::string>{"--public-unit", "xinshao-fpo", "--public-registrar",
                                             "xs-0009", "--public-report-limit", "1000"});
    ASSERT_TRUE(env_->Start());
    HttpAnswer made = env_->Client().Send("POST", "/api/v1/public/reports",
                                          R"({"text":"村部门前的危房还没有拆除"})");
    ASSERT_EQ(made.status, 201) << made.body;
    report_ticket_ = std::string(made.Json().at("ticket").as_string());
    report_secret_ = std::string(made.Json().at("secret").as_string());
    report_item_ = "PR-" + report_ticket_.substr(0, 4) + report_ticket_.substr(5);
  }

  Session As(const Caller& c) {
    Session s{env_->Client(), {}};
    switch (c.how) {
      case Caller::kNone:
        break;
      case Caller::kPublicReporter:
        s.headers["X-Ticket-Secret"] = report_secret_;
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
  std::string report_ticket_, report_secret_, report_item_;  // the public's report
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
  table["GET /api/v1/items"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
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
    std::set<std::string> expected = c.reads;
    if (c.reads_reports) expected.insert(t.report_item_);
    EXPECT_THAT(ids, UnorderedElementsAreArray(expected)) << c.name;
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
  // Administration (api_admin_pgtest.cc tests what succeeds): here, who is let in. Only the
  // headquarters administrator; signed-in others are refused (403), the rest are not signed in.
  auto refused = [](const Caller& c, const HttpAnswer& a) {
    EXPECT_EQ(a.status, Authenticated(c) ? 403 : 401) << c.name << ": " << a.body;
  };
  auto is_admin = [](const Caller& c) { return c.person == "xs-0003" && Authenticated(c); };
  table["GET /api/v1/definitions"] = [=](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/definitions", "", s.headers);
    if (!is_admin(c)) return refused(c, a);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_FALSE(a.Json().at("definitions").as_array().empty());
  };
  table["GET /api/v1/definitions/{kind}/{name}"] = [=](ApiAccessTest&, const Caller& c,
                                                       Session& s) {
    HttpAnswer a =
        s.client.Send("GET", "/api/v1/definitions/workflow/rectification-item", "", s.headers);
    if (!is_admin(c)) return refused(c, a);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_THAT(std::string(a.Json().at("source").as_string()), HasSubstr("kind: workflow"));
  };
  // An upload with an error: checked for the administrator, refused for everyone else, and
  // registering it changes nothing for anyone.
  static const std::string kBadYaml = "kind: escalation\nname: x\nversion: 1\nsteps: 3\n";
  auto yaml = [](Session& s) {
    auto h = s.headers;
    h["Content-Type"] = "text/yaml";
    return h;
  };
  table["POST /api/v1/definitions/validate"] = [=](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/definitions/validate", kBadYaml, yaml(s));
    if (!is_admin(c)) return refused(c, a);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Json().at("valid"), false);
  };
  table["POST /api/v1/definitions"] = [=](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/definitions", kBadYaml, yaml(s));
    if (c.how == Caller::kReadToken) {
      EXPECT_EQ(a.status, 403) << a.body;
      return;
    }
    if (!is_admin(c)) return refused(c, a);
    EXPECT_EQ(a.status, 422) << a.body;
  };
  // A rehearsal runs on a throw-away database: the administrator's changes nothing here either.
  table["POST /api/v1/rehearsals"] = [=](ApiAccessTest&, const Caller& c, Session& s) {
    test::MultipartBody m;
    m.Field("campaign", "xinshao-2017").Field("until", "2017-01-31");
    auto h = s.headers;
    h["Content-Type"] = m.Type();
    HttpAnswer a = s.client.Send("POST", "/api/v1/rehearsals", m.Body(), h);
    if (!is_admin(c)) return refused(c, a);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Json().at("until"), "2017-01-31");
  };
  table["POST /api/v1/audit/verify"] = [=](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/audit/verify", "", s.headers);
    if (!is_admin(c)) return refused(c, a);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Json().at("intact"), true);
  };
  table["POST /api/v1/deliveries/{id}/retry"] = [=](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/deliveries/999999/retry", "", s.headers);
    if (!is_admin(c)) return refused(c, a);
    EXPECT_EQ(a.status, 404) << a.body;
  };
  // Deliveries: everyone signed in sees those of the items they may read, and no other.
  table["GET /api/v1/deliveries"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/deliveries", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    boost::json::value v = a.Json();
    for (const auto& d : v.at("deliveries").as_array()) {
      if (c.person == "xs-0003") continue;
      ASSERT_TRUE(d.at("item").is_string()) << c.name << ": " << d;
      EXPECT_TRUE(c.reads.count(std::string(d.at("item").as_string()))) << c.name << ": " << d;
    }
  };
  // The people not reached: everyone signed in, in the scope of the deliveries.
  table["GET /api/v1/reports/unreached"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/reports/unreached", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    boost::json::value v = a.Json();
    for (const auto& u : v.at("unreached").as_array()) {
      if (c.person == "xs-0003") continue;
      ASSERT_TRUE(u.at("item").is_string()) << c.name << ": " << u;
      EXPECT_TRUE(c.reads.count(std::string(u.at("item").as_string()))) << c.name << ": " << u;
    }
  };
  // Feeds: a person's own. Making one touches nobody else's; a feed URL is public and answers
  // 404 to every caller for a token that is not one.
  table["POST /api/v1/feeds"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/feeds", R"({"label":"access"})", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (c.how == Caller::kReadToken) {
      EXPECT_EQ(a.status, 403) << c.name;
      return;
    }
    EXPECT_EQ(a.status, 201) << c.name << ": " << a.body;
  };
  table["GET /api/v1/feeds"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/feeds", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_TRUE(a.Json().at("feeds").is_array());
  };
  table["DELETE /api/v1/feeds/{feed}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("DELETE", "/api/v1/feeds/nosuchfeed", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (c.how == Caller::kReadToken) {
      EXPECT_EQ(a.status, 403) << c.name;
      return;
    }
    EXPECT_EQ(a.status, 404) << c.name << ": " << a.body;
  };
  table["GET /api/v1/feeds/{feed}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/feeds/not-a-feed-token.ics", "", s.headers);
    EXPECT_EQ(a.status, 404) << c.name << ": " << a.body;
    EXPECT_EQ(a.ErrorCode(), "not_found") << c.name;
  };
  // My account (account_routes.cc): a person's own password and tokens. Changing the password
  // and making tokens need a session; the password row sends an incomplete body, so it changes
  // nothing (a real change would end the caller's session for the rows after it).
  table["POST /api/v1/session/password"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a =
        s.client.Send("POST", "/api/v1/session/password", R"({"current_password":"x"})", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (c.how != Caller::kSession) {
      EXPECT_EQ(a.status, 403) << c.name << ": " << a.body;
      return;
    }
    EXPECT_EQ(a.status, 400) << c.name << ": " << a.body;
    EXPECT_THAT(a.body, HasSubstr("new_password")) << c.name;
  };
  table["GET /api/v1/tokens"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/tokens", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_TRUE(a.Json().at("tokens").is_array());
    // The token a token caller authenticates with is among its person's own.
    if (c.how == Caller::kToken || c.how == Caller::kReadToken) {
      EXPECT_FALSE(a.Json().at("tokens").as_array().empty()) << c.name;
    }
  };
  table["POST /api/v1/tokens"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/tokens", R"({"label":"access"})", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (c.how != Caller::kSession) {
      EXPECT_EQ(a.status, 403) << c.name << ": " << a.body;
      return;
    }
    ASSERT_EQ(a.status, 201) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("scope").as_string(), "read");
  };
  table["DELETE /api/v1/tokens/{id}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("DELETE", "/api/v1/tokens/nosuchtoken", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (c.how == Caller::kReadToken) {
      EXPECT_EQ(a.status, 403) << c.name;
      return;
    }
    EXPECT_EQ(a.status, 404) << c.name << ": " << a.body;
  };
  table["GET /api/v1/me/notifications"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/me/notifications", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_TRUE(a.Json().at("notifications").is_array());
  };
  // A unit's name for the public's report page: the same for everyone (a public route serves a
  // caller whose credential no longer works as anyone else).
  table["GET /api/v1/public/units/{unit}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/public/units/niangxi-team-1", "", s.headers);
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("id").as_string(), "niangxi-team-1");
    EXPECT_EQ(s.client.Send("GET", "/api/v1/public/units/nowhere", "", s.headers).status, 404);
  };
  table["GET /api/v1/stream"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
    // Every signed-in caller may open the stream (what it carries is scoped: see
    // api_stream_pgtest.cc); a credential that no longer works, or none, may not.
    auto headers = test::SessionHeaders(s.client);
    if (s.headers.count("Authorization")) headers["Authorization"] = s.headers.at("Authorization");
    test::SseClient stream(t.env_->port(), headers);
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

  // Measures by judgment: the Xinshao items escalate by overdue-rectification, which opens no step
  // to judgment and has no measure in force, so a caller who may read an item is refused by the
  // engine (409) and nothing moves (api_measures_pgtest.cc takes and ends one on a Jinkouhe item).
  for (const std::string route :
       {"POST /api/v1/items/{id}/measures", "POST /api/v1/items/{id}/measures/{measure}/end"}) {
    const bool take = route.find("/end") == std::string::npos;
    table[route] = [take](ApiAccessTest&, const Caller& c, Session& s) {
      for (const auto& id : kItems) {
        auto headers = s.headers;
        headers["If-Match"] = "\"1\"";
        HttpAnswer a =
            take ? s.client.Send("POST", "/api/v1/items/" + id + "/measures",
                                 R"({"measure":"suspend_payment","reason":"违规拨付"})", headers)
                 : s.client.Send("POST", "/api/v1/items/" + id + "/measures/suspend_payment/end",
                                 R"({"reason":"恢复拨付"})", headers);
        int expected = !Authenticated(c)             ? 401
                       : c.how == Caller::kReadToken ? 403
                       : !c.reads.count(id)          ? 404
                                                     : 409;
        EXPECT_EQ(a.status, expected) << c.name << " " << id << ": " << a.body;
      }
    };
  }

  // Evidence: a file of each item, uploaded by its responsible person (by token) before the rows
  // run; each row uploads files of its own, which moves no item on.
  std::map<std::string, std::string> evidence;  // item -> sha256 of its file
  for (const auto& [id, person] : std::vector<std::pair<std::string, std::string>>{
           {"T-A1", "xs-0014"}, {"T-A2", "xs-0012"}, {"T-B1", "xs-0025"}}) {
    test::MultipartBody m;
    m.File("整改照片-" + id + ".jpg", test::FakeJpeg(id));
    HttpAnswer a = env_->Client().Send(
        "POST", "/api/v1/items/" + id + "/evidence", m.Body(),
        {{"Content-Type", m.Type()}, {"Authorization", "Bearer " + env_->Token(person)}});
    ASSERT_EQ(a.status, 201) << id << ": " << a.body;
    evidence[id] = std::string(a.Json().at("evidence").at("sha256").as_string());
  }
  table["GET /api/v1/items/{id}/evidence/{sha256}"] = [&evidence](ApiAccessTest&, const Caller& c,
                                                                  Session& s) {
    for (const auto& id : kItems) {
      HttpAnswer a = s.client.Send("GET", "/api/v1/items/" + id + "/evidence/" + evidence.at(id),
                                   "", s.headers);
      int expected = !Authenticated(c) ? 401 : c.reads.count(id) ? 200 : 404;
      EXPECT_EQ(a.status, expected) << c.name << " " << id << ": " << a.body;
      if (expected == 200) {
        EXPECT_EQ(a.body, test::FakeJpeg(id)) << c.name << " " << id;
      }
    }
  };
  table["POST /api/v1/items/{id}/evidence"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    // Who may read the item and send one of its events now may upload; a reader may not.
    for (const auto& id : kItems) {
      test::MultipartBody m;
      m.File("说明.txt", c.name + " for " + id);
      auto headers = s.headers;
      headers["Content-Type"] = m.Type();
      HttpAnswer a = s.client.Send("POST", "/api/v1/items/" + id + "/evidence", m.Body(), headers);
      int expected = !Authenticated(c) ? 401 : c.how == Caller::kReadToken ? 403 : 0;
      if (expected == 0 && !c.reads.count(id)) expected = 404;
      if (expected == 0) {
        HttpAnswer events = s.client.Send("GET", "/api/v1/items/" + id + "/events", "", s.headers);
        expected = events.Json().at("events").as_array().empty() ? 403 : 201;
      }
      EXPECT_EQ(a.status, expected) << c.name << " " << id << ": " << a.body;
      if (c.may_submit.count(id)) {
        EXPECT_EQ(a.status, 201) << c.name << " " << id;
      }
    }
  };

  // The public's routes: anyone reports (here only refused bodies, so that no row adds items the
  // others would list; api_public_pgtest.cc reports); only the reporter's secret opens a report.
  table["POST /api/v1/public/reports"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/public/reports", R"({"contact":"x"})", s.headers);
    // A signed-in caller is still checked as such: a read token may not write.
    EXPECT_EQ(a.status, c.how == Caller::kReadToken ? 403 : 400) << c.name << ": " << a.body;
  };
  // The cloud SMS services' status callbacks: public, each checked by the secret in its URL,
  // which no channel of this server has (api_sms_callback_pgtest.cc sends real ones): refused
  // for every caller, recording nothing.
  for (std::string provider : {"tencent", "aliyun"}) {
    table["POST /api/v1/sms-callbacks/" + provider + "/{secret}"] =
        [provider](ApiAccessTest&, const Caller& c, Session& s) {
          HttpAnswer a = s.client.Send(
              "POST", "/api/v1/sms-callbacks/" + provider + "/not-the-secret-of-any-channel", "[]",
              s.headers);
          EXPECT_EQ(a.status, c.how == Caller::kReadToken ? 403 : 401) << c.name << ": " << a.body;
        };
  }
  table["GET /api/v1/public/reports/{ticket}"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
    HttpAnswer a =
        s.client.Send("GET", "/api/v1/public/reports/" + t.report_ticket_, "", s.headers);
    if (c.how != Caller::kPublicReporter) {
      // Not even an administrator: the cadres read the report as an item.
      EXPECT_EQ(a.status, 404) << c.name << ": " << a.body;
      return;
    }
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Json().at("ticket"), t.report_ticket_.c_str());
    EXPECT_THAT(a.body, Not(HasSubstr("xs-")));
  };
  table["POST /api/v1/public/reports/{ticket}/evidence"] = [](ApiAccessTest& t, const Caller& c,
                                                              Session& s) {
    test::MultipartBody m;
    m.File("现场.jpg", test::FakeJpeg(c.name));
    auto headers = s.headers;
    headers["Content-Type"] = m.Type();
    HttpAnswer a = s.client.Send("POST", "/api/v1/public/reports/" + t.report_ticket_ + "/evidence",
                                 m.Body(), headers);
    int expected = c.how == Caller::kPublicReporter ? 201 : c.how == Caller::kReadToken ? 403 : 404;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
  };
  // Campaigns: the caller's org's; the detail lists the units of the caller's scope. Only an
  // administrator starts one: here only refusals, and a start of a campaign that does not exist
  // (api_campaign_pgtest.cc starts one), so the other rows see it unstarted.
  const std::map<std::string, std::string> unit_of = {
      {"T-A1", "niangxi-team-1"}, {"T-A2", "niangxi"}, {"T-B1", "yantang-team-1"}};
  table["GET /api/v1/campaigns"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/campaigns", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    // Xinshao's campaign; an administrator sees the other counties' too.
    boost::json::value v = a.Json();
    std::set<std::string> ids;
    for (const auto& k : v.at("campaigns").as_array()) {
      ids.emplace(k.at("id").as_string());
      EXPECT_EQ(k.at("started"), false) << c.name;
    }
    if (c.person == "xs-0003") {
      EXPECT_TRUE(ids.count("xinshao-2017") && ids.count("jinkouhe-2017")) << a.body;
    } else {
      EXPECT_EQ(ids, std::set<std::string>{"xinshao-2017"}) << c.name;
    }
  };
  table["GET /api/v1/campaigns/{id}"] = [&unit_of](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/campaigns/xinshao-2017", "", s.headers);
    HttpAnswer other = s.client.Send("GET", "/api/v1/campaigns/jinkouhe-2017", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      EXPECT_EQ(other.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    // Another county's campaign is as one that does not exist (an administrator sees all).
    EXPECT_EQ(other.status, c.person == "xs-0003" ? 200 : 404) << c.name;
    std::set<std::string> units;
    boost::json::value v = a.Json();
    for (const auto& u : v.at("units").as_array()) units.emplace(u.at("unit").as_string());
    for (const auto& [item, unit] : unit_of) {
      EXPECT_EQ(units.count(unit), c.reads.count(item)) << c.name << " " << unit;
    }
  };
  table["POST /api/v1/campaigns/{id}/start"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    // An administrator is sent to a campaign that does not exist: xinshao-2017 stays unstarted.
    bool admin = c.person == "xs-0003";
    HttpAnswer a = s.client.Send(
        "POST", std::string("/api/v1/campaigns/") + (admin ? "no-such" : "xinshao-2017") + "/start",
        "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (!admin) {
      EXPECT_EQ(a.status, 403) << c.name << ": " << a.body;
      return;
    }
    EXPECT_EQ(a.status, 404) << c.name << ": " << a.body;
  };
  // Findings (finding_routes.cc). The writes disturb nothing: an inspector is refused on a bad
  // found_by (400) and anyone else by the engine's access rule (403) before anything is stored;
  // confirm and dismiss are sent to T-A1, no finding: 400 to who reads it, 404 to the others.
  table["GET /api/v1/campaigns/{id}/rounds/{round}/findings"] = [](ApiAccessTest&, const Caller& c,
                                                                   Session& s) {
    HttpAnswer a = s.client.Send(
        "GET", "/api/v1/campaigns/xinshao-2017/rounds/q1_inspection/findings", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    boost::json::value body = a.Json();
    EXPECT_TRUE(body.at("findings").as_array().empty()) << c.name;
  };
  table["POST /api/v1/campaigns/{id}/rounds/{round}/findings"] = [](ApiAccessTest&, const Caller& c,
                                                                    Session& s) {
    bool inspector = c.person == "xs-0004" || c.person == "xs-0003";
    std::string body = std::string(R"({"unit":"niangxi","title":"长塘村台账不清","found_by":")") +
                       (inspector ? "rumour" : "inspection") + "\"}";
    HttpAnswer a = s.client.Send(
        "POST", "/api/v1/campaigns/xinshao-2017/rounds/q1_inspection/findings", body, s.headers);
    int expected = !Authenticated(c)             ? 401
                   : c.how == Caller::kReadToken ? 403
                   : inspector                   ? 400
                                                 : 403;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
  };
  for (const char* act : {"confirm", "dismiss"}) {
    table[std::string("POST /api/v1/findings/{id}/") + act] = [act](ApiAccessTest&, const Caller& c,
                                                                    Session& s) {
      std::string body = std::string(act) == "confirm" ? "{}" : R"({"reason":"重复"})";
      HttpAnswer a =
          s.client.Send("POST", std::string("/api/v1/findings/T-A1/") + act, body, s.headers);
      int expected = !Authenticated(c)             ? 401
                     : c.how == Caller::kReadToken ? 403
                     : c.reads.count("T-A1")       ? 400
                                                   : 404;
      EXPECT_EQ(a.status, expected) << c.name << " " << act << ": " << a.body;
    };
  }
  // The ledger: a check as the caller (changes nothing); an import only refused here (a bad row:
  // 422 and nothing imported), api_ledger_pgtest.cc imports; the export is what the caller reads.
  const std::string one_row =
      "id,title,unit,responsible,registered_at,time_limit\n"
      "L-A1,长塘村饮水工程未完工,niangxi-team-1,xs-0014,2017-04-21,15wd\n";
  table["POST /api/v1/ledger/check"] = [one_row](ApiAccessTest&, const Caller& c, Session& s) {
    auto headers = s.headers;
    headers["Content-Type"] = "text/csv";
    HttpAnswer a = s.client.Send("POST", "/api/v1/ledger/check", one_row, headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    // The row's unit is in the caller's scope exactly when they read T-A1, of the same unit.
    EXPECT_EQ(a.Json().at("ok").as_bool(), c.reads.count("T-A1") == 1) << c.name << ": " << a.body;
  };
  // The sheets of a workbook: the caller's own ledger export as XLSX, sent back; a CSV is 400.
  table["POST /api/v1/ledger/sheets"] = [one_row](ApiAccessTest&, const Caller& c, Session& s) {
    auto headers = s.headers;
    std::string workbook = "PK";
    if (Authenticated(c)) {
      HttpAnswer x = s.client.Send("GET", "/api/v1/ledger/export?format=xlsx", "", s.headers);
      ASSERT_EQ(x.status, 200) << c.name << ": " << x.body.substr(0, 200);
      workbook = x.body;
    }
    headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    HttpAnswer a = s.client.Send("POST", "/api/v1/ledger/sheets", workbook, headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("sheets").as_array().size(), 1u) << a.body;
    headers["Content-Type"] = "text/csv";
    HttpAnswer csv = s.client.Send("POST", "/api/v1/ledger/sheets", one_row, headers);
    EXPECT_EQ(csv.status, 400) << c.name << ": " << csv.body;
    EXPECT_NE(csv.body.find("not an XLSX workbook"), std::string::npos) << csv.body;
  };
  table["POST /api/v1/ledger/import"] = [one_row](ApiAccessTest&, const Caller& c, Session& s) {
    auto headers = s.headers;
    headers["Content-Type"] = "text/csv";
    std::string bad = one_row.substr(0, one_row.size() - 5) + "soon\n";
    HttpAnswer a = s.client.Send("POST", "/api/v1/ledger/import", bad, headers);
    int expected = !Authenticated(c) ? 401 : c.how == Caller::kReadToken ? 403 : 422;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
    if (expected == 422) {
      EXPECT_EQ(a.Json().at("imported"), 0) << c.name;
    }
  };
  table["GET /api/v1/ledger/export"] = [](ApiAccessTest& t, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/ledger/export?format=json", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    std::vector<std::string> ids;
    boost::json::value v = a.Json();
    for (const auto& r : v.at("rows").as_array()) ids.emplace_back(r.at(0).as_string());
    // The public's report is an item too, of the intake unit: exported for those who read it.
    std::set<std::string> expected = c.reads;
    if (c.reads_reports) expected.insert(t.report_item_);
    EXPECT_THAT(ids, UnorderedElementsAreArray(expected)) << c.name;
  };
  // Typed ledgers: an import only by an administrator, sent a file with a wrong cell here (422,
  // nothing appended; api_ledger_pgtest.cc imports); the export of Jinkouhe's ledger is another
  // county's to the Xinshao callers (404), and empty to the administrator.
  table["POST /api/v1/ledgers/{kind}/import"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    auto headers = s.headers;
    headers["Content-Type"] = "text/csv";
    HttpAnswer a =
        s.client.Send("POST", "/api/v1/ledgers/jinkouhe-acceptance/import",
                      "项目编号,项目名称,实施单位,完工日期\nP-1,路,jinhe,六月\n", headers);
    int expected = !Authenticated(c)                                      ? 401
                   : c.person != "xs-0003" || c.how == Caller::kReadToken ? 403
                                                                          : 422;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
    if (expected == 422) {
      EXPECT_EQ(a.Json().at("imported"), 0) << c.name;
    }
  };
  table["GET /api/v1/ledgers/{kind}/export"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/ledgers/jinkouhe-acceptance/export?format=json",
                                 "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    if (c.person != "xs-0003") {
      EXPECT_EQ(a.status, 404) << c.name << ": " << a.body;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("rows").as_array().size(), 0u) << c.name;
  };
  // Task inventories (task_routes.cc): no task is imported here (api_contract_pgtest.cc imports
  // one); an item is not a task (404 to all who may ask); an import is only refused (a bad row).
  table["GET /api/v1/tasks"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/tasks?inventory=xinshao-tasks", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    boost::json::value body = a.Json();
    EXPECT_TRUE(body.at("tasks").as_array().empty()) << c.name;
  };
  table["GET /api/v1/tasks/{id}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/tasks/T-A1", "", s.headers);
    EXPECT_EQ(a.status, Authenticated(c) ? 404 : 401) << c.name << ": " << a.body;
  };
  table["POST /api/v1/tasks/{id}/report"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/tasks/T-A1/report",
                                 R"({"percent":40,"text":"完成一半"})", s.headers);
    int expected = !Authenticated(c) ? 401 : c.how == Caller::kReadToken ? 403 : 404;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
  };
  table["POST /api/v1/task-inventories/{kind}/import"] = [](ApiAccessTest&, const Caller& c,
                                                            Session& s) {
    auto headers = s.headers;
    headers["Content-Type"] = "text/csv";
    HttpAnswer a = s.client.Send("POST", "/api/v1/task-inventories/xinshao-tasks/import",
                                 "序号,专项行动,工作任务,责任单位,责任人,完成时限\n"
                                 "Z-1,精准识别,入户核查,酿溪镇,徐文波,下月底\n",
                                 headers);
    int expected = !Authenticated(c) ? 401 : c.how == Caller::kReadToken ? 403 : 422;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
    if (expected == 422) {
      EXPECT_EQ(a.Json().at("imported"), 0) << c.name;
    }
  };
  table["GET /api/v1/task-inventories/{kind}/export"] = [](ApiAccessTest&, const Caller& c,
                                                           Session& s) {
    HttpAnswer a =
        s.client.Send("GET", "/api/v1/task-inventories/xinshao-tasks/export", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    boost::json::value body = a.Json();
    EXPECT_TRUE(body.at("rows").as_array().empty()) << c.name;
  };
  // Reports over the caller's units, a month on, when every item is overdue.
  table["GET /api/v1/reports/overdue"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/reports/overdue?as_of=2017-05-20T10:00:00%2B08:00",
                                 "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    std::vector<std::string> ids;
    boost::json::value v = a.Json();
    for (const auto& i : v.at("items").as_array()) ids.emplace_back(i.at("item").as_string());
    EXPECT_THAT(ids, UnorderedElementsAreArray(c.reads)) << c.name;
  };
  table["GET /api/v1/reports/summary"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/reports/summary?as_of=2017-05-20T10:00:00%2B08:00",
                                 "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("overdue_now").as_int64(), static_cast<std::int64_t>(c.reads.size()))
        << c.name;
  };
  // Data comparison (comparison_routes.cc): persons of the comparison's org with the round's
  // record role, and administrators; the administrator's dry run of
  // the shipped Hecheng sample registers nothing (api_comparison rows in api_contract_pgtest.cc
  // register); the year-on-year figures are campaign-wide, for those who see the whole county.
  table["POST /api/v1/comparisons"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    auto read = [](const std::string& name) {
      std::ifstream in(std::string(RECTIFY_SOURCE_DIR) + "/workflows/comparisons/" + name,
                       std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      return text.str();
    };
    test::MultipartBody m;
    m.Field("comparison", "hecheng-subsidy-check")
        .FileAs("left", "roster.xlsx", read("hecheng-roster-2017-05.xlsx"))
        .FileAs("right", "payments.csv", read("hecheng-payments-2017-05.csv"));
    auto headers = s.headers;
    headers["Content-Type"] = m.Type();
    HttpAnswer a = s.client.Send("POST", "/api/v1/comparisons?dry_run=true", m.Body(), headers);
    // Hecheng's comparison is another org's for every Xinshao caller but the administrator
    // (api_contract_pgtest.cc runs it as Hecheng's inspector, and refuses Hecheng's finance).
    int expected = !Authenticated(c)             ? 401
                   : c.how == Caller::kReadToken ? 403
                   : c.person != "xs-0003"       ? 404
                                                 : 200;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
    if (expected == 200) {
      EXPECT_EQ(a.Json().at("registered"), 8) << c.name;  // would be; none is
      EXPECT_EQ(a.Json().at("mismatches").as_array().size(), 8u) << c.name;
    }
  };
  table["GET /api/v1/reports/year-on-year"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET",
                                 "/api/v1/reports/year-on-year?campaign=xinshao-2017&with=xinshao-"
                                 "2017&from=2017-04-01&to=2017-06-30",
                                 "", s.headers);
    // Those who read every unit's items see the county (the headquarters, its leaders, the
    // discipline committee, the administrator); a township or a cadre sees no such campaign.
    int expected = !Authenticated(c) ? 401 : c.reads.size() == 3 ? 200 : 404;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
    if (expected == 200) {
      EXPECT_EQ(a.Json().at("with_period").at("from"), "2016-04-01") << c.name;
    }
  };
  table["GET /api/v1/reports/ranking"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    // The campaign has not been started here (api_report_pgtest.cc ranks a running one).
    HttpAnswer a =
        s.client.Send("GET", "/api/v1/reports/ranking?campaign=xinshao-2017", "", s.headers);
    EXPECT_EQ(a.status, Authenticated(c) ? 404 : 401) << c.name << ": " << a.body;
  };

  // The assessment (api_assessment_pgtest.cc enters marks on a running campaign): here the
  // campaign is not started, so a signed-in caller gets 404 for it; a read token may not write;
  // nothing is recorded by any row.
  table["GET /api/v1/assessments/{campaign}"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/assessments/xinshao-2017", "", s.headers);
    EXPECT_EQ(a.status, Authenticated(c) ? 404 : 401) << c.name << ": " << a.body;
  };
  table["GET /api/v1/assessments/{campaign}/{period}"] = [](ApiAccessTest&, const Caller& c,
                                                            Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/assessments/xinshao-2017/2017-05", "", s.headers);
    EXPECT_EQ(a.status, Authenticated(c) ? 404 : 401) << c.name << ": " << a.body;
  };
  for (const char* what : {"marks", "bonus", "vetoes", "publish"}) {
    std::string path = std::string("/api/v1/assessments/xinshao-2017/2017-05/") + what;
    std::string body = std::string(what) == "marks"
                           ? R"({"unit":"niangxi","criterion":"fund_use","mark":85,"note":"抽查"})"
                       : std::string(what) == "bonus"
                           ? R"({"unit":"niangxi","points":2,"note":"经验推介"})"
                       : std::string(what) == "vetoes"
                           ? R"({"unit":"niangxi","criterion":"false_withdrawal","reason":"虚报"})"
                           : "{}";
    table["POST /api/v1/assessments/{campaign}/{period}/" + std::string(what)] =
        [path, body](ApiAccessTest&, const Caller& c, Session& s) {
          auto headers = s.headers;
          headers["Content-Type"] = "application/json";
          HttpAnswer a = s.client.Send("POST", path, body, headers);
          int expected = !Authenticated(c) ? 401 : c.how == Caller::kReadToken ? 403 : 404;
          EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
        };
  }
  // Evidence of the assessment (api_assessment_pgtest.cc uploads, marks and downloads on a
  // running campaign): uploaded by those who enter marks (the inspectors: here 404, the campaign
  // not started), refused to everyone else; nothing is stored by any row.
  table["POST /api/v1/assessments/{campaign}/{period}/evidence"] = [](ApiAccessTest&,
                                                                      const Caller& c, Session& s) {
    test::MultipartBody m;
    m.FileAs("file", "抽查表.pdf", "%PDF-1.4\n%%EOF\n");
    auto headers = s.headers;
    headers["Content-Type"] = m.Type();
    HttpAnswer a = s.client.Send("POST", "/api/v1/assessments/xinshao-2017/2017-05/evidence",
                                 m.Body(), headers);
    bool inspector = c.person == "xs-0004" || c.person == "xs-0003";
    int expected = !Authenticated(c)             ? 401
                   : c.how == Caller::kReadToken ? 403
                   : inspector                   ? 404
                                                 : 403;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
  };
  table["GET /api/v1/assessments/{campaign}/{period}/evidence/{sha256}"] =
      [](ApiAccessTest&, const Caller& c, Session& s) {
        HttpAnswer a = s.client.Send(
            "GET", "/api/v1/assessments/xinshao-2017/2017-05/evidence/" + std::string(64, 'a'), "",
            s.headers);
        EXPECT_EQ(a.status, Authenticated(c) ? 404 : 401) << c.name << ": " << a.body;
      };

  // The leaders' board over the caller's units (api_board_pgtest.cc checks its figures): every
  // signed-in caller gets their scope's, each item counted once, in one unit row.
  table["GET /api/v1/board"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a =
        s.client.Send("GET", "/api/v1/board?as_of=2017-05-20T10:00:00%2B08:00", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    boost::json::value v = a.Json();
    std::int64_t items = 0;
    for (const auto& u : v.at("units").as_array()) items += u.at("items").as_int64();
    EXPECT_EQ(items, v.at("totals").at("items").as_int64()) << c.name;
    EXPECT_LE(items, 3) << c.name;
  };
  table["GET /api/v1/definitions/{kind}/{name}/graph"] = [=](ApiAccessTest&, const Caller& c,
                                                             Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/definitions/workflow/rectification-item/graph", "",
                                 s.headers);
    if (!is_admin(c)) return refused(c, a);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Json().at("initial"), "registered");
  };

  // Posters: this server has no --public-url (api_board_pgtest.cc draws them), so a caller
  // whose scope covers the unit is told so (409); anyone else is refused.
  for (const char* format : {"png", "pdf"}) {
    table[std::string("GET /api/v1/units/{unit}/poster.") + format] =
        [=](ApiAccessTest&, const Caller& c, Session& s) {
          HttpAnswer a = s.client.Send(
              "GET", std::string("/api/v1/units/niangxi-team-1/poster.") + format, "", s.headers);
          if (!Authenticated(c)) {
            EXPECT_EQ(a.status, 401) << c.name;
            return;
          }
          if (is_admin(c)) {
            EXPECT_EQ(a.status, 409) << a.body;
          }
          EXPECT_TRUE(a.status == 409 || a.status == 403) << c.name << ": " << a.body;
        };
  }

  // The people of a unit (people_routes.cc): any signed-in caller of the org, for any of its
  // units (the findings page's confirm form names the responsible person there); no contacts.
  table["GET /api/v1/units/{unit}/people"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/units/niangxi-team-1/people", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("people").as_array().at(0).at("person"), "xs-0014") << a.body;
    EXPECT_EQ(a.body.find("13807390014"), std::string::npos) << "no contacts: " << a.body;
  };

  // Bulletins (bulletin_routes.cc). The campaign is not started here (api_campaign_pgtest.cc and
  // bulletin_pgtest.cc issue them): a holder of the issuing role (the headquarters inspectors)
  // is told so (404), anyone else is refused (403) before anything is read or written; the list
  // is empty and a number none.
  table["POST /api/v1/campaigns/{id}/bulletins"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("POST", "/api/v1/campaigns/xinshao-2017/bulletins",
                                 R"({"round":"q1_inspection"})", s.headers);
    bool headquarters = c.person == "xs-0004" || c.person == "xs-0003";
    int expected = !Authenticated(c)             ? 401
                   : c.how == Caller::kReadToken ? 403
                   : headquarters                ? 404
                                                 : 403;
    EXPECT_EQ(a.status, expected) << c.name << ": " << a.body;
  };
  table["GET /api/v1/campaigns/{id}/bulletins"] = [](ApiAccessTest&, const Caller& c, Session& s) {
    HttpAnswer a = s.client.Send("GET", "/api/v1/campaigns/xinshao-2017/bulletins", "", s.headers);
    if (!Authenticated(c)) {
      EXPECT_EQ(a.status, 401) << c.name;
      return;
    }
    ASSERT_EQ(a.status, 200) << c.name << ": " << a.body;
    EXPECT_TRUE(a.Json().at("bulletins").as_array().empty()) << c.name;
    // Whether the caller may issue the next one: the POST's own check (the console's form).
    bool headquarters = c.person == "xs-0004" || c.person == "xs-0003";
    bool may = headquarters && c.how != Caller::kReadToken;
    EXPECT_EQ(a.Json().at("may_issue"), may) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json().at("may_issue_reason").as_string().empty(), may) << c.name << ": " << a.body;
  };
  table["GET /api/v1/campaigns/{id}/bulletins/{bulletin}"] = [](ApiAccessTest&, const Caller& c,
                                                                Session& s) {
    for (const char* n : {"1", "2017-1.html", "2017-1.pdf"}) {
      HttpAnswer a = s.client.Send(
          "GET", std::string("/api/v1/campaigns/xinshao-2017/bulletins/") + n, "", s.headers);
      EXPECT_EQ(a.status, Authenticated(c) ? 404 : 401) << c.name << " " << n << ": " << a.body;
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
  const std::string send_event = "POST /api/v1/items/{id}/events/{event}";
  std::vector<std::string> order;
  for (const auto& [route, check] : table) {
    if (route.rfind("POST /api/v1/items", 0) != 0) order.push_back(route);
  }
  for (const auto& [route, check] : table) {
    if (route.rfind("POST /api/v1/items", 0) == 0 && route != send_event) order.push_back(route);
  }
  order.push_back(send_event);
  for (const Caller& c : Callers()) {
    Session s = As(c);
    for (const auto& route : order) {
      SCOPED_TRACE(c.name + ": " + route);
      if (route == send_event && !c.may_submit.empty()) continue;
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
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
