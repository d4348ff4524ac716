// The public's QR-code poster for a unit (GET /api/v1/units/{unit}/poster.png|pdf): the unit's
// name, a line of instructions, a QR code of the public report address for that unit, and the
// address written out for those who cannot scan. The code is made with libqrencode, the page drawn
// with cairo and pango (text in Noto Sans CJK, Debian's fonts-noto-cjk) as one A4 page.
//
// Thread-safety: pure functions; cairo, pango and libqrencode are used on the calling thread only.
#pragma once

#include <string>

#include "rectify/result.h"

namespace rectify::api {

struct PosterText {
  std::string unit_name;     // "酿溪镇"
  std::string url;           // what the code holds: https://example.gov.cn/report?unit=niangxi
  std::string instructions;  // the line under the name
  std::string footer;        // a small line at the foot (who put it up)
};

enum class PosterFormat { kPng, kPdf };

// The poster's bytes: a PNG of 1240 x 1754 pixels (A4 at 150 dpi), or a PDF of one A4 page.
// kInternal when the code or the drawing fails (an address too long for a QR code is kBadInput).
Result<std::string> DrawPoster(const PosterText& text, PosterFormat format);

}  // namespace rectify::api
