// The shipped library (workflows/), loaded once per test binary.
#pragma once

#include <memory>
#include <string>

#include "rectify/definition/definition_set.h"

namespace rectify::test {

inline std::string SourcePath(const std::string& relative) {
  return std::string(RECTIFY_SOURCE_DIR) + "/" + relative;
}

// Fails the calling test (and returns null) when the library does not load clean.
inline std::shared_ptr<const definition::DefinitionSet> Library() {
  static std::shared_ptr<const definition::DefinitionSet> set = [] {
    Diagnostics diags;
    auto loaded = definition::LoadDefinitions({SourcePath("workflows")}, diags);
    return loaded ? *loaded : nullptr;
  }();
  return set;
}

}  // namespace rectify::test
