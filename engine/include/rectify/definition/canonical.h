// The canonical form of a YAML document and its content hash.
//
// Two files that say the same thing hash the same: the canonical form is a compact JSON-like
// text of the parsed document with mapping keys sorted, aliases expanded and comments, layout
// and quoting dropped. Scalars are kept as the text they were written as (`yes` and `true` stay
// different), so a hash never depends on how this program happens to interpret a value.
//
//   std::string hex = ContentHash(doc.root);   // 64 lowercase hex digits (SHA-256)
//
// Thread-safety: pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace rectify::definition {

std::string CanonicalForm(const YAML::Node& node);
// Sha256Hex(CanonicalForm(node)) (rectify/sha256.h).
std::string ContentHash(const YAML::Node& node);

}  // namespace rectify::definition
