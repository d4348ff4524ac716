#include "rectify/scheduler/node_lifecycle.h"

#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <string>

namespace rectify::scheduler {

namespace msm = boost::msm;
namespace mpl = boost::mpl;

std::string_view NodePhaseName(NodePhase p) {
  switch (p) {
    case NodePhase::kStarting:
      return "starting";
    case NodePhase::kRecovering:
      return "recovering";
    case NodePhase::kServing:
      return "serving";
    case NodePhase::kDraining:
      return "draining";
    case NodePhase::kStopped:
      return "stopped";
  }
  return "starting";
}

std::string_view NodeEventName(NodeEvent e) {
  switch (e) {
    case NodeEvent::kOpened:
      return "opened";
    case NodeEvent::kCaughtUp:
      return "caught_up";
    case NodeEvent::kDrain:
      return "drain";
    case NodeEvent::kDrained:
      return "drained";
  }
  return "?";
}

namespace {

struct EvOpened {};
struct EvCaughtUp {};
struct EvDrain {};
struct EvDrained {};

struct Lifecycle : msm::front::state_machine_def<Lifecycle> {
  struct Starting : msm::front::state<> {};
  struct Recovering : msm::front::state<> {};
  struct Serving : msm::front::state<> {};
  struct Draining : msm::front::state<> {};
  struct Stopped : msm::front::state<> {};
  using initial_state = Starting;

  // clang-format off
  struct transition_table : mpl::vector<
      //    from         event       to
      _row<Starting,   EvOpened,   Recovering>,
      _row<Starting,   EvDrain,    Draining>,
      _row<Recovering, EvCaughtUp, Serving>,
      _row<Recovering, EvDrain,    Draining>,
      _row<Serving,    EvDrain,    Draining>,
      _row<Draining,   EvDrained,  Stopped>> {};
  // clang-format on

  template <class Fsm, class Ev>
  void no_transition(const Ev& /*event*/, Fsm& /*fsm*/, int /*state*/) {
    rejected = true;
  }

  bool rejected = false;
};

using LifecycleMachine = msm::back::state_machine<Lifecycle>;

}  // namespace

struct NodeLifecycle::Machine {
  LifecycleMachine fsm;
};

NodeLifecycle::NodeLifecycle() : machine_(std::make_unique<Machine>()) { machine_->fsm.start(); }
NodeLifecycle::NodeLifecycle(NodeLifecycle&&) noexcept = default;
NodeLifecycle& NodeLifecycle::operator=(NodeLifecycle&&) noexcept = default;
NodeLifecycle::~NodeLifecycle() = default;

Status NodeLifecycle::Process(NodeEvent event) {
  Lifecycle& def = machine_->fsm;
  def.rejected = false;
  NodePhase next = phase_;
  switch (event) {
    case NodeEvent::kOpened:
      machine_->fsm.process_event(EvOpened{});
      next = NodePhase::kRecovering;
      break;
    case NodeEvent::kCaughtUp:
      machine_->fsm.process_event(EvCaughtUp{});
      next = NodePhase::kServing;
      break;
    case NodeEvent::kDrain:
      machine_->fsm.process_event(EvDrain{});
      next = NodePhase::kDraining;
      break;
    case NodeEvent::kDrained:
      machine_->fsm.process_event(EvDrained{});
      next = NodePhase::kStopped;
      break;
  }
  if (def.rejected) {
    return Error::FailedPrecondition("a node that is " + std::string(NodePhaseName(phase_)) +
                                     " cannot take '" + std::string(NodeEventName(event)) + "'");
  }
  phase_ = next;
  return OkStatus();
}

}  // namespace rectify::scheduler
