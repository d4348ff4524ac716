#include "node_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "rectify/definition/yaml_source.h"

namespace rectify::definition::internal {

SourcePos DocContext::Pos(const YAML::Node& at) const { return PosOf(at, file_); }

void DocContext::Error(const YAML::Node& at, std::string path, std::string message,
                       std::string hint) {
  diags_.Error(Pos(at), std::move(path), std::move(message), std::move(hint));
}

void DocContext::Warning(const YAML::Node& at, std::string path, std::string message,
                         std::string hint) {
  diags_.Warning(Pos(at), std::move(path), std::move(message), std::move(hint));
}

void DocContext::ErrorAt(SourcePos pos, std::string path, std::string message, std::string hint) {
  diags_.Error(std::move(pos), std::move(path), std::move(message), std::move(hint));
}

void DocContext::WarningAt(SourcePos pos, std::string path, std::string message, std::string hint) {
  diags_.Warning(std::move(pos), std::move(path), std::move(message), std::move(hint));
}

std::string JoinPath(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string s(base);
  s += '.';
  s += key;
  return s;
}

std::string IndexPath(std::string_view base, std::size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

bool IsScalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }
bool IsMap(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
bool IsList(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }

std::string Describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "'" + node.Scalar() + "'";
}

// ---- MapReader ------------------------------------------------------------------------------

MapReader::MapReader(DocContext& doc, const YAML::Node& node, std::string path)
    : doc_(doc), node_(node), path_(std::move(path)) {
  if (!IsMap(node)) {
    doc_.Error(node, path_, "expected a mapping (key: value lines), found " + Describe(node));
    return;
  }
  valid_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;
    if (!IsScalar(key)) {
      doc_.Error(key, path_, "a key must be a plain word, found " + Describe(key));
      continue;
    }
    std::string k = key.Scalar();
    auto dup =
        std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == k; });
    if (dup != entries_.end()) {
      doc_.Error(key, JoinPath(path_, k), "duplicate key '" + k + "'",
                 "it is first defined at line " + std::to_string(doc_.Pos(dup->key_node).line) +
                     "; remove or rename one");
      continue;
    }
    entries_.push_back(Entry{k, key, it->second});
  }
}

bool MapReader::Has(std::string_view key) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return e.key == key; });
}

YAML::Node MapReader::Get(std::string_view key) {
  known_.emplace_back(key);
  for (const auto& e : entries_) {
    if (e.key == key) return e.value;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::KeyNode(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return e.key_node;
  }
  return node_;
}

YAML::Node MapReader::Require(std::string_view key, std::string_view example) {
  YAML::Node v = Get(key);
  if (valid_ && !v.IsDefined()) {
    std::string hint = "add '" + std::string(key) + ": " +
                       (example.empty() ? std::string("...") : std::string(example)) + "'";
    doc_.Error(node_, path_, "missing required key '" + std::string(key) + "'", hint);
  }
  return v;
}

std::optional<std::string> MapReader::String(std::string_view key, bool required) {
  YAML::Node v = required ? Require(key) : Get(key);
  if (!v.IsDefined()) return std::nullopt;
  return AsString(doc_, v, PathOf(key));
}

std::optional<std::int64_t> MapReader::Int(std::string_view key, bool required) {
  YAML::Node v = required ? Require(key) : Get(key);
  if (!v.IsDefined()) return std::nullopt;
  return AsInt(doc_, v, PathOf(key));
}

std::optional<double> MapReader::Number(std::string_view key, bool required) {
  YAML::Node v = required ? Require(key) : Get(key);
  if (!v.IsDefined()) return std::nullopt;
  return AsNumber(doc_, v, PathOf(key));
}

std::optional<bool> MapReader::Bool(std::string_view key, bool required) {
  YAML::Node v = required ? Require(key) : Get(key);
  if (!v.IsDefined()) return std::nullopt;
  return AsBool(doc_, v, PathOf(key));
}

void MapReader::Allow(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) known_.emplace_back(k);
}

void MapReader::Finish() {
  for (const auto& e : entries_) {
    if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
    doc_.Error(e.key_node, JoinPath(path_, e.key), "unknown key '" + e.key + "'",
               SuggestHint(e.key, known_));
  }
}

// ---- scalars --------------------------------------------------------------------------------

std::optional<std::string> AsString(DocContext& doc, const YAML::Node& node,
                                    const std::string& path) {
  if (!IsScalar(node)) {
    doc.Error(node, path, "expected a text value, found " + Describe(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> AsInt(DocContext& doc, const YAML::Node& node,
                                  const std::string& path) {
  if (!IsScalar(node)) {
    doc.Error(node, path, "expected a whole number, found " + Describe(node));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    doc.Error(node, path, "expected a whole number, found '" + s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<double> AsNumber(DocContext& doc, const YAML::Node& node, const std::string& path) {
  if (!IsScalar(node)) {
    doc.Error(node, path, "expected a number, found " + Describe(node));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
    doc.Error(node, path, "expected a number, found '" + s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> AsBool(DocContext& doc, const YAML::Node& node, const std::string& path) {
  if (IsScalar(node)) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  doc.Error(node, path, "expected true or false, found " + Describe(node));
  return std::nullopt;
}

std::optional<Date> AsDate(DocContext& doc, const YAML::Node& node, const std::string& path) {
  if (IsScalar(node)) {
    if (auto d = ParseDate(node.Scalar())) return *d;
  }
  doc.Error(node, path, "expected a date written YYYY-MM-DD, found " + Describe(node),
            "for example 2017-05-15");
  return std::nullopt;
}

std::optional<double> AsShare(DocContext& doc, const YAML::Node& node, const std::string& path) {
  if (IsScalar(node)) {
    std::string s = node.Scalar();
    bool percent = !s.empty() && s.back() == '%';
    if (percent) s.pop_back();
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) {
      if (percent) v /= 100.0;
      if (v > 0 && v <= 1) return v;
    }
  }
  doc.Error(node, path, "expected a share such as 20% or 0.2, found " + Describe(node),
            "a share is more than 0% and at most 100%");
  return std::nullopt;
}

std::vector<StringItem> AsStringList(DocContext& doc, const YAML::Node& node,
                                     const std::string& path) {
  std::vector<StringItem> out;
  if (IsScalar(node)) {
    out.push_back({node.Scalar(), node, path});
    return out;
  }
  if (!IsList(node)) {
    doc.Error(node, path, "expected a list of names, found " + Describe(node));
    return out;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    YAML::Node item = node[i];
    std::string p = IndexPath(path, i);
    if (auto s = AsString(doc, item, p)) out.push_back({*s, item, p});
  }
  return out;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto c0 = static_cast<unsigned char>(s[0]);
  if (!(std::isalpha(c0) || c0 >= 0x80)) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '_' || c == '-' || c >= 0x80;
  });
}

void CheckIdentifier(DocContext& doc, const YAML::Node& node, const std::string& path,
                     const std::string& value, std::string_view what) {
  if (!IsIdentifier(value)) {
    doc.Error(node, path, std::string(what) + " '" + value + "' is not a valid identifier",
              "start with a letter and use letters, digits, '_' and '-' only");
  }
}

}  // namespace rectify::definition::internal
