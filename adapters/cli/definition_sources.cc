#include "adapters/cli/definition_sources.h"

namespace rectify::cli {

void AddDefinitionOptions(CLI::App* cmd, DefinitionSources& sources) {
  cmd->add_option("--definitions", sources.folders,
                  "A county's folder (or file) of definitions, loaded with the shipped library "
                  "(<RECTIFY_HOME>/workflows); repeat for several; more in $RECTIFY_DEFINITIONS "
                  "(DIR:DIR)")
      ->allow_extra_args(false);  // one folder per --definitions: a positional argument stays one
  cmd->add_flag("--no-library", sources.no_library,
                "Leave the shipped library out: only --definitions and $RECTIFY_DEFINITIONS");
}

std::vector<std::string> DefinitionPaths::All() const {
  std::vector<std::string> all = county;
  if (!library.empty()) all.push_back(library);
  return all;
}

std::string DefinitionPaths::Describe() const {
  std::string text;
  if (!library.empty()) text = "the shipped library (" + library + ")";
  for (std::size_t i = 0; i < county.size(); ++i) {
    if (!text.empty()) text += i + 1 == county.size() ? " and " : ", ";
    text += county[i];
  }
  return text.empty() ? "no definitions (--no-library and no --definitions)" : text;
}

DefinitionPaths ResolveDefinitionPaths(const Context& ctx, const DefinitionSources& sources) {
  DefinitionPaths paths;
  paths.county = sources.folders;
  if (auto env = ctx.getenv("RECTIFY_DEFINITIONS"); env) {
    std::string_view rest = *env;
    while (!rest.empty()) {
      std::size_t colon = rest.find(':');
      std::string_view folder = rest.substr(0, colon);
      if (!folder.empty()) paths.county.emplace_back(folder);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (!sources.no_library) paths.library = ctx.Home() + "/workflows";
  return paths;
}

Result<std::shared_ptr<const definition::DefinitionSet>> LoadDefinitionSources(
    const Context& ctx, const DefinitionSources& sources, Diagnostics& diags,
    const std::vector<std::string>& files) {
  DefinitionPaths paths = ResolveDefinitionPaths(ctx, sources);
  std::vector<std::string> named = files;
  named.insert(named.end(), paths.county.begin(), paths.county.end());
  definition::LoadOptions options;
  if (!paths.library.empty()) options.library = {paths.library};
  auto set = definition::LoadDefinitions(named, diags, options);
  if (!set) {
    std::string all;
    for (const auto& p : files) all += " " + p;
    for (const auto& p : paths.All()) all += " " + p;
    std::size_t n = diags.error_count();
    return Error::BadInput("the definitions (" + paths.Describe() + ") have " + std::to_string(n) +
                           (n == 1 ? " error" : " errors") + "; fix them (rectify validate" + all +
                           ")");
  }
  return set;
}

Result<std::shared_ptr<const definition::DefinitionSet>> LoadDefinitionSources(
    Context& ctx, const DefinitionSources& sources, const std::vector<std::string>& files) {
  Diagnostics diags;
  auto set = LoadDefinitionSources(static_cast<const Context&>(ctx), sources, diags, files);
  if (!set) {
    diags.Sort();
    for (const auto& d : diags.items()) {
      if (d.severity != Severity::kNote) ctx.err << d.Format() << "\n";
    }
  }
  return set;
}

Error NotLoaded(const Context& ctx, const DefinitionSources& sources, std::string_view what) {
  return Error::NotFound(std::string(what) + " is not in the loaded definitions (" +
                         ResolveDefinitionPaths(ctx, sources).Describe() +
                         "); add the folder that defines it with --definitions DIR or "
                         "RECTIFY_DEFINITIONS=DIR");
}

}  // namespace rectify::cli
