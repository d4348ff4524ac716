// A bulletin as PDF pages (bulletin_document.h).
#include "adapters/http/api/bulletin_document.h"

#include <cairo-pdf.h>

#include <algorithm>
#include <vector>

#include "adapters/http/api/page_drawing.h"
#include "rectify/engine/bulletin.h"

namespace rectify::api {
namespace {

constexpr double kMargin = 56;
constexpr double kWidth = kA4Width - 2 * kMargin;
constexpr double kBottom = kA4Height - 64;

// Draws top to bottom, starting a new page when the next block does not fit.
class Pages {
 public:
  explicit Pages(cairo_t* cr) : cr_(cr) {}

  double y() const { return y_; }
  void Skip(double points) { y_ += points; }

  void Text(const std::string& text, double size, bool bold, PangoAlignment align) {
    LayoutPtr layout = TextLayout(cr_, text, size, bold, kWidth, align);
    Fit(LayoutHeight(layout.get()));
    cairo_move_to(cr_, kMargin, y_);
    pango_cairo_show_layout(cr_, layout.get());
    y_ += LayoutHeight(layout.get()) + 4;
  }

  // One row of a table: each cell wrapped to its column, a rule under the row.
  void Row(const std::vector<std::string>& cells, const std::vector<double>& widths, bool bold) {
    std::vector<LayoutPtr> layouts;
    double height = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      layouts.push_back(TextLayout(cr_, cells[i], 9, bold, widths[i] - 4, PANGO_ALIGN_LEFT));
      height = std::max(height, LayoutHeight(layouts.back().get()));
    }
    Fit(height + 4);
    double x = kMargin;
    for (std::size_t i = 0; i < layouts.size(); ++i) {
      cairo_move_to(cr_, x + 2, y_ + 2);
      pango_cairo_show_layout(cr_, layouts[i].get());
      x += widths[i];
    }
    y_ += height + 4;
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kMargin + kWidth, y_);
    cairo_stroke(cr_);
  }

 private:
  void Fit(double height) {
    if (y_ + height <= kBottom || y_ <= kMargin) return;
    cairo_show_page(cr_);
    y_ = kMargin;
  }

  cairo_t* cr_;
  double y_ = kMargin;
};

// Column widths: the problem's title (the widest text) gets what the others leave.
std::vector<double> Widths(const std::vector<std::string>& header) {
  const std::size_t n = header.size();
  if (n == 0) return {};
  std::vector<double> w(n, 0);
  std::size_t wide = n >= 3 ? 2 : n - 1;
  double narrow = n > 1 ? std::min(80.0, kWidth * 0.5 / static_cast<double>(n - 1)) : 0;
  for (std::size_t i = 0; i < n; ++i) w[i] = i == wide ? 0 : narrow;
  w[wide] = kWidth - narrow * static_cast<double>(n - 1);
  return w;
}

}  // namespace

Result<std::string> DrawBulletinPdf(const boost::json::object& content, const std::string& lang) {
  const engine::BulletinOutline o = engine::OutlineBulletin(content, lang);
  std::string out;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(AppendToString, &out, kA4Width, kA4Height);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                 (o.number_label + " " + o.title).c_str());
  cairo_t* cr = cairo_create(surface);
  {
    Pages pages(cr);
    // The red head of a document of the supervision bodies (红头文件).
    const auto* campaign = content.if_contains("campaign_title");
    std::string head = campaign && campaign->is_string() ? std::string(campaign->as_string()) : "";
    cairo_set_source_rgb(cr, 0.78, 0.09, 0.12);
    pages.Text(lang == "en" ? "Bulletin of " + head : head + "通报", 20, true, PANGO_ALIGN_CENTER);
    pages.Text(o.number_label, 12, false, PANGO_ALIGN_CENTER);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, kMargin, pages.y());
    cairo_line_to(cr, kMargin + kWidth, pages.y());
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    pages.Skip(12);
    pages.Text(o.title, 16, true, PANGO_ALIGN_CENTER);
    pages.Text((lang == "en" ? "Scope: " : "通报范围：") + o.scope, 10, false, PANGO_ALIGN_LEFT);
    for (const engine::BulletinSection& s : o.sections) {
      pages.Skip(6);
      pages.Text(s.heading, 12, true, PANGO_ALIGN_LEFT);
      for (const std::string& l : s.lines) pages.Text(l, 10, false, PANGO_ALIGN_LEFT);
      if (s.rows.empty()) continue;
      std::vector<double> widths = Widths(s.header);
      pages.Row(s.header, widths, true);
      for (const auto& row : s.rows) pages.Row(row, widths, false);
    }
    pages.Skip(24);
    pages.Text(o.issuer + "\n" + o.issued_on, 11, false, PANGO_ALIGN_RIGHT);
  }
  cairo_status_t drawn = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);  // the PDF is written out here
  if (drawn == CAIRO_STATUS_SUCCESS) drawn = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (drawn != CAIRO_STATUS_SUCCESS) {
    return Error::Internal(std::string("drawing the bulletin failed: ") +
                           cairo_status_to_string(drawn));
  }
  return out;
}

}  // namespace rectify::api
