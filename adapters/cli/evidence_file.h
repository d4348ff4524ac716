// Evidence files named on the command line, shared by the commands that take --evidence.
#pragma once

#include <string>

#include "rectify/result.h"

namespace rectify::cli {

// "file 照片.jpg (2048 bytes, sha256 ...)". A file is recorded by name, size and SHA-256 (its
// content stays where it is); a path that is no readable file is refused (kBadInput).
Result<std::string> EvidenceFile(const std::string& path);

}  // namespace rectify::cli
