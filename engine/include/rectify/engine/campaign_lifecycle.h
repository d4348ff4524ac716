// A campaign run's own lifecycle (DESIGN.md section 2): draft, scheduled, running, closed. It is
// fixed, so it is a Boost.MSM machine (like the deadline clock's), and the machine only decides
// whether an event is allowed in the current state; the campaign runner (campaign.h) does the
// work that goes with it.
//
//   draft --schedule--> scheduled --begin--> running --close--> closed
//
//   CampaignLifecycle life(CampaignState::kDraft);
//   life.Process(CampaignEvent::kSchedule);   // ok: scheduled
//   life.Process(CampaignEvent::kClose);      // kFailedPrecondition: "cannot close a campaign
//                                             //  that is scheduled"; the state is unchanged
//
// Thread-safety: a value owned by one thread. Copying rebuilds the machine in the same state.
#pragma once

#include <memory>
#include <string_view>

#include "rectify/result.h"

namespace rectify::engine {

enum class CampaignState { kDraft, kScheduled, kRunning, kClosed };
enum class CampaignEvent { kSchedule, kBegin, kClose };

std::string_view CampaignStateName(CampaignState s);  // "draft", "scheduled", ...
Result<CampaignState> ParseCampaignState(std::string_view name);
std::string_view CampaignEventName(CampaignEvent e);  // "schedule", "begin", "close"

class CampaignLifecycle {
 public:
  explicit CampaignLifecycle(CampaignState state = CampaignState::kDraft);
  CampaignLifecycle(const CampaignLifecycle& other);
  CampaignLifecycle& operator=(const CampaignLifecycle& other);
  CampaignLifecycle(CampaignLifecycle&&) noexcept;
  CampaignLifecycle& operator=(CampaignLifecycle&&) noexcept;
  ~CampaignLifecycle();

  CampaignState state() const { return state_; }
  // Takes `event`, or refuses it (kFailedPrecondition) and stays where it was.
  Status Process(CampaignEvent event);

 private:
  struct Machine;
  CampaignState state_;
  std::unique_ptr<Machine> machine_;
};

}  // namespace rectify::engine
