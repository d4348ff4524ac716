#include "rectify/definition/canonical.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace rectify::definition {
namespace {

void AppendQuoted(std::string& out, const std::string& s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

void Append(std::string& out, const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) {
    out += "null";
  } else if (node.IsScalar()) {
    AppendQuoted(out, node.Scalar());
  } else if (node.IsSequence()) {
    out += '[';
    bool first = true;
    for (const auto& item : node) {
      if (!first) out += ',';
      first = false;
      Append(out, item);
    }
    out += ']';
  } else if (node.IsMap()) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& kv : node) {
      std::string key;
      Append(key, kv.first);
      std::string value;
      Append(value, kv.second);
      entries.emplace_back(std::move(key), std::move(value));
    }
    std::sort(entries.begin(), entries.end());
    out += '{';
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ',';
      out += entries[i].first;
      out += ':';
      out += entries[i].second;
    }
    out += '}';
  }
}

}  // namespace

std::string CanonicalForm(const YAML::Node& node) {
  std::string out;
  Append(out, node);
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  // OpenSSL's SHA-256 uses the CPU's SHA extensions where it has them: the audit chain hashes
  // every row the engine writes, so this is on the firing path.
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(sizeof digest * 2, '0');
  for (std::size_t i = 0; i < sizeof digest; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string ContentHash(const YAML::Node& node) { return Sha256Hex(CanonicalForm(node)); }

}  // namespace rectify::definition
