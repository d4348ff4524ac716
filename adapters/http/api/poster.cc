// The unit's QR-code poster as PNG or PDF (poster.h).
#include "adapters/http/api/poster.h"

#include <cairo-pdf.h>
#include <qrencode.h>

#include <memory>

#include "adapters/http/api/page_drawing.h"

namespace rectify::api {
namespace {

constexpr double kPageWidth = kA4Width, kPageHeight = kA4Height;
constexpr double kPngScale = 150.0 / 72.0;  // the PNG is drawn at 150 dpi

// Text centred across the page at `top`, `size` points, wrapped to the margins; returns its
// bottom.
double Centred(cairo_t* cr, const std::string& text, double size, bool bold, double top) {
  const double margin = 56;
  return DrawText(cr, text, size, bold, margin, top, kPageWidth - 2 * margin, PANGO_ALIGN_CENTER);
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
    surface = cairo_pdf_surface_create_for_stream(AppendToString, &out, kPageWidth, kPageHeight);
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
    drawn = cairo_surface_write_to_png_stream(surface, AppendToString, &out);
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
