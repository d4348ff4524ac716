#include "rectify/collation.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/tblcoll.h>
#include <unicode/unistr.h>

#include <memory>

namespace rectify {

namespace {

// ICU's pinyin order reads a character with several readings by its commonest: 长 as zhǎng
// (长官), where names of places and units read it cháng (长沙, 长塘镇). Names are what is sorted
// here, so 长 sorts with 常 (cháng).
constexpr const char16_t* kNameReadings = u"&常<<长";

// Null when ICU has no collator for "zh" (no data): names then sort by their bytes.
std::unique_ptr<icu::Collator> MakePinyin() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> zh(icu::Collator::createInstance(icu::Locale("zh"), status));
  if (U_FAILURE(status)) return nullptr;
  if (auto* rules = dynamic_cast<icu::RuleBasedCollator*>(zh.get())) {
    icu::UnicodeString tailored = rules->getRules();
    tailored.append(icu::UnicodeString(kNameReadings));
    status = U_ZERO_ERROR;
    auto names = std::make_unique<icu::RuleBasedCollator>(tailored, status);
    if (U_SUCCESS(status)) return names;
  }
  return zh;
}

const icu::Collator* Pinyin() {
  thread_local std::unique_ptr<icu::Collator> collator = MakePinyin();
  return collator.get();
}

}  // namespace

bool NameLess(std::string_view a, std::string_view b) {
  if (const icu::Collator* c = Pinyin()) {
    UErrorCode status = U_ZERO_ERROR;
    UCollationResult r =
        c->compareUTF8(icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
                       icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
    if (U_SUCCESS(status) && r != UCOL_EQUAL) return r == UCOL_LESS;
  }
  return a < b;
}

}  // namespace rectify
