#include "rectify/collation.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <memory>

namespace rectify {

namespace {

// Null when ICU has no collator for "zh" (no data): names then sort by their bytes.
const icu::Collator* Pinyin() {
  thread_local std::unique_ptr<icu::Collator> collator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> c(icu::Collator::createInstance(icu::Locale("zh"), status));
    if (U_FAILURE(status)) c.reset();
    return c;
  }();
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
