// The problems a simulation or a demo registers, read from a ledger CSV (issue 4, point 6's
// columns: id, title, unit, responsible, registered_at, time_limit; optional special_action and
// measures). This is a small seam: a minimal reader (RFC 4180 quoting, UTF-8, a header row)
// that the full `rectify ledger import` parser can replace. It checks the columns it needs and
// reports the row and column of what it cannot read; the engine checks units, people and time
// limits when it registers each item.
//
// registered_at is a date (registered at 09:00 local on the calendar) or an ISO 8601 instant.
//
// Thread-safety: a pure function of the file.
#pragma once

#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/engine/campaign_script.h"

namespace rectify::cli {

Result<std::vector<engine::LedgerItem>> ReadScriptedItems(const std::string& path,
                                                          const Calendar& calendar);

}  // namespace rectify::cli
