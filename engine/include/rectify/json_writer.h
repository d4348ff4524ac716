// A small append-only JSON writer for the engine's hot paths (an instance's state, audit rows,
// notification payloads), which would otherwise build a Boost.JSON tree only to serialize it.
//
// It writes exactly the bytes `boost::json::serialize` writes for the same values in the same
// order (no spaces; strings escaped as Boost.JSON escapes them; doubles formatted by Boost.JSON
// itself), so rows written before and after it agree byte for byte, and the audit chain's hashes
// of old rows still verify (tests/engine/json_writer_test.cc checks the equivalence).
//
//   std::string out;
//   JsonWriter w(out);
//   w.BeginObject().Key("item").String("Q-1").Key("level").Int(2).EndObject();
//   // out == R"({"item":"Q-1","level":2})"
//
// The writer checks nothing about structure: the caller balances Begin/End and puts a Key before
// every value inside an object. Thread-safety: a value that borrows `out`; one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rectify {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  JsonWriter& Key(std::string_view key) {
    Separate();
    AppendQuoted(key);
    out_ += ':';
    need_comma_ = false;
    return *this;
  }

  JsonWriter& String(std::string_view s) {
    Separate();
    AppendQuoted(s);
    need_comma_ = true;
    return *this;
  }
  JsonWriter& Int(std::int64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v) { return Raw(v ? "true" : "false"); }
  JsonWriter& Null() { return Raw("null"); }
  // A value that is already JSON text (a payload kept as text), written as it is.
  JsonWriter& Raw(std::string_view json) {
    Separate();
    out_ += json;
    need_comma_ = true;
    return *this;
  }

  // Continues an object or array that `out` already holds values of (its closing bracket cut
  // off): the next key or value is written after a comma.
  JsonWriter& Continue() {
    need_comma_ = true;
    return *this;
  }

  // Shorthands for a key and its value.
  JsonWriter& Field(std::string_view key, std::string_view v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const char* v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const std::string& v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, std::int64_t v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }

  // Appends `s` to `out` as a quoted JSON string, escaped as Boost.JSON escapes it.
  static void AppendQuoted(std::string& out, std::string_view s);

 private:
  JsonWriter& Open(char c) {
    Separate();
    out_ += c;
    need_comma_ = false;
    return *this;
  }
  JsonWriter& Close(char c) {
    out_ += c;
    need_comma_ = true;
    return *this;
  }
  void Separate() {
    if (need_comma_) out_ += ',';
  }
  void AppendQuoted(std::string_view s) { AppendQuoted(out_, s); }

  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace rectify
