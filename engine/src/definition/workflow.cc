#include "rectify/definition/workflow.h"

namespace rectify::definition {
namespace {

struct FieldTypeEntry {
  FieldType type;
  std::string_view name;
};
constexpr FieldTypeEntry kFieldTypes[] = {
    {FieldType::kText, "text"},         {FieldType::kDate, "date"},
    {FieldType::kDateTime, "datetime"}, {FieldType::kDuration, "duration"},
    {FieldType::kNumber, "number"},     {FieldType::kBool, "bool"},
    {FieldType::kPerson, "person"},     {FieldType::kPeople, "people"},
    {FieldType::kUnit, "unit"},         {FieldType::kChoice, "choice"},
    {FieldType::kContact, "contact"},
};

}  // namespace

std::string_view FieldTypeName(FieldType t) {
  for (const auto& e : kFieldTypes) {
    if (e.type == t) return e.name;
  }
  return "text";
}

std::optional<FieldType> ParseFieldType(std::string_view text) {
  for (const auto& e : kFieldTypes) {
    if (e.name == text) return e.type;
  }
  return std::nullopt;
}

const std::vector<std::string>& FieldTypeNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& e : kFieldTypes) v.emplace_back(e.name);
    return v;
  }();
  return names;
}

std::string_view ClockEffectName(ClockEffect c) {
  switch (c) {
    case ClockEffect::kDefault:
      return "default";
    case ClockEffect::kRestart:
      return "restart";
    case ClockEffect::kContinue:
      return "continue";
    case ClockEffect::kPause:
      return "pause";
    case ClockEffect::kResume:
      return "resume";
  }
  return "default";
}

std::string_view LadderName(Ladder l) {
  switch (l) {
    case Ladder::kDefault:
    case Ladder::kStepUp:
      return "step_up";
    case Ladder::kContinue:
      return "continue";
    case Ladder::kRestart:
      return "restart";
  }
  return "step_up";
}

bool Transition::RestartsClock() const {
  if (clock == ClockEffect::kRestart) return true;
  if (clock != ClockEffect::kDefault) return false;
  return to != from;
}

Workflow::Workflow(DefinitionInfo info, std::shared_ptr<const Calendar> calendar, Ref calendar_ref,
                   std::vector<Field> fields, std::vector<State> states,
                   std::vector<Transition> transitions, StateIndex initial)
    : info_(std::move(info)),
      calendar_(std::move(calendar)),
      calendar_ref_(std::move(calendar_ref)),
      fields_(std::move(fields)),
      states_(std::move(states)),
      transitions_(std::move(transitions)),
      initial_(initial) {
  for (const auto& s : states_) state_index_.emplace(s.id, s.index);
}

std::optional<StateIndex> Workflow::FindState(std::string_view id) const {
  auto it = state_index_.find(std::string(id));
  if (it == state_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<FieldIndex> Workflow::FindField(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<FieldIndex>(i);
  }
  return std::nullopt;
}

const Transition* Workflow::FindTransition(StateIndex from, std::string_view event) const {
  for (TransitionIndex t : state(from).transitions) {
    if (transitions_[static_cast<std::size_t>(t)].event == event) {
      return &transitions_[static_cast<std::size_t>(t)];
    }
  }
  return nullptr;
}

}  // namespace rectify::definition
