// libFuzzer target for the definition loader: YAML text -> limits pre-scan -> parse -> header ->
// compile -> diagnostics. Any input must end in diagnostics, never in a crash, a hang, a leak
// or unbounded memory. The input is compiled together with a slice of the shipped library
// (a calendar, an org, workflows and escalations), so references across files are exercised.
//
//   scripts/fuzz.sh 30
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/definition_set.h"
#include "rectify/definition/explain.h"

namespace {

using rectify::Diagnostics;
using rectify::definition::YamlDocument;

const std::vector<YamlDocument>& Library() {
  static const std::vector<YamlDocument> docs = [] {
    Diagnostics diags;
    std::vector<YamlDocument> out;
    const std::string root = RECTIFY_SOURCE_DIR "/workflows/";
    for (const char* file :
         {"calendars/cn.yaml", "orgs/hecheng.yaml", "workflows/rectification-item.yaml",
          "workflows/interview-task.yaml", "workflows/materials-submission.yaml",
          "escalations/overdue-rectification.yaml", "escalations/overdue-materials.yaml",
          "assessments/xinshao-monthly.yaml"}) {
      auto d = rectify::definition::ReadYamlFile(root + file, {}, diags);
      out.insert(out.end(), d.begin(), d.end());
    }
    return out;
  }();
  return docs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  rectify::definition::YamlLimits limits;
  limits.max_nodes = 20000;  // keep each run fast; the logic is the same at any limit
  std::vector<YamlDocument> docs = Library();
  auto input = rectify::definition::ParseYamlText(text, "fuzz.yaml", limits, diags);
  docs.insert(docs.end(), input.begin(), input.end());
  auto set = rectify::definition::CompileDocuments(docs, diags);
  diags.Sort();
  std::string formatted = diags.Format();
  if (set.ok()) {
    // Whatever compiled must also render.
    for (const auto& info : (*set)->InFile("fuzz.yaml")) {
      using rectify::definition::Kind;
      if (info.kind == Kind::kWorkflow) {
        auto wf = (*set)->FindWorkflow(info.name, info.version);
        formatted += rectify::definition::ExplainWorkflow(*wf, {});
        formatted += rectify::definition::WorkflowMermaid(*wf);
      } else if (info.kind == Kind::kCampaign) {
        formatted += rectify::definition::ExplainCampaign(
            *(*set)->FindCampaign(info.name, info.version), {});
      }
    }
  }
  // Every problem found must have been put into words.
  if (formatted.empty() && !diags.items().empty()) __builtin_trap();
  return 0;
}
