// Evidence files named on the command line (item act --evidence, assessment mark --evidence):
// recorded by name, size and SHA-256.
#include "adapters/cli/evidence_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/definition/canonical.h"
#include "rectify/engine/assessment.h"
#include "rectify/sha256.h"

namespace rectify::cli {

// A file is recorded by name, size and SHA-256 (its content stays where it is). A path that is
// no readable file is refused rather than recorded as text: a mistyped name would otherwise
// pass for evidence; a text is given with --evidence-text.
Result<std::string> EvidenceFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error::BadInput("no file " + path + "; to record a text, use --evidence-text");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::BadInput("cannot read " + path + "; check its permissions");
  std::ostringstream s;
  s << in.rdbuf();
  std::string bytes = s.str();
  return engine::EvidenceFileText(std::filesystem::path(path).filename().string(),
                                  static_cast<std::int64_t>(bytes.size()), Sha256Hex(bytes));
}

}  // namespace rectify::cli
