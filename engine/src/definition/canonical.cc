#include "rectify/definition/canonical.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "rectify/sha256.h"

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

std::string ContentHash(const YAML::Node& node) { return Sha256Hex(CanonicalForm(node)); }

}  // namespace rectify::definition
