// rectify validate PATH...: checks definition files (or folders of them) as one set and prints
// every problem, positioned, sorted by file and position, then a summary line.
//
//   $ rectify validate workflows/
//   workflows/items.yaml:12:9: error: states.rectifying.on.submit.to: unknown state 'verifyin'
//   (hint: did you mean 'verifying'?) rectify: 1 error, 0 warnings in 14 files
//
// Exit 0 when there is no error (warnings allowed), 1 when there is.
#include <string>
#include <vector>

#include "adapters/cli/cli.h"
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
      "Folders are searched for *.yaml and *.yml and checked as one set, so that names resolve "
      "across files.");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto definitions = std::make_shared<std::vector<std::string>>();
  cmd->add_option("paths", *paths, "Files or folders to check")->required();
  cmd->add_option("--definitions", *definitions,
                  "Also load these files or folders so that names resolve (their problems are "
                  "reported too)");
  cmd->callback([&ctx, paths, definitions] {
    Diagnostics diags;
    std::vector<std::string> all = *definitions;
    all.insert(all.end(), paths->begin(), paths->end());
    std::size_t files = definition::CollectDefinitionFiles(all, diags).size();
    diags = Diagnostics();  // LoadDefinitions collects again and reports missing paths itself
    auto set = definition::LoadDefinitions(all, diags);
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
