// Small text helpers shared by the explain renderers (private).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/common.h"
#include "rectify/definition/escalation.h"

namespace rectify::definition::internal {

inline std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (const auto& p : parts) {
    if (!s.empty()) s += sep;
    s += p;
  }
  return s;
}

inline std::string RoleList(const std::vector<RolePath>& roles) {
  std::vector<std::string> names;
  for (const auto& r : roles) names.push_back(r.text);
  return Join(names, ", ");
}

// "workflow rectification-item@1: 问题整改 (rectification item)"
inline std::string Heading(const DefinitionInfo& info) {
  std::string s = info.Label();
  if (!info.title.empty()) s += ": " + info.title;
  return s;
}

// The steps of `chain`, one a line, with their dates when `deadline` is missed
// (explain_workflow.cc).
void WriteChainSteps(std::ostream& out, const Escalation& chain, const Calendar* cal,
                     std::optional<Timestamp> deadline, const std::string& indent);

}  // namespace rectify::definition::internal
