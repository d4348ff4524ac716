// Reads a channels file's `unreached:` back for the dispatcher (unreached_policy.h).
#include "adapters/notify/unreached_policy.h"

#include <yaml-cpp/yaml.h>

#include "rectify/definition/yaml_source.h"
#include "rectify/diagnostics.h"

namespace rectify::notify {

Result<UnreachedPolicy> ReadUnreachedPolicy(const definition::DefinitionInfo& info) {
  UnreachedPolicy policy;
  if (info.pos.file.empty()) return policy;  // built in memory (tests): none
  Diagnostics diags;
  auto docs = definition::ReadYamlFile(info.pos.file, {}, diags);
  for (const auto& doc : docs) {
    const YAML::Node& root = doc.root;
    if (!root.IsMap() || !root["kind"] || !root["name"]) continue;
    if (root["kind"].Scalar() != "channels" || root["name"].Scalar() != info.name) continue;
    YAML::Node u = root["unreached"];
    if (!u || !u.IsMap()) return policy;
    policy.enabled = true;
    // Checked when the file was loaded (the channels compiler): only its two keys are here.
    if (u["fallback"]) policy.fallback = u["fallback"].as<bool>(true);
    if (u["report_to"]) policy.report_to = u["report_to"].Scalar();
    return policy;
  }
  return Error::FailedPrecondition("channels '" + info.name + "' was not found again in " +
                                   info.pos.file + " to read its unreached: block");
}

}  // namespace rectify::notify
