#include "rectify/engine/campaign_lifecycle.h"

#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <string>

namespace rectify::engine {

namespace msm = boost::msm;
namespace mpl = boost::mpl;

std::string_view CampaignStateName(CampaignState s) {
  switch (s) {
    case CampaignState::kDraft:
      return "draft";
    case CampaignState::kScheduled:
      return "scheduled";
    case CampaignState::kRunning:
      return "running";
    case CampaignState::kClosed:
      return "closed";
  }
  return "draft";
}

Result<CampaignState> ParseCampaignState(std::string_view name) {
  for (CampaignState s : {CampaignState::kDraft, CampaignState::kScheduled, CampaignState::kRunning,
                          CampaignState::kClosed}) {
    if (CampaignStateName(s) == name) return s;
  }
  return Error::BadInput("'" + std::string(name) + "' is not a campaign state");
}

std::string_view CampaignEventName(CampaignEvent e) {
  switch (e) {
    case CampaignEvent::kSchedule:
      return "schedule";
    case CampaignEvent::kBegin:
      return "begin";
    case CampaignEvent::kClose:
      return "close";
  }
  return "?";
}

namespace {

struct EvSchedule {};
struct EvBegin {};
struct EvClose {};

// Only the allowed moves; actions live in the campaign runner.
struct Lifecycle : msm::front::state_machine_def<Lifecycle> {
  struct Draft : msm::front::state<> {};
  struct Scheduled : msm::front::state<> {};
  struct Running : msm::front::state<> {};
  struct Closed : msm::front::state<> {};
  using initial_state = Draft;

  // clang-format off
  struct transition_table : mpl::vector<
      //    from        event       to
      _row<Draft,     EvSchedule, Scheduled>,
      _row<Scheduled, EvBegin,    Running>,
      _row<Running,   EvClose,    Closed>> {};
  // clang-format on

  template <class Fsm, class Ev>
  void no_transition(const Ev& /*event*/, Fsm& /*fsm*/, int /*state*/) {
    rejected = true;
  }

  bool rejected = false;
};

using LifecycleMachine = msm::back::state_machine<Lifecycle>;

}  // namespace

struct CampaignLifecycle::Machine {
  LifecycleMachine fsm;
};

CampaignLifecycle::CampaignLifecycle(CampaignState state)
    : state_(CampaignState::kDraft), machine_(std::make_unique<Machine>()) {
  machine_->fsm.start();
  // Bring the machine to the recorded state along the only path there is.
  if (state != CampaignState::kDraft) (void)Process(CampaignEvent::kSchedule);
  if (state == CampaignState::kRunning || state == CampaignState::kClosed) {
    (void)Process(CampaignEvent::kBegin);
  }
  if (state == CampaignState::kClosed) (void)Process(CampaignEvent::kClose);
}

CampaignLifecycle::CampaignLifecycle(const CampaignLifecycle& other)
    : CampaignLifecycle(other.state_) {}

CampaignLifecycle& CampaignLifecycle::operator=(const CampaignLifecycle& other) {
  if (this != &other) *this = CampaignLifecycle(other.state_);
  return *this;
}

CampaignLifecycle::CampaignLifecycle(CampaignLifecycle&&) noexcept = default;
CampaignLifecycle& CampaignLifecycle::operator=(CampaignLifecycle&&) noexcept = default;
CampaignLifecycle::~CampaignLifecycle() = default;

Status CampaignLifecycle::Process(CampaignEvent event) {
  Lifecycle& def = machine_->fsm;
  def.rejected = false;
  switch (event) {
    case CampaignEvent::kSchedule:
      machine_->fsm.process_event(EvSchedule{});
      break;
    case CampaignEvent::kBegin:
      machine_->fsm.process_event(EvBegin{});
      break;
    case CampaignEvent::kClose:
      machine_->fsm.process_event(EvClose{});
      break;
  }
  if (def.rejected) {
    return Error::FailedPrecondition("cannot " + std::string(CampaignEventName(event)) +
                                     " a campaign that is " +
                                     std::string(CampaignStateName(state_)));
  }
  switch (event) {
    case CampaignEvent::kSchedule:
      state_ = CampaignState::kScheduled;
      break;
    case CampaignEvent::kBegin:
      state_ = CampaignState::kRunning;
      break;
    case CampaignEvent::kClose:
      state_ = CampaignState::kClosed;
      break;
  }
  return OkStatus();
}

}  // namespace rectify::engine
