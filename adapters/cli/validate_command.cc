// rectify validate PATH...: checks definition files (or folders of them) as one set and prints
// every problem, positioned, sorted by file and position, then a summary line.
//
//   $ rectify validate workflows/
//   workflows/items.yaml:12:9: error: states.rectifying.on.submit.to: unknown state 'verifyin'
//   (hint: did you mean 'verifying'?) rectify: 1 error, 0 warnings in 14 files
//
// The files are checked together with the shipped library and any --definitions folders
// (definition_sources.h), as every command loads them.
//
// Exit 0 when there is no error (warnings allowed), 1 when there is.
#include <string>
#include <vector>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"
#include "rectify/definition/definition_set.h"

namespace rectify::cli {

namespace {

std::string Plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void RegisterValidate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "validate",
      "Check definition files (calendars, orgs, workflows, escalations, campaigns, assessments). "
      "Folders are searched for *.yaml and *.yml and checked as one set with the shipped library "
      "and --definitions, so that names resolve across files; a file that replaces one of the "
      "library's is noted.");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto sources = std::make_shared<DefinitionSources>();
  cmd->add_option("paths", *paths, "Files or folders to check")->required();
  AddDefinitionOptions(cmd, *sources);
  cmd->callback([&ctx, paths, sources] {
    Diagnostics diags;
    // The summary counts the files named (PATHs and the county's folders), not the library's.
    std::vector<std::string> named = ResolveDefinitionPaths(ctx, *sources).county;
    named.insert(named.end(), paths->begin(), paths->end());
    std::size_t files = definition::CollectDefinitionFiles(named, diags).size();
    diags = Diagnostics();  // loading collects again and reports missing paths itself
    auto set = LoadDefinitionSources(ctx, *sources, diags, *paths);
    (void)set;
    diags.Sort();
    ctx.err << diags.Format();
    ctx.err << "rectify: " << Plural(diags.error_count(), "error", "errors") << ", "
            << Plural(diags.warning_count(), "warning", "warnings") << " in "
            << Plural(files, "file", "files") << "\n";
    ctx.exit_code = diags.has_errors() ? 1 : 0;
  });
}

}  // namespace rectify::cli
