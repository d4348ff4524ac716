// Text put into an HTML document (letters, bulletins): & < > " written as entities, so that a
// title or a reason never becomes markup.
//
//   out += "<td>" + EscapeHtml(item.title) + "</td>";
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace rectify {

std::string EscapeHtml(std::string_view s);

}  // namespace rectify
