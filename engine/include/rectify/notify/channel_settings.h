// What the core knows of a channel kind: a name, and a parser for its own settings. Each kind is a
// plug-in under adapters/notify/channels/<name>/ that registers here (adapters/notify/channels/
// registry.cc); the channels compiler hands it the channel's YAML map through a SettingsReader
// and keeps what it returns as an opaque ChannelSettings in the ChannelSpec. The factory of the
// same plug-in reads it back when it builds the channel.
//
//   struct MailSettings final : ChannelSettings { std::string smtp_url; ... };
//   ChannelKindRegistry::Global().Add("email", [](SettingsReader& r) {
//     auto s = std::make_shared<MailSettings>();
//     if (auto u = r.String("smtp_url", true)) s->smtp_url = *u;   // positioned errors
//     return s;
//   });
//
// A process that registered no kind at all (an engine-only tool or test) cannot judge a channel's
// settings: it loads channels files with their kinds unchecked and no settings. `rectify` and
// everything that links rectify_notify registers every shipped kind before main.
//
// Thread-safety: kinds are registered during static initialisation; reading is then lock-free.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rectify::notify {

// A kind's settings, compiled; opaque to the core beyond the longest one attempt may take.
struct ChannelSettings {
  virtual ~ChannelSettings() = default;
  virtual std::chrono::milliseconds timeout() const { return std::chrono::seconds(1); }
};

// A channel's settings map in a channels file: every getter marks its key as known, reports a
// type mistake at the value's line and column, and the keys nobody asked for are reported when
// the reader is done ("unknown key, did you mean").
class SettingsReader {
 public:
  virtual ~SettingsReader() = default;
  // The channel's name (the key under `channels:`).
  virtual const std::string& channel() const = 0;

  virtual bool Has(std::string_view key) const = 0;
  virtual std::optional<std::string> String(std::string_view key, bool required = false) = 0;
  virtual std::optional<std::int64_t> Int(std::string_view key, bool required = false) = 0;
  // One of `choices`; any other value is reported ("unknown KEY 'v'", with a hint) and gives
  // nullopt.
  virtual std::optional<std::string> Choice(std::string_view key,
                                            const std::vector<std::string>& choices) = 0;
  // The map under `key` (null when absent, or not a map: reported). Its unknown keys are
  // reported when it is destroyed.
  virtual std::unique_ptr<SettingsReader> Map(std::string_view key, bool required = false) = 0;
  // The keys of this map, in file order (for maps whose keys are names, such as templates).
  virtual std::vector<std::string> Keys() const = 0;
  // A mistake at `key`'s value (or at the map when `key` is empty or absent).
  virtual void Error(std::string_view key, std::string message, std::string hint = {}) = 0;
  virtual void Warning(std::string_view key, std::string message, std::string hint = {}) = 0;
  // At the key itself rather than its value.
  virtual void ErrorAtKey(std::string_view key, std::string message, std::string hint = {}) = 0;
};

// Reads a kind's settings; returns null when they had an error (reported through the reader).
using ChannelSettingsParser =
    std::function<std::shared_ptr<const ChannelSettings>(SettingsReader& reader)>;

class ChannelKindRegistry {
 public:
  static ChannelKindRegistry& Global();
  // Registers `kind`; a second registration of the same kind replaces the first.
  void Add(std::string kind, ChannelSettingsParser parse);
  // Null when no plug-in registered `kind`.
  const ChannelSettingsParser* Find(std::string_view kind) const;
  std::vector<std::string> Kinds() const;
  bool empty() const { return kinds_.empty(); }

 private:
  std::map<std::string, ChannelSettingsParser, std::less<>> kinds_;
};

}  // namespace rectify::notify
