// How subcommands reach the engine: the migrated database, the definitions (default
// <RECTIFY_HOME>/workflows, or --definitions), registered in the store, and a clock: the real one,
// or a virtual one standing at --at.
//
// Thread-safety: call from the command's thread. Ownership: the session owns everything in it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "adapters/cli/cli.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/engine.h"
#include "rectify/store.h"

namespace rectify::cli {

struct EngineSession {
  std::unique_ptr<Store> store;
  std::shared_ptr<const definition::DefinitionSet> definitions;
  std::unique_ptr<Clock> clock;
  VirtualClock* virtual_clock = nullptr;  // set when --at was given
  boost::asio::io_context io;
  std::unique_ptr<engine::Engine> engine;
};

// `at`: empty for the system clock, else an ISO 8601 instant with an offset.
Result<std::unique_ptr<EngineSession>> OpenEngine(Context& ctx, const std::string& definitions,
                                                  const std::string& at);

// Adds the --definitions and --at options every engine command takes.
void AddEngineOptions(CLI::App* cmd, std::string& definitions, std::string& at);

}  // namespace rectify::cli
