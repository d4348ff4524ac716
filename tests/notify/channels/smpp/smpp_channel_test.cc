// The SMPP channel: its codec against PDUs laid out by hand from SMPP 3.4's field tables, and the
// channel against the SMSC simulator (tests/support/smsc_simulator.h), a real server on loopback
// that checks every PDU: bind, submit in a window, long Chinese text in parts, receipts delivered
// and failed, and the faults (bind refused, throttled, slow, cut mid-window: nothing lost, nothing
// twice where the SMSC recognises the dedup key), and the channels file's checks of its settings.
#include "adapters/notify/channels/smpp/smpp_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "adapters/notify/channels/smpp/smpp_pdu.h"
#include "adapters/notify/channels/smpp/smpp_plugin.h"
#include "rectify/definition/definition_set.h"
#include "rectify/sha256.h"
#include "tests/support/smsc_simulator.h"

namespace rectify::notify {
namespace {

using test::SmscSimulator;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Hex(const std::string& bytes) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// --- The codec -------------------------------------------------------------------------------

TEST(SmppCodecTest, EnquireLinkIsAHeaderAlone) {
  // Section 4.11.1: enquire_link has no body; command_length 16, command_id 0x00000015.
  EXPECT_EQ(Hex(smpp::EncodePdu({smpp::kEnquireLink, 0, 1, {}})),
            "00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 01");
}

TEST(SmppCodecTest, BindTransmitterLaysOutItsFieldsInOrder) {
  smpp::Bind b;
  b.system_id = "SMPP3TEST";
  b.password = "secret08";
  b.system_type = "SUBMIT1";
  b.addr_ton = 1;
  b.addr_npi = 1;
  std::string wire = smpp::EncodePdu({smpp::kBindTransmitter, 0, 2, smpp::EncodeBind(b)});
  // Section 4.1.1: system_id, password, system_type (C-octet strings), interface_version 0x34,
  // addr_ton, addr_npi, address_range (empty: one NUL).
  EXPECT_EQ(Hex(wire),
            "00 00 00 2f 00 00 00 02 00 00 00 00 00 00 00 02 "
            "53 4d 50 50 33 54 45 53 54 00 "  // SMPP3TEST
            "73 65 63 72 65 74 30 38 00 "     // secret08
            "53 55 42 4d 49 54 31 00 "        // SUBMIT1
            "34 01 01 00");
  auto back = smpp::DecodePdu(wire);
  ASSERT_TRUE(back);
  auto bind = smpp::DecodeBind(back->body);
  ASSERT_TRUE(bind);
  EXPECT_EQ(bind->password, "secret08");
  EXPECT_FALSE(smpp::DecodeBind(back->body.substr(0, 20)));
}

TEST(SmppCodecTest, SubmitSmCarriesUcs2TextAndItsOptionalParameters) {
  smpp::ShortMessage m;
  m.source_addr = "10657";
  m.dest_npi = 1;
  m.destination_addr = "138";
  m.registered_delivery = 1;
  m.data_coding = 8;
  m.short_message = *smpp::Utf8ToUcs2("中");
  m.tlvs.push_back({0x1400, "k#1"});
  EXPECT_EQ(Hex(smpp::EncodeShortMessage(m)),
            "00 "                       // service_type
            "00 00 31 30 36 35 37 00 "  // source ton, npi, addr
            "00 01 31 33 38 00 "        // dest ton, npi, addr
            "00 00 00 "                 // esm_class, protocol_id, priority_flag
            "00 00 "                    // schedule_delivery_time, validity_period
            "01 00 08 00 "              // registered_delivery, replace, data_coding, default id
            "02 4e 2d "                 // sm_length, short_message
            "14 00 00 03 6b 23 31");    // tag 0x1400, length 3, "k#1"
  auto back = smpp::DecodeShortMessage(smpp::EncodeShortMessage(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->destination_addr, "138");
  ASSERT_NE(back->Find(0x1400), nullptr);
  EXPECT_EQ(back->Find(0x1400)->value, "k#1");
}

TEST(SmppCodecTest, Ucs2KeepsCharactersBeyondTheBmpAsSurrogatePairs) {
  EXPECT_EQ(Hex(*smpp::Utf8ToUcs2("A中😀")), "00 41 4e 2d d8 3d de 00");
  EXPECT_EQ(smpp::Ucs2ToUtf8(*smpp::Utf8ToUcs2("A中😀")), "A中😀");
  EXPECT_FALSE(smpp::Utf8ToUcs2("\xe4\xb8"));  // cut UTF-8
}

TEST(SmppCodecTest, ALongTextIsSplitInPartsWithAConcatenationHeader) {
  std::string seventy, seventy_one;
  for (int i = 0; i < 70; ++i) seventy += "整";
  seventy_one = seventy + "改";
  auto one = smpp::SplitText(seventy, false, 7, nullptr);
  ASSERT_TRUE(one);
  EXPECT_THAT(*one, SizeIs(1));
  EXPECT_EQ((*one)[0].esm_class, 0);
  auto two = smpp::SplitText(seventy_one, false, 7, nullptr);
  ASSERT_TRUE(two);
  ASSERT_THAT(*two, SizeIs(2));
  EXPECT_EQ(Hex((*two)[0].octets.substr(0, 6)), "05 00 03 07 02 01");
  EXPECT_EQ(Hex((*two)[1].octets.substr(0, 6)), "05 00 03 07 02 02");
  EXPECT_EQ((*two)[0].octets.size(), 6u + 134u);
  EXPECT_EQ((*two)[0].esm_class, 0x40);
  // A part never ends between the halves of a surrogate pair.
  std::string emoji = std::string(66, 'a') + "😀😀😀";
  auto split = smpp::SplitText(emoji, false, 1, nullptr);
  ASSERT_TRUE(split);
  EXPECT_EQ((*split)[0].octets.size(), 6u + 132u);
  // All ASCII as IA5 when asked.
  auto ia5 = smpp::SplitText("Item 7 is due", true, 1, nullptr);
  EXPECT_EQ((*ia5)[0].data_coding, 1);
  EXPECT_EQ((*ia5)[0].octets, "Item 7 is due");
}

TEST(SmppCodecTest, AReceiptIsReadFromItsParametersOrItsText) {
  // Appendix B's format of the text.
  smpp::ShortMessage m;
  m.esm_class = 0x04;
  m.short_message =
      "id:0123456789 sub:001 dlvrd:001 submit date:1705020800 done date:1705020801 "
      "stat:DELIVRD err:000 Text:";
  auto r = smpp::ParseReceipt(m);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message_id, "0123456789");
  EXPECT_TRUE(r->final);
  EXPECT_TRUE(r->delivered);
  m.short_message = "id:55 sub:001 dlvrd:000 submit date:x done date:y stat:UNDELIV err:013";
  m.tlvs = {{smpp::kTagReceiptedMessageId, std::string("AB12") + '\0'},
            {smpp::kTagMessageState, std::string(1, '\x05')}};
  r = smpp::ParseReceipt(m);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message_id, "AB12");  // the parameter wins over the text
  EXPECT_EQ(r->stat, "UNDELIV");
  EXPECT_EQ(r->err, "013");
  EXPECT_FALSE(r->delivered);
  m.esm_class = 0;  // a message from a phone
  EXPECT_FALSE(smpp::ParseReceipt(m));
}

// --- The channel against the simulator ---------------------------------------------------------

class SmppChannelTest : public ::testing::Test {
 protected:
  SmppConfig Config() const {
    SmppConfig c;
    c.host = "127.0.0.1";
    c.port = smsc_.port();
    c.system_id = "xsdcs";
    c.password = "pw123";
    c.source_addr = "1065712345";
    c.sign_name = "新邵县督查室";
    c.timeout_ms = 3000;
    c.backoff_ms = 50;
    return c;
  }
  static Message Text(const std::string& key, const std::string& phone, const std::string& text) {
    Message m;
    m.dedup_key = key;
    m.template_name = "reminder";
    m.address = phone;
    m.subject = "整改提醒";
    m.text = text;
    return m;
  }
  // Polls until `n` receipts came (they follow the answers by a few milliseconds).
  static std::vector<PolledReceipt> Receipts(Channel& ch, std::size_t n) {
    std::vector<PolledReceipt> all;
    for (int i = 0; i < 50 && all.size() < n; ++i) {
      std::string error;
      for (auto& r : ch.PollReceipts({}, 0, error)) all.push_back(r);
      EXPECT_EQ(error, "");
      if (all.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return all;
  }
  static std::string Long(int chars) {
    std::string s;
    const char* words[] = {"整", "改", "期", "限", "督", "查"};
    for (int i = 0; i < chars; ++i) s += words[i % 6];
    return s;
  }

  SmscSimulator smsc_{{.system_id = "xsdcs", .password = "pw123", .window = 10}};
};

TEST_F(SmppChannelTest, AMessageIsTakenAndItsReceiptSaysDelivered) {
  auto ch = MakeSmppChannel(Config());
  SendResult r = ch->Send(Text("k1", "138 0000 0001", "问题XS-01将于5月8日到期"));
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(r.receipt, ReceiptState::kSent);
  EXPECT_THAT(smsc_.Messages(), ElementsAre(std::pair<std::string, std::string>(
                                    "13800000001", "【新邵县督查室】问题XS-01将于5月8日到期")));
  const auto parts = smsc_.Parts();
  ASSERT_THAT(parts, SizeIs(1));
  EXPECT_EQ(r.provider_ref, "smpp:" + parts[0].message_id);
  EXPECT_EQ(parts[0].data_coding, 8);
  EXPECT_EQ(parts[0].dedup, "k1#1");
  auto got = Receipts(*ch, 1);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].provider_ref, r.provider_ref);
  EXPECT_EQ(got[0].state, ReceiptState::kDelivered);
  EXPECT_EQ(got[0].code, "DELIVRD err:000");
  EXPECT_TRUE(smsc_.WaitFor([&] { return smsc_.stats().receipts_acked == 1; }));
  ch.reset();  // unbinds
  EXPECT_EQ(smsc_.stats().unbinds, 1);
  EXPECT_EQ(smsc_.stats().binds, 1);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ALongTextGoesInPartsThroughTheWindowWithOneReceipt) {
  SmscSimulator::Faults f;
  f.delay_ms = 30;  // long enough for the parts to be outstanding together
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.window = 3;
  auto ch = MakeSmppChannel(c);
  std::string text = Long(300);
  SendResult r = ch->Send(Text("long", "13800000002", text));
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  ASSERT_THAT(smsc_.Messages(), SizeIs(1));
  EXPECT_EQ(smsc_.Messages()[0].second, "【新邵县督查室】" + text);
  const auto parts = smsc_.Parts();
  ASSERT_THAT(parts, SizeIs(5));                // 308 characters, 67 a part
  EXPECT_EQ(smsc_.stats().max_outstanding, 3);  // not one by one, and never more than the window
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(parts[i].registered_delivery, i + 1 == parts.size() ? 1 : 0) << i;
  }
  EXPECT_EQ(r.provider_ref, "smpp:" + parts.back().message_id);
  EXPECT_THAT(Receipts(*ch, 1), SizeIs(1));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, AnUndeliverableNumberGetsAFailedReceiptFromTheTextAlone) {
  SmscSimulator::Faults f;
  f.unreachable = {"13800000404"};
  f.receipt_in_text_only = true;
  smsc_.SetFaults(f);
  auto ch = MakeSmppChannel(Config());
  SendResult ok = ch->Send(Text("a", "13800000001", "到期提醒"));
  SendResult bad = ch->Send(Text("b", "13800000404", "到期提醒"));
  ASSERT_EQ(bad.outcome, SendOutcome::kDelivered) << bad.detail;  // the SMSC took it
  auto got = Receipts(*ch, 2);
  ASSERT_THAT(got, SizeIs(2));
  std::map<std::string, ReceiptState> by_ref;
  for (auto& g : got) by_ref[g.provider_ref] = g.state;
  EXPECT_EQ(by_ref[ok.provider_ref], ReceiptState::kDelivered);
  EXPECT_EQ(by_ref[bad.provider_ref], ReceiptState::kFailed);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ARefusedBindIsRetriedAndSaysWhatToCheck) {
  SmppConfig c = Config();
  c.password = "wrong";
  SendResult r = MakeSmppChannel(c)->Send(Text("k", "13800000001", "x"));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("refused the bind as system_id 'xsdcs': ESME_RINVPASWD "
                                  "(0x0000000E); check system_id, the password's environment "
                                  "variable and system_type"));
  SmscSimulator::Faults f;
  f.refuse_bind = 0x0D;
  smsc_.SetFaults(f);
  r = MakeSmppChannel(Config())->Send(Text("k", "13800000001", "x"));
  EXPECT_THAT(r.detail, HasSubstr("ESME_RBINDFAIL"));
  EXPECT_THAT(smsc_.Messages(), IsEmpty());
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, NoSmscListeningIsRetried) {
  SmppConfig c = Config();
  {
    SmscSimulator gone({});
    c.port = gone.port();
  }
  SendResult r = MakeSmppChannel(c)->Send(Text("k", "13800000001", "x"));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("cannot connect to the SMSC 127.0.0.1:"));
}

TEST_F(SmppChannelTest, ThrottledPartsAreBackedOffAndSentAgain) {
  SmscSimulator::Faults f;
  f.throttle_first = 2;
  smsc_.SetFaults(f);
  auto ch = MakeSmppChannel(Config());
  SendResult r = ch->Send(Text("t", "13800000001", Long(100)));  // two parts
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(smsc_.stats().throttled, 2);
  EXPECT_THAT(smsc_.Messages(), SizeIs(1));
  // A full queue the whole time: the dispatcher's backoff takes over.
  f.throttle_first = 1000;
  f.throttle_status = smpp::kEsmeRmsgqful;
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.timeout_ms = 600;
  r = MakeSmppChannel(c)->Send(Text("t2", "13800000001", "x"));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail,
              HasSubstr("the SMSC was still busy (ESME_RMSGQFUL (0x00000014)) after 600 ms"));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ASlowSmscWithinTheTimeoutIsWaitedForAndBeyondItRetriedOnce) {
  SmscSimulator::Faults f;
  f.delay_ms = 200;
  smsc_.SetFaults(f);
  auto ch = MakeSmppChannel(Config());
  EXPECT_EQ(ch->Send(Text("s1", "13800000001", "慢")).outcome, SendOutcome::kDelivered);
  f.delay_ms = 1500;
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.timeout_ms = 300;
  auto impatient = MakeSmppChannel(c);
  SendResult r = impatient->Send(Text("s2", "13800000002", "慢"));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("no answer from the SMSC within 300 ms"));
  smsc_.SetFaults({});
  // The retry carries the same key: the SMSC, which took the first, answers with its id.
  r = impatient->Send(Text("s2", "13800000002", "慢"));
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_THAT(smsc_.Messages(), SizeIs(2));
  EXPECT_EQ(smsc_.stats().repeats, 1);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ALateAnswerMarksThePartTakenSoTheRetryDoesNotSendItAgain) {
  SmscSimulator::Faults f;
  f.delay_ms = 600;
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.timeout_ms = 200;
  c.dedup_tag = 0;  // an SMSC that could not recognise a repeat
  auto ch = MakeSmppChannel(c);
  SendResult r = ch->Send(Text("late", "13800000001", "迟"));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry) << r.detail;
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // the dispatcher's backoff
  smsc_.SetFaults({});
  r = ch->Send(Text("late", "13800000001", "迟"));
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(smsc_.stats().submits, 1) << "the late answer said it was taken";
  ASSERT_THAT(smsc_.Parts(), SizeIs(1));
  EXPECT_EQ(r.provider_ref, "smpp:" + smsc_.Parts()[0].message_id);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ACutMidWindowLosesNothingAndSendsNothingTwice) {
  SmscSimulator::Faults f;
  f.cut_at_submit = 3;
  smsc_.SetFaults(f);
  auto ch = MakeSmppChannel(Config());
  std::string text = Long(300);
  SendResult r = ch->Send(Text("cut", "13800000001", text));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("SMSC 127.0.0.1:"));
  EXPECT_EQ(smsc_.stats().cuts, 1);
  smsc_.SetFaults({});
  r = ch->Send(Text("cut", "13800000001", text));  // the dispatcher's retry, a new session
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(smsc_.stats().binds, 2);
  ASSERT_THAT(smsc_.Messages(), SizeIs(1));
  EXPECT_EQ(smsc_.Messages()[0].second, "【新邵县督查室】" + text);
  EXPECT_THAT(smsc_.Parts(), SizeIs(5));  // each part taken once
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, AfterACutOnlyThePartsWhoseAnswerNeverCameAreSentAgain) {
  SmscSimulator::Faults f;
  f.cut_at_submit = 3;
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.window = 1;     // parts 1 and 2 are answered before part 3 is sent
  c.dedup_tag = 0;  // an SMSC that cannot recognise a repeat
  auto ch = MakeSmppChannel(c);
  std::string text = Long(300);
  SendResult r = ch->Send(Text("cut", "13800000001", text));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("kept for the retry: 2/5 part(s)"));
  smsc_.SetFaults({});
  r = ch->Send(Text("cut", "13800000001", text));
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(smsc_.stats().submits, 3 + 3);  // 1, 2, 3 (cut); then 3, 4, 5
  // What SMPP cannot guarantee: part 3, taken just before the cut and never answered, was sent
  // again, and an SMSC without the dedup key takes it twice.
  EXPECT_THAT(smsc_.Parts(), SizeIs(6));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

// --- SendMany: one window across the messages of a batch ----------------------------------------

// `n` one-part messages "w1".."wN" to phones 13800001001...
std::vector<Message> Batch(int n, const std::string& prefix = "w") {
  std::vector<Message> out;
  for (int i = 1; i <= n; ++i) {
    Message m;
    m.dedup_key = prefix + std::to_string(i);
    m.template_name = "reminder";
    m.address = std::to_string(13800001000LL + i);
    m.text = "问题" + std::to_string(i) + "将于5月8日到期";
    out.push_back(std::move(m));
  }
  return out;
}

TEST_F(SmppChannelTest, SendManyKeepsTheWindowFullAcrossMessages) {
  SmscSimulator::Faults f;
  f.delay_ms = 50;  // an SMSC 50 ms away
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.window = 10;
  c.timeout_ms = 20000;  // the bound, not the expectation: the machine may be loaded
  auto ch = MakeSmppChannel(c);
  const std::vector<Message> batch = Batch(50);
  std::vector<SendResult> got = ch->SendMany(batch);
  ASSERT_THAT(got, SizeIs(50));
  // One window over all 50 messages: ten outstanding at the peak, not one message at a time
  // (which would be 50 round trips of 50 ms in a row).
  EXPECT_EQ(smsc_.stats().max_outstanding, 10);
  EXPECT_EQ(smsc_.stats().submits, 50);
  std::map<std::string, std::string> id_by_dedup;
  for (const auto& part : smsc_.Parts()) id_by_dedup[part.dedup] = part.message_id;
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].outcome, SendOutcome::kDelivered) << i << ": " << got[i].detail;
    // Each result is its own message's, in the order given.
    EXPECT_EQ(got[i].provider_ref, "smpp:" + id_by_dedup[batch[i].dedup_key + "#1"]) << i;
    EXPECT_EQ(got[i].receipt, ReceiptState::kSent);
  }
  ASSERT_THAT(smsc_.Messages(), SizeIs(50));
  EXPECT_THAT(Receipts(*ch, 50), SizeIs(50));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, SendManyGivesEachMessageItsOwnOutcome) {
  auto ch = MakeSmppChannel(Config());
  std::vector<Message> batch = Batch(3);
  batch[1].address = "no phone";
  batch.push_back(Text("long", "13800000002", Long(300)));  // five parts among the others
  std::vector<SendResult> got = ch->SendMany(batch);
  ASSERT_THAT(got, SizeIs(4));
  EXPECT_EQ(got[0].outcome, SendOutcome::kDelivered) << got[0].detail;
  EXPECT_EQ(got[1].outcome, SendOutcome::kFailed);
  EXPECT_EQ(got[1].detail, "no phone number in 'no phone'");
  EXPECT_EQ(got[2].outcome, SendOutcome::kDelivered) << got[2].detail;
  ASSERT_EQ(got[3].outcome, SendOutcome::kDelivered) << got[3].detail;
  EXPECT_THAT(got[3].detail, HasSubstr("5/5 part(s)"));
  EXPECT_THAT(smsc_.Messages(), SizeIs(3));
  EXPECT_THAT(smsc_.Parts(), SizeIs(7));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ACutMidWindowAcrossMessagesLosesNothingAndResendsOnlyTheUnanswered) {
  SmscSimulator::Faults f;
  f.delay_ms = 30;
  f.cut_at_submit = 5;  // submits 1-3 answered, 4 outstanding (taken, never answered), 5 cut
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.window = 3;
  auto ch = MakeSmppChannel(c);
  const std::vector<Message> batch = Batch(10, "cut");
  std::vector<SendResult> first = ch->SendMany(batch);
  ASSERT_THAT(first, SizeIs(10));
  std::vector<Message> again;  // what the dispatcher retries
  for (std::size_t i = 0; i < first.size(); ++i) {
    if (i < 3) {
      EXPECT_EQ(first[i].outcome, SendOutcome::kDelivered) << i << ": " << first[i].detail;
    } else {
      EXPECT_EQ(first[i].outcome, SendOutcome::kRetry) << i;
      EXPECT_THAT(first[i].detail, HasSubstr("SMSC 127.0.0.1:")) << i;
    }
    if (first[i].outcome != SendOutcome::kDelivered) again.push_back(batch[i]);
  }
  EXPECT_EQ(smsc_.stats().cuts, 1);
  smsc_.SetFaults({});
  std::vector<SendResult> second = ch->SendMany(again);  // a new session
  for (const SendResult& r : second) {
    EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  }
  EXPECT_EQ(smsc_.stats().binds, 2);
  // Every message once: the three answered were not sent again; the two taken but never
  // answered were, with their keys, and the SMSC recognised them.
  std::map<std::string, int> to;
  for (const auto& [phone, text] : smsc_.Messages()) ++to[phone];
  EXPECT_THAT(to, SizeIs(10));
  for (const auto& [phone, count] : to) EXPECT_EQ(count, 1) << phone;
  EXPECT_EQ(smsc_.stats().repeats, 2);
  EXPECT_EQ(smsc_.stats().submits, 5 + 7);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, AThrottledPartIsBackedOffAloneWhileTheWindowGoesOn) {
  SmscSimulator::Faults f;
  f.throttle_first = 1;  // the first message's submit
  smsc_.SetFaults(f);
  SmppConfig c = Config();
  c.backoff_ms = 300;
  auto ch = MakeSmppChannel(c);
  const std::vector<Message> batch = Batch(5, "thr");
  std::vector<SendResult> got = ch->SendMany(batch);
  for (const SendResult& r : got) EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(smsc_.stats().throttled, 1);
  EXPECT_EQ(smsc_.stats().submits, 6);
  // The others were taken while the first waited out its backoff: it completed last.
  auto messages = smsc_.Messages();
  ASSERT_THAT(messages, SizeIs(5));
  EXPECT_EQ(messages.back().first, "13800001001");
  EXPECT_EQ(messages.front().first, "13800001002");
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, TwoLongMessagesToOneNumberInOneWindowHaveTheirOwnReference) {
  // Two dedup keys whose concatenation reference would be the same: a phone would mix the
  // parts of the two messages, sent together in one window.
  const std::string first = "ref0";
  std::string second;
  for (int i = 1; second.empty(); ++i) {
    std::string k = "ref" + std::to_string(i);
    if (Sha256Hex(k).substr(0, 2) == Sha256Hex(first).substr(0, 2)) second = k;
  }
  SmscSimulator::Faults f;
  f.delay_ms = 20;
  smsc_.SetFaults(f);
  auto ch = MakeSmppChannel(Config());
  const std::string a = Long(100), b = "期限" + Long(98);
  std::vector<SendResult> got =
      ch->SendMany({Text(first, "13800000001", a), Text(second, "13800000001", b)});
  for (const SendResult& r : got) EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  std::set<std::string> texts;
  for (const auto& [phone, text] : smsc_.Messages()) texts.insert(text);
  EXPECT_THAT(texts, ElementsAre("【新邵县督查室】" + a, "【新邵县督查室】" + b));
  std::set<int> refs;
  for (const auto& part : smsc_.Parts()) refs.insert(part.ref);
  EXPECT_THAT(refs, SizeIs(2));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, AnIdleSessionIsCheckedWithEnquireLinkBeforeUse) {
  SmppConfig c = Config();
  c.enquire_link_s = 1;
  c.receipts = false;  // a receipt answered in between would be traffic enough
  auto ch = MakeSmppChannel(c);
  ASSERT_EQ(ch->Send(Text("e1", "13800000001", "a")).outcome, SendOutcome::kDelivered);
  EXPECT_EQ(smsc_.stats().enquire_links, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(ch->Send(Text("e2", "13800000001", "b")).outcome, SendOutcome::kDelivered);
  EXPECT_EQ(smsc_.stats().enquire_links, 1);
  EXPECT_EQ(smsc_.stats().binds, 1);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, KeepAliveSendsEnquireLinkOnlyWhenTheSessionWasIdleForItsInterval) {
  SmppConfig c = Config();
  c.enquire_link_s = 1;
  c.receipts = false;
  auto ch = MakeSmppChannel(c);
  ch->KeepAlive();  // not bound yet: nothing to keep alive, no connection made
  EXPECT_EQ(smsc_.stats().binds, 0);
  ASSERT_EQ(ch->Send(Text("k1", "13800000001", "a")).outcome, SendOutcome::kDelivered);
  ch->KeepAlive();  // just used
  EXPECT_EQ(smsc_.stats().enquire_links, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ch->KeepAlive();  // idle for the interval
  EXPECT_EQ(smsc_.stats().enquire_links, 1);
  ch->KeepAlive();  // the enquire_link was traffic
  EXPECT_EQ(smsc_.stats().enquire_links, 1);
  EXPECT_EQ(smsc_.stats().binds, 1);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ReceiptsKeptByTheSmscComeAtTheNextBind) {
  SmscSimulator::Faults f;
  f.hold_receipts = true;
  smsc_.SetFaults(f);
  std::string ref;
  {
    auto ch = MakeSmppChannel(Config());
    SendResult r = ch->Send(Text("h", "13800000001", "a"));
    ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
    ref = r.provider_ref;
  }
  auto later = MakeSmppChannel(Config());  // the next `rectify dispatch`
  std::string error;
  auto got = later->PollReceipts({}, 0, error);
  EXPECT_EQ(error, "");
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].provider_ref, ref);
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, AReceiptThatComesDuringTheUnbindIsLeftWithTheSmscForLater) {
  SmscSimulator::Faults f;
  f.hold_receipts = true;
  f.receipts_at_unbind = true;
  smsc_.SetFaults(f);
  std::string ref;
  {
    auto ch = MakeSmppChannel(Config());
    SendResult r = ch->Send(Text("u", "13800000001", "a"));
    ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
    ref = r.provider_ref;
  }  // unbinds: the receipt comes now, and is answered ESME_RX_T_APPN
  EXPECT_TRUE(smsc_.WaitFor([&] { return smsc_.stats().receipts_refused == 1; }));
  EXPECT_EQ(smsc_.stats().receipts_acked, 0);
  smsc_.SetFaults({});
  auto later = MakeSmppChannel(Config());
  std::string error;
  auto got = later->PollReceipts({}, 0, error);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].provider_ref, ref);
  EXPECT_TRUE(smsc_.WaitFor([&] { return smsc_.stats().receipts_acked == 1; }));
  EXPECT_THAT(smsc_.Violations(), IsEmpty());
}

TEST_F(SmppChannelTest, ATextLongerThanMaxPartsFails) {
  SmppConfig c = Config();
  c.max_parts = 2;
  SendResult r = MakeSmppChannel(c)->Send(Text("m", "13800000001", Long(300)));
  EXPECT_EQ(r.outcome, SendOutcome::kFailed);
  EXPECT_THAT(r.detail, HasSubstr("needs 5 SMS parts, more than max_parts 2"));
  EXPECT_EQ(smsc_.stats().binds, 0);
}

// --- Settings --------------------------------------------------------------------------------

std::string Compile(const std::string& yaml) {
  Diagnostics diags;
  auto docs = definition::ParseYamlText(yaml, "office.yaml", {}, diags);
  auto set = definition::CompileDocuments(docs, diags);
  diags.Sort();
  return diags.Format();
}

TEST(SmppSettingsTest, MistakesAreReportedWhereTheyAre) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  smsc:
    kind: smpp
    host: "10.1.2.3:2775"
    system_id: a-system-id-too-long
    password_env: "not a name"
    source_addr: "1065712345"
    bind: transmitter
    receipts: deliver
    window: 0
    dedup_tag: 12
routes: { sms: smsc }
)");
  EXPECT_THAT(out, HasSubstr("office.yaml:6:11: error: channels.smsc.host: '10.1.2.3:2775' is "
                             "not a host name or address"));
  EXPECT_THAT(out, HasSubstr("office.yaml:7:16: error: channels.smsc.system_id: system_id is "
                             "longer than SMPP's 15 characters"));
  EXPECT_THAT(out, HasSubstr("office.yaml:8:19: error: channels.smsc.password_env: 'not a name'"));
  EXPECT_THAT(out, HasSubstr("office.yaml:11:15: error: channels.smsc.receipts: receipts come by "
                             "deliver_sm, which a transmitter bind never gets"));
  EXPECT_THAT(out, HasSubstr("office.yaml:12:13: error: channels.smsc.window: window must be "
                             "from 1 to 100"));
  EXPECT_THAT(out, HasSubstr("office.yaml:13:16: error: channels.smsc.dedup_tag: dedup_tag must "
                             "be 0 or an SMSC-vendor tag"));
}

TEST(SmppSettingsTest, TheShippedExampleIsValid) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  smsc: { kind: smpp, host: 10.1.2.3, system_id: xsdcs, password_env: RECTIFY_SMPP_PASSWORD,
          source_addr: "1065712345", sign_name: 新邵县督查室, throughput: 20 }
routes: { sms: smsc }
)");
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace rectify::notify
