// The unit's QR-code poster as PNG or PDF (poster.h).
#include "adapters/http/api/poster.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <memory>

namespace rectify::api {
namespace {

// A4 in points (1/72 inch); the PNG is drawn at 150 dpi.
constexpr double kPageWidth = 595.276, kPageHeight = 841.89;
constexpr double kPngScale = 150.0 / 72.0;

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Text centred across the page at `top`, `size` points, wrapped to the margins; returns its
// bottom.
double Centred(cairo_t* cr, const std::string& text, double size, bool bold, double top) {
  std::unique_ptr<PangoLayout, decltype(&g_object_unref)> layout(pango_cairo_create_layout(cr),
                                                                 g_object_unref);
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, "Noto Sans CJK SC");
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  const double margin = 56;
  pango_layout_set_width(layout.get(), static_cast<int>((kPageWidth - 2 * margin) * PANGO_SCALE));
  pango_layout_set_alignment(layout.get(), PANGO_ALIGN_CENTER);
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
  int width = 0, height = 0;
  pango_layout_get_size(layout.get(), &width, &height);
  cairo_move_to(cr, margin, top);
  pango_cairo_show_layout(cr, layout.get());
  return top + static_cast<double>(height) / PANGO_SCALE;
}

void Draw(cairo_t* cr, const PosterText& text, const QRcode& code) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  // A red band at the head, as notices of the supervision bodies have.
  cairo_set_source_rgb(cr, 0.78, 0.09, 0.12);
  cairo_rectangle(cr, 0, 0, kPageWidth, 24);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  double y = Centred(cr, text.unit_name, 34, true, 80);
  y = Centred(cr, text.instructions, 17, false, y + 20);

  // The code, with the four-module quiet zone the standard asks for.
  const int modules = code.width + 8;
  const double side = 340, cell = side / modules;
  const double left = (kPageWidth - side) / 2, top = y + 36;
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < code.width; ++row) {
    for (int col = 0; col < code.width; ++col) {
      if (code.data[row * code.width + col] & 1) {
        cairo_rectangle(cr, left + (col + 4) * cell, top + (row + 4) * cell, cell, cell);
      }
    }
  }
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  Centred(cr, text.url, 12, false, top + side + 20);
  if (!text.footer.empty()) Centred(cr, text.footer, 11, false, kPageHeight - 80);
}

}  // namespace

Result<std::string> DrawPoster(const PosterText& text, PosterFormat format) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(text.url.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  if (!code) {
    return Error::BadInput("the public report address is too long for a QR code: " + text.url);
  }
  std::string out;
  cairo_surface_t* surface = nullptr;
  if (format == PosterFormat::kPdf) {
    surface = cairo_pdf_surface_create_for_stream(Append, &out, kPageWidth, kPageHeight);
  } else {
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                         static_cast<int>(kPageWidth * kPngScale + 0.5),
                                         static_cast<int>(kPageHeight * kPngScale + 0.5));
  }
  cairo_t* cr = cairo_create(surface);
  if (format == PosterFormat::kPng) cairo_scale(cr, kPngScale, kPngScale);
  Draw(cr, text, *code);
  cairo_status_t drawn = cairo_status(cr);
  cairo_destroy(cr);
  if (format == PosterFormat::kPng && drawn == CAIRO_STATUS_SUCCESS) {
    drawn = cairo_surface_write_to_png_stream(surface, Append, &out);
  }
  cairo_surface_finish(surface);  // a PDF is written out here
  if (drawn == CAIRO_STATUS_SUCCESS) drawn = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (drawn != CAIRO_STATUS_SUCCESS) {
    return Error::Internal(std::string("drawing the poster failed: ") +
                           cairo_status_to_string(drawn));
  }
  return out;
}

}  // namespace rectify::api
