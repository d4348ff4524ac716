// The outbox as a table: what `rectify outbox list` and `rectify dispatch --at` print, one row a
// message with what the dispatcher does or would do with it, the rule that holds it and when it
// will go (in the calendar's zone), in text, json, jsonl or csv.
//
// Thread-safety: the command's thread.
#pragma once

#include <map>
#include <vector>

#include "adapters/cli/cli.h"
#include "adapters/notify/dispatcher.h"
#include "rectify/calendar/calendar.h"

namespace rectify::cli {

// "queued" (a dispatch now would send it, alone or in a digest), "held" (a rule holds it),
// "dead letter" for a pending row no channel can take; else the row's own state ("sent", "dead",
// "cancelled").
std::string ListedState(const notify::RowVerdict& v);

// Writes `rows` to ctx.out in ctx.format(); `calendar` (may be null) gives the zone of instants;
// `receipts` the rows' receipts (receipt.h) by outbox id (a row not there shows none).
void WriteOutboxRows(Context& ctx, const std::vector<notify::RowVerdict>& rows,
                     const Calendar* calendar,
                     const std::map<std::int64_t, notify::DeliveryReceipt>& receipts = {});

}  // namespace rectify::cli
