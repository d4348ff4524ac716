#include "adapters/cli/cli.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace rectify::cli {

std::string Context::DatabaseUrl() const {
  if (!db_url.empty()) return db_url;
  if (auto env = getenv("RECTIFY_DB"); env && !env->empty()) return *env;
  return "sqlite:var/rectify.db";
}

std::string Context::Home() const {
  if (auto env = getenv("RECTIFY_HOME"); env && !env->empty()) return *env;
  return RECTIFY_DEFAULT_HOME;
}

Format Context::format() const {
  if (format_name == "json") return Format::kJson;
  if (format_name == "jsonl") return Format::kJsonl;
  if (format_name == "csv") return Format::kCsv;
  return Format::kText;
}

void Context::Fail(const Error& error) {
  err << "rectify: error: " << error.message() << "\n";
  exit_code = error.ExitCode();
}

void Context::UsageError(const std::string& message) {
  err << "rectify: usage error: " << message << "\n";
  exit_code = 2;
}

void SupportFormats(Context& ctx, const CLI::App* cmd, std::vector<std::string> formats) {
  ctx.formats[cmd] = std::move(formats);
}

namespace {

// A --format the chosen command does not print: refused before the command runs.
struct FormatRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void CheckFormat(const CLI::App& app, const Context& ctx) {
  if (ctx.format_name == "text") return;
  const CLI::App* command = &app;
  std::string name = "rectify";
  while (!command->get_subcommands().empty()) {
    command = command->get_subcommands().front();
    name += " " + command->get_name();
  }
  std::vector<std::string> formats{"text"};
  if (auto it = ctx.formats.find(command); it != ctx.formats.end()) {
    formats.insert(formats.end(), it->second.begin(), it->second.end());
  }
  if (std::find(formats.begin(), formats.end(), ctx.format_name) != formats.end()) return;
  std::string list;
  for (std::size_t i = 0; i < formats.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + formats[i];
  }
  throw FormatRefused("--format " + ctx.format_name + ": " + name + " prints " + list +
                      (formats.size() == 1 ? " only" : ""));
}

}  // namespace

int Run(const std::vector<std::string>& args, Context& ctx) {
  CLI::App app{
      "Rectify: a workflow and deadline-tracking engine for rectification campaigns.\n"
      "Databases are named by URL: sqlite:PATH, sqlite::memory: or "
      "postgresql://user:pass@host:port/db.",
      "rectify"};
  app.set_version_flag("--version", std::string("rectify ") + RECTIFY_VERSION);
  app.add_option("--db", ctx.db_url,
                 "Database URL (default: $RECTIFY_DB, else sqlite:var/rectify.db)");
  app.add_option("--format", ctx.format_name, "Output format where output is data")
      ->check(CLI::IsMember({"text", "json", "jsonl", "csv", "mermaid", "html", "pdf"}));
  app.require_subcommand(1);
  app.fallthrough();
  RegisterCommands(app, ctx);
  // After parsing, before the chosen command's callback runs.
  app.parse_complete_callback([&app, &ctx] { CheckFormat(app, ctx); });

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    ctx.out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    ctx.out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    ctx.out << "rectify " << RECTIFY_VERSION << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // Say which command's help to read: the deepest subcommand that was recognised.
    std::string command = "rectify";
    for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
      sub = sub->get_subcommands().front();
      command += " " + sub->get_name();
    }
    std::string help_hint = " (run '" + command + " --help' for its commands and options)";
    // CLI11 reports an unknown subcommand or option before any subcommand as "a subcommand is
    // required"; name what was not understood instead.
    std::vector<std::string> extra = app.remaining();
    if (app.get_subcommands().empty() && !extra.empty()) {
      bool option = extra.front().rfind('-', 0) == 0;
      ctx.UsageError((option ? "unknown option '" : "unknown command '") + extra.front() + "'" +
                     help_hint);
      return ctx.exit_code;
    }
    std::string what = e.what();
    if (what.empty()) what = e.get_name();
    ctx.UsageError(what + help_hint);
    return ctx.exit_code;
  } catch (const FormatRefused& e) {
    ctx.UsageError(e.what());
    return ctx.exit_code;
  } catch (const std::exception& e) {
    ctx.Fail(Error::Internal(e.what()));
    return ctx.exit_code;
  }
  return ctx.exit_code;
}

}  // namespace rectify::cli
