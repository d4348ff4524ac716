// The API's contract, its OpenAPI document (adapters/http/api/openapi.json), held against the API
// itself through a live `rectify serve` on SQLite and PostgreSQL: the server serves the document
// as built; every route served is documented and every documented route is served; and the
// answers the API really gives (200s of every route, and each error a caller can provoke: 400,
// 401, 403, 404, 409, 412, 428, 429) match the document's schemas, checked by
// tests/http/openapi_check.py with Debian's python3-jsonschema. The checker is shown not to be
// blind: answers that stray from the document (a wrong type, an undocumented field or status, a
// missing header) fail it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

#include "adapters/http/api/api_service.h"
#include "tests/http/api_env.h"
#include "tests/http/multipart_body.h"
#include "tests/support/sink_process.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;
using ::testing::Not;

const char* const kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SourceDocument() {
  return ReadFile(std::string(RECTIFY_SOURCE_DIR) + "/adapters/http/api/openapi.json");
}

// "GET /api/v1/items/{id}" for every operation of the document.
std::set<std::string> Documented(const json::value& doc) {
  std::set<std::string> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const char* method : kMethods) {
      if (!item.as_object().contains(method)) continue;
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(upper + " " + std::string(path));
    }
  }
  return out;
}

// The answers of a test, recorded for the checker.
class Answers {
 public:
  // Records the answer to `method target`, and fails the test unless its status is `expected`.
  const HttpAnswer& Add(const std::string& name, const std::string& method,
                        const std::string& target, int expected, HttpAnswer answer) {
    EXPECT_EQ(answer.status, expected) << name << ": " << method << " " << target << "\n"
                                       << answer.body;
    json::object headers;
    for (const auto& [k, v] : answer.headers) headers[k] = v;
    list_.push_back(json::object{{"name", name},
                                 {"method", method},
                                 {"target", target},
                                 {"status", answer.status},
                                 {"headers", std::move(headers)},
                                 {"body", answer.body}});
    kept_.push_back(std::move(answer));
    return kept_.back();
  }
  json::array& list() { return list_; }
  std::size_t size() const { return list_.size(); }

 private:
  json::array list_;
  std::deque<HttpAnswer> kept_;
};

class ApiContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(
        GetParam(),
        std::vector<std::string>{"--public-unit", "xinshao-fpo", "--public-registrar", "xs-0009"});
    ASSERT_TRUE(env_->Start());
  }

  // Runs the checker on `answers` against `document`: its exit code and what it printed.
  test::CommandResult Check(const std::string& document, const json::array& answers,
                            const std::string& name) {
    std::string doc_file = env_->db().dir().File("openapi.json");
    std::string answers_file = env_->db().dir().File(name + ".json");
    std::ofstream(doc_file, std::ios::binary) << document;
    std::ofstream(answers_file, std::ios::binary) << json::serialize(answers);
    return test::RunCommand({test::kSystemPython,
                             std::string(RECTIFY_SOURCE_DIR) + "/tests/http/openapi_check.py",
                             doc_file, answers_file});
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiContractTest, EveryRouteServedIsDocumentedAndEveryDocumentedRouteIsServed) {
  HttpClient anyone = env_->Client();
  HttpAnswer served_doc = anyone.Send("GET", "/api/v1/openapi.json");
  ASSERT_EQ(served_doc.status, 200) << served_doc.body;
  EXPECT_THAT(served_doc.Header("content-type"), HasSubstr("application/json"));
  // The binary serves the document as it is in the source tree (embedded when it was built).
  EXPECT_EQ(served_doc.body, SourceDocument());
  json::value doc = served_doc.Json();
  ASSERT_TRUE(doc.is_object()) << "the served document is not JSON";
  EXPECT_EQ(doc.at("openapi"), "3.1.0");

  std::set<std::string> documented = Documented(doc);
  std::set<std::string> served;
  for (const auto& r : api::ApiService::Routes()) served.insert(r.method + " " + r.path);
  ASSERT_FALSE(served.empty());
  for (const auto& route : served) {
    EXPECT_TRUE(documented.count(route)) << route << " is served but not in openapi.json";
  }
  for (const auto& route : documented) {
    EXPECT_TRUE(served.count(route)) << route << " is in openapi.json but not in Routes()";
  }

  // And the live server answers each documented operation (an anonymous probe, with "x" for
  // every {name}: 401 or 400 are fine; "no resource" or "method not allowed" is not served).
  auto probe = [&](const std::string& route) {
    std::string method = route.substr(0, route.find(' '));
    std::string path = route.substr(route.find(' ') + 1);
    std::string target;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '{') {
        target += "x";
        i = path.find('}', i);
      } else {
        target += path[i];
      }
    }
    return anyone.Send(method, target);
  };
  for (const auto& route : documented) {
    HttpAnswer a = probe(route);
    EXPECT_NE(a.status, 405) << route << ": " << a.body;
    EXPECT_THAT(a.body, Not(HasSubstr("no resource at"))) << route;
  }
  // The probe tells a route that is not served.
  HttpAnswer absent = probe("GET /api/v1/no-such-resource/{id}");
  EXPECT_EQ(absent.status, 404);
  EXPECT_THAT(absent.body, HasSubstr("no resource at"));
  EXPECT_EQ(probe("PUT /api/v1/items/{id}").status, 405);
}

TEST_P(ApiContractTest, RealAnswersMatchTheDocumentAndStrayingOnesDoNot) {
  Answers answers;
  HttpClient anyone = env_->Client();
  const HttpAnswer& doc = answers.Add("the document", "GET", "/api/v1/openapi.json", 200,
                                      anyone.Send("GET", "/api/v1/openapi.json"));
  const std::string document = doc.body;

  // A cadre of niangxi-team-1 signs in, reads and submits T-A1.
  HttpClient cadre = env_->Client();
  auto send = [&](const std::string& name, HttpClient& c, const std::string& method,
                  const std::string& target, int expected, const std::string& body = {},
                  const std::map<std::string, std::string>& headers = {}) -> const HttpAnswer& {
    return answers.Add(name, method, target, expected, c.Send(method, target, body, headers));
  };
  const std::string login = R"({"person":"xs-0014","password":")" + test::kApiPassword + "\"}";
  const HttpAnswer& signed_in = send("sign in", cadre, "POST", "/api/v1/session", 200, login);
  std::string csrf(signed_in.Json().at("csrf_token").as_string());
  send("who am I", cadre, "GET", "/api/v1/session", 200);
  send("my items", cadre, "GET", "/api/v1/items", 200);
  send("my overdue items", cadre, "GET", "/api/v1/items?overdue=true&limit=10", 200);
  const HttpAnswer& item = send("an item", cadre, "GET", "/api/v1/items/T-A1", 200);
  EXPECT_THAT(item.body, HasSubstr(R"("event":"submit")"));
  send("its events", cadre, "GET", "/api/v1/items/T-A1/events", 200);

  // Evidence files: an upload, its download, and refusals.
  test::MultipartBody note;
  note.File("整改说明.txt", "已完成整改\n");
  std::map<std::string, std::string> upload{{"X-CSRF-Token", csrf}, {"Content-Type", note.Type()}};
  const HttpAnswer& uploaded = send("upload evidence", cadre, "POST", "/api/v1/items/T-A1/evidence",
                                    201, note.Body(), upload);
  std::string file_href(uploaded.Json().at("evidence").at("href").as_string());
  send("download evidence", cadre, "GET", file_href, 200);
  send("415 a program as a photo", cadre, "POST", "/api/v1/items/T-A1/evidence", 415,
       test::MultipartBody().File("photo.jpg", test::FakeExe(), "image/jpeg").Body(), upload);
  send("400 a path as a file name", cadre, "POST", "/api/v1/items/T-A1/evidence", 400,
       test::MultipartBody().File("../x.txt", "text").Body(), upload);
  send("404 evidence outside my units", cadre, "GET",
       "/api/v1/items/T-B1/evidence/" + std::string(64, '0'), 404);

  const std::string submit = "/api/v1/items/T-A1/events/submit";
  const std::string evidence = R"({"evidence":["整改照片.jpg"]})";
  std::map<std::string, std::string> h{{"X-CSRF-Token", csrf}};
  send("428 without If-Match", cadre, "POST", submit, 428, evidence, h);
  h["If-Match"] = "\"1\"";
  send("400 not JSON", cadre, "POST", submit, 400, "{not json", h);
  send("400 unknown field", cadre, "POST", submit, 400, R"({"evidenc":["x"]})", h);
  send("409 evidence missing", cadre, "POST", submit, 409, "{}", h);
  send("409 no such event here", cadre, "POST", "/api/v1/items/T-A1/events/accept", 409, "{}", h);
  send("403 without the CSRF token", cadre, "POST", submit, 403, evidence, {{"If-Match", "\"1\""}});
  h["Idempotency-Key"] = "contract-submit-T-A1";
  const HttpAnswer& done = send("submitted", cadre, "POST", submit, 200, evidence, h);
  EXPECT_EQ(done.Json().at("state"), "verifying");
  const HttpAnswer& replay = send("the same again", cadre, "POST", submit, 200, evidence, h);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  h.erase("Idempotency-Key");
  send("412 stale If-Match", cadre, "POST", submit, 412, evidence, h);
  send("404 outside my units", cadre, "GET", "/api/v1/items/T-B1", 404);
  send("404 no such item", cadre, "GET", "/api/v1/items/NO-SUCH/events", 404);
  send("400 unknown parameter", cadre, "GET", "/api/v1/items?colour=red", 400);
  send("400 bad cursor", cadre, "GET", "/api/v1/items?cursor=bm90LWEtY3Vyc29y", 400);

  // Someone of the public reports, follows the report and adds a photo.
  HttpClient citizen = env_->Client();
  const HttpAnswer& reported =
      send("a public report", citizen, "POST", "/api/v1/public/reports", 201,
           R"({"text":"村部门前的危房还没有拆除","contact":"someone@example.org"})");
  std::string ticket(reported.Json().at("ticket").as_string());
  std::string ticket_secret(reported.Json().at("secret").as_string());
  send("the report followed", citizen, "GET", "/api/v1/public/reports/" + ticket, 200, "",
       {{"X-Ticket-Secret", ticket_secret}});
  send("404 a wrong ticket secret", citizen, "GET", "/api/v1/public/reports/" + ticket, 404, "",
       {{"X-Ticket-Secret", "guess"}});
  test::MultipartBody site;
  site.File("现场.jpg", test::FakeJpeg("site"));
  send("a photo of the public", citizen, "POST", "/api/v1/public/reports/" + ticket + "/evidence",
       201, site.Body(), {{"X-Ticket-Secret", ticket_secret}, {"Content-Type", site.Type()}});
  send("400 a public report without text", citizen, "POST", "/api/v1/public/reports", 400, "{}");

  // Jinkouhe's finance bureau suspends an item's payment by judgment and resumes it (measures).
  ASSERT_TRUE(env_->Run({"user", "add", "jkh-07", "--password-stdin"}, test::kApiPassword + "\n"));
  const std::string at = "2017-04-21T09:30:00+08:00";
  ASSERT_TRUE(env_->Run({"item", "add", "--id", "JKH-C", "--unit", "jinhe", "--responsible",
                         "jkh-20", "--title", "项目资金违规拨付", "--time-limit", "10wd", "--as",
                         "jkh-04", "--escalation", "jinkouhe-funds", "--at", at}));
  ASSERT_TRUE(env_->Run({"item", "act", "JKH-C", "assign", "--as", "jkh-04", "--set",
                         "verifier=jkh-05", "--at", at}));
  HttpClient finance = env_->Client();
  std::map<std::string, std::string> fh{{"Authorization", "Bearer " + env_->Token("jkh-07")},
                                        {"If-Match", "\"2\""}};
  const std::string measures = "/api/v1/items/JKH-C/measures";
  send("400 a measure without a reason", finance, "POST", measures, 400,
       R"({"measure":"suspend_payment"})", fh);
  send("409 a step taken only by time", finance, "POST", measures, 409,
       R"({"measure":"work_interview","reason":"约谈"})", fh);
  send("a measure taken", finance, "POST", measures, 200,
       R"({"measure":"suspend_payment","reason":"违规拨付使用项目资金"})", fh);
  fh["If-Match"] = "\"3\"";
  send("a measure ended", finance, "POST", measures + "/suspend_payment/end", 200,
       R"({"reason":"资金已追回，恢复拨付"})", fh);
  fh["If-Match"] = "\"4\"";
  send("409 no measure in force", finance, "POST", measures + "/suspend_payment/end", 409,
       R"({"reason":"再次"})", fh);

  // Data comparison and year-on-year figures (comparison_routes.cc): Hecheng's poverty
  // alleviation bureau (hc-003, an administrator here) compares the shipped sample, registering
  // its 8 clues, then again (none new); a file with a bad cell is 422.
  ASSERT_TRUE(env_->Run({"user", "add", "hc-003", "--admin", "--password-stdin"},
                        test::kApiPassword + "\n"));
  HttpClient hecheng = env_->Client();
  std::string hecheng_csrf = env_->SignIn(hecheng, "hc-003");
  auto sample = [](const std::string& name) {
    return ReadFile(std::string(RECTIFY_SOURCE_DIR) + "/workflows/comparisons/" + name);
  };
  test::MultipartBody compared;
  compared.Field("comparison", "hecheng-subsidy-check")
      .FileAs("left", "roster.xlsx", sample("hecheng-roster-2017-05.xlsx"))
      .FileAs("right", "payments.csv", sample("hecheng-payments-2017-05.csv"));
  std::map<std::string, std::string> ch{{"X-CSRF-Token", hecheng_csrf},
                                        {"Content-Type", compared.Type()}};
  const HttpAnswer& registered = send("a comparison registered", hecheng, "POST",
                                      "/api/v1/comparisons", 201, compared.Body(), ch);
  EXPECT_EQ(registered.Json().at("registered"), 8) << registered.body;
  const HttpAnswer& again =
      send("a comparison again", hecheng, "POST", "/api/v1/comparisons", 201, compared.Body(), ch);
  EXPECT_EQ(again.Json().at("registered"), 0) << again.body;
  EXPECT_EQ(again.Json().at("registered_before"), 8) << again.body;
  send("a comparison's dry run", hecheng, "POST", "/api/v1/comparisons?dry_run=true", 200,
       compared.Body(), ch);
  // Not administrators only: the round's record role (inspector) runs a comparison, as
  // `rectify compare --as` checks; the finance bureau's head, who has no such role, is refused.
  for (const char* person : {"hc-002", "hc-004"}) {
    ASSERT_TRUE(env_->Run({"user", "add", person, "--password-stdin"}, test::kApiPassword + "\n"));
  }
  HttpClient hecheng_inspector = env_->Client();
  std::map<std::string, std::string> ih{{"X-CSRF-Token", env_->SignIn(hecheng_inspector, "hc-002")},
                                        {"Content-Type", compared.Type()}};
  const HttpAnswer& by_role =
      send("a comparison by the round's inspector", hecheng_inspector, "POST",
           "/api/v1/comparisons?dry_run=true", 200, compared.Body(), ih);
  EXPECT_EQ(by_role.Json().at("registered_before"), 8) << by_role.body;
  HttpClient finance_head = env_->Client();
  std::map<std::string, std::string> fch{{"X-CSRF-Token", env_->SignIn(finance_head, "hc-004")},
                                         {"Content-Type", compared.Type()}};
  const HttpAnswer& no_role = send("403 a comparison without the record role", finance_head, "POST",
                                   "/api/v1/comparisons?dry_run=true", 403, compared.Body(), fch);
  EXPECT_THAT(no_role.body, HasSubstr("inspector")) << no_role.body;
  test::MultipartBody bad_file;
  bad_file.Field("comparison", "hecheng-subsidy-check")
      .FileAs("left", "roster.csv", sample("hecheng-roster-2017-05.csv"))
      .FileAs("right", "payments.csv", "身份证号码,姓名,乡镇,发放金额\n1,张三,新村镇,300\n");
  const HttpAnswer& refused = send("422 a comparison's bad file", hecheng, "POST",
                                   "/api/v1/comparisons", 422, bad_file.Body(), ch);
  EXPECT_THAT(refused.body, HasSubstr("payments.csv:2:3: error: town: no unit '新村镇'"));
  send("year-on-year figures", hecheng, "GET",
       "/api/v1/reports/year-on-year?campaign=hecheng-supervision-2017&with=hecheng-supervision-"
       "2017&from=2017-01-01&to=2017-12-31",
       200);
  send("400 year-on-year without its period", hecheng, "GET",
       "/api/v1/reports/year-on-year?campaign=hecheng-supervision-2017&with=hecheng-supervision-"
       "2017",
       400);

  // The county leader pages through everything, and may not submit for a township.
  HttpClient leader = env_->Client();
  std::string leader_csrf = env_->SignIn(leader, "xs-0002");
  const HttpAnswer& page = send("first page", leader, "GET", "/api/v1/items?limit=2", 200);
  ASSERT_TRUE(page.Json().at("next_cursor").is_string()) << page.body;
  std::string cursor(page.Json().at("next_cursor").as_string());
  send("next page", leader, "GET", "/api/v1/items?limit=2&cursor=" + cursor, 200);
  send("403 not the responsible", leader, "POST", "/api/v1/items/T-A2/events/submit", 403, evidence,
       {{"X-CSRF-Token", leader_csrf}, {"If-Match", "\"1\""}});

  // A token, and a read token.
  HttpClient system = env_->Client();
  std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + env_->Token("xs-0012")}};
  std::map<std::string, std::string> reader{
      {"Authorization", "Bearer " + env_->Token("xs-0012", "read")}, {"If-Match", "\"1\""}};
  send("who am I by token", system, "GET", "/api/v1/session", 200, "", bearer);
  send("400 a token is no session", system, "DELETE", "/api/v1/session", 400, "", bearer);
  send("403 a read token writes", system, "POST", "/api/v1/items/T-A2/events/submit", 403, evidence,
       reader);
  send("401 a bad token", system, "GET", "/api/v1/items", 401, "",
       {{"Authorization", "Bearer rt1_not_a_token"}});

  // Nobody, and wrong passwords until the sign-in is held off.
  send("401 nobody", anyone, "GET", "/api/v1/items/T-A1", 401);
  send("400 sign in without password", anyone, "POST", "/api/v1/session", 400,
       R"({"person":"xs-0007"})");
  for (int i = 0; i < 6; ++i) {
    send("401 wrong password", anyone, "POST", "/api/v1/session", 401,
         R"({"person":"xs-0007","password":"not-the-password-)" + std::to_string(i) + "\"}");
  }
  const HttpAnswer& held = send("429 held off", anyone, "POST", "/api/v1/session", 429,
                                R"({"person":"xs-0007","password":")" + test::kApiPassword + "\"}");
  EXPECT_FALSE(held.Header("retry-after").empty());

  send("signed out", cadre, "DELETE", "/api/v1/session", 200, "", {{"X-CSRF-Token", csrf}});
  send("401 after signing out", cadre, "GET", "/api/v1/session", 401);

  // Campaigns, the ledger and reports (their CSV checked for its type; XLSX is not text).
  HttpClient head = env_->Client();
  std::map<std::string, std::string> head_token{
      {"Authorization", "Bearer " + env_->Token("xs-0012")}};
  std::map<std::string, std::string> admin{{"Authorization", "Bearer " + env_->Token("xs-0003")}};
  auto csv = [](std::map<std::string, std::string> with) {
    with["Content-Type"] = "text/csv";
    return with;
  };
  const std::string ledger =
      "id,title,unit,responsible,registered_at,time_limit\n"
      "K-1,酿溪镇档案不全,niangxi,xs-0012,2017-04-21,15wd\n";
  send("campaigns", head, "GET", "/api/v1/campaigns", 200, "", head_token);
  send("a campaign", head, "GET", "/api/v1/campaigns/xinshao-2017", 200, "", head_token);
  send("404 another county's campaign", head, "GET", "/api/v1/campaigns/jinkouhe-2017", 404, "",
       head_token);
  send("403 start as a cadre", head, "POST", "/api/v1/campaigns/xinshao-2017/start", 403, "",
       head_token);
  send("started", head, "POST", "/api/v1/campaigns/xinshao-2017/start", 201, "", admin);
  send("409 started again", head, "POST", "/api/v1/campaigns/xinshao-2017/start", 409, "", admin);
  send("a started campaign", head, "GET", "/api/v1/campaigns/xinshao-2017", 200, "", head_token);
  // Findings of the first-quarter inspection: recorded, listed, confirmed into an item, refused.
  std::map<std::string, std::string> inspector{
      {"Authorization", "Bearer " + env_->Token("xs-0004")}};
  std::map<std::string, std::string> office{{"Authorization", "Bearer " + env_->Token("xs-0007")}};
  const std::string round = "/api/v1/campaigns/xinshao-2017/rounds/q1_inspection/findings";
  send("a finding recorded", head, "POST", round, 201,
       R"({"unit":"niangxi","title":"长塘村台账不清","found_by":"open_visit"})", inspector);
  send("400 a finding found by rumour", head, "POST", round, 400,
       R"({"unit":"niangxi","title":"x","found_by":"rumour"})", inspector);
  send("a round's findings", head, "GET", round, 200, "", head_token);
  send("a finding confirmed", head, "POST",
       "/api/v1/findings/F-xinshao-2017-q1_inspection-001/confirm", 201, "{}", office);
  send("409 confirmed again", head, "POST",
       "/api/v1/findings/F-xinshao-2017-q1_inspection-001/confirm", 409, "{}", office);
  send("400 dismissed without a reason", head, "POST",
       "/api/v1/findings/F-xinshao-2017-q1_inspection-001/dismiss", 400, R"({"reason":""})",
       office);
  send("a round's findings with their items", head, "GET", round, 200, "", head_token);
  send("the item a finding opened", head, "GET", "/api/v1/items/P-xinshao-2017-q1_inspection-001",
       200, "", head_token);
  // A mark with its evidence file (api_assessment_pgtest.cc downloads it).
  test::MultipartBody sheet;
  sheet.FileAs("file", "抽查表.pdf", "%PDF-1.4\n%%EOF\n");
  std::map<std::string, std::string> sheet_upload = inspector;
  sheet_upload["Content-Type"] = sheet.Type();
  const HttpAnswer& sheet_uploaded =
      send("assessment evidence sheet_uploaded", head, "POST",
           "/api/v1/assessments/xinshao-2017/2017-04/evidence", 201, sheet.Body(), sheet_upload);
  std::string named =
      sheet_uploaded.status == 201
          ? std::string(sheet_uploaded.Json().at("evidence").at("evidence").as_string())
          : std::string("sha256:");
  std::map<std::string, std::string> marking = inspector;
  marking["Content-Type"] = "application/json";
  send("a mark with its evidence", head, "POST", "/api/v1/assessments/xinshao-2017/2017-04/marks",
       201,
       R"({"unit":"niangxi","criterion":"fund_use","mark":80,"note":"抽查","evidence":[")" + named +
           R"("]})",
       marking);
  send(
      "400 a mark naming a file not sheet_uploaded", head, "POST",
      "/api/v1/assessments/xinshao-2017/2017-04/marks", 400,
      R"({"unit":"niangxi","criterion":"discipline","mark":80,"note":"抽查","evidence":["sha256:)" +
          std::string(64, 'c') + R"("]})",
      marking);
  // The periods to choose from, and April's provisional ranking: the townships with no mark yet
  // are not ranked (rank null, assessed false).
  send("an assessment's periods", head, "GET", "/api/v1/assessments/xinshao-2017", 200, "",
       head_token);
  send("400 a parameter to the periods", head, "GET",
       "/api/v1/assessments/xinshao-2017?period=2017-04", 400, "", head_token);
  const HttpAnswer& provisional =
      send("a provisional ranking with units not assessed yet", head, "GET",
           "/api/v1/assessments/xinshao-2017/2017-04", 200, "", inspector);
  EXPECT_THAT(provisional.body, HasSubstr(R"("rank":null)"));
  EXPECT_THAT(provisional.body, HasSubstr(R"("assessed":false)"));
  // A task inventory: imported by the county's registrar, listed, shown, reported on too early
  // (May's report opens on 05-01; the node stands in April), exported.
  std::map<std::string, std::string> registrar{
      {"Authorization", "Bearer " + env_->Token("xs-0009")}, {"Content-Type", "text/csv"}};
  send("a task inventory imported", head, "POST", "/api/v1/task-inventories/xinshao-tasks/import",
       201,
       "序号,专项行动,工作任务,责任单位,责任人,完成时限\n"
       "XS-1,精准识别,酿溪镇贫困户回头看入户核查,酿溪镇,徐文波,2017-05-26\n",
       registrar);
  send("422 a task inventory with a bad row", head, "POST",
       "/api/v1/task-inventories/xinshao-tasks/import", 422,
       "序号,专项行动,工作任务,责任单位,责任人,完成时限\nXS-2,精准识别,核查,酿溪镇,徐文波,下月底\n",
       registrar);
  send("the tasks", head, "GET", "/api/v1/tasks", 200, "", head_token);
  const HttpAnswer& milestones = send("a task's milestones among the items", head, "GET",
                                      "/api/v1/items?workflow=task-milestone", 200, "", head_token);
  EXPECT_THAT(milestones.body, HasSubstr(R"("id":"XS-1-done")"));
  EXPECT_THAT(milestones.body, Not(HasSubstr(R"("id":"T-A1")")));
  send("a task", head, "GET", "/api/v1/tasks/XS-1", 200, "", head_token);
  send("404 no such task", head, "GET", "/api/v1/tasks/XS-9", 404, "", head_token);
  send("409 a report before its period", head, "POST", "/api/v1/tasks/XS-1/report", 409,
       R"({"percent":20,"text":"已入户 40 户"})", head_token);
  send("400 a percent over 100", head, "POST", "/api/v1/tasks/XS-1/report", 400,
       R"({"percent":120,"text":"x"})", head_token);
  send("a task inventory exported", head, "GET", "/api/v1/task-inventories/xinshao-tasks/export",
       200, "", head_token);
  // Bulletins: a dry run, the round's bulletin issued by headquarters, listed and shown as JSON,
  // HTML and PDF; refused to a township head; a number not issued.
  const std::string bulletins = "/api/v1/campaigns/xinshao-2017/bulletins";
  send("a bulletin previewed", head, "POST", bulletins + "?dry_run=true", 200,
       R"({"round":"q1_inspection"})", inspector);
  send("a bulletin issued", head, "POST", bulletins, 201, R"({"round":"q1_inspection"})",
       inspector);
  send("403 a bulletin issued by a township head", head, "POST", bulletins, 403, "{}", head_token);
  send("400 a bulletin of no such round", head, "POST", bulletins, 404,
       R"({"round":"q9_inspection"})", inspector);
  send("400 a bulletin with an unknown field", head, "POST", bulletins, 400,
       R"({"rounds":"q1_inspection"})", inspector);
  send("the bulletins", head, "GET", bulletins, 200, "", head_token);
  send("a bulletin", head, "GET", bulletins + "/1", 200, "", head_token);
  const HttpAnswer& html =
      send("a bulletin as HTML", head, "GET", bulletins + "/2017-1.html", 200, "", head_token);
  EXPECT_THAT(html.body, HasSubstr("2017年第1期"));
  // A PDF is not text: checked here, not among the answers (as XLSX reports are not).
  HttpAnswer pdf = head.Send("GET", bulletins + "/2017-1.pdf?lang=en", "", head_token);
  EXPECT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  send("404 a bulletin not issued", head, "GET", bulletins + "/9", 404, "", head_token);
  send("400 a bulletin number that is none", head, "GET", bulletins + "/first", 400, "",
       head_token);
  send("ledger checked", head, "POST", "/api/v1/ledger/check", 200, ledger, csv(head_token));
  send("ledger with a bad row", head, "POST", "/api/v1/ledger/import", 422,
       ledger.substr(0, ledger.size() - 5) + "soon\n", csv(head_token));
  send("ledger imported", head, "POST", "/api/v1/ledger/import?campaign=xinshao-2017", 201, ledger,
       csv(head_token));
  send("400 not CSV", head, "POST", "/api/v1/ledger/check", 400, ledger, head_token);
  send("ledger export", head, "GET", "/api/v1/ledger/export", 200, "", head_token);
  send("ledger export as JSON", head, "GET", "/api/v1/ledger/export?format=json", 200, "",
       head_token);
  const std::string as_of = "as_of=2017-05-20T10:00:00%2B08:00";
  send("overdue report", head, "GET", "/api/v1/reports/overdue?" + as_of, 200, "", head_token);
  send("overdue report as CSV", head, "GET", "/api/v1/reports/overdue?format=csv&" + as_of, 200, "",
       head_token);
  send("summary report", head, "GET", "/api/v1/reports/summary?" + as_of, 200, "", head_token);
  send("ranking before any assessment", head, "GET",
       "/api/v1/reports/ranking?campaign=xinshao-2017", 200, "", head_token);
  send("403 a unit outside my scope", head, "GET", "/api/v1/reports/overdue?unit=yantang", 403, "",
       head_token);
  send("400 a format", head, "GET", "/api/v1/reports/summary?format=pdf", 400, "", head_token);
  send("board", head, "GET", "/api/v1/board?" + as_of, 200, "", head_token);
  send("campaign board", head, "GET", "/api/v1/board?campaign=xinshao-2017&" + as_of, 200, "",
       head_token);
  send("403 a board outside my scope", head, "GET", "/api/v1/board?unit=yantang", 403, "",
       head_token);

  std::set<int> statuses;
  for (const auto& a : answers.list()) statuses.insert(static_cast<int>(a.at("status").as_int64()));
  EXPECT_EQ(statuses, (std::set<int>{200, 201, 400, 401, 403, 404, 409, 412, 415, 422, 428, 429}));

  test::CommandResult r = Check(document, answers.list(), "answers");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok: " + std::to_string(answers.size()) + " answers match"))
      << r.out << r.err;

  // The checker is not blind: each answer below strays from the document in one way.
  auto find = [&](const std::string& name) {
    for (const auto& a : answers.list()) {
      if (a.at("name") == name.c_str()) return a.as_object();
    }
    ADD_FAILURE() << "no answer named " << name;
    return json::object();
  };
  auto with_body = [](json::object a, const std::string& name, auto change) {
    json::value body = json::parse(a.at("body").as_string());
    change(body);
    a["body"] = json::serialize(body);
    a["name"] = name;
    return a;
  };
  json::array stray;
  stray.push_back(with_body(find("an item"), "version as text",
                            [](json::value& b) { b.as_object()["version"] = "1"; }));
  stray.push_back(with_body(find("my items"), "an undocumented field", [](json::value& b) {
    b.at("items").as_array().at(0).as_object()["colour"] = "red";
  }));
  stray.push_back(with_body(find("404 no such item"), "an error without its message",
                            [](json::value& b) { b.at("error").as_object().erase("message"); }));
  stray.push_back(with_body(find("412 stale If-Match"), "another error's code", [](json::value& b) {
    b.at("error").as_object()["code"] = "not_found";
  }));
  stray.push_back(with_body(find("submitted"), "a history entry without seq", [](json::value& b) {
    b.at("history").as_array().at(0).as_object().erase("seq");
  }));
  stray.push_back(with_body(find("an item"), "due not a date",
                            [](json::value& b) { b.as_object()["due"] = "2017-02-30"; }));
  json::object teapot = find("who am I");
  teapot["status"] = 418;
  teapot["name"] = "an undocumented status";
  stray.push_back(teapot);
  json::object no_etag = find("an item");
  no_etag["headers"].as_object().erase("etag");
  no_etag["name"] = "a detail without its ETag";
  stray.push_back(no_etag);
  json::object unknown_route = find("who am I");
  unknown_route["target"] = "/api/v1/no-such-resource";
  unknown_route["name"] = "an undocumented route";
  stray.push_back(unknown_route);
  stray.push_back(find("my items"));  // and one that is right
  test::CommandResult bad = Check(document, stray, "stray");
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  for (const char* name :
       {"version as text", "an undocumented field", "an error without its message",
        "another error's code", "a history entry without seq", "due not a date",
        "an undocumented status", "a detail without its ETag", "an undocumented route"}) {
    EXPECT_THAT(bad.out, HasSubstr(std::string("FAIL ") + name + ":")) << bad.out;
  }
  EXPECT_THAT(bad.out, Not(HasSubstr("FAIL my items"))) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("9 of 10 answers do not match")) << bad.out;

  // Nor blind to a document that is wrong in itself.
  json::value broken = json::parse(document);
  broken.at("paths").at("/api/v1/items/{id}").as_object().erase("parameters");
  broken.at("components").at("schemas").at("LoginRequest").as_object()["additionalProperties"] =
      true;
  test::CommandResult wrong = Check(json::serialize(broken), json::array{}, "none");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.out << wrong.err;
  EXPECT_THAT(wrong.out, HasSubstr("GET /api/v1/items/{id}: path parameters [] do not match the "
                                   "path's ['id']"));
  EXPECT_THAT(wrong.out, HasSubstr("POST /api/v1/session: the request body must say "
                                   "additionalProperties: false"));
}

// Administration and feeds (definition_routes.cc, delivery_routes.cc, audit_routes.cc,
// feed_routes.cc): their real answers, successes and errors, match the document too.
TEST_P(ApiContractTest, AdministrationAndFeedAnswersMatchTheDocument) {
  Answers answers;
  HttpClient anyone = env_->Client();
  const std::string document = anyone.Send("GET", "/api/v1/openapi.json").body;
  auto send = [&](const std::string& name, HttpClient& c, const std::string& method,
                  const std::string& target, int expected, const std::string& body = {},
                  const std::map<std::string, std::string>& headers = {}) -> const HttpAnswer& {
    return answers.Add(name, method, target, expected, c.Send(method, target, body, headers));
  };
  HttpClient admin = env_->Client();
  std::string csrf = env_->SignIn(admin, "xs-0003");
  std::map<std::string, std::string> yaml{{"X-CSRF-Token", csrf}, {"Content-Type", "text/yaml"}};
  const std::string good =
      "kind: escalation\nname: contract-check\nversion: 1\ntitle: 合同\n"
      "steps:\n  - { after: 0, measure: reminder_letter, notify: [unit.head] }\n";
  const std::string bad = "kind: escalation\nname: contract-check\nversion: 1\nsteps: 3\n";
  send("definitions", admin, "GET", "/api/v1/definitions", 200);
  send("workflows", admin, "GET", "/api/v1/definitions?kind=workflow", 200);
  send("400 no such kind", admin, "GET", "/api/v1/definitions?kind=colour", 400);
  send("a definition", admin, "GET", "/api/v1/definitions/workflow/rectification-item", 200);
  send("a workflow's diagram", admin, "GET",
       "/api/v1/definitions/workflow/rectification-item/graph", 200);
  send("a chain's diagram", admin, "GET",
       "/api/v1/definitions/escalation/overdue-rectification/graph", 200);
  send("400 no diagram of an org", admin, "GET", "/api/v1/definitions/org/xinshao/graph", 400);
  send("409 a poster without --public-url", admin, "GET", "/api/v1/units/niangxi/poster.png", 409);
  send("404 no such version", admin, "GET",
       "/api/v1/definitions/workflow/rectification-item?version=99", 404);
  send("valid", admin, "POST", "/api/v1/definitions/validate", 200, good, yaml);
  send("not valid", admin, "POST", "/api/v1/definitions/validate", 200, bad, yaml);
  send("415 not YAML", admin, "POST", "/api/v1/definitions/validate", 415, "{}",
       {{"X-CSRF-Token", csrf}});
  send("422 not registered", admin, "POST", "/api/v1/definitions", 422, bad, yaml);
  send("registered", admin, "POST", "/api/v1/definitions", 201, good, yaml);
  send("registered already", admin, "POST", "/api/v1/definitions", 200, good, yaml);
  std::string changed = good;
  changed.replace(changed.find("合同"), 6, "合同2");
  send("409 same version", admin, "POST", "/api/v1/definitions", 409, changed, yaml);
  send("deliveries", admin, "GET", "/api/v1/deliveries?state=dead&limit=10", 200);
  send("400 no such state", admin, "GET", "/api/v1/deliveries?state=lost", 400);
  send("404 no such delivery", admin, "POST", "/api/v1/deliveries/424242/retry", 404, "",
       {{"X-CSRF-Token", csrf}});
  send("audit", admin, "POST", "/api/v1/audit/verify", 200, R"({"limit":2})");
  send("400 audit limit", admin, "POST", "/api/v1/audit/verify", 400, R"({"limit":"2"})");

  HttpClient cadre = env_->Client();
  std::string cadre_csrf = env_->SignIn(cadre, "xs-0014");
  send("403 not an administrator", cadre, "GET", "/api/v1/definitions", 403);
  send("my deliveries", cadre, "GET", "/api/v1/deliveries", 200);
  const HttpAnswer& made = send("a feed", cadre, "POST", "/api/v1/feeds", 201,
                                R"({"label":"phone"})", {{"X-CSRF-Token", cadre_csrf}});
  std::string url(made.Json().at("url").as_string());
  std::string id(made.Json().at("id").as_string());
  send("my feeds", cadre, "GET", "/api/v1/feeds", 200);
  send("400 feed label", cadre, "POST", "/api/v1/feeds", 400, R"({"label":1})",
       {{"X-CSRF-Token", cadre_csrf}});
  send("the feed", anyone, "GET", url, 200);
  send("revoked", cadre, "DELETE", "/api/v1/feeds/" + id, 200, "", {{"X-CSRF-Token", cadre_csrf}});
  send("404 revoked feed", anyone, "GET", url, 404);
  send("404 not my feed", cadre, "DELETE", "/api/v1/feeds/nosuch", 404, "",
       {{"X-CSRF-Token", cadre_csrf}});
  send("401 feeds of nobody", anyone, "GET", "/api/v1/feeds", 401);

  test::CommandResult r = Check(document, answers.list(), "admin-answers");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok: " + std::to_string(answers.size()) + " answers match"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
