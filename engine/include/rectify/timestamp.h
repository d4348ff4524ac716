// Wall-clock instants, as the engine keeps, stores and writes them.
//
// A `Timestamp` is a UTC instant to the microsecond; the store keeps it as microseconds since the
// Unix epoch (`ToMicros`, `FromMicros`) and people and APIs read it as ISO 8601 (`FormatIso`,
// `ParseIso`):
//
//   Timestamp t = *ParseIso("2017-05-08T18:00:00+08:00");
//   FormatIso(t);   // "2017-05-08T10:00:00Z"
//
// Kept apart from rectify/clock.h, which makes timers on Asio: definitions, calendars and the
// store's records need instants, not timers, and so need not pull in Asio.
//
// Thread-safety: values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "rectify/result.h"

namespace rectify {

// A wall-clock instant in UTC, to the microsecond. Stored as microseconds since the Unix epoch.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Duration = std::chrono::microseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// Microseconds since the epoch, as the store keeps them, and back.
inline std::int64_t ToMicros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMicros(std::int64_t us) { return Timestamp(Duration(us)); }

// ISO 8601 in UTC with a 'Z' ("2017-05-08T10:00:00Z"; fractions only when non-zero).
std::string FormatIso(Timestamp t);
// Parses "2017-05-08T10:00:00Z", "2017-05-08T18:00:00+08:00" or "2017-05-08T10:00:00.250Z".
Result<Timestamp> ParseIso(std::string_view text);

}  // namespace rectify
