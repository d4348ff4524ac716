// Timer names (rectify/engine/timer_name.h): every form written exactly as databases already hold
// it, read back to the same value, and every malformed name refused with what is wrong.
#include "rectify/engine/timer_name.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rectify::engine {
namespace {

using ::testing::HasSubstr;
using Edge = TimerName::Edge;
using Kind = TimerName::Kind;

Date Day(const char* iso) { return *ParseDate(iso); }

struct Stored {
  TimerName name;
  std::string text;  // the bytes existing databases hold for it
};

std::vector<Stored> EveryForm() {
  return {
      {TimerName::Remind("rectifying", 0), "remind:rectifying:0"},
      {TimerName::Remind("rectifying", 12), "remind:rectifying:12"},
      {TimerName::Escalate("verifying", 2), "escalate:verifying:2"},
      {TimerName::Judge("rectifying", 1), "judge:rectifying:1"},
      {TimerName::CampaignBegin(), "campaign:begin"},
      {TimerName::CampaignClose(), "campaign:close"},
      {TimerName::Phase("winter_general_attack", Edge::kBegin),
       "phase:winter_general_attack:begin"},
      {TimerName::Phase("summer_attack", Edge::kEnd), "phase:summer_attack:end"},
      {TimerName::Checkpoint("self-check", Edge::kBegin), "checkpoint:self-check:begin"},
      {TimerName::Checkpoint("self-check", Edge::kEnd), "checkpoint:self-check:end"},
      {TimerName::Checkpoint("村级自查", Edge::kOpen), "checkpoint:村级自查:open"},
      {TimerName::Recurring("monthly_assessment", Day("2017-07-03")),
       "recurring:monthly_assessment:2017-07-03"},
      {TimerName::Bulletin("special_1", Day("2017-03-17")), "bulletin:special_1:2017-03-17"},
  };
}

TEST(TimerNameTest, FormatWritesTheBytesExistingDatabasesHold) {
  for (const Stored& s : EveryForm()) EXPECT_EQ(s.name.Format(), s.text);
}

TEST(TimerNameTest, ParseReadsBackWhatFormatWrote) {
  for (const Stored& s : EveryForm()) {
    auto parsed = TimerName::Parse(s.text);
    ASSERT_TRUE(parsed.ok()) << s.text << ": " << parsed.error().message();
    EXPECT_EQ(*parsed, s.name) << s.text;
    EXPECT_EQ(parsed->Format(), s.text);
  }
}

TEST(TimerNameTest, ParseGivesEachPartTyped) {
  auto r = TimerName::Parse("escalate:verifying:3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, Kind::kEscalate);
  EXPECT_EQ(r->id, "verifying");
  EXPECT_EQ(r->index, 3);
  EXPECT_TRUE(r->OfItemState());

  auto c = TimerName::Parse("checkpoint:look-back:open");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, Kind::kCheckpoint);
  EXPECT_EQ(c->id, "look-back");
  EXPECT_EQ(c->edge, Edge::kOpen);
  EXPECT_FALSE(c->OfItemState());

  auto d = TimerName::Parse("recurring:monthly:2017-05-08");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->day, Day("2017-05-08"));
}

TEST(TimerNameTest, EveryMalformedNameIsRefusedWithWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"",
       "starts with '', not remind, escalate, judge, campaign, phase, checkpoint, recurring or "
       "bulletin"},
      {"wake:rectifying:0", "starts with 'wake'"},
      {"Remind:rectifying:0", "starts with 'Remind'"},
      {"campaign", "is neither campaign:begin nor campaign:close"},
      {"campaign:open", "is neither campaign:begin nor campaign:close"},
      {"campaign:begin:1", "is neither campaign:begin nor campaign:close"},
      {"remind", "has 1 parts, not 3"},
      {"remind:rectifying", "has 2 parts, not 3"},
      {"remind:rectifying:0:1", "has 4 parts, not 3"},
      {"remind::0", "names no state"},
      {"phase::begin", "names no id"},
      {"remind:rectifying:", "ends in '', not a step number"},
      {"remind:rectifying:x", "ends in 'x', not a step number"},
      {"remind:rectifying:2x", "ends in '2x', not a step number"},
      {"escalate:rectifying:-1", "ends in '-1', not a step number"},
      {"escalate:rectifying:+1", "ends in '+1', not a step number"},
      {"escalate:rectifying:01", "ends in '01', not a step number"},
      {"judge:rectifying:99999999999", "ends in '99999999999', not a step number"},
      {"phase:summer:open", "ends in 'open', not begin or end"},
      {"phase:summer:End", "ends in 'End', not begin or end"},
      {"checkpoint:self-check:close", "ends in 'close', not begin, end or open"},
      {"recurring:monthly:2017-13-01", "ends in '2017-13-01', not a date (YYYY-MM-DD)"},
      {"recurring:monthly:2017-5-8", "ends in '2017-5-8', not a date (YYYY-MM-DD)"},
      {"recurring:monthly:", "ends in '', not a date (YYYY-MM-DD)"},
      {"bulletin:special_1:2017-03-32", "ends in '2017-03-32', not a date (YYYY-MM-DD)"},
      {"bulletin::2017-03-17", "names no id"},
  };
  for (const auto& [name, what] : cases) {
    auto r = TimerName::Parse(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code(), ErrorCode::kBadInput) << name;
    // The expected message, once per case.
    EXPECT_THAT(r.error().message(), HasSubstr("timer name '" + name + "' " + what)) << name;
  }
}

}  // namespace
}  // namespace rectify::engine
