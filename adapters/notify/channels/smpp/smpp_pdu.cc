// The SMPP 3.4 codec (smpp_pdu.h): big-endian integers, C-octet strings, optional parameters.
#include "adapters/notify/channels/smpp/smpp_pdu.h"

#include <cstdio>

namespace rectify::notify::smpp {
namespace {

void PutU8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }
void PutU16(std::string& out, std::uint16_t v) {
  PutU8(out, static_cast<std::uint8_t>(v >> 8));
  PutU8(out, static_cast<std::uint8_t>(v));
}
void PutU32(std::string& out, std::uint32_t v) {
  PutU16(out, static_cast<std::uint16_t>(v >> 16));
  PutU16(out, static_cast<std::uint16_t>(v));
}
void PutC(std::string& out, std::string_view s) {
  out.append(s);
  out.push_back('\0');
}

// Reads a body front to back; any read past the end or a C-octet string longer than its field
// marks it bad, and every later read gives zeros.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  std::uint8_t U8() {
    if (pos_ >= b_.size()) return Bad(), 0;
    return static_cast<std::uint8_t>(b_[pos_++]);
  }
  std::uint16_t U16() {
    std::uint16_t hi = U8();
    return static_cast<std::uint16_t>((hi << 8) | U8());
  }
  std::uint32_t U32() {
    std::uint32_t hi = U16();
    return (hi << 16) | U16();
  }
  // A C-octet string of at most `max` octets with its NUL.
  std::string C(std::size_t max) {
    std::size_t end = b_.find('\0', pos_);
    if (end == std::string_view::npos || end - pos_ + 1 > max) return Bad(), std::string();
    std::string s(b_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  std::string Bytes(std::size_t n) {
    if (b_.size() - pos_ < n) return Bad(), std::string();
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ >= b_.size(); }
  bool ok() const { return ok_; }

 private:
  void Bad() {
    ok_ = false;
    pos_ = b_.size();
  }
  std::string_view b_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

const Tlv* ShortMessage::Find(std::uint16_t tag) const {
  for (const Tlv& t : tlvs) {
    if (t.tag == tag) return &t;
  }
  return nullptr;
}

std::string EncodePdu(const Pdu& pdu) {
  std::string out;
  out.reserve(kHeaderSize + pdu.body.size());
  PutU32(out, static_cast<std::uint32_t>(kHeaderSize + pdu.body.size()));
  PutU32(out, pdu.command_id);
  PutU32(out, pdu.command_status);
  PutU32(out, pdu.sequence);
  out += pdu.body;
  return out;
}

std::optional<std::uint32_t> PduLength(std::string_view buffer) {
  if (buffer.size() < 4) return std::nullopt;
  Reader r(buffer.substr(0, 4));
  return r.U32();
}

std::optional<Pdu> DecodePdu(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  Reader r(bytes);
  Pdu p;
  if (r.U32() != bytes.size()) return std::nullopt;
  p.command_id = r.U32();
  p.command_status = r.U32();
  p.sequence = r.U32();
  p.body = std::string(bytes.substr(kHeaderSize));
  return p;
}

std::string EncodeBind(const Bind& b) {
  std::string out;
  PutC(out, b.system_id);
  PutC(out, b.password);
  PutC(out, b.system_type);
  PutU8(out, b.interface_version);
  PutU8(out, b.addr_ton);
  PutU8(out, b.addr_npi);
  PutC(out, b.address_range);
  return out;
}

std::optional<Bind> DecodeBind(std::string_view body) {
  Reader r(body);
  Bind b;
  b.system_id = r.C(16);
  b.password = r.C(9);
  b.system_type = r.C(13);
  b.interface_version = r.U8();
  b.addr_ton = r.U8();
  b.addr_npi = r.U8();
  b.address_range = r.C(41);
  if (!r.ok() || !r.done()) return std::nullopt;
  return b;
}

std::string EncodeShortMessage(const ShortMessage& m) {
  std::string out;
  PutC(out, m.service_type);
  PutU8(out, m.source_ton);
  PutU8(out, m.source_npi);
  PutC(out, m.source_addr);
  PutU8(out, m.dest_ton);
  PutU8(out, m.dest_npi);
  PutC(out, m.destination_addr);
  PutU8(out, m.esm_class);
  PutU8(out, m.protocol_id);
  PutU8(out, m.priority);
  PutC(out, m.schedule_delivery_time);
  PutC(out, m.validity_period);
  PutU8(out, m.registered_delivery);
  PutU8(out, m.replace_if_present);
  PutU8(out, m.data_coding);
  PutU8(out, m.sm_default_msg_id);
  PutU8(out, static_cast<std::uint8_t>(m.short_message.size()));
  out += m.short_message;
  for (const Tlv& t : m.tlvs) {
    PutU16(out, t.tag);
    PutU16(out, static_cast<std::uint16_t>(t.value.size()));
    out += t.value;
  }
  return out;
}

std::optional<ShortMessage> DecodeShortMessage(std::string_view body) {
  Reader r(body);
  ShortMessage m;
  m.service_type = r.C(6);
  m.source_ton = r.U8();
  m.source_npi = r.U8();
  m.source_addr = r.C(21);
  m.dest_ton = r.U8();
  m.dest_npi = r.U8();
  m.destination_addr = r.C(21);
  m.esm_class = r.U8();
  m.protocol_id = r.U8();
  m.priority = r.U8();
  m.schedule_delivery_time = r.C(17);
  m.validity_period = r.C(17);
  m.registered_delivery = r.U8();
  m.replace_if_present = r.U8();
  m.data_coding = r.U8();
  m.sm_default_msg_id = r.U8();
  std::uint8_t length = r.U8();
  m.short_message = r.Bytes(length);
  while (r.ok() && !r.done()) {
    Tlv t;
    t.tag = r.U16();
    t.value = r.Bytes(r.U16());
    m.tlvs.push_back(std::move(t));
  }
  if (!r.ok()) return std::nullopt;
  return m;
}

std::string EncodeCString(std::string_view s) {
  std::string out;
  PutC(out, s);
  return out;
}

std::optional<std::string> DecodeCStringBody(std::string_view body) {
  if (body.empty()) return std::string();
  Reader r(body);
  std::string s = r.C(65);
  if (!r.ok()) return std::nullopt;
  return s;  // optional parameters after it (bind_resp's sc_interface_version) are ignored
}

std::string StatusName(std::uint32_t status) {
  const char* name = nullptr;
  switch (status) {
    case kEsmeRok:
      name = "ESME_ROK";
      break;
    case kEsmeRinvmsglen:
      name = "ESME_RINVMSGLEN";
      break;
    case kEsmeRinvcmdid:
      name = "ESME_RINVCMDID";
      break;
    case kEsmeRalybnd:
      name = "ESME_RALYBND";
      break;
    case kEsmeRsyserr:
      name = "ESME_RSYSERR";
      break;
    case kEsmeRinvdstadr:
      name = "ESME_RINVDSTADR";
      break;
    case kEsmeRbindfail:
      name = "ESME_RBINDFAIL";
      break;
    case kEsmeRinvpaswd:
      name = "ESME_RINVPASWD";
      break;
    case kEsmeRinvsysid:
      name = "ESME_RINVSYSID";
      break;
    case kEsmeRmsgqful:
      name = "ESME_RMSGQFUL";
      break;
    case kEsmeRthrottled:
      name = "ESME_RTHROTTLED";
      break;
    default:
      break;
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", status);
  return name ? std::string(name) + " (" + hex + ")" : std::string("status ") + hex;
}

std::optional<std::string> Utf8ToUcs2(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xE  ? 2
                : (c >> 3) == 0x1E ? 3
                                   : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= utf8.size()) return std::nullopt;
    std::uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(utf8[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    i += 1 + extra;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      PutU16(out, static_cast<std::uint16_t>(0xD800 + (cp >> 10)));
      PutU16(out, static_cast<std::uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      PutU16(out, static_cast<std::uint16_t>(cp));
    }
  }
  return out;
}

std::string Ucs2ToUtf8(std::string_view ucs2) {
  std::string out;
  auto unit = [&](std::size_t i) {
    return static_cast<std::uint32_t>((static_cast<unsigned char>(ucs2[i]) << 8) |
                                      static_cast<unsigned char>(ucs2[i + 1]));
  };
  for (std::size_t i = 0; i + 1 < ucs2.size(); i += 2) {
    std::uint32_t cp = unit(i);
    if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < ucs2.size()) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
      i += 2;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::optional<std::vector<TextPart>> SplitText(std::string_view text, bool ascii_when_possible,
                                               std::uint8_t ref, std::string* error) {
  bool ascii = ascii_when_possible;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
  }
  std::string octets;
  std::uint8_t coding = 1;
  if (ascii) {
    octets = std::string(text);
  } else {
    auto u = Utf8ToUcs2(text);
    if (!u) {
      if (error) *error = "the message text is not UTF-8";
      return std::nullopt;
    }
    octets = std::move(*u);
    coding = 8;
  }
  std::vector<TextPart> parts;
  if (octets.size() <= 140) {
    parts.push_back({octets, coding, 0});
    return parts;
  }
  // 140 octets less the six of the UDH; a UCS2 part never ends between the halves of a surrogate
  // pair, so that each part is valid UTF-16 on its own.
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < octets.size();) {
    std::size_t n = std::min<std::size_t>(134, octets.size() - at);
    if (coding == 8 && at + n < octets.size()) {
      auto hi = static_cast<unsigned char>(octets[at + n - 2]);
      if (hi >= 0xD8 && hi < 0xDC) n -= 2;
    }
    chunks.push_back(octets.substr(at, n));
    at += n;
  }
  if (chunks.size() > 255) {
    if (error) *error = "the message text needs more than 255 parts";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    std::string udh{'\x05',
                    '\x00',
                    '\x03',
                    static_cast<char>(ref),
                    static_cast<char>(chunks.size()),
                    static_cast<char>(i + 1)};
    parts.push_back({udh + chunks[i], coding, 0x40});
  }
  return parts;
}

std::optional<Receipt> ParseReceipt(const ShortMessage& m) {
  if ((m.esm_class & 0x3C) != 0x04) return std::nullopt;
  Receipt r;
  std::string text = m.short_message;
  auto field = [&](std::string_view name) -> std::string {
    std::size_t at = 0;
    while ((at = text.find(name, at)) != std::string::npos) {
      if (at == 0 || text[at - 1] == ' ') break;
      at += name.size();
    }
    if (at == std::string::npos) return {};
    at += name.size();
    std::size_t end = text.find(' ', at);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  };
  if (const Tlv* id = m.Find(kTagReceiptedMessageId)) {
    r.message_id = id->value.substr(0, id->value.find('\0'));
  } else {
    r.message_id = field("id:");
  }
  r.err = field("err:");
  if (const Tlv* st = m.Find(kTagMessageState); st && st->value.size() == 1) {
    static const char* const kStates[] = {"SCHEDULED", "ENROUTE", "DELIVRD", "EXPIRED", "DELETED",
                                          "UNDELIV",   "ACCEPTD", "UNKNOWN", "REJECTD"};
    auto v = static_cast<unsigned char>(st->value[0]);
    r.stat = v < 9 ? kStates[v] : "UNKNOWN";
  } else {
    r.stat = field("stat:");
  }
  if (r.message_id.empty() || r.stat.empty()) return std::nullopt;
  r.delivered = r.stat == "DELIVRD";
  r.final = r.delivered || r.stat == "UNDELIV" || r.stat == "EXPIRED" || r.stat == "DELETED" ||
            r.stat == "REJECTD";
  return r;
}

}  // namespace rectify::notify::smpp
