// `rectify compare` through the real binary on SQLite and PostgreSQL (issue 15, point 8; seed 003:
// "by comparing data from poverty alleviation policy projects, problems were found accurately"):
// the shipped hecheng-subsidy-check compares the sample roster (CSV, and the same rows as XLSX)
// with the sample payment list, and registers each mismatch as a clue at its township in one
// transaction; a second run registers nothing twice; bad files and a refused registrar register
// nothing.
//
// The mismatches, counted by hand from workflows/comparisons/hecheng-*-2017-05.*:
//   not_paid (only in the roster):  赵六 …1236 (roster row 5, 石塘乡), 孙八 …1238 (row 7, 桥头镇)
//   not_on_roster (only paid):      郑一 …1231 (payments row 9, 桥头镇), 冯二 …1232 (row 10,
//   水口镇) amount_differs:                 王五 …1235 (roster row 4 written in full-width digits,
//   300.00;
//                                   payments row 4, 350.00; 石塘乡)
//   name_differs:                   …1239 周九 (roster row 8) / 周久 (payments row 6, the key with
//   a
//                                   leading space; 水口镇)
//   over_limit (> 500 a month):     郑一 …1231 600.00 (payments row 9)
//   paid_twice:                     吴十 …1230 (payments rows 7 and 8, 石塘乡)
// 李四's id card ends in a lower-case x in the roster and X in the payments: the same person.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace json = boost::json;
using test::Backend;
using ::testing::HasSubstr;

const std::string kSamples = std::string(RECTIFY_SOURCE_DIR) + "/workflows/comparisons/";
const std::string kRoster = kSamples + "hecheng-roster-2017-05.csv";
const std::string kRosterXlsx = kSamples + "hecheng-roster-2017-05.xlsx";
const std::string kPayments = kSamples + "hecheng-payments-2017-05.csv";
const std::string kAt = "2017-06-05T10:00:00+08:00";

class CompareCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  }

  test::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    return test::RunRectify(args, {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  }

  test::CommandResult Compare(const std::string& left, const std::string& right,
                              std::vector<std::string> more) {
    std::vector<std::string> args = {
        "compare", "hecheng-subsidy-check", "--left", left, "--right", right, "--at", kAt};
    args.insert(args.end(), more.begin(), more.end());
    return Run(args);
  }

  json::array Findings() {
    auto list = Run({"finding", "list", "--campaign", "hecheng-supervision-2017", "--format",
                     "json", "--at", kAt});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    json::value v = json::parse(list.out);
    return v.as_array();
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Per rule: the number of mismatches, from the JSON answer.
  static std::map<std::string, std::int64_t> PerRule(const json::object& o) {
    std::map<std::string, std::int64_t> out;
    json::value rules = o.at("rules");
    for (const auto& r : rules.as_array()) {
      out[std::string(r.at("name").as_string())] = r.at("mismatches").as_int64();
    }
    return out;
  }

  static const json::object* Find(const json::array& ms, const std::string& rule) {
    for (const auto& m : ms) {
      if (m.at("rule") == rule.c_str()) return &m.as_object();
    }
    return nullptr;
  }

  std::unique_ptr<test::TestDatabase> db_;
  test::TempDir dir_;
};

// `utf8` as GB18030 bytes, as a county's office software saves a CSV (glibc's iconv).
std::string Gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* to = out.data();
  std::size_t r = iconv(cd, &in, &in_left, &to, &out_left);
  iconv_close(cd);
  EXPECT_NE(r, static_cast<std::size_t>(-1));
  out.resize(out.size() - out_left);
  return out;
}

const std::map<std::string, std::int64_t> kCounted = {{"not_paid", 2},       {"not_on_roster", 2},
                                                      {"amount_differs", 1}, {"name_differs", 1},
                                                      {"over_limit", 1},     {"paid_twice", 1}};

TEST_P(CompareCliTest, ADryRunReportsEachRulesMismatchesWithTheRowsOfBothFiles) {
  auto r = Compare(kRoster, kPayments, {"--dry-run", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  const json::object& o = v.as_object();
  EXPECT_EQ(PerRule(o), kCounted);
  EXPECT_EQ(o.at("left").at("rows"), 8);
  EXPECT_EQ(o.at("right").at("rows"), 9);
  EXPECT_EQ(o.at("dry_run"), true);
  EXPECT_EQ(o.at("registered"), 8);  // would be
  json::value ms = o.at("mismatches");
  const json::array& a = ms.as_array();
  ASSERT_EQ(a.size(), 8u);
  // not_paid, in key order.
  EXPECT_EQ(a[0].at("key"), "430521195404041236");
  EXPECT_EQ(a[0].at("left_rows"), json::array{5});
  EXPECT_EQ(a[0].at("right_rows"), json::array());
  EXPECT_EQ(a[0].at("unit"), "shitang");
  EXPECT_EQ(a[0].at("clue"),
            "赵六（身份证430521195404041236）在低保花名册中，本月发放表中没有发放记录");
  EXPECT_EQ(a[1].at("key"), "430521195606061238");
  EXPECT_EQ(a[1].at("unit"), "qiaotou");
  const json::object* differs = Find(a, "amount_differs");
  ASSERT_NE(differs, nullptr);
  EXPECT_EQ(differs->at("key"), "430521195303031235");  // the full-width digits read as ASCII
  EXPECT_EQ(differs->at("left_rows"), json::array{4});
  EXPECT_EQ(differs->at("right_rows"), json::array{4});
  EXPECT_EQ(differs->at("detail"), "amount 300.00 / amount 350.00");
  EXPECT_EQ(differs->at("clue"),
            "王五（身份证430521195303031235）月保障金额300.00元，实际发放350.00元");
  const json::object* name = Find(a, "name_differs");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->at("left_rows"), json::array{8});
  EXPECT_EQ(name->at("right_rows"), json::array{6});
  EXPECT_EQ(name->at("unit"), "shuikou");
  const json::object* over = Find(a, "over_limit");
  ASSERT_NE(over, nullptr);
  EXPECT_EQ(over->at("key"), "430521196009091231");
  EXPECT_EQ(over->at("right_rows"), json::array{9});
  EXPECT_EQ(over->at("detail"), "amount 600.00 > 500");
  const json::object* twice = Find(a, "paid_twice");
  ASSERT_NE(twice, nullptr);
  EXPECT_EQ(twice->at("right_rows"), json::array({7, 8}));
  EXPECT_EQ(twice->at("unit"), "shitang");
  // Nothing was registered.
  EXPECT_TRUE(Findings().empty());

  // The XLSX roster (a merged title above the header: its rows are one further down) finds the
  // same mismatches at its own rows.
  auto x = Compare(kRosterXlsx, kPayments, {"--dry-run", "--format", "json"});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  json::value xv = json::parse(x.out);
  EXPECT_EQ(PerRule(xv.as_object()), kCounted);
  EXPECT_EQ(xv.at("mismatches").at(0).at("left_rows"), json::array{6});

  // The payment list saved as GB18030 reads the same with --right-encoding.
  std::ifstream utf8(kPayments, std::ios::binary);
  std::stringstream text;
  text << utf8.rdbuf();
  std::string gb = WriteFile("payments-gb18030.csv", Gb18030(text.str()));
  auto g = Compare(kRoster, gb, {"--dry-run", "--format", "json", "--right-encoding", "gb18030"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(PerRule(json::parse(g.out).as_object()), kCounted);

  // Text: a section per rule and the total.
  auto t = Compare(kRoster, kPayments, {"--dry-run"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("rule not_paid (only_left): 2 mismatches\n"));
  EXPECT_THAT(t.out, HasSubstr("rule paid_twice (duplicate): 1 mismatch\n"));
  EXPECT_THAT(t.out, HasSubstr("8 mismatches; would register 8 clues in round data_comparison of "
                               "hecheng-supervision-2017 (dry run: nothing was registered)\n"));
}

TEST_P(CompareCliTest, EachMismatchIsAClueAtItsTownshipOnceHoweverOftenTheFilesAreCompared) {
  auto r = Compare(kRoster, kPayments, {"--as", "hc-003", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at("registered"), 8);
  EXPECT_EQ(v.at("registered_before"), 0);
  json::array found = Findings();
  ASSERT_EQ(found.size(), 8u);
  std::map<std::string, int> per_unit;
  for (const auto& f : found) {
    EXPECT_EQ(f.at("found_by"), "data_comparison");
    EXPECT_EQ(f.at("round"), "data_comparison");
    EXPECT_EQ(f.at("state"), "draft");
    EXPECT_EQ(f.at("recorded_by"), "hc-003");
    ++per_unit[std::string(f.at("unit").as_string())];
  }
  // 石塘乡: not_paid 赵六, amount_differs 王五, paid_twice 吴十; 桥头镇: not_paid 孙八,
  // not_on_roster 郑一, over_limit 郑一; 水口镇: not_on_roster 冯二, name_differs 周九.
  EXPECT_EQ(per_unit, (std::map<std::string, int>{{"qiaotou", 3}, {"shitang", 3}, {"shuikou", 2}}));

  // Again, and with the XLSX roster: the same clues, registered before, nothing new.
  for (const std::string& left : {kRoster, kRosterXlsx}) {
    auto again = Compare(left, kPayments, {"--as", "hc-003", "--format", "json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    json::value av = json::parse(again.out);
    EXPECT_EQ(av.at("registered"), 0);
    EXPECT_EQ(av.at("registered_before"), 8);
    EXPECT_EQ(av.at("mismatches").at(0).at("registered_before"), true);
  }
  EXPECT_EQ(Findings().size(), 8u);
  // Someone without the round's record role is refused even when nothing new would be registered
  // (何水 heads the township of 水口镇; he is no inspector).
  auto refused = Compare(kRoster, kPayments, {"--as", "pa-010", "--format", "json"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.err, HasSubstr("pa-010"));
  EXPECT_EQ(Findings().size(), 8u);

  // A clue is confirmed as any finding is: its item is opened at the township with the rule's
  // time limit: 10 working days after Monday 2017-06-05 (06-06 .. 06-09, 06-12 .. 06-16, 06-19),
  // due at the end of 06-19.
  std::string id(v.at("mismatches").at(0).at("clue_id").as_string());
  auto confirm = Run({"finding", "confirm", id, "--as", "hc-003", "--at", kAt});
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  EXPECT_THAT(confirm.out, HasSubstr("at shitang in state rectifying, due 2017-06-19"));
}

TEST_P(CompareCliTest, BadFilesAndARefusedRegistrarRegisterNothing) {
  // A payment list with an unknown township (row 3), an amount that is not one (row 4) and a
  // roster without its amount column.
  std::string bad = WriteFile("bad.csv",
                              "身份证号码,姓名,乡镇,发放金额\n"
                              "430521195001011234,张三,水口镇,300\n"
                              "43052119520202123X,李四,新村镇,300\n"
                              "430521195303031235,王五,石塘乡,三百\n");
  auto r = Compare(kRoster, bad, {"--as", "hc-003"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(bad + ":3:3: error: town: "));
  EXPECT_THAT(r.err, HasSubstr("新村镇"));
  EXPECT_THAT(r.err, HasSubstr(bad + ":4:4: error: amount: "));
  EXPECT_THAT(r.err, HasSubstr("errors in the files; nothing was registered"));
  std::string no_amount = WriteFile("roster.csv",
                                    "身份证号码,姓名,乡镇\n"
                                    "430521195001011234,张三,水口镇\n");
  auto m = Compare(no_amount, kPayments, {"--as", "hc-003"});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_THAT(m.err,
              HasSubstr(no_amount + ":1: error: missing required column amount (月保障金额)"));
  // 何水 heads the township of 水口镇: not an inspector, so the round's `record` refuses him and
  // not one of the eight clues is registered.
  auto refused = Compare(kRoster, kPayments, {"--as", "pa-010"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.err, HasSubstr("nothing was registered"));
  // Without --as and without --dry-run: told what to do.
  auto nobody = Compare(kRoster, kPayments, {});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_THAT(nobody.err, HasSubstr("--as: say who registers the clues"));
  EXPECT_TRUE(Findings().empty());
}

// `rectify report year-on-year` (issue 15, point 9) through the binary: Xinshao's inspection
// findings of April 2018 (the test campaign xinshao-2018, tests/engine/year_on_year/) against
// April 2017: two findings then, one now, -50.0%; no item either year.
TEST_P(CompareCliTest, YearOnYearReportThroughTheBinary) {
  const std::string extra = std::string(RECTIFY_SOURCE_DIR) + "/tests/engine/year_on_year";
  auto add = [&](const std::string& campaign, const std::string& unit, const std::string& at) {
    auto r = Run({"finding", "add", "--campaign", campaign, "--round", "q1_inspection", "--unit",
                  unit, "--title", "扶贫对象识别不精准", "--as", "xs-0004", "--definitions", extra,
                  "--at", at});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  add("xinshao-2017", "niangxi", "2017-04-10T10:00:00+08:00");
  add("xinshao-2017", "yantang", "2017-04-11T10:00:00+08:00");
  add("xinshao-2018", "niangxi", "2018-04-10T10:00:00+08:00");
  auto r = Run({"report", "year-on-year", "--campaign", "xinshao-2018", "--compare-with",
                "xinshao-2017", "--from", "2018-04-01", "--to", "2018-04-30", "--definitions",
                extra, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at("with_period").at("from"), "2017-04-01");
  EXPECT_EQ(v.at("with_period").at("to"), "2017-04-30");
  json::value first = v.at("lines").at(0);
  EXPECT_EQ(first.at("measure"), "problems_found");
  EXPECT_EQ(first.at("now"), 1);
  EXPECT_EQ(first.at("before"), 2);
  EXPECT_EQ(first.at("change"), "-50.0%");
  EXPECT_EQ(first.at("words"), "dropped by 50.0%");
  auto text =
      Run({"report", "year-on-year", "--campaign", "xinshao-2018", "--compare-with", "xinshao-2017",
           "--from", "2018-04-01", "--to", "2018-04-30", "--definitions", extra});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("xinshao-2018 2018-04-01 .. 2018-04-30 against xinshao-2017 "
                                  "2017-04-01 .. 2017-04-30\n"));
  EXPECT_THAT(text.out, HasSubstr("dropped by 50.0%"));
  EXPECT_THAT(text.out, HasSubstr("none either year"));
  auto bad =
      Run({"report", "year-on-year", "--campaign", "xinshao-2018", "--compare-with", "xinshao-2017",
           "--from", "2018-04-31", "--to", "2018-04-30", "--definitions", extra});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--from: "));
}

INSTANTIATE_TEST_SUITE_P(Backends, CompareCliTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
