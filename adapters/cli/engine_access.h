// How subcommands reach the engine: the migrated database, the definitions (the shipped library
// and a county's folders, definition_sources.h), registered in the store, and a clock: the real
// one, or a virtual one standing at --at.
//
// A command that only reads (a report, item show, ics, campaign show) opens the engine
// read-only: nothing is registered and nothing is written, so reading never changes the database.
//
// Thread-safety: call from the command's thread. Ownership: the session owns everything in it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/engine.h"
#include "rectify/store.h"

namespace rectify::cli {

enum class Access { kReadWrite, kReadOnly };

struct EngineSession {
  DefinitionSources sources;  // for messages about what is not loaded
  std::unique_ptr<Store> store;
  std::shared_ptr<const definition::DefinitionSet> definitions;
  std::unique_ptr<Clock> clock;
  VirtualClock* virtual_clock = nullptr;  // set when --at was given
  boost::asio::io_context io;
  std::unique_ptr<engine::Engine> engine;

  // NotLoaded() (definition_sources.h) unless the definitions have it. An empty name is fine.
  Status RequireCampaign(const Context& ctx, const std::string& name) const;
  Status RequireWorkflow(const Context& ctx, const std::string& name) const;
  Status RequirePerson(const Context& ctx, const std::string& id) const;
  Status RequireUnit(const Context& ctx, const std::string& id) const;
};

// `at`: empty for the system clock, else an ISO 8601 instant with an offset. `access`: kReadOnly
// for commands that change nothing (the definitions are not registered).
Result<std::unique_ptr<EngineSession>> OpenEngine(Context& ctx, const DefinitionSources& sources,
                                                  const std::string& at,
                                                  Access access = Access::kReadWrite);

// Adds the definition options (definition_sources.h) and --at, which every engine command takes.
void AddEngineOptions(CLI::App* cmd, DefinitionSources& definitions, std::string& at);

// Gives `store`'s bulletin desk the shipped document templates
// (<RECTIFY_HOME>/workflows/templates), so the bulletins a campaign run issues as its timers fire
// are kept with their HTML. When they cannot be read it says so on standard error: the bulletins
// are still issued and sent, without their documents.
void UseShippedBulletinTemplates(Context& ctx, Store& store);

}  // namespace rectify::cli
