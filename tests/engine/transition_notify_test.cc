// Notifications a transition names (`notify:` on a transition), on the interpreter alone: the
// reply to a public reporter (public-report@2's `tell`) is an outbox row of the transition's own
// effects, addressed to the contact the clue holds, in the language it records, held to working
// hours and keyed by the transition's audit row; people of the org are notified through their own
// contacts; a stored contact that is not one makes the transition refuse, saying how to fix it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "rectify/engine/interpreter.h"
#include "tests/engine/shipped_definitions.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::Cn;
using test::T;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class TransitionNotifyTest : public ::testing::Test {
 protected:
  void Use(std::shared_ptr<const definition::DefinitionSet> set) {
    interp_ = std::make_unique<engine::Interpreter>(std::move(set));
  }

  // A clue in 酿溪镇 registered by the registrar xs-0009 and confirmed by the inspector xs-0004.
  void Confirmed(std::map<std::string, std::string> fields) {
    engine::NewInstance req;
    req.id = "C-1";
    req.workflow = "public-report";
    req.unit = "niangxi";
    req.title = "群众举报：低保评定优亲厚友";
    req.actor = "xs-0009";
    req.fields = std::move(fields);
    req.at = T("2017-06-19T10:00:00+08:00");
    auto created = interp_->Create(req);
    ASSERT_TRUE(created.ok()) << created.error().message();
    item_ = created->instance;
    ASSERT_TRUE(Act("register", "xs-0009", "2017-06-19T10:00:00+08:00").ok());
    auto confirmed =
        Act("confirm", "xs-0004", "2017-06-21T10:00:00+08:00", {{"outcome", "problem"}}, {"笔录"});
    ASSERT_TRUE(confirmed.ok()) << confirmed.error().message();
    EXPECT_THAT(confirmed->outbox, IsEmpty());
  }

  Result<engine::Effects> Act(const std::string& event, const std::string& actor, const char* at,
                              std::map<std::string, std::string> fields = {},
                              std::vector<std::string> evidence = {}) {
    engine::Command c;
    c.instance_id = item_.record.id;
    c.event = event;
    c.actor = actor;
    c.fields = std::move(fields);
    c.evidence = std::move(evidence);
    c.at = T(at);
    auto fx = interp_->Apply(item_, c);
    if (fx.ok()) item_ = fx->instance;
    return fx;
  }

  std::unique_ptr<engine::Interpreter> interp_ =
      std::make_unique<engine::Interpreter>(test::ShippedDefinitions());
  engine::Instance item_;
};

TEST_F(TransitionNotifyTest, TellQueuesTheReplyWithTheTransitionHeldToWorkingHours) {
  Confirmed({{"reporter_contact", "someone@example.org"}, {"reporter_language", "en"}});
  EXPECT_EQ(item_.record.workflow_version, 2) << "a new clue starts on the latest version";
  // Told at 20:00: the reply waits for 08:30 the next working day.
  auto told = Act("tell", "xs-0009", "2017-06-22T20:00:00+08:00");
  ASSERT_TRUE(told.ok()) << told.error().message();
  // One set of effects, committed as one transaction: the new state, its audit row and the reply.
  EXPECT_EQ(told->instance.record.state, "closed");
  ASSERT_EQ(told->audit.size(), 1u);
  EXPECT_EQ(told->audit[0].event, "tell");
  EXPECT_EQ(told->audit[0].seq, 4);
  ASSERT_EQ(told->outbox.size(), 1u);
  const OutboxRecord& o = told->outbox[0];
  EXPECT_EQ(o.dedup_key, "C-1|on:telling_problem:tell|4|$reporter_contact");
  EXPECT_EQ(o.instance_id, "C-1");
  EXPECT_EQ(o.channel, "email");
  EXPECT_EQ(o.recipient, "someone@example.org");
  EXPECT_EQ(o.template_name, "public-reply");
  EXPECT_EQ(Cn().FormatLocal(o.not_before), "2017-06-23T08:30:00+08:00");
  auto payload = boost::json::parse(o.payload_json).as_object();
  EXPECT_EQ(payload.at("item"), "C-1");
  EXPECT_EQ(payload.at("title"), "群众举报：低保评定优亲厚友");
  EXPECT_EQ(payload.at("unit_name"), "酿溪镇");
  EXPECT_EQ(payload.at("state"), "closed");
  EXPECT_EQ(payload.at("outcome"), "problem");
  EXPECT_EQ(payload.at("language"), "en");
  EXPECT_FALSE(payload.contains("reporter_contact"));
  auto data = boost::json::parse(told->audit[0].data_json).as_object();
  EXPECT_EQ(data.at("notifications"),
            boost::json::array({"C-1|on:telling_problem:tell|4|$reporter_contact"}));
  // The reply is about the clue, not the state it left: nothing can cancel it.
  EXPECT_THAT(told->instance.held, IsEmpty());
}

TEST_F(TransitionNotifyTest, TheLanguageDefaultsToChineseAndAPhoneGoesToSms) {
  Confirmed({{"reporter_contact", "+86 139-0000-0000"}});
  auto told = Act("tell", "xs-0009", "2017-06-22T09:00:00+08:00");
  ASSERT_TRUE(told.ok()) << told.error().message();
  ASSERT_EQ(told->outbox.size(), 1u);
  EXPECT_EQ(told->outbox[0].channel, "sms");
  EXPECT_EQ(told->outbox[0].recipient, "+86 139-0000-0000");
  EXPECT_EQ(boost::json::parse(told->outbox[0].payload_json).as_object().at("language"), "zh");
}

TEST_F(TransitionNotifyTest, AStoredContactThatIsNotOneIsRefusedAtTheTransitionSayingWhatToDo) {
  Confirmed({{"reporter_contact", "someone@example.org"}});
  // A clue migrated from version 1, where the contact was free text, can hold anything.
  item_.fields["reporter_contact"] = "王先生，村口小卖部";
  auto refused = Act("tell", "xs-0009", "2017-06-22T09:00:00+08:00");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(
      refused.error().message(),
      "'tell' on item C-1 sends public-reply to the address in 'reporter_contact' "
      "(举报人联系方式 (email or phone; may be empty)), and '王先生，村口小卖部' is neither an "
      "email address (name@example.org) nor a phone number (13900000000); correct it with "
      "--set reporter_contact=..., or empty it (--set reporter_contact=) when there is no way "
      "to reach them");
  EXPECT_EQ(item_.record.state, "telling_problem");
  auto emptied = Act("tell", "xs-0009", "2017-06-22T09:00:00+08:00", {{"reporter_contact", ""}});
  ASSERT_TRUE(emptied.ok()) << emptied.error().message();
  EXPECT_THAT(emptied->outbox, IsEmpty());
}

TEST_F(TransitionNotifyTest, PeopleOfTheOrgAreNotifiedThroughTheirOwnContacts) {
  test::TempDir dir;
  std::ofstream(dir.File("handover.yaml"))
      << "kind: workflow\nname: handover\nstates:\n"
         "  open:\n    on:\n      hand_over:\n        to: done\n        by: [registrar]\n"
         "        notify: [unit.head, { people: [responsible, unit.head], template: reminder }]\n"
         "  done: { final: true }\n";
  Use(test::LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows", dir.File("handover.yaml")}));
  engine::NewInstance req;
  req.id = "H-1";
  req.workflow = "handover";
  req.unit = "niangxi";
  req.responsible = "xs-0014";
  req.title = "移交台账";
  req.actor = "xs-0009";
  req.at = T("2017-06-19T10:00:00+08:00");
  auto created = interp_->Create(req);
  ASSERT_TRUE(created.ok()) << created.error().message();
  item_ = created->instance;
  auto handed = Act("hand_over", "xs-0009", "2017-06-19T11:00:00+08:00");
  ASSERT_TRUE(handed.ok()) << handed.error().message();
  std::vector<std::string> rows;
  for (const OutboxRecord& o : handed->outbox) {
    rows.push_back(o.dedup_key + " " + o.channel + " " + o.template_name);
  }
  // 酿溪镇's head and the responsible cadre, each by the contact kind the org gives them (a phone);
  // the head, named twice, is told once, by the first item.
  EXPECT_THAT(rows, ElementsAre("H-1|on:open:hand_over|2|xs-0012 sms notice",
                                "H-1|on:open:hand_over|2|xs-0014 sms reminder"));
  auto payload = boost::json::parse(handed->outbox[0].payload_json).as_object();
  EXPECT_EQ(payload.at("message"), "item H-1 '移交台账': hand_over, now done");
  EXPECT_EQ(payload.at("recipient_name"), "徐文波");
}

TEST_F(TransitionNotifyTest, ANoticeToNobodyIsAnAuditedErrorNotASend) {
  test::TempDir dir;
  std::ofstream(dir.File("handover.yaml"))
      << "kind: workflow\nname: handover\nstates:\n"
         "  open:\n    on:\n      hand_over:\n        to: done\n        by: [registrar]\n"
         "        notify: [unit.parent.parent.head]\n"
         "  done: { final: true }\n";
  Use(test::LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows", dir.File("handover.yaml")}));
  engine::NewInstance req;
  req.id = "H-1";
  req.workflow = "handover";
  req.unit = "niangxi";  // under the county, the root: nothing two levels up
  req.responsible = "xs-0014";
  req.title = "移交台账";
  req.actor = "xs-0009";
  req.at = T("2017-06-19T10:00:00+08:00");
  auto created = interp_->Create(req);
  ASSERT_TRUE(created.ok()) << created.error().message();
  item_ = created->instance;
  auto handed = Act("hand_over", "xs-0009", "2017-06-19T11:00:00+08:00");
  ASSERT_TRUE(handed.ok()) << handed.error().message();
  EXPECT_THAT(handed->outbox, IsEmpty());
  ASSERT_EQ(handed->audit.size(), 2u);
  EXPECT_EQ(handed->audit[0].event, "hand_over");
  EXPECT_EQ(handed->audit[1].event, "no_recipient");
  EXPECT_EQ(handed->audit[1].to_state, "done");
  EXPECT_EQ(handed->audit[1].reason,
            "the 'hand_over' notice (on:open:hand_over) has no recipient: "
            "unit.parent.parent.head names nobody in org xinshao for 酿溪镇 (niangxi)");
}

}  // namespace
}  // namespace rectify
