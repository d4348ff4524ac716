// Channels files for the tests that run `rectify dispatch` (or a server) against local fakes:
// the calendar open around the clock that they all put in front, the channels definition's
// header, and an sms channel's template lines. One writer instead of a copy in every suite
// (sms_dispatch_pgtest, smpp_dispatch_pgtest, dispatch_cli_pgtest, outbox_cli_pgtest,
// public_reply_pgtest, tests/http/api_sms_callback_pgtest).
#pragma once

#include <fstream>
#include <initializer_list>
#include <string>

namespace rectify::test {

// A calendar `name` on which every day of 2016-2040 is a working day from 00:00 to 24:00 in
// Asia/Shanghai. `rectify dispatch` runs on the real clock and holds messages back outside
// working hours; on this calendar it sends at once at any hour, so the tests pass at night too.
inline std::string RoundTheClockCalendar(const std::string& name = "round-the-clock") {
  std::string years;
  for (int y = 2016; y <= 2040; ++y) {
    years += (years.empty() ? "" : ", ") + std::to_string(y) + ": {}";
  }
  return "kind: calendar\nname: " + name +
         "\ntimezone: Asia/Shanghai\nworkweek: [mon, tue, wed, thu, fri, sat, sun]\n"
         "working_hours: \"00:00-24:00\"\nyears: { " +
         years + " }\n";
}

// A channels file: the round-the-clock calendar, then the channels definition `name` on it,
// whose keys after `calendar:` are `body` ("channels:\n  ...routes: ...\norg: ...").
inline std::string RoundTheClockChannels(const std::string& name, const std::string& body) {
  return RoundTheClockCalendar() + "---\nkind: channels\nname: " + name +
         "\ncalendar: round-the-clock\n" + body;
}

// Lines of an sms channel's `templates:` block (indented under it), one for each message kind:
// template code "T-<kind>" with the item as its parameter "1".
template <typename Kinds>
std::string SmsTemplateLines(const Kinds& kinds) {
  std::string out;
  for (const auto& kind : kinds) {
    out += "      " + std::string(kind) + ": { code: \"T-" + std::string(kind) +
           "\", params: { \"1\": item } }\n";
  }
  return out;
}
inline std::string SmsTemplateLines(std::initializer_list<const char*> kinds) {
  return SmsTemplateLines<std::initializer_list<const char*>>(kinds);
}

// Writes `text` to the file `path`, replacing it.
inline void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace rectify::test
