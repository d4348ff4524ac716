// What `rectify dispatch` and `rectify simulate --channels` share: the channels file, the
// definitions it is checked with (its calendar, the orgs' people and their languages), the message
// templates, and the channels built from it.
//
// A channels file named with --channels is loaded with the definitions as a county's file: a
// copy of a library channels file (same name and version) replaces the library's.
// Without a channels file the loaded definitions' `kind: channels` named `default` is used
// (workflows/channels/default.yaml: the log and file channels), or the only one there is.
//
// Thread-safety: the command's thread. Ownership: the setup owns everything in it.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"
#include "adapters/notify/channel_factory.h"
#include "adapters/notify/directory.h"
#include "adapters/notify/renderer.h"
#include "adapters/rehearsal/simulated_delivery.h"
#include "rectify/definition/definition_set.h"

namespace rectify::cli {

// The definitions, channels file, templates and channels (adapters/rehearsal/simulated_delivery.h,
// where a rehearsal delivers through them).
using NotifySetup = rehearsal::DeliverySetup;

struct NotifyOptions {
  DefinitionSources definitions;   // definition_sources.h
  std::string channels;            // a channels file, relative to the working directory
  std::vector<std::string> files;  // more files loaded with them (simulate's campaign file)
  std::string templates;           // default <home>/workflows/templates
};

// `log_out`: where `log` channels writing to stdout write. `clock`: the dispatcher's, for the
// channels that need a time of their own (a signed DingTalk robot); it must outlive the setup.
Result<std::unique_ptr<NotifySetup>> LoadNotifySetup(Context& ctx, const NotifyOptions& options,
                                                     std::ostream& log_out, Clock* clock);

void AddNotifyOptions(CLI::App* cmd, NotifyOptions& options);

}  // namespace rectify::cli
