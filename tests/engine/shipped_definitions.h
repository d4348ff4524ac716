// The shipped definitions (workflows/) and the cn calendar, loaded once per test binary, for the
// engine suites with or without a store.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rectify/definition/definition_set.h"

namespace rectify::test {

inline Timestamp T(const char* iso) { return *ParseIso(iso); }

inline std::shared_ptr<const definition::DefinitionSet> LoadSet(
    const std::vector<std::string>& paths) {
  Diagnostics diags;
  auto s = definition::LoadDefinitions(paths, diags);
  EXPECT_TRUE(s.ok()) << diags.Format();
  return s.ok() ? *s : nullptr;
}

inline std::shared_ptr<const definition::DefinitionSet> ShippedDefinitions() {
  static auto set = LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows"});
  return set;
}

inline const Calendar& Cn() { return *ShippedDefinitions()->FindCalendar("cn"); }

}  // namespace rectify::test
