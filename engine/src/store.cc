#include "rectify/store.h"

#include <string>

namespace rectify {

bool ChangeSet::empty() const { return size() == 0; }

std::size_t ChangeSet::size() const {
  return definitions.size() + units.size() + people.size() + instance_inserts.size() +
         instance_updates.size() + timer_cancels.size() + timer_fires.size() + timer_arms.size() +
         outbox_inserts.size() + outbox_updates.size() + audit_appends.size();
}

std::string_view TimerStateName(TimerState state) {
  switch (state) {
    case TimerState::kPending:
      return "pending";
    case TimerState::kFired:
      return "fired";
    case TimerState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

Result<TimerState> ParseTimerState(std::string_view name) {
  if (name == "pending") return TimerState::kPending;
  if (name == "fired") return TimerState::kFired;
  if (name == "cancelled") return TimerState::kCancelled;
  return Error::Internal("unknown timer state '" + std::string(name) + "' in the database");
}

std::string_view OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kDead:
      return "dead";
    case OutboxState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

Result<OutboxState> ParseOutboxState(std::string_view name) {
  if (name == "pending") return OutboxState::kPending;
  if (name == "sent") return OutboxState::kSent;
  if (name == "dead") return OutboxState::kDead;
  if (name == "cancelled") return OutboxState::kCancelled;
  return Error::Internal("unknown outbox state '" + std::string(name) + "' in the database");
}

}  // namespace rectify
