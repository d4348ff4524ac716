#include "rectify/notify/delivery.h"

#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <string>

namespace rectify::notify {

namespace msm = boost::msm;
namespace mpl = boost::mpl;

std::string_view DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kQueued:
      return "queued";
    case DeliveryState::kSending:
      return "sending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kWaitingToRetry:
      return "waiting_to_retry";
    case DeliveryState::kDeadLettered:
      return "dead_lettered";
    case DeliveryState::kCancelled:
      return "cancelled";
  }
  return "queued";
}

std::string_view DeliveryEventName(DeliveryEvent e) {
  switch (e) {
    case DeliveryEvent::kClaim:
      return "claim";
    case DeliveryEvent::kDelivered:
      return "delivered";
    case DeliveryEvent::kRetry:
      return "retry";
    case DeliveryEvent::kFail:
      return "fail";
    case DeliveryEvent::kRelease:
      return "release";
    case DeliveryEvent::kCancel:
      return "cancel";
  }
  return "?";
}

bool IsFinal(DeliveryState s) {
  return s == DeliveryState::kDelivered || s == DeliveryState::kDeadLettered ||
         s == DeliveryState::kCancelled;
}

OutboxState StoredState(DeliveryState s) {
  switch (s) {
    case DeliveryState::kDelivered:
      return OutboxState::kSent;
    case DeliveryState::kDeadLettered:
      return OutboxState::kDead;
    case DeliveryState::kCancelled:
      return OutboxState::kCancelled;
    case DeliveryState::kQueued:
    case DeliveryState::kSending:
    case DeliveryState::kWaitingToRetry:
      return OutboxState::kPending;
  }
  return OutboxState::kPending;
}

DeliveryState StoredDeliveryState(OutboxState state, std::int64_t attempts, bool leased) {
  switch (state) {
    case OutboxState::kSent:
      return DeliveryState::kDelivered;
    case OutboxState::kDead:
      return DeliveryState::kDeadLettered;
    case OutboxState::kCancelled:
      return DeliveryState::kCancelled;
    case OutboxState::kPending:
      if (leased) return DeliveryState::kSending;
      return attempts > 0 ? DeliveryState::kWaitingToRetry : DeliveryState::kQueued;
  }
  return DeliveryState::kQueued;
}

namespace {

struct EvClaim {};
struct EvDelivered {};
struct EvRetry {};
struct EvFail {};
struct EvRelease {};
struct EvCancel {};

// Only the allowed moves; the work lives in the dispatcher.
struct Lifecycle : msm::front::state_machine_def<Lifecycle> {
  struct Queued : msm::front::state<> {};
  struct Sending : msm::front::state<> {};
  struct Delivered : msm::front::state<> {};
  struct WaitingToRetry : msm::front::state<> {};
  struct DeadLettered : msm::front::state<> {};
  struct Cancelled : msm::front::state<> {};
  using initial_state = Queued;

  // clang-format off
  struct transition_table : mpl::vector<
      //    from            event        to
      _row<Queued,         EvClaim,     Sending>,
      _row<Queued,         EvCancel,    Cancelled>,
      _row<Sending,        EvDelivered, Delivered>,
      _row<Sending,        EvRetry,     WaitingToRetry>,
      _row<Sending,        EvFail,      DeadLettered>,
      _row<Sending,        EvRelease,   Queued>,
      _row<WaitingToRetry, EvClaim,     Sending>,
      _row<WaitingToRetry, EvCancel,    Cancelled>> {};
  // clang-format on

  template <class Fsm, class Ev>
  void no_transition(const Ev& /*event*/, Fsm& /*fsm*/, int /*state*/) {
    rejected = true;
  }

  bool rejected = false;
};

using LifecycleMachine = msm::back::state_machine<Lifecycle>;

DeliveryState Target(DeliveryEvent e, DeliveryState from) {
  switch (e) {
    case DeliveryEvent::kClaim:
      return DeliveryState::kSending;
    case DeliveryEvent::kDelivered:
      return DeliveryState::kDelivered;
    case DeliveryEvent::kRetry:
      return DeliveryState::kWaitingToRetry;
    case DeliveryEvent::kFail:
      return DeliveryState::kDeadLettered;
    case DeliveryEvent::kRelease:
      return DeliveryState::kQueued;
    case DeliveryEvent::kCancel:
      return DeliveryState::kCancelled;
  }
  return from;
}

}  // namespace

struct DeliveryLifecycle::Machine {
  LifecycleMachine fsm;
};

DeliveryLifecycle::DeliveryLifecycle(DeliveryState state)
    : state_(DeliveryState::kQueued), machine_(std::make_unique<Machine>()) {
  machine_->fsm.start();
  // Bring the machine to the recorded state along the shortest path there.
  switch (state) {
    case DeliveryState::kQueued:
      break;
    case DeliveryState::kCancelled:
      (void)Process(DeliveryEvent::kCancel);
      break;
    case DeliveryState::kSending:
      (void)Process(DeliveryEvent::kClaim);
      break;
    case DeliveryState::kDelivered:
      (void)Process(DeliveryEvent::kClaim);
      (void)Process(DeliveryEvent::kDelivered);
      break;
    case DeliveryState::kWaitingToRetry:
      (void)Process(DeliveryEvent::kClaim);
      (void)Process(DeliveryEvent::kRetry);
      break;
    case DeliveryState::kDeadLettered:
      (void)Process(DeliveryEvent::kClaim);
      (void)Process(DeliveryEvent::kFail);
      break;
  }
}

DeliveryLifecycle::DeliveryLifecycle(const DeliveryLifecycle& other)
    : DeliveryLifecycle(other.state_) {}

DeliveryLifecycle& DeliveryLifecycle::operator=(const DeliveryLifecycle& other) {
  if (this != &other) *this = DeliveryLifecycle(other.state_);
  return *this;
}

DeliveryLifecycle::DeliveryLifecycle(DeliveryLifecycle&&) noexcept = default;
DeliveryLifecycle& DeliveryLifecycle::operator=(DeliveryLifecycle&&) noexcept = default;
DeliveryLifecycle::~DeliveryLifecycle() = default;

Status DeliveryLifecycle::Process(DeliveryEvent event) {
  Lifecycle& def = machine_->fsm;
  def.rejected = false;
  switch (event) {
    case DeliveryEvent::kClaim:
      machine_->fsm.process_event(EvClaim{});
      break;
    case DeliveryEvent::kDelivered:
      machine_->fsm.process_event(EvDelivered{});
      break;
    case DeliveryEvent::kRetry:
      machine_->fsm.process_event(EvRetry{});
      break;
    case DeliveryEvent::kFail:
      machine_->fsm.process_event(EvFail{});
      break;
    case DeliveryEvent::kRelease:
      machine_->fsm.process_event(EvRelease{});
      break;
    case DeliveryEvent::kCancel:
      machine_->fsm.process_event(EvCancel{});
      break;
  }
  if (def.rejected) {
    return Error::FailedPrecondition("a delivery that is " +
                                     std::string(DeliveryStateName(state_)) + " cannot take '" +
                                     std::string(DeliveryEventName(event)) + "'");
  }
  state_ = Target(event, state_);
  return OkStatus();
}

}  // namespace rectify::notify
