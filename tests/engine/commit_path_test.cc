// The one way effects reach the store (Engine::Commit, rectify/engine/engine.h) and the one
// paging loop over instances (rectify/engine/instance_pages.h), on the in-memory store
// (tests/support/memory_store.h): no SQL, no PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/ledger.h"
#include "tests/engine/engine_harness.h"
#include "tests/support/forwarding_store.h"

namespace rectify {
namespace {

using test::T;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Counts the commits the store is asked for, however they come.
class CountingStore final : public test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status Commit(const ChangeSet& changes) override {
    ++commits;
    return ForwardingStore::Commit(changes);
  }
  int commits = 0;
};

class CommitPathTest : public ::testing::Test {
 protected:
  CommitPathTest()
      : clock_(T("2017-06-01T09:00:00+08:00")),
        store_(test::MakeMemoryStore(std::make_shared<test::MemoryDatabase>())),
        engine_(store_, clock_, test::ShippedDefinitions()) {
    engine_.SetCommitFunction([this](Store& store, const ChangeSet& changes) {
      ++through_function_;
      return store.Commit(changes);
    });
  }

  // Runs `write` and expects exactly one commit, made through the commit function.
  template <typename Fn>
  void ExpectOneCommit(const char* what, Fn write) {
    int before = through_function_;
    int stored_before = store_.commits;
    write();
    EXPECT_EQ(through_function_ - before, 1) << what;
    EXPECT_EQ(store_.commits - stored_before, 1) << what;
    EXPECT_EQ(store_.commits, through_function_) << what << ": a commit went around Engine::Commit";
  }

  engine::NewInstance Item(const std::string& id) {
    engine::NewInstance req;
    req.id = id;
    req.workflow = "rectification-item";
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "整改";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", "10wd"}};
    return req;
  }

  VirtualClock clock_;
  CountingStore store_;
  engine::Engine engine_;
  int through_function_ = 0;
};

TEST_F(CommitPathTest, EveryWriteGoesThroughTheReplacedCommitFunction) {
  ExpectOneCommit("RegisterDefinitions", [&] {
    Status s = engine_.RegisterDefinitions();
    ASSERT_TRUE(s.ok()) << s.error().message();
  });
  ExpectOneCommit("StartCampaign", [&] {
    auto run = engine::StartCampaign(engine_, "xinshao-2017");
    ASSERT_TRUE(run.ok()) << run.error().message();
  });
  ExpectOneCommit("Register", [&] {
    auto item = engine_.Register(Item("C-1"));
    ASSERT_TRUE(item.ok()) << item.error().message();
  });
  ExpectOneCommit("Act", [&] {
    auto acted = engine_.Act({.instance_id = "C-1",
                              .event = "assign",
                              .actor = "xs-0003",
                              .fields = {{"verifier", "xs-0007"}}});
    ASSERT_TRUE(acted.ok()) << acted.error().message();
  });
  ExpectOneCommit("RegisterMany", [&] {
    auto many = engine_.RegisterMany({{.item = Item("C-2")}, {.item = Item("C-3")}});
    ASSERT_TRUE(many.ok()) << many.error().message();
  });
  ExpectOneCommit("ImportLedger", [&] {
    engine::LedgerOptions options{
        .file = "ledger.csv", .campaign = "xinshao-2017", .registrar = "xs-0009"};
    options.now = clock_.Now();
    auto pinned = engine::LoadAllPinnedWorkflows(store_);
    ASSERT_TRUE(pinned.ok()) << pinned.error().message();
    options.pinned = *pinned;
    Diagnostics diags;
    std::string text =
        ReadFile(std::string(RECTIFY_SOURCE_DIR) + "/tests/engine/ledgers/xinshao-2017-sample.csv");
    engine::Ledger ledger = engine::ParseLedger(text, *test::ShippedDefinitions(), options, diags);
    ASSERT_FALSE(diags.has_errors()) << diags.Format();
    auto report = engine::ImportLedger(engine_, ledger, options, {}, diags);
    ASSERT_TRUE(report.ok()) << report.error().message() << "\n" << diags.Format();
    EXPECT_EQ(report->registered, 3u);
  });
}

TEST_F(CommitPathTest, ACommitFunctionThatRefusesChangesNothing) {
  ASSERT_TRUE(engine_.RegisterDefinitions().ok());
  engine_.SetCommitFunction([](Store&, const ChangeSet&) -> Status {
    return Error::Unavailable("the batcher is closed");
  });
  auto item = engine_.Register(Item("C-9"));
  ASSERT_FALSE(item.ok());
  EXPECT_THAT(item.error().message(), HasSubstr("the batcher is closed"));
  EXPECT_EQ(store_.LoadInstance("C-9").error().code(), ErrorCode::kNotFound);
  // Null puts the store's own Commit back.
  engine_.SetCommitFunction(nullptr);
  EXPECT_TRUE(engine_.Register(Item("C-9")).ok());
}

TEST_F(CommitPathTest, RegisteredDefinitionsKeepTheTextTheSetCompiledByteForByte) {
  ASSERT_TRUE(engine_.RegisterDefinitions().ok());
  const auto& defs = *test::ShippedDefinitions();
  const definition::DefinitionInfo* info =
      defs.FindInfo(definition::Kind::kWorkflow, "rectification-item");
  ASSERT_NE(info, nullptr);
  auto stored = store_.LoadDefinition("workflow", info->name, info->version);
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  ASSERT_NE(defs.SourceText(info->pos.file), nullptr);
  EXPECT_EQ(stored->source, *defs.SourceText(info->pos.file));
  EXPECT_EQ(stored->source, ReadFile(info->pos.file));
}

// An uploaded definition (text from no file) is given to the loader with its name, and its
// stored source is exactly the bytes uploaded: comments, CRLF line ends and trailing blanks too.
TEST(UploadedDefinitionTest, StoredSourceIsExactlyTheUploadedBytes) {
  // The shipped calendar renamed, with CRLF line ends and a comment with trailing blanks.
  std::string upload = ReadFile(std::string(RECTIFY_SOURCE_DIR) + "/workflows/calendars/cn.yaml");
  ASSERT_NE(upload.find("\nname: cn\n"), std::string::npos);
  upload.replace(upload.find("\nname: cn\n"), 10, "\nname: upload-test\n");
  std::string crlf = "# uploaded   \r\n";
  for (char c : upload) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  upload = crlf;
  Diagnostics diags;
  definition::LoadOptions options;
  options.documents = definition::ParseYamlText(upload, "upload.yaml", {}, diags);
  auto set = definition::LoadDefinitions({}, diags, options);
  ASSERT_TRUE(set.ok()) << diags.Format();
  VirtualClock clock(T("2017-04-21T10:00:00+08:00"));
  auto store = test::MakeMemoryStore(std::make_shared<test::MemoryDatabase>());
  engine::Engine registrar(*store, clock, *set);
  ASSERT_TRUE(registrar.RegisterDefinitions().ok());
  auto stored = store->LoadDefinition("calendar", "upload-test", 1);
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  EXPECT_EQ(stored->source, upload);
}

class InstancePagesTest : public test::MemoryEngineFixture {
 protected:
  // Writes a row as a store holds it, `data` its state as JSON.
  void Put(const std::string& id, const std::string& data) {
    ChangeSet changes;
    InstanceRecord r;
    r.id = id;
    r.workflow = "rectification-item";
    r.workflow_version = 1;
    r.state = "registered";
    r.data_json = data;
    r.created_at = r.updated_at = clock_.Now();
    changes.instance_inserts.push_back(r);
    ASSERT_TRUE(store_->Commit(changes).ok());
  }
};

TEST_F(InstancePagesTest, EveryRowIsVisitedPageByPageInIdOrder) {
  for (int i = 1; i <= 5; ++i) {
    engine::NewInstance req;
    req.id = "P-" + std::to_string(i);
    req.workflow = "rectification-item";
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "分页";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", "10wd"}};
    ASSERT_TRUE(engine_->Register(req).ok());
  }
  InstanceFilter filter;
  filter.limit = 2;
  std::vector<std::string> seen;
  std::vector<std::size_t> pages;
  Status s = engine::ForEachInstancePage(*store_, filter, [&](std::vector<InstanceRecord>& page) {
    pages.push_back(page.size());
    return Result<bool>(true);
  });
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_THAT(pages, ::testing::ElementsAre(2u, 2u, 1u));
  s = engine::ForEachInstance(*store_, filter, [&](engine::Instance& item) {
    seen.push_back(item.record.id);
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_THAT(seen, ::testing::ElementsAre("P-1", "P-2", "P-3", "P-4", "P-5"));
}

TEST_F(InstancePagesTest, ARowThatDoesNotParseIsAnErrorNamingIt) {
  Put("R-1", "{}");
  Put("R-2", "{}");
  Put("R-3", "not json");  // on the second page
  InstanceFilter filter;
  filter.limit = 2;
  std::vector<std::string> seen;
  Status s = engine::ForEachInstance(*store_, filter, [&](engine::Instance& item) {
    seen.push_back(item.record.id);
    return OkStatus();
  });
  ASSERT_FALSE(s.ok()) << "a row that does not parse must not be skipped";
  EXPECT_THAT(s.error().message(), HasSubstr("item R-3"));
  EXPECT_THAT(seen, ::testing::ElementsAre("R-1", "R-2"));
}

}  // namespace
}  // namespace rectify
