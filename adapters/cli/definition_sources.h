// Where every command finds its definitions: the shipped library, then a county's own folders.
//
//   <RECTIFY_HOME>/workflows          the shipped library (left out with --no-library)
//   --definitions DIR (repeatable)    a county's folders (or files), added to the library
//   RECTIFY_DEFINITIONS=DIR:DIR       more folders, ':'-separated like PATH
//
// All of them load as one set (rectify/definition/definition_set.h), so a county's campaign uses
// the library's calendar and workflows by name. A county's definition of the same kind, name and
// version as a library one replaces the library's (with a note); two county folders defining the
// same thing are a duplicate. A named folder that does not exist or holds no definition file is
// an error. Every command adds the options with AddDefinitionOptions and loads with
// LoadDefinitionSources, so they all read the same folders.
//
// Thread-safety: the command's thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/cli/cli.h"
#include "rectify/definition/definition_set.h"

namespace rectify::cli {

struct DefinitionSources {
  std::vector<std::string> folders;  // --definitions, in the order given
  bool no_library = false;           // --no-library
};

// Adds --definitions DIR (repeatable) and --no-library to `cmd`.
void AddDefinitionOptions(CLI::App* cmd, DefinitionSources& sources);

// The folders in force.
struct DefinitionPaths {
  std::vector<std::string> county;  // --definitions, then RECTIFY_DEFINITIONS
  std::string library;              // empty with --no-library

  std::vector<std::string> All() const;
  // For messages: "the shipped library (/srv/rectify/workflows) and county/".
  std::string Describe() const;
};

DefinitionPaths ResolveDefinitionPaths(const Context& ctx, const DefinitionSources& sources);

// Loads the definitions in force, with `files` (a campaign or channels file named on the command
// line, relative to the working directory) loaded as a county's. Every problem goes to `diags`;
// on failure the error says which folders were loaded and how to check them.
Result<std::shared_ptr<const definition::DefinitionSet>> LoadDefinitionSources(
    const Context& ctx, const DefinitionSources& sources, Diagnostics& diags,
    const std::vector<std::string>& files = {});

// The same, printing the problems on ctx.err when loading fails.
Result<std::shared_ptr<const definition::DefinitionSet>> LoadDefinitionSources(
    Context& ctx, const DefinitionSources& sources, const std::vector<std::string>& files = {});

// The error for a name that no loaded definition has: `what` is "campaign 'xinshao-2018'",
// "person 'xs-0099'", ... It names the folders that were loaded and says how to add another.
Error NotLoaded(const Context& ctx, const DefinitionSources& sources, std::string_view what);

}  // namespace rectify::cli
