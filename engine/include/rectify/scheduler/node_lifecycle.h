// An engine node's own lifecycle (DESIGN.md section 2): starting, recovering, serving, draining,
// stopped. It is fixed, so it is a Boost.MSM machine, like the campaign's and the deadline
// clock's; the machine only decides whether an event is allowed, and the scheduler does the work.
//
//   starting --opened--> recovering --caught_up--> serving
//       \                    |                        |
//        +------drain--------+---------drain----------+--> draining --drained--> stopped
//
//   starting:   opening database connections
//   recovering: firing the timers that fell due while no engine ran (marked late), in due order
//   serving:    firing timers as they fall due
//   draining:   finishing the batches in flight; claiming nothing new
//
// Thread-safety: a value owned by one thread (the scheduler guards its own with a mutex).
#pragma once

#include <memory>
#include <string_view>

#include "rectify/result.h"

namespace rectify::scheduler {

enum class NodePhase { kStarting, kRecovering, kServing, kDraining, kStopped };
enum class NodeEvent { kOpened, kCaughtUp, kDrain, kDrained };

std::string_view NodePhaseName(NodePhase p);  // "starting", "recovering", ...
std::string_view NodeEventName(NodeEvent e);  // "opened", "caught_up", "drain", "drained"

class NodeLifecycle {
 public:
  NodeLifecycle();
  NodeLifecycle(NodeLifecycle&&) noexcept;
  NodeLifecycle& operator=(NodeLifecycle&&) noexcept;
  ~NodeLifecycle();

  NodePhase phase() const { return phase_; }
  // Takes `event`, or refuses it (kFailedPrecondition) and stays where it was.
  Status Process(NodeEvent event);

 private:
  struct Machine;
  NodePhase phase_ = NodePhase::kStarting;
  std::unique_ptr<Machine> machine_;
};

}  // namespace rectify::scheduler
