// What the printed documents of the API share (the unit's poster, poster.h; a bulletin,
// bulletin_document.h): the A4 page, cairo writing its output into a string, and text set in
// Noto Sans CJK (Debian's fonts-noto-cjk) with pango, wrapped to a width.
//
// Thread-safety: pure functions; cairo and pango are used on the calling thread only.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>

namespace rectify::api {

// A4 in points (1/72 inch).
inline constexpr double kA4Width = 595.276, kA4Height = 841.89;

// A cairo write function that appends to the std::string `closure` points to.
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length);

using LayoutPtr = std::unique_ptr<PangoLayout, decltype(&g_object_unref)>;

// `text` laid out for `cr` in Noto Sans CJK SC at `size` points, wrapped to `width` points.
LayoutPtr TextLayout(cairo_t* cr, const std::string& text, double size, bool bold, double width,
                     PangoAlignment align);

// The layout's height in points.
double LayoutHeight(PangoLayout* layout);

// Draws `text` at (left, top) as TextLayout lays it out; returns its bottom.
double DrawText(cairo_t* cr, const std::string& text, double size, bool bold, double left,
                double top, double width, PangoAlignment align);

}  // namespace rectify::api
