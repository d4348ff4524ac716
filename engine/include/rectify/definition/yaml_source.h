// Reading YAML definition files safely.
//
// Definition files come from people, and a YAML parser is an attack surface: a file can be huge,
// nested deeper than any stack, or an "alias bomb" (billion laughs: ten aliases of ten aliases of
// ... a small node, a few hundred bytes that expand to billions of nodes). yaml-cpp shares an
// aliased node instead of copying it, so the parse itself is cheap, but any walk over the tree
// (validation, hashing, compiling) would visit every expansion. So before building the tree we
// stream the file through yaml-cpp's event parser and count what a walk would see: the expanded
// node count and the expanded nesting depth. A file over a limit is refused with a positioned
// error and never reaches the walkers.
//
//   Diagnostics diags;
//   std::vector<YamlDocument> docs = ReadYamlFile("workflows/items.yaml", {}, diags);
//   for (const YamlDocument& d : docs) Use(d.root);   // every error is in diags
//
// Thread-safety: free functions over values; safe to call from several threads at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/diagnostics.h"

namespace rectify::definition {

struct YamlLimits {
  std::size_t max_file_bytes = std::size_t{4} << 20;  // 4 MiB: the Xinshao org tree is ~100 KiB
  int max_depth = 64;                                 // nesting of mappings and sequences
  std::size_t max_nodes = 200000;                     // nodes after expanding every alias
};

// One document of a (possibly multi-document, `---`-separated) YAML file.
struct YamlDocument {
  std::string file;
  YAML::Node root;
  int index = 0;  // 0-based position of the document in its file
  // The whole text of `file` as it was read (every document of a file shares it): what the
  // registry stores as the definition's source. Null for a document built without text.
  std::shared_ptr<const std::string> text;
};

// Reads and parses `path`. Problems (unreadable, too large, syntax, too deep, alias bomb) go to
// `diags` as errors positioned in the file, and no document is returned for that file.
std::vector<YamlDocument> ReadYamlFile(const std::string& path, const YamlLimits& limits,
                                       Diagnostics& diags);

// The same for text already in memory; `file` names it in messages.
std::vector<YamlDocument> ParseYamlText(std::string_view text, const std::string& file,
                                        const YamlLimits& limits, Diagnostics& diags);

// The 1-based position of `node` in `file` (line and column 0 when the node has no mark).
SourcePos PosOf(const YAML::Node& node, const std::string& file);

}  // namespace rectify::definition
