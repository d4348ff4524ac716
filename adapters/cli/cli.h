// The `rectify` command line: one binary, subcommands, one way of reporting errors.
//
// Each subcommand lives in its own file (`migrate_command.cc`, `status_command.cc`, ...) and
// exposes one registration function, listed in commands.cc. A subcommand reads the global
// options from `Context`, writes data to `ctx.out` and diagnostics to `ctx.err`, and sets
// `ctx.exit_code` (DESIGN.md section 5):
//   0 success, 1 the user's error (bad input, a failed check), 2 a usage error (unknown command or
//   option), 3 or more an environment or internal failure (see Error::ExitCode()).
//
// `Run()` is what main() calls; tests call it too, with their own streams and environment.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rectify/result.h"

namespace rectify::cli {

enum class Format { kText, kJson, kJsonl, kCsv };

struct Context {
  std::ostream& out;
  std::ostream& err;
  // The environment the command sees (RECTIFY_DB, RECTIFY_HOME, ...).
  std::function<std::optional<std::string>(const std::string&)> getenv;

  // Global options.
  std::string db_url;  // --db, else RECTIFY_DB, else the default (see DatabaseUrl())
  std::string format_name = "text";

  int exit_code = 0;

  // The --format values each subcommand prints besides text (see SupportFormats).
  std::map<const CLI::App*, std::vector<std::string>> formats;

  // The database URL in force: --db, then RECTIFY_DB, then sqlite:var/rectify.db.
  std::string DatabaseUrl() const;
  // The folder holding migrations/ and workflows/: RECTIFY_HOME, else the source tree it was
  // built from.
  std::string Home() const;
  Format format() const;

  // Reports `error` as one line on `err` ("rectify: error: ...") and sets the exit code from it.
  void Fail(const Error& error);
  // Reports a usage error and sets exit code 2.
  void UsageError(const std::string& message);
};

// Declares the --format values `cmd` prints besides text ("json", "jsonl", "csv", "mermaid").
// Run() refuses any other as a usage error before the command runs, naming the ones it prints;
// a command that declares none prints text only.
void SupportFormats(Context& ctx, const CLI::App* cmd, std::vector<std::string> formats);

// Registers every subcommand on `app`. Defined in commands.cc.
void RegisterCommands(CLI::App& app, Context& ctx);

// Parses `args` (without the program name) and runs the chosen subcommand.
int Run(const std::vector<std::string>& args, Context& ctx);

}  // namespace rectify::cli
