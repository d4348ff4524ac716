// Evidence files through a live `rectify serve` on SQLite and PostgreSQL: upload (checked by
// size, name and content before anything is stored), download by whoever may read the item,
// the same file once, and a file attached to an event recorded in the audit log with its name
// and hash, which `rectify audit verify` covers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/store/soci/database.h"
#include "rectify/definition/canonical.h"
#include "rectify/sha256.h"
#include "tests/http/api_env.h"
#include "tests/http/multipart_body.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::FakeExe;
using test::FakeJpeg;
using test::HttpAnswer;
using test::HttpClient;
using test::MultipartBody;
using ::testing::HasSubstr;
using ::testing::Not;

class ApiEvidenceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(
        GetParam(),
        std::vector<std::string>{"--max-upload", "64KiB", "--max-upload-request", "256KiB"});
    ASSERT_TRUE(env_->Start());
  }

  // A signed-in client of `person` and its CSRF header.
  struct As {
    HttpClient client;
    std::map<std::string, std::string> headers;
  };
  As SignedIn(const std::string& person) {
    As a{env_->Client(), {}};
    a.headers["X-CSRF-Token"] = env_->SignIn(a.client, person);
    return a;
  }

  HttpAnswer Upload(As& as, const std::string& item, const MultipartBody& m) {
    auto h = as.headers;
    h["Content-Type"] = m.Type();
    return as.client.Send("POST", "/api/v1/items/" + item + "/evidence", m.Body(), h);
  }

  json::value Files(As& as, const std::string& item) {
    HttpAnswer a = as.client.Send("GET", "/api/v1/items/" + item);
    EXPECT_EQ(a.status, 200) << a.body;
    return a.Json().at("files");
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiEvidenceTest, UploadDownloadAndTheSameFileOnce) {
  As cadre = SignedIn("xs-0014");
  const std::string photo = FakeJpeg("长塘村危房 after");
  const std::string hash = Sha256Hex(photo);
  MultipartBody m;
  m.File("整改照片 1.jpg", photo, "image/png");  // the declared type is not trusted
  HttpAnswer up = Upload(cadre, "T-A1", m);
  ASSERT_EQ(up.status, 201) << up.body;
  json::value e = up.Json().at("evidence");
  EXPECT_EQ(e.at("sha256"), hash.c_str());
  EXPECT_EQ(e.at("name"), "整改照片 1.jpg");
  EXPECT_EQ(e.at("type"), "image/jpeg");
  EXPECT_EQ(e.at("size").as_int64(), static_cast<std::int64_t>(photo.size()));
  EXPECT_EQ(e.at("uploaded_by"), "xs-0014");
  const std::string href = "/api/v1/items/T-A1/evidence/" + hash;
  EXPECT_EQ(e.at("href"), href.c_str());
  EXPECT_EQ(up.Header("location"), href);

  // Again, under another name, with a text file beside it: the photo is still one file.
  MultipartBody again;
  again.File("copy.jpg", photo).File("说明.txt", "整改已完成\n", "text/plain").Field("note", "x");
  HttpAnswer twice = Upload(cadre, "T-A1", again);
  ASSERT_EQ(twice.status, 201) << twice.body;
  json::value twice_json = twice.Json();
  ASSERT_EQ(twice_json.at("files").as_array().size(), 2u);
  EXPECT_EQ(twice_json.at("files").at(0).at("sha256"), hash.c_str());
  EXPECT_EQ(twice_json.at("files").at(0).at("name"), "整改照片 1.jpg");  // the first name stays
  EXPECT_EQ(twice_json.at("files").at(1).at("type"), "text/plain; charset=utf-8");
  json::value files = Files(cadre, "T-A1");
  EXPECT_EQ(files.as_array().size(), 2u);

  // Whoever may read the item downloads it, as stored, with a safe name.
  for (const char* person : {"xs-0014", "xs-0012", "xs-0002", "xs-0003"}) {
    As reader = SignedIn(person);
    HttpAnswer got = reader.client.Send("GET", href);
    ASSERT_EQ(got.status, 200) << person << ": " << got.body;
    EXPECT_EQ(got.body, photo) << person;
    EXPECT_EQ(got.Header("content-type"), "image/jpeg");
    EXPECT_EQ(got.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(got.Header("etag"), "\"" + hash + "\"");
    EXPECT_EQ(got.Header("content-disposition"),
              "attachment; filename=\"____ 1.jpg\"; "
              "filename*=UTF-8''%E6%95%B4%E6%94%B9%E7%85%A7%E7%89%87%201.jpg");
    HttpAnswer same = reader.client.Send("GET", href, "", {{"If-None-Match", "\"" + hash + "\""}});
    EXPECT_EQ(same.status, 304) << person;
    EXPECT_TRUE(same.body.empty());
  }
  // Anyone else gets the item's own 404, the same as for an item that does not exist.
  As other = SignedIn("xs-0025");
  HttpAnswer hidden = other.client.Send("GET", href);
  HttpAnswer none = other.client.Send("GET", "/api/v1/items/T-NONE/evidence/" + hash);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(hidden.body, std::string(none.body).replace(none.body.find("T-NONE"), 6, "T-A1"));
  EXPECT_EQ(HttpClient(env_->port()).Send("GET", href).status, 401);
  // A hash of no file of the item, or not a hash.
  HttpAnswer unknown =
      cadre.client.Send("GET", "/api/v1/items/T-A1/evidence/" + std::string(64, 'a'));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("has no evidence file"));
  EXPECT_EQ(cadre.client.Send("GET", "/api/v1/items/T-A1/evidence/..%2F..%2Fetc").status, 404);
  // The same bytes uploaded for another item are that item's file too (stored once).
  As head = SignedIn("xs-0012");
  HttpAnswer for_a2 = Upload(head, "T-A2", MultipartBody().File("a2.jpg", photo));
  ASSERT_EQ(for_a2.status, 201) << for_a2.body;
  EXPECT_EQ(for_a2.Json().at("evidence").at("sha256"), hash.c_str());
  EXPECT_EQ(head.client.Send("GET", "/api/v1/items/T-A2/evidence/" + hash).status, 200);
  auto url = store_soci::ParseDatabaseUrl(env_->db().url());
  auto db = store_soci::Database::Open(*url, {});
  ASSERT_TRUE(db.ok());
  long long blobs = 0, links = 0;
  (*db)->session() << "SELECT COUNT(*) FROM evidence_blobs", soci::into(blobs);
  (*db)->session() << "SELECT COUNT(*) FROM item_evidence", soci::into(links);
  EXPECT_EQ(blobs, 2);  // the photo and the text
  EXPECT_EQ(links, 3);
}

TEST_P(ApiEvidenceTest, BadUploadsAreRefusedAndStoreNothing) {
  As cadre = SignedIn("xs-0014");
  auto refused = [&](const MultipartBody& m, int status, const std::string& says) {
    HttpAnswer a = Upload(cadre, "T-A1", m);
    EXPECT_EQ(a.status, status) << a.body;
    EXPECT_THAT(a.body, HasSubstr(says));
    EXPECT_THAT(a.body, Not(HasSubstr("SQL")));
  };
  // A program named .jpg (and declared as one), in a request with a good photo: nothing stored.
  refused(MultipartBody().File("ok.jpg", FakeJpeg("x")).File("照片.jpg", FakeExe(), "image/jpeg"),
          415, "JPEG, PNG, GIF, WebP");
  refused(MultipartBody().File("big.jpg", FakeJpeg(std::string(65 * 1024, 'x'))), 413,
          "bytes a file may have");
  refused(MultipartBody().File("../../etc/passwd", "text"), 400, "path separator");
  refused(MultipartBody().File("..\\\\win.ini", "text"), 400, "path separator");
  refused(MultipartBody().File("..", "text"), 400, "..");
  refused(MultipartBody().File("a%00b.txt", "text", "text/plain", true), 400, "control character");
  refused(MultipartBody().File("a%2Fb.txt", "text", "text/plain", true), 400, "path separator");
  refused(MultipartBody().File(std::string(256, 'n') + ".txt", "text"), 400, "longer than 255");
  refused(MultipartBody().File("empty.txt", ""), 400, "empty");
  refused(MultipartBody().Field("note", "no file"), 400, "no file in the request");
  EXPECT_EQ(Files(cadre, "T-A1").as_array().size(), 0u);

  auto h = cadre.headers;
  h["Content-Type"] = "application/json";
  HttpAnswer json_body = cadre.client.Send("POST", "/api/v1/items/T-A1/evidence", "{}", h);
  EXPECT_EQ(json_body.status, 415);
  EXPECT_EQ(json_body.ErrorCode(), "unsupported_media_type");
  h["Content-Type"] = MultipartBody().Type();
  HttpAnswer cut =
      cadre.client.Send("POST", "/api/v1/items/T-A1/evidence",
                        MultipartBody().File("a.txt", "text").Body().substr(0, 152), h);
  EXPECT_EQ(cut.status, 400);
  EXPECT_THAT(cut.body, HasSubstr("final delimiter"));
  // A request over --max-upload-request is refused before it is read to the end.
  HttpAnswer huge = Upload(cadre, "T-A1",
                           MultipartBody()
                               .File("1.txt", std::string(60 * 1024, 'a'))
                               .File("2.txt", std::string(60 * 1024, 'b'))
                               .File("3.txt", std::string(60 * 1024, 'c'))
                               .File("4.txt", std::string(60 * 1024, 'd'))
                               .File("5.txt", std::string(60 * 1024, 'e')));
  EXPECT_EQ(huge.status, 413) << huge.body;
  EXPECT_EQ(Files(cadre, "T-A1").as_array().size(), 0u);

  // Without the CSRF token, with a read token, on an item out of sight, with no event to send.
  HttpAnswer no_csrf = cadre.client.Send("POST", "/api/v1/items/T-A1/evidence",
                                         MultipartBody().File("a.txt", "t").Body(),
                                         {{"Content-Type", MultipartBody().Type()}});
  EXPECT_EQ(no_csrf.status, 403);
  HttpClient reader = env_->Client();
  HttpAnswer read_only =
      reader.Send("POST", "/api/v1/items/T-A2/evidence", MultipartBody().File("a.txt", "t").Body(),
                  {{"Content-Type", MultipartBody().Type()},
                   {"Authorization", "Bearer " + env_->Token("xs-0012", "read")}});
  EXPECT_EQ(read_only.status, 403);
  EXPECT_EQ(Upload(cadre, "T-B1", MultipartBody().File("a.txt", "t")).status, 404);
  As committee = SignedIn("xs-0011");
  HttpAnswer events = committee.client.Send("GET", "/api/v1/items/T-A1/events");
  ASSERT_EQ(events.status, 200);
  ASSERT_TRUE(events.Json().at("events").as_array().empty()) << events.body;
  HttpAnswer may_not = Upload(committee, "T-A1", MultipartBody().File("a.txt", "t"));
  EXPECT_EQ(may_not.status, 403);
  EXPECT_THAT(may_not.body, HasSubstr("you may send no event on item T-A1"));
  EXPECT_EQ(Files(cadre, "T-A1").as_array().size(), 0u);
}

TEST_P(ApiEvidenceTest, AFileSentWithAnEventIsInTheAuditChainWithItsNameAndHash) {
  As cadre = SignedIn("xs-0014");
  const std::string photo = FakeJpeg("T-A1 done");
  const std::string hash = Sha256Hex(photo);
  ASSERT_EQ(Upload(cadre, "T-A1", MultipartBody().File("整改后.jpg", photo)).status, 201);
  As head = SignedIn("xs-0012");
  const std::string other = FakeJpeg("T-A2 only");
  ASSERT_EQ(Upload(head, "T-A2", MultipartBody().File("a2.jpg", other)).status, 201);

  auto submit = [&](const std::string& evidence) {
    auto h = cadre.headers;
    h["If-Match"] = "\"1\"";
    return cadre.client.Send("POST", "/api/v1/items/T-A1/events/submit",
                             R"({"evidence":)" + evidence + "}", h);
  };
  // A hash not uploaded for this item (another item's file, or none), or not a hash: 400.
  HttpAnswer foreign = submit(R"(["sha256:)" + Sha256Hex(other) + R"("])");
  EXPECT_EQ(foreign.status, 400);
  EXPECT_THAT(foreign.body, HasSubstr("evidence[0]: no file"));
  EXPECT_THAT(foreign.body, HasSubstr("was uploaded for item T-A1; upload it first"));
  HttpAnswer malformed = submit(R"(["a text", "sha256:XYZ"])");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.body, HasSubstr("evidence[1]: write sha256:"));

  HttpAnswer done = submit(R"(["sha256:)" + hash + R"(", "现场已整改"])");
  ASSERT_EQ(done.status, 200) << done.body;
  json::value item = done.Json();
  EXPECT_EQ(item.at("state"), "verifying");
  const auto& evidence = item.at("evidence").as_array();
  ASSERT_EQ(evidence.size(), 2u);
  EXPECT_EQ(evidence.at(0).at("text"), "现场已整改");
  EXPECT_EQ(evidence.at(1).at("text"), "整改后.jpg");
  EXPECT_EQ(evidence.at(1).at("sha256"), hash.c_str());
  EXPECT_EQ(evidence.at(1).at("href"), ("/api/v1/items/T-A1/evidence/" + hash).c_str());
  const auto& last = item.at("history").as_array().back();
  EXPECT_EQ(last.at("event"), "submit");
  json::value file = last.at("data").at("files").at(0);
  EXPECT_EQ(file.at("name"), "整改后.jpg");
  EXPECT_EQ(file.at("sha256"), hash.c_str());
  EXPECT_EQ(file.at("type"), "image/jpeg");
  EXPECT_EQ(last.at("data").at("evidence").at(0), "现场已整改");

  test::CommandResult verify =
      test::RunRectify({"--db", env_->db().url(), "audit", "verify"}, ApiEnv::Env());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("audit intact"));
  // The hash is covered by the chain: another hash in the row is found.
  auto url = store_soci::ParseDatabaseUrl(env_->db().url());
  auto db = store_soci::Database::Open(*url, {});
  ASSERT_TRUE(db.ok());
  std::string data;
  (*db)->session() << "SELECT data FROM audit_log WHERE instance_id = 'T-A1' AND event = 'submit'",
      soci::into(data);
  ASSERT_THAT(data, HasSubstr(hash));
  std::string forged = data;
  forged.replace(forged.find(hash), hash.size(), std::string(64, '0'));
  (*db)->session() << "UPDATE audit_log SET data = :d WHERE instance_id = 'T-A1' AND event = "
                      "'submit'",
      soci::use(forged);
  test::CommandResult tampered =
      test::RunRectify({"--db", env_->db().url(), "audit", "verify"}, ApiEnv::Env());
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out << tampered.err;
  EXPECT_THAT(tampered.out, HasSubstr("instance T-A1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiEvidenceTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
