#include "rectify/calendar/span.h"

#include <cstdint>
#include <optional>

namespace rectify {

namespace chr = std::chrono;

namespace {

// Big enough for any real deadline (a million days), small enough that nothing overflows.
constexpr std::int64_t kMaxNumber = 999999;

Error SpanError(std::string_view text, const std::string& why) {
  return Error::BadInput("'" + std::string(text) + "' is not a duration (" + why +
                         "); accepted forms: " + std::string(kSpanForms));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads the digits at `pos`; nullopt when there are none or they are too many.
std::optional<std::int64_t> ReadNumber(std::string_view s, std::size_t& pos, bool& too_large) {
  std::size_t start = pos;
  std::int64_t n = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    n = n * 10 + (s[pos] - '0');
    if (n > kMaxNumber) {
      too_large = true;
      return std::nullopt;
    }
    ++pos;
  }
  if (pos == start) return std::nullopt;
  return n;
}

Result<Span> ParseIso(std::string_view text, std::string_view body, int sign) {
  // body is what follows 'P'.
  Span span{Span::Kind::kCalendar, 0, 0, 0, Duration{0}};
  std::size_t pos = 0;
  bool in_time = false;
  bool any_date = false;
  bool any_time = false;
  std::string_view date_order = "YMWD";
  std::string_view time_order = "HMS";
  std::size_t next_date = 0;
  std::size_t next_time = 0;
  while (pos < body.size()) {
    if (body[pos] == 'T') {
      if (in_time) return SpanError(text, "'T' appears twice");
      in_time = true;
      ++pos;
      if (pos == body.size()) return SpanError(text, "nothing follows 'T'");
      continue;
    }
    bool too_large = false;
    auto n = ReadNumber(body, pos, too_large);
    if (too_large) return SpanError(text, "the number is too large");
    if (!n) {
      return SpanError(text, "expected a number at '" + std::string(body.substr(pos)) + "'");
    }
    if (pos == body.size()) return SpanError(text, "the last number has no designator");
    char unit = body[pos++];
    int v = static_cast<int>(*n) * sign;
    std::string_view order = in_time ? time_order : date_order;
    std::size_t& next = in_time ? next_time : next_date;
    std::size_t at = order.find(unit);
    if (at == std::string_view::npos) {
      return SpanError(text, std::string("unknown designator '") + unit + "'" +
                                 (in_time ? " after 'T' (use H, M or S)" : " (use Y, M, W or D)"));
    }
    if (at < next) return SpanError(text, "designators out of order");
    next = at + 1;
    if (in_time) {
      any_time = true;
      switch (unit) {
        case 'H':
          span.exact += chr::hours{v};
          break;
        case 'M':
          span.exact += chr::minutes{v};
          break;
        default:
          span.exact += chr::seconds{v};
          break;
      }
    } else {
      any_date = true;
      switch (unit) {
        case 'Y':
          span.months += 12 * v;
          break;
        case 'M':
          span.months += v;
          break;
        case 'W':
          span.days += 7 * v;
          break;
        default:
          span.days += v;
          break;
      }
    }
  }
  if (!any_date && !any_time) return SpanError(text, "'P' needs at least one number and unit");
  if (!any_date) span.kind = Span::Kind::kExact;
  return span;
}

}  // namespace

Result<Span> ParseSpan(std::string_view text) {
  if (text.empty()) return SpanError(text, "it is empty");
  if (text == "0") return Span{};
  int sign = 1;
  std::string_view body = text;
  if (body[0] == '-') {
    sign = -1;
    body.remove_prefix(1);
    if (body.empty()) return SpanError(text, "nothing follows '-'");
  }
  if (body[0] == 'P') return ParseIso(text, body.substr(1), sign);
  std::size_t pos = 0;
  bool too_large = false;
  auto n = ReadNumber(body, pos, too_large);
  if (too_large) return SpanError(text, "the number is too large");
  if (!n) return SpanError(text, "it does not start with a number or 'P'");
  std::string_view unit = body.substr(pos);
  int v = static_cast<int>(*n) * sign;
  if (unit == "wd") return Span::WorkingDays(v);
  if (unit == "d") return Span::CalendarDays(v);
  if (unit == "h") return Span::Exact(chr::hours{v});
  if (unit == "m") return Span::Exact(chr::minutes{v});
  if (unit.empty()) return SpanError(text, "the number has no unit");
  return SpanError(text, "unknown unit '" + std::string(unit) + "'");
}

std::string FormatSpan(const Span& span) {
  const bool neg = span.negative();
  const std::string sign = neg ? "-" : "";
  auto abs = [](auto v) { return v < decltype(v){0} ? -v : v; };
  switch (span.kind) {
    case Span::Kind::kZero:
      return "0";
    case Span::Kind::kWorkingDays:
      return std::to_string(span.working_days) + "wd";
    case Span::Kind::kExact: {
      auto us = abs(span.exact);
      if (us % chr::hours{1} == Duration{0}) {
        return sign + std::to_string(chr::duration_cast<chr::hours>(us).count()) + "h";
      }
      if (us % chr::minutes{1} == Duration{0}) {
        return sign + std::to_string(chr::duration_cast<chr::minutes>(us).count()) + "m";
      }
      return sign + "PT" + std::to_string(chr::duration_cast<chr::seconds>(us).count()) + "S";
    }
    case Span::Kind::kCalendar:
      break;
  }
  if (span.months == 0 && span.exact == Duration{0}) return std::to_string(span.days) + "d";
  std::string s = sign + "P";
  if (span.months != 0) s += std::to_string(abs(span.months)) + "M";
  if (span.days != 0) s += std::to_string(abs(span.days)) + "D";
  if (span.exact != Duration{0}) {
    auto secs = chr::duration_cast<chr::seconds>(abs(span.exact)).count();
    s += "T";
    if (secs / 3600 != 0) s += std::to_string(secs / 3600) + "H";
    if (secs / 60 % 60 != 0) s += std::to_string(secs / 60 % 60) + "M";
    if (secs % 60 != 0) s += std::to_string(secs % 60) + "S";
  }
  return s;
}

Result<DeadlineSpec> ParseDeadlineSpec(std::string_view text) {
  DeadlineSpec spec;
  bool looks_dated = text.size() >= 10 && IsDigit(text[0]) && text[4] == '-';
  if (looks_dated && text.size() == 10) {
    auto d = ParseDate(text);
    if (!d) return d.error();
    spec.kind = DeadlineSpec::Kind::kDate;
    spec.date = *d;
    return spec;
  }
  if (looks_dated && text.size() > 10 && text[10] == 'T') {
    auto t = rectify::ParseIso(text);
    if (!t) {
      return Error::BadInput("'" + std::string(text) +
                             "' is not a date-time with a UTC offset; write it as "
                             "2017-05-15T18:00:00+08:00 or 2017-05-15T10:00:00Z");
    }
    spec.kind = DeadlineSpec::Kind::kInstant;
    spec.at = *t;
    return spec;
  }
  auto span = ParseSpan(text);
  if (!span) {
    return Error::BadInput(span.error().message() +
                           "; or a date (2017-05-15) or date-time (2017-05-15T18:00:00+08:00)");
  }
  spec.span = *span;
  return spec;
}

}  // namespace rectify
