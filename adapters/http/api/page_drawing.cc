// The printed documents' shared drawing (page_drawing.h).
#include "adapters/http/api/page_drawing.h"

namespace rectify::api {

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

LayoutPtr TextLayout(cairo_t* cr, const std::string& text, double size, bool bold, double width,
                     PangoAlignment align) {
  LayoutPtr layout(pango_cairo_create_layout(cr), g_object_unref);
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, "Noto Sans CJK SC");
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_alignment(layout.get(), align);
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
  return layout;
}

double LayoutHeight(PangoLayout* layout) {
  int width = 0, height = 0;
  pango_layout_get_size(layout, &width, &height);
  return static_cast<double>(height) / PANGO_SCALE;
}

double DrawText(cairo_t* cr, const std::string& text, double size, bool bold, double left,
                double top, double width, PangoAlignment align) {
  LayoutPtr layout = TextLayout(cr, text, size, bold, width, align);
  cairo_move_to(cr, left, top);
  pango_cairo_show_layout(cr, layout.get());
  return top + LayoutHeight(layout.get());
}

}  // namespace rectify::api
