// The SMPP 3.4 PDUs the `smpp` channel speaks, packed and unpacked by the project's own codec
// (rather than Debian's libsmpp34: the channel needs a dozen fields of five PDUs, and a codec of
// plain functions over byte strings is easier to test from the specification's field tables and
// to use from an Asio read buffer than libsmpp34's structs and global state).
//
//   Pdu p{kSubmitSm, 0, seq, EncodeSubmitSm(sm)};
//   std::string wire = EncodePdu(p);                      // header + body, big-endian
//   if (auto n = PduLength(buffer)) { ... DecodePdu(buffer.substr(0, *n)) ... }
//
// Text: UTF-8 goes as UCS2 (data_coding 8, UTF-16BE) or, when it is all ASCII and asked for, as
// IA5 (data_coding 1); a text longer than one message is split into parts of at most 134 octets,
// each led by a concatenation UDH (IEI 0x00: reference, total, number) with esm_class's UDHI bit.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rectify::notify::smpp {

// command_id values (SMPP 3.4 section 5.1.2.1).
constexpr std::uint32_t kGenericNack = 0x80000000;
constexpr std::uint32_t kBindReceiver = 0x00000001;
constexpr std::uint32_t kBindTransmitter = 0x00000002;
constexpr std::uint32_t kSubmitSm = 0x00000004;
constexpr std::uint32_t kDeliverSm = 0x00000005;
constexpr std::uint32_t kUnbind = 0x00000006;
constexpr std::uint32_t kBindTransceiver = 0x00000009;
constexpr std::uint32_t kEnquireLink = 0x00000015;
constexpr std::uint32_t kRespBit = 0x80000000;

// command_status values the channel acts on (section 5.1.3).
constexpr std::uint32_t kEsmeRok = 0x00000000;
constexpr std::uint32_t kEsmeRinvmsglen = 0x00000001;
constexpr std::uint32_t kEsmeRinvcmdid = 0x00000003;
constexpr std::uint32_t kEsmeRalybnd = 0x00000005;
constexpr std::uint32_t kEsmeRsyserr = 0x00000008;
constexpr std::uint32_t kEsmeRbindfail = 0x0000000D;
constexpr std::uint32_t kEsmeRinvpaswd = 0x0000000E;
constexpr std::uint32_t kEsmeRinvsysid = 0x0000000F;
constexpr std::uint32_t kEsmeRmsgqful = 0x00000014;
constexpr std::uint32_t kEsmeRinvdstadr = 0x0000000B;
constexpr std::uint32_t kEsmeRthrottled = 0x00000058;
constexpr std::uint32_t kEsmeRxTAppn = 0x00000064;  // the ESME cannot take it now: again later

// Optional parameter tags (section 5.3.2).
constexpr std::uint16_t kTagUserMessageReference = 0x0204;
constexpr std::uint16_t kTagReceiptedMessageId = 0x001E;
constexpr std::uint16_t kTagMessageState = 0x0427;

constexpr std::size_t kHeaderSize = 16;
// A PDU longer than this is not an SMSC's answer: the connection is dropped.
constexpr std::uint32_t kMaxPduSize = 64 * 1024;

struct Pdu {
  std::uint32_t command_id = 0;
  std::uint32_t command_status = 0;
  std::uint32_t sequence = 0;
  std::string body;
};

struct Tlv {
  std::uint16_t tag = 0;
  std::string value;
};

// bind_transmitter / bind_transceiver / bind_receiver (section 4.1).
struct Bind {
  std::string system_id, password, system_type;
  std::uint8_t interface_version = 0x34;
  std::uint8_t addr_ton = 0, addr_npi = 0;
  std::string address_range;
};

// submit_sm (section 4.4.1) and deliver_sm (4.6.1), which share their layout.
struct ShortMessage {
  std::string service_type;
  std::uint8_t source_ton = 0, source_npi = 0;
  std::string source_addr;
  std::uint8_t dest_ton = 0, dest_npi = 0;
  std::string destination_addr;
  std::uint8_t esm_class = 0, protocol_id = 0, priority = 0;
  std::string schedule_delivery_time, validity_period;
  std::uint8_t registered_delivery = 0, replace_if_present = 0, data_coding = 0,
               sm_default_msg_id = 0;
  std::string short_message;  // octets, UDH included
  std::vector<Tlv> tlvs;
  const Tlv* Find(std::uint16_t tag) const;
};

// The 16-octet header and the body.
std::string EncodePdu(const Pdu& pdu);
// The command_length of the PDU at the front of `buffer` once its header is there; nullopt
// before. Check it against kHeaderSize and kMaxPduSize before waiting for that many octets.
std::optional<std::uint32_t> PduLength(std::string_view buffer);
// A whole PDU (exactly command_length octets); nullopt when its length field disagrees.
std::optional<Pdu> DecodePdu(std::string_view bytes);

std::string EncodeBind(const Bind& b);
std::optional<Bind> DecodeBind(std::string_view body);
std::string EncodeShortMessage(const ShortMessage& m);
std::optional<ShortMessage> DecodeShortMessage(std::string_view body);
// A response body of a C-octet string (bind_resp's system_id, submit_sm_resp's message_id);
// "" for an empty body (an error response carries none).
std::string EncodeCString(std::string_view s);
std::optional<std::string> DecodeCStringBody(std::string_view body);

// The name of a command_status for messages ("ESME_RTHROTTLED (0x00000058)").
std::string StatusName(std::uint32_t status);

// One part of a text to send: its octets (UDH first when concatenated), its data_coding and
// esm_class bits.
struct TextPart {
  std::string octets;
  std::uint8_t data_coding = 8;
  std::uint8_t esm_class = 0;
};
// `text` (UTF-8) as message parts: IA5 when `ascii_when_possible` and it is all ASCII, else
// UCS2; more than one part carry a concatenation UDH with reference `ref`. An error text when
// `text` is not UTF-8.
std::optional<std::vector<TextPart>> SplitText(std::string_view text, bool ascii_when_possible,
                                               std::uint8_t ref, std::string* error);
// UTF-8 <-> UTF-16BE (surrogate pairs for characters beyond the BMP).
std::optional<std::string> Utf8ToUcs2(std::string_view utf8);
std::string Ucs2ToUtf8(std::string_view ucs2);

// A delivery receipt carried by a deliver_sm (esm_class bits 2-5 = 0001): the SMSC's message id
// (receipted_message_id, else the text's "id:"), and its final state (message_state, else the
// text's "stat:"). Nullopt when `m` is not a receipt.
struct Receipt {
  std::string message_id;
  std::string stat;  // DELIVRD, UNDELIV, EXPIRED, DELETED, REJECTD, ACCEPTD, UNKNOWN, ENROUTE
  std::string err;   // the text's "err:" (the network's code), "" when absent
  bool final = false;
  bool delivered = false;
};
std::optional<Receipt> ParseReceipt(const ShortMessage& m);

}  // namespace rectify::notify::smpp
