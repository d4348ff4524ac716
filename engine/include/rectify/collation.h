// The order of names people read: Chinese in pinyin order, as a county office lists its units and
// cadres (长塘 chang < 太平 tai < 土桥 tu), not in the order of their UTF-8 bytes (太 < 土 < 长).
//
//   std::sort(rows.begin(), rows.end(),
//             [](const Row& a, const Row& b) { return NameLess(a.unit_path, b.unit_path); });
//
// It is ICU's collation for the "zh" locale (pinyin; Latin letters and digits sort as usual among
// them), with 长 read cháng as in place names (长塘, 长沙) where ICU reads it zhǎng. Every report
// and export that sorts by a name a person sees uses it, and only it.
//
// Thread-safety: safe from any thread (one collator per thread).
#pragma once

#include <string_view>

namespace rectify {

// Whether `a` comes before `b` in pinyin order; ties (equal under collation) fall back to the
// bytes, so the order is total and the same on every run.
bool NameLess(std::string_view a, std::string_view b);

}  // namespace rectify
