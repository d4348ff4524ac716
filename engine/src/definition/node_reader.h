// Reading YAML nodes with every mistake reported, positioned, with a hint (private).
//
// The compilers of each kind read their documents through `MapReader` and the `As*` helpers.
// They never throw and never stop at the first problem: a bad value is reported to the
// document's Diagnostics and read as "absent", so the compiler carries on and finds the next.
//
//   MapReader m(doc, node, "states.rectifying");
//   auto final = m.Bool("final");
//   YAML::Node on = m.Get("on");
//   m.Finish();   // reports keys nobody asked for, with "did you mean"
//
// Thread-safety: one reader per thread; it writes to the document's Diagnostics.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/diagnostics.h"

namespace rectify::definition::internal {

// Where messages about one document go.
class DocContext {
 public:
  DocContext(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  const std::string& file() const { return file_; }
  Diagnostics& diags() { return diags_; }
  SourcePos Pos(const YAML::Node& at) const;

  void Error(const YAML::Node& at, std::string path, std::string message, std::string hint = {});
  void Warning(const YAML::Node& at, std::string path, std::string message, std::string hint = {});
  void ErrorAt(SourcePos pos, std::string path, std::string message, std::string hint = {});
  void WarningAt(SourcePos pos, std::string path, std::string message, std::string hint = {});
  std::size_t error_count() const { return diags_.error_count(); }

 private:
  std::string file_;
  Diagnostics& diags_;
};

std::string JoinPath(std::string_view base, std::string_view key);
std::string IndexPath(std::string_view base, std::size_t index);

// "a mapping", "a list", "a string", "nothing": what a node is, for messages.
std::string Describe(const YAML::Node& node);

class MapReader {
 public:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  // Reports "expected a mapping" unless `node` is one (then valid() is false and every getter
  // returns absent). Duplicate keys are reported here.
  MapReader(DocContext& doc, const YAML::Node& node, std::string path);

  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return JoinPath(path_, key); }
  const std::vector<Entry>& entries() const { return entries_; }

  bool Has(std::string_view key) const;
  // The value under `key` (an undefined node when absent); marks `key` as known.
  YAML::Node Get(std::string_view key);
  // As Get, and reports "missing required key" when absent.
  YAML::Node Require(std::string_view key, std::string_view example = {});
  // The key node itself, for positioning messages about the key.
  YAML::Node KeyNode(std::string_view key) const;

  std::optional<std::string> String(std::string_view key, bool required = false);
  std::optional<std::int64_t> Int(std::string_view key, bool required = false);
  std::optional<double> Number(std::string_view key, bool required = false);
  std::optional<bool> Bool(std::string_view key, bool required = false);

  // Marks keys as known without reading them.
  void Allow(std::initializer_list<std::string_view> keys);
  // Reports every key that no getter asked for, with "did you mean" among those that were.
  void Finish();

 private:
  DocContext& doc_;
  YAML::Node node_;
  std::string path_;
  bool valid_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

bool IsScalar(const YAML::Node& n);
bool IsMap(const YAML::Node& n);
bool IsList(const YAML::Node& n);

// Each reports a type mistake at `node` and returns nullopt.
std::optional<std::string> AsString(DocContext& doc, const YAML::Node& node,
                                    const std::string& path);
std::optional<std::int64_t> AsInt(DocContext& doc, const YAML::Node& node, const std::string& path);
std::optional<double> AsNumber(DocContext& doc, const YAML::Node& node, const std::string& path);
std::optional<bool> AsBool(DocContext& doc, const YAML::Node& node, const std::string& path);
// A calendar date written YYYY-MM-DD (a civil date in the calendar's zone).
std::optional<Date> AsDate(DocContext& doc, const YAML::Node& node, const std::string& path);
// A share: "20%" or 0.2. Returns a fraction in [0, 1].
std::optional<double> AsShare(DocContext& doc, const YAML::Node& node, const std::string& path);

// A list of strings; a single string is read as a list of one. Each element paired with its node.
struct StringItem {
  std::string value;
  YAML::Node node;
  std::string path;
};
std::vector<StringItem> AsStringList(DocContext& doc, const YAML::Node& node,
                                     const std::string& path);

// An identifier: letters, digits, '_' and '-', starting with a letter (hanzi allowed).
bool IsIdentifier(std::string_view s);
void CheckIdentifier(DocContext& doc, const YAML::Node& node, const std::string& path,
                     const std::string& value, std::string_view what);

}  // namespace rectify::definition::internal
