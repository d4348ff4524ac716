// Cells and headers as offices write them: dates with slashes, dots or 年月日, time limits in
// 个工作日 or 天, full-width digits and brackets; and files saved as GBK or GB18030.
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "rectify/engine/ledger.h"

namespace rectify::engine {

namespace {

// Full-width forms (U+FF01..U+FF5E) and the ideographic space, as a Chinese input method types
// them, to their ASCII twins: "１０个工作日" -> "10个工作日", "（" -> "(".
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x80) {
      out += ' ';
      i += 3;
      continue;
    }
    if (b0 == 0xEF && i + 2 < text.size()) {
      auto b1 = static_cast<unsigned char>(text[i + 1]);
      auto b2 = static_cast<unsigned char>(text[i + 2]);
      // U+FF01..U+FF3F is EF BC 81..BF, U+FF40..U+FF5E is EF BD 80..9E.
      int cp = b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF   ? 0xFF00 + (b2 - 0x80)
               : b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E ? 0xFF40 + (b2 - 0x80)
                                                        : 0;
      if (cp != 0) {
        out += static_cast<char>(cp - 0xFF00 + 0x20);
        i += 3;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string WithoutSpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view end) {
  return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
}

bool StripSuffix(std::string& s, std::string_view end) {
  if (!EndsWith(s, end)) return false;
  s.resize(s.size() - end.size());
  return true;
}

// Reads 1 to `max` ASCII digits at s[i]; nullopt when there is none.
std::optional<int> Digits(std::string_view s, std::size_t& i, std::size_t max) {
  std::size_t start = i;
  int n = 0;
  while (i < s.size() && i - start < max && s[i] >= '0' && s[i] <= '9') n = n * 10 + (s[i++] - '0');
  if (i == start) return std::nullopt;
  return n;
}

bool Take(std::string_view s, std::size_t& i, std::string_view what) {
  if (s.substr(i, what.size()) != what) return false;
  i += what.size();
  return true;
}

// A date at s[i] (no spaces inside): 2018-07-16, 2018-7-16, 2018/7/16, 2018.7.16, 2018年7月16日.
std::optional<Date> DateAt(std::string_view s, std::size_t& i) {
  std::size_t at = i;
  auto y = Digits(s, at, 4);
  if (!y || at - i != 4) return std::nullopt;
  std::string_view sep;
  for (std::string_view c : {"-", "/", ".", "年"}) {
    if (Take(s, at, c)) {
      sep = c;
      break;
    }
  }
  if (sep.empty()) return std::nullopt;
  auto m = Digits(s, at, 2);
  if (!m) return std::nullopt;
  if (!Take(s, at, sep == "年" ? "月" : sep)) return std::nullopt;
  auto d = Digits(s, at, 2);
  if (!d) return std::nullopt;
  if (sep == "年" && !Take(s, at, "日")) Take(s, at, "号");
  std::chrono::year_month_day ymd{std::chrono::year(*y),
                                  std::chrono::month(static_cast<unsigned>(*m)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  i = at;
  return Date(ymd);
}

}  // namespace

std::optional<Date> ParseOfficeDate(std::string_view text) {
  std::string s = WithoutSpaces(Fold(text));
  std::size_t i = 0;
  auto d = DateAt(s, i);
  if (!d || i != s.size()) return std::nullopt;
  return d;
}

std::optional<OfficeDateTime> ParseOfficeDateTime(std::string_view text) {
  std::string s = Fold(text);
  auto b = s.find_first_not_of(' ');
  auto e = s.find_last_not_of(' ');
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, e - b + 1);
  std::size_t i = 0;
  auto d = DateAt(s, i);
  if (!d) return std::nullopt;
  OfficeDateTime out{*d, std::nullopt};
  if (i == s.size()) return out;
  while (i < s.size() && s[i] == ' ') ++i;
  auto h = Digits(s, i, 2);
  if (!h || !Take(s, i, ":")) return std::nullopt;
  auto m = Digits(s, i, 2);
  if (!m || *h > 23 || *m > 59) return std::nullopt;
  int sec = 0;
  if (Take(s, i, ":")) {
    auto sv = Digits(s, i, 2);
    if (!sv || *sv > 59) return std::nullopt;
    sec = *sv;
  }
  if (i != s.size() || sec != 0) return std::nullopt;
  out.time = std::chrono::minutes(*h * 60 + *m);
  return out;
}

std::optional<OfficeTimeLimit> ParseOfficeTimeLimit(std::string_view text) {
  std::string s = WithoutSpaces(Fold(text));
  if (s.empty()) return std::nullopt;
  // "within": 10个工作日内, 10天以内; "before": 2018年7月31日前, 2018/7/31之前.
  std::string bare = s;
  if (!StripSuffix(bare, "以内")) StripSuffix(bare, "内");
  std::size_t i = 0;
  auto n = Digits(bare, i, 4);
  if (n && i < bare.size()) {
    std::string_view unit = std::string_view(bare).substr(i);
    std::string count = std::to_string(*n);
    if (unit == "个工作日" || unit == "工作日" || unit == "wd") {
      return OfficeTimeLimit{count + "wd", false};
    }
    if (unit == "个自然日" || unit == "自然日" || unit == "d") {
      return OfficeTimeLimit{count + "d", false};
    }
    if (unit == "天" || unit == "日") return OfficeTimeLimit{count + "d", true};
  }
  std::string date = s;
  if (!StripSuffix(date, "之前")) StripSuffix(date, "前");
  if (auto d = ParseOfficeDate(date)) return OfficeTimeLimit{FormatDate(*d), false};
  // Everything else the engine reads as it is written (10wd, P2W, a date-time with an offset).
  std::string trimmed = Fold(text);
  auto b = trimmed.find_first_not_of(' ');
  auto e = trimmed.find_last_not_of(' ');
  trimmed = trimmed.substr(b, e - b + 1);
  if (ParseDeadlineSpec(trimmed)) return OfficeTimeLimit{trimmed, false};
  if (ParseDeadlineSpec(s)) return OfficeTimeLimit{s, false};  // "10 wd", "- 5wd"
  return std::nullopt;
}

std::string NormalizeHeader(std::string_view text) {
  std::string s = WithoutSpaces(Fold(text));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

struct IconvCloser {
  void operator()(iconv_t cd) const { iconv_close(cd); }
};

// Converts with iconv(3); nullopt and the offset of the first byte it could not read on failure.
std::optional<std::string> Iconv(std::string_view bytes, const char* from, std::size_t& bad_at) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    bad_at = 0;
    return std::nullopt;
  }
  std::unique_ptr<std::remove_pointer_t<iconv_t>, IconvCloser> closer(cd);
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t done = 0;
  while (in_left > 0) {
    char* dst = out.data() + done;
    std::size_t out_left = out.size() - done;
    std::size_t r = iconv(cd, &in, &in_left, &dst, &out_left);
    done = out.size() - out_left;
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    bad_at = bytes.size() - in_left;  // EILSEQ, or EINVAL: a sequence cut off at the end
    return std::nullopt;
  }
  out.resize(done);
  return out;
}

}  // namespace

bool LooksLikeGb18030(std::string_view bytes) {
  if (FirstInvalidUtf8(bytes) == std::string_view::npos) return false;
  std::size_t bad_at = 0;
  return Iconv(bytes, "GB18030", bad_at).has_value();
}

Result<std::string> LedgerToUtf8(std::string_view bytes, std::string_view encoding) {
  std::string name;
  for (char c : encoding) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "utf-8" || name == "utf8") return std::string(bytes);
  const char* from = name == "gbk" ? "GBK" : name == "gb18030" ? "GB18030" : nullptr;
  if (!from) {
    return Error::BadInput("unknown encoding '" + std::string(encoding) +
                           "'; use utf-8, gbk or gb18030");
  }
  std::size_t bad_at = 0;
  auto out = Iconv(bytes, from, bad_at);
  if (!out) {
    int line = 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + bad_at, '\n'));
    return Error::BadInput("line " + std::to_string(line) + ": byte " + std::to_string(bad_at) +
                           " is not " +
                           std::string(from == std::string("GBK") ? "GBK" : "GB18030") +
                           "; check the encoding the file was saved in");
  }
  return std::move(*out);
}

}  // namespace rectify::engine
