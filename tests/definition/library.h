// The shipped library (workflows/), loaded once per test binary.
#pragma once

#include <memory>
#include <string>

#include "rectify/definition/definition_set.h"

namespace rectify::definition::testing {

inline std::string SourcePath(const std::string& relative) {
  return std::string(RECTIFY_SOURCE_DIR) + "/" + relative;
}

// Fails the calling test (and returns null) when the library does not load clean.
inline std::shared_ptr<const DefinitionSet> Library() {
  static std::shared_ptr<const DefinitionSet> set = [] {
    Diagnostics diags;
    auto loaded = LoadDefinitions({SourcePath("workflows")}, diags);
    return loaded ? *loaded : nullptr;
  }();
  return set;
}

}  // namespace rectify::definition::testing
