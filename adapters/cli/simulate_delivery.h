// `rectify simulate --channels FILE`: after the simulated run, the outbox it committed is
// delivered through real channels on a virtual clock that steps from one due row to the next, so
// each message goes at its simulated time (held to working hours by the engine, retries held by
// the dispatcher), once. One `delivery` event per attempt is printed after the timeline (jsonl:
// {"at","event":"delivery","item","recipient","channel","outcome","attempt","dedup_key"}).
//
// Thread-safety: the command's thread. Ownership: borrows the simulation's database and store.
#pragma once

#include "adapters/cli/cli.h"
#include "adapters/cli/notify_session.h"
#include "adapters/store/soci/database.h"
#include "rectify/notify/outbox_store.h"
#include "rectify/store.h"

namespace rectify::cli {

// Delivers what fell due between `from` and `until`; returns the attempts made, in order.
Result<std::vector<notify::DeliveryAttempt>> SimulateDelivery(
    Context& ctx, const NotifyOptions& options, store_soci::Database& db, Store& store,
    const Calendar& cal, Timestamp from, Timestamp until, std::uint64_t seed);

}  // namespace rectify::cli
