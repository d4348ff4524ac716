// UTF-8 checks shared by everything that reads text from outside: ledgers, passwords, request
// bodies. A valid sequence is 1 to 4 bytes with the right continuation bytes and no overlong
// two-byte form.
//
//   if (std::size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) ...   // byte
//   offset
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace rectify {

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// The offset of the first byte that is not UTF-8, or npos.
std::size_t FirstInvalidUtf8(std::string_view text);

}  // namespace rectify
