// JsonWriter must write the bytes boost::json::serialize writes: instance states and audit rows
// written before it existed are hashed and compared byte for byte.
#include "rectify/json_writer.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "rectify/clock.h"
#include "rectify/definition/canonical.h"
#include "rectify/engine/audit_chain.h"
#include "rectify/engine/instance.h"
#include "rectify/sha256.h"

namespace rectify {
namespace {

namespace json = boost::json;

std::string Written(std::string_view s) {
  std::string out;
  JsonWriter(out).String(s);
  return out;
}

TEST(JsonWriterTest, EscapesEveryByteAsBoostJsonDoes) {
  for (int c = 0; c < 256; ++c) {
    std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    EXPECT_EQ(Written(s), json::serialize(json::value(s))) << "byte " << c;
  }
  for (std::string s : {"", "\"", "\\\\", "整改提醒 reminder", "line\nbreak\ttab\r\f\b", "/"}) {
    EXPECT_EQ(Written(s), json::serialize(json::value(s))) << s;
  }
}

TEST(JsonWriterTest, RandomStringsMatchBoostJson) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> len(0, 40), byte(0, 255);
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    for (int n = len(rng); n > 0; --n) s += static_cast<char>(byte(rng));
    ASSERT_EQ(Written(s), json::serialize(json::value(s)));
  }
}

TEST(JsonWriterTest, NestedValuesMatchBoostJson) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Field("s", "x")
      .Field("i", std::int64_t{-9223372036854775807LL - 1})
      .Field("j", 42)
      .Field("t", true)
      .Field("f", false)
      .Key("n")
      .Null()
      .Key("d")
      .Double(-2)
      .Key("e")
      .Double(0.25)
      .Key("a")
      .BeginArray()
      .Int(1)
      .BeginArray()
      .EndArray()
      .BeginObject()
      .EndObject()
      .String("z")
      .EndArray()
      .Key("o")
      .BeginObject()
      .Key("k")
      .BeginArray()
      .Null()
      .EndArray()
      .EndObject()
      .Key("raw")
      .Raw(R"({"q":[1,2]})")
      .EndObject();
  json::object expected{{"s", "x"},
                        {"i", std::int64_t{-9223372036854775807LL - 1}},
                        {"j", 42},
                        {"t", true},
                        {"f", false},
                        {"n", nullptr},
                        {"d", -2.0},
                        {"e", 0.25},
                        {"a", json::array{1, json::array{}, json::object{}, "z"}},
                        {"o", json::object{{"k", json::array{nullptr}}}},
                        {"raw", json::object{{"q", json::array{1, 2}}}}};
  EXPECT_EQ(out, json::serialize(expected));
}

TEST(JsonWriterTest, ContinuingAnObjectAppendsKeysAsBoostJsonWould) {
  for (json::object base : {json::object{}, json::object{{"item", "Q-1"}, {"level", 2}}}) {
    std::string out = json::serialize(base);
    out.pop_back();
    JsonWriter w(out);
    if (!base.empty()) w.Continue();
    w.Field("recipient_name", "唐强华").Field("urgent", true);
    out += '}';
    base["recipient_name"] = "唐强华";
    base["urgent"] = true;
    EXPECT_EQ(out, json::serialize(base));
  }
}

TEST(JsonWriterTest, AnInstanceStateIsWhatBoostJsonWouldWrite) {
  engine::Instance inst;
  inst.record.id = "Q-1";
  inst.org = "xinshao";
  inst.org_version = 1;
  inst.title = "危房改造 \"quoted\"\n";
  inst.fields = {{"due", "2017-05-08"}, {"z", ""}};
  engine::StateClock sc;
  sc.clock.anchor = FromMicros(1492736400000000);
  sc.clock.pauses.push_back({FromMicros(1), FromMicros(2)});
  sc.clock.pauses.push_back({FromMicros(3), std::nullopt});
  sc.clock.generation = 3;
  sc.reminders_sent = {0, 2};
  sc.escalation_level = 1;
  inst.clocks["rectifying"] = sc;
  inst.escalations.push_back({"rectifying", 0, "letter", "reminder_letter", FromMicros(5),
                              FromMicros(6), true, "Q-1/letter"});
  inst.deductions.push_back({"niangxi", -2, "criticism", FromMicros(7)});
  inst.bulletins = {"xinshao-county"};
  inst.signatures["accepting"] = {"a", "b"};
  inst.taken["extend"] = 1;
  inst.timers.push_back({"remind:rectifying:1", 3, FromMicros(8)});
  inst.held.push_back({"Q-1|remind|3|p", FromMicros(9)});
  inst.audit_seq = 4;
  inst.audit_head = "ab";
  std::string written = inst.DataJson();
  // Parsing keeps the keys' order, so serializing the parsed tree must give the same bytes.
  EXPECT_EQ(written, json::serialize(json::parse(written)));
  inst.record.data_json = written;
  auto back = engine::Instance::FromRecord(inst.record);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->DataJson(), written);
}

// The audit chain's hash is defined over Boost.JSON's encoding of the row: rows hashed before
// the writer existed must still verify.
TEST(JsonWriterTest, TheAuditHashIsTheOneBoostJsonEncodingGives) {
  AuditRecord row;
  row.instance_id = "Q-1";
  row.seq = 12;
  row.at = FromMicros(1492736400123456);
  row.actor = "xs-0014";
  row.event = "submit";
  row.from_state = "rectifying";
  row.to_state = "verifying";
  row.reason = "材料已\"补齐\"\n\x01";
  row.data_json = R"({"evidence":["photo.jpg"],"note":"a\\b"})";
  row.prev_hash = std::string(64, 'f');
  json::array a{row.instance_id, row.seq,      ToMicros(row.at), row.actor,     row.event,
                row.from_state,  row.to_state, row.reason,       row.data_json, row.prev_hash};
  EXPECT_EQ(engine::AuditHash(row), Sha256Hex(json::serialize(a)));
}

TEST(FormatIsoTest, MatchesTheDateLibraryOverCenturies) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> micros(-2208988800000000LL, 4102444800000000LL);
  for (int i = 0; i < 5000; ++i) {
    Timestamp t = FromMicros(micros(rng));
    if (i % 2 == 0) t = std::chrono::floor<std::chrono::seconds>(t);
    auto secs = std::chrono::floor<std::chrono::seconds>(t);
    std::string expected = date::format("%Y-%m-%dT%H:%M:%S", secs);
    if (auto frac = (t - secs).count(); frac != 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
      expected += buf;
    }
    ASSERT_EQ(FormatIso(t), expected + "Z");
  }
}

}  // namespace
}  // namespace rectify
