// `unreached:` of a channels file: what the dispatcher does for a person a message did not reach
// (its delivery dead-lettered, or its receipt failed or unknown; rectify/notify/receipt.h).
//
//   unreached:
//     fallback: true         # default: send it again by the person's next contact kind
//     report_to: unit-head   # when no route is left: tell the person's unit head, once
//
// The channels compiler (engine/src/definition/channels_compiler.cc) checks the block with
// positions when the file is loaded; this reads it back from the loaded file for the dispatcher
// (DispatcherOptions::unreached), so that the core's ChannelsConfig stays as it is.
//
//   auto policy = ReadUnreachedPolicy(config->info());   // the file is found by its position
//
// Thread-safety: pure functions (they read the file).
#pragma once

#include <string>

#include "rectify/definition/common.h"
#include "rectify/result.h"

namespace rectify::notify {

struct UnreachedPolicy {
  bool enabled = false;   // the file has `unreached:`
  bool fallback = true;   // try the person's next route
  std::string report_to;  // "" or "unit-head"
};

// The policy of the channels document `info` names (its file and name); disabled when it has no
// `unreached:`; an error when the file cannot be read again.
Result<UnreachedPolicy> ReadUnreachedPolicy(const definition::DefinitionInfo& info);

}  // namespace rectify::notify
