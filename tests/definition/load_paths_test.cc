// Which files a set is loaded from: symlinks followed, a folder without a definition file refused,
// a county's definition replacing the library's of the same kind, name and version (and two county
// definitions of the same still a duplicate); in-process and through `rectify validate`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rectify/definition/definition_set.h"
#include "tests/definition/library.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify::definition {
namespace {

namespace fs = std::filesystem;
using test::SourcePath;
using ::testing::HasSubstr;
using ::testing::Not;

const char kLadder[] =
    "kind: escalation\n"
    "name: county-ladder\n"
    "steps:\n"
    "  - { after: 0, measure: reminder_letter, notify: [unit.head] }\n";

// A copy of the library's default channels with the letters written elsewhere.
std::string EditedDefaultChannels() {
  std::ifstream in(SourcePath("workflows/channels/default.yaml"));
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  auto at = text.find("folder: var/outbox");
  EXPECT_NE(at, std::string::npos);
  text.replace(at, std::string("folder: var/outbox").size(), "folder: county-letters");
  return text;
}

::rectify::test::CommandResult Validate(std::vector<std::string> args,
                                        std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "validate");
  env.emplace("RECTIFY_HOME", RECTIFY_SOURCE_DIR);
  env.emplace("RECTIFY_DEFINITIONS", "");
  return ::rectify::test::RunRectify(args, env);
}

TEST(LoadPathsTest, AFolderOfSymlinksLoadsTheFilesTheyLeadTo) {
  ::rectify::test::TempDir dir;
  fs::create_directories(dir.path() / "shared");
  std::ofstream(dir.File("shared/ladder.yaml")) << kLadder;
  fs::create_directories(dir.path() / "county");
  fs::create_symlink(dir.path() / "shared/ladder.yaml", dir.path() / "county/ladder.yaml");
  fs::create_directory_symlink(SourcePath("workflows/calendars"), dir.path() / "county/cal");
  fs::create_directory_symlink(dir.path() / "county", dir.path() / "county/loop");  // no loop

  Diagnostics diags;
  auto set = LoadDefinitions({dir.File("county")}, diags);
  ASSERT_TRUE(set.ok()) << diags.Format();
  EXPECT_NE((*set)->FindEscalation("county-ladder"), nullptr);
  EXPECT_NE((*set)->FindCalendar("cn"), nullptr);

  auto r = Validate({"--no-library", dir.File("county")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "rectify: 0 errors, 0 warnings in 2 files\n");
}

TEST(LoadPathsTest, AFolderWithoutADefinitionFileIsAnError) {
  ::rectify::test::TempDir dir;
  fs::create_directories(dir.path() / "empty/sub");
  std::ofstream(dir.File("empty/readme.txt")) << "not a definition\n";
  fs::create_symlink(dir.path() / "nowhere.yaml", dir.path() / "empty/dangling.yaml");

  auto r = Validate({dir.File("empty")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir.File("empty/dangling.yaml") +
                               ": error: a symlink to nothing (hint: point it at a definition "
                               "file, or remove it)"));
  EXPECT_THAT(r.err, HasSubstr(dir.File("empty") +
                               ": error: no definition file in this folder (a definition file is "
                               "a *.yaml or *.yml file with 'kind:' and 'name:'"));
  auto flag = Validate({"--definitions", dir.File("empty"), SourcePath("workflows/orgs")});
  EXPECT_EQ(flag.exit_code, 1);
  EXPECT_THAT(flag.err, HasSubstr(dir.File("empty") + ": error: no definition file"));
}

TEST(LoadPathsTest, ACountyCopyReplacesTheLibrarysDefinitionWithANote) {
  ::rectify::test::TempDir dir;
  fs::create_directories(dir.path() / "county/channels");
  std::ofstream(dir.File("county/channels/default.yaml")) << EditedDefaultChannels();

  Diagnostics diags;
  LoadOptions options;
  options.library = {SourcePath("workflows")};
  auto set = LoadDefinitions({dir.File("county")}, diags, options);
  ASSERT_TRUE(set.ok()) << diags.Format();
  ASSERT_EQ((*set)->replacements().size(), 1u);
  EXPECT_EQ((*set)->replacements()[0].by.pos.file, dir.File("county/channels/default.yaml"));
  EXPECT_EQ((*set)->FindInfo(Kind::kChannels, "default")->pos.file,
            dir.File("county/channels/default.yaml"));
  EXPECT_EQ(diags.error_count(), 0u);
  EXPECT_EQ(diags.warning_count(), 0u);

  auto r = Validate({dir.File("county")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, dir.File("county/channels/default.yaml") +
                       ":4:1: note: channels default@1 replaces the library's, in " +
                       RECTIFY_SOURCE_DIR +
                       "/workflows/channels/default.yaml\n"
                       "rectify: 0 errors, 0 warnings in 1 file\n");

  // Without the library option the same two files are a duplicate, as before.
  Diagnostics plain;
  EXPECT_FALSE(LoadDefinitions({dir.File("county"), SourcePath("workflows")}, plain).ok());
  EXPECT_THAT(plain.Format(), HasSubstr("duplicate channels 'default' version 1"));
}

TEST(LoadPathsTest, TwoCountyFoldersDefiningTheSameThingAreADuplicate) {
  ::rectify::test::TempDir dir;
  fs::create_directories(dir.path() / "a");
  fs::create_directories(dir.path() / "b");
  std::ofstream(dir.File("a/ladder.yaml")) << kLadder;
  std::ofstream(dir.File("b/ladder.yaml")) << kLadder;
  auto r = Validate({"--definitions", dir.File("a"), dir.File("b")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("duplicate escalation 'county-ladder' version 1"));
  EXPECT_THAT(r.err, Not(HasSubstr("replaces")));
}

TEST(LoadPathsTest, ASetFindsAFileHoweverItIsSpelled) {
  Diagnostics diags;
  auto set = LoadDefinitions({SourcePath("workflows")}, diags);
  ASSERT_TRUE(set.ok());
  std::error_code ec;
  fs::path relative =
      fs::relative(SourcePath("workflows/channels/rehearsal.yaml"), fs::current_path(), ec);
  ASSERT_FALSE(ec);
  auto infos = (*set)->InFile(relative.string());
  ASSERT_EQ(infos.size(), 1u) << relative;
  EXPECT_EQ(infos[0].name, "rehearsal");
}

}  // namespace
}  // namespace rectify::definition
