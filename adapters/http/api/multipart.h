// multipart/form-data (RFC 7578 over RFC 2046) as the evidence upload receives it, and the checks
// an uploaded file goes through before anything is stored: its display name and its type, found
// from its bytes (the client's declared type is not trusted).
//
//   auto parts = ParseMultipart(request.Header("content-type"), request.body);
//   for (const MultipartPart& p : *parts) if (p.filename) { ... p.body ... }
//   Result<std::string> name = CheckFileName(*p.filename);   // "整改照片.jpg", or kBadInput
//   std::optional<std::string> type = SniffType(p.body);     // "image/jpeg", or nullopt
//
// Pure functions over their arguments (no I/O, no allocation beyond the result), so a fuzzer can
// call them with anything. Errors are kBadInput with a message that says what is wrong.
//
// The parser follows the RFC where clients agree and is lenient where they differ: a delimiter is
// "--boundary" at the start of the body or after CRLF (the boundary inside content is content);
// anything before the first delimiter (a preamble) and after the last (an epilogue) is ignored;
// transport padding (spaces, tabs) after a delimiter is allowed; header lines end with CRLF, and a
// line starting with a space or tab continues the previous one (obsolete folding); header names
// are case-insensitive. A body without its final "--boundary--" is refused: it was cut short.
// `filename*=UTF-8''percent-encoded` (RFC 5987/8187) wins over `filename=`; a quoted filename may
// escape `"` and `\` with a backslash.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/result.h"

namespace rectify::api {

struct MultipartPart {
  std::map<std::string, std::string> headers;  // names in lower case, values trimmed
  std::string name;                            // the form field's name
  std::optional<std::string> filename;         // present for a file part
  std::string content_type;                    // as declared (not trusted), or empty
  std::string body;
};

// The boundary of a `Content-Type: multipart/form-data; boundary=...` value; kBadInput when the
// type is not multipart/form-data or the boundary is missing or not 1 to 70 characters.
Result<std::string> MultipartBoundary(std::string_view content_type);

// The parts of `body`; kBadInput when the type, the boundary, a delimiter, a part's headers or
// its Content-Disposition are malformed, or the final delimiter is missing.
Result<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type,
                                                  std::string_view body);

// The longest display name accepted, in bytes.
inline constexpr std::size_t kMaxFileNameBytes = 255;

// `name` when it is a plain display name: valid UTF-8, not empty, at most kMaxFileNameBytes,
// without '/', '\', NUL or other control characters, not "." or ".." nor containing "..".
// kBadInput otherwise, naming the problem.
Result<std::string> CheckFileName(std::string_view name);

// The type of a file by its first bytes: image/jpeg, image/png, image/gif, image/webp,
// application/pdf, the Office Open XML types (docx, xlsx, pptx: a ZIP whose entries say so),
// application/zip, and text/plain; charset=utf-8 (valid UTF-8 without control characters other
// than tab, CR, LF, FF). nullopt for anything else (an executable, an empty file).
std::optional<std::string> SniffType(std::string_view bytes);

// What SniffType accepts, for messages: "JPEG, PNG, GIF, WebP, PDF, ...".
std::string AcceptedTypes();

// The file extension that fits a type ("jpg" for image/jpeg), for a safe download name; "bin"
// when none.
std::string ExtensionOf(std::string_view type);

}  // namespace rectify::api
