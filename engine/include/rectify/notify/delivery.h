// A notification's delivery lifecycle (DESIGN.md section 2): a fixed machine, so a Boost.MSM one,
// like the deadline clock's and the campaign run's. It only decides whether a move is allowed; the
// dispatcher (adapters/notify/dispatcher.h) does the work and the policy (policy.h) picks the move.
//
//   queued --claim--> sending --delivered--> delivered
//                        |  \--retry-----> waiting_to_retry --claim--> sending
//                        |  \--fail------> dead_lettered      (a permanent failure or the limit)
//                        \----release----> queued             (rate limit, digest, a lost lease)
//   queued, waiting_to_retry --cancel--> cancelled            (the item moved on)
//
// delivered, dead_lettered and cancelled are final. A message being sent cannot be cancelled: what
// went out went out, and a delivered message stays delivered.
//
// Stored form: the outbox table keeps four states ('pending', 'sent', 'dead', 'cancelled', fixed by
// a CHECK in migration 0001). The three live states are all 'pending', told apart by the lease
// columns of migration 0003 and the attempt count: `StoredDeliveryState` maps a row back.
//
//   DeliveryLifecycle life;                         // queued
//   life.Process(DeliveryEvent::kClaim);            // sending
//   life.Process(DeliveryEvent::kCancel);           // kFailedPrecondition, still sending
//
// Thread-safety: a value owned by one thread. Copying rebuilds the machine in the same state.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "rectify/result.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

namespace rectify::notify {

enum class DeliveryState {
  kQueued,
  kSending,
  kDelivered,
  kWaitingToRetry,
  kDeadLettered,
  kCancelled
};
enum class DeliveryEvent { kClaim, kDelivered, kRetry, kFail, kRelease, kCancel };

std::string_view DeliveryStateName(DeliveryState s);  // "queued", "sending", ...
std::string_view DeliveryEventName(DeliveryEvent e);  // "claim", "delivered", ...
bool IsFinal(DeliveryState s);

// The outbox state a delivery state is stored as.
OutboxState StoredState(DeliveryState s);
// The delivery state of a stored row at `now`: a pending row under a live lease is sending; one
// that failed before (attempts > 0) and waits is waiting to retry; otherwise queued.
DeliveryState StoredDeliveryState(OutboxState state, std::int64_t attempts, bool leased);

class DeliveryLifecycle {
 public:
  explicit DeliveryLifecycle(DeliveryState state = DeliveryState::kQueued);
  DeliveryLifecycle(const DeliveryLifecycle& other);
  DeliveryLifecycle& operator=(const DeliveryLifecycle& other);
  DeliveryLifecycle(DeliveryLifecycle&&) noexcept;
  DeliveryLifecycle& operator=(DeliveryLifecycle&&) noexcept;
  ~DeliveryLifecycle();

  DeliveryState state() const { return state_; }
  // Takes `event`, or refuses it (kFailedPrecondition) and stays where it was.
  Status Process(DeliveryEvent event);

 private:
  struct Machine;
  DeliveryState state_;
  std::unique_ptr<Machine> machine_;
};

}  // namespace rectify::notify
