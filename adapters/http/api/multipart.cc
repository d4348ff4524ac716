#include "adapters/http/api/multipart.h"

#include <algorithm>
#include <cctype>

#include "rectify/utf8.h"

namespace rectify::api {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The parameters of a header value such as `form-data; name="a"; filename*=UTF-8''b`: the first
// token (lower case) and the parameters (names lower case, values unquoted).
struct HeaderValue {
  std::string token;
  std::map<std::string, std::string> params;
};

Result<HeaderValue> ParseParams(std::string_view v, std::string_view header) {
  HeaderValue out;
  std::size_t i = 0;
  auto bad = [&](const std::string& what) {
    return Error::BadInput(std::string(header) + ": " + what);
  };
  std::size_t semi = v.find(';');
  out.token = Lower(Trim(v.substr(0, semi)));
  i = semi == std::string_view::npos ? v.size() : semi + 1;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == ';')) ++i;
    if (i >= v.size()) break;
    std::size_t eq = v.find('=', i);
    if (eq == std::string_view::npos) return bad("a parameter without '=' (write name=value)");
    std::string name = Lower(Trim(v.substr(i, eq - i)));
    if (name.empty()) return bad("a parameter without a name");
    i = eq + 1;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      ++i;
      bool closed = false;
      while (i < v.size()) {
        char c = v[i++];
        if (c == '\\' && i < v.size()) {
          value += v[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return bad("the quoted value of " + name + " is not closed");
    } else {
      std::size_t end = v.find(';', i);
      if (end == std::string_view::npos) end = v.size();
      value = std::string(Trim(v.substr(i, end - i)));
      i = end;
    }
    out.params[name] = std::move(value);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An RFC 5987 ext-value: charset'language'percent-encoded. Only UTF-8 (and its ASCII subset).
Result<std::string> DecodeExtValue(std::string_view v) {
  auto bad = Error::BadInput(
      "Content-Disposition: filename* must be UTF-8''percent-encoded-name (RFC 5987)");
  std::size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return bad;
  std::size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return bad;
  std::string charset = Lower(v.substr(0, q1));
  if (charset != "utf-8" && charset != "us-ascii") return bad;
  std::string out;
  for (std::size_t i = q2 + 1; i < v.size(); ++i) {
    if (v[i] == '%') {
      if (i + 2 >= v.size()) return bad;
      int hi = HexValue(v[i + 1]), lo = HexValue(v[i + 2]);
      if (hi < 0 || lo < 0) return bad;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

// The headers of one part (the text between a delimiter line and the blank line).
Result<MultipartPart> ParsePartHeaders(std::string_view text, std::size_t index) {
  MultipartPart part;
  std::string where = "part " + std::to_string(index + 1);
  std::vector<std::string> lines;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find("\r\n", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(i, end - i);
    i = end + 2;
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      if (lines.empty()) return Error::BadInput(where + ": a header line starts with a space");
      lines.back() += " " + std::string(Trim(line));
      continue;
    }
    lines.emplace_back(line);
  }
  for (const auto& line : lines) {
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Error::BadInput(where + ": a header line without 'Name:' (" +
                             std::string(line.substr(0, 40)) + ")");
    }
    part.headers[Lower(Trim(std::string_view(line).substr(0, colon)))] =
        std::string(Trim(std::string_view(line).substr(colon + 1)));
  }
  auto cd = part.headers.find("content-disposition");
  if (cd == part.headers.end()) {
    return Error::BadInput(where +
                           ": no Content-Disposition header (each part needs "
                           "Content-Disposition: form-data; name=\"...\")");
  }
  auto value = ParseParams(cd->second, where + ": Content-Disposition");
  if (!value) return value.error();
  if (value->token != "form-data") {
    return Error::BadInput(where + ": Content-Disposition must be form-data, not '" + value->token +
                           "'");
  }
  auto name = value->params.find("name");
  if (name == value->params.end()) {
    return Error::BadInput(where + ": Content-Disposition has no name=\"...\"");
  }
  part.name = name->second;
  if (auto ext = value->params.find("filename*"); ext != value->params.end()) {
    auto decoded = DecodeExtValue(ext->second);
    if (!decoded) return decoded.error().WithContext(where);
    part.filename = *decoded;
  } else if (auto plain = value->params.find("filename"); plain != value->params.end()) {
    part.filename = plain->second;
  }
  if (auto ct = part.headers.find("content-type"); ct != part.headers.end()) {
    part.content_type = ct->second;
  }
  return part;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto value = ParseParams(content_type, "Content-Type");
  if (!value) return value.error();
  if (value->token != "multipart/form-data") {
    return Error::BadInput("Content-Type: send the files as multipart/form-data (curl -F), not '" +
                           (value->token.empty() ? std::string("nothing") : value->token) + "'");
  }
  auto b = value->params.find("boundary");
  if (b == value->params.end() || b->second.empty() || b->second.size() > 70) {
    return Error::BadInput(
        "Content-Type: multipart/form-data needs a boundary of 1 to 70 characters");
  }
  return b->second;
}

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type,
                                                  std::string_view body) {
  auto boundary = MultipartBoundary(content_type);
  if (!boundary) return boundary.error();
  const std::string dash = "--" + *boundary;
  const std::string delimiter = "\r\n" + dash;
  // The first delimiter: at the very start, or after a preamble ending in CRLF.
  std::size_t pos;
  if (StartsWith(body, dash)) {
    pos = dash.size();
  } else {
    std::size_t found = body.find(delimiter);
    if (found == std::string_view::npos) {
      return Error::BadInput("the body has no multipart delimiter --" + *boundary +
                             " (is the boundary in Content-Type the one the body uses?)");
    }
    pos = found + delimiter.size();
  }
  std::vector<MultipartPart> parts;
  while (true) {
    // After a delimiter: "--" ends the body; else optional padding and CRLF start a part.
    if (body.substr(pos, 2) == "--") return parts;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") {
      return Error::BadInput("part " + std::to_string(parts.size() + 1) +
                             ": the delimiter line does not end with CRLF");
    }
    pos += 2;
    std::size_t headers_end;
    if (body.substr(pos, 2) == "\r\n") {
      headers_end = pos;  // no headers at all: refused below for want of Content-Disposition
    } else {
      headers_end = body.find("\r\n\r\n", pos);
      if (headers_end == std::string_view::npos) {
        return Error::BadInput("part " + std::to_string(parts.size() + 1) +
                               ": its headers do not end with a blank line (the body was cut "
                               "short?)");
      }
    }
    auto part = ParsePartHeaders(body.substr(pos, headers_end - pos), parts.size());
    if (!part) return part.error();
    std::size_t content = headers_end + (headers_end == pos ? 2 : 4);
    std::size_t next = body.find(delimiter, content);
    if (next == std::string_view::npos) {
      return Error::BadInput("the body ends without its final delimiter --" + *boundary +
                             "-- (it was cut short; send it again)");
    }
    part->body = std::string(body.substr(content, next - content));
    parts.push_back(std::move(*part));
    pos = next + delimiter.size();
  }
}

Result<std::string> CheckFileName(std::string_view name) {
  if (name.empty()) return Error::BadInput("the file name is empty; give the file a name");
  if (name.size() > kMaxFileNameBytes) {
    return Error::BadInput("the file name is longer than " + std::to_string(kMaxFileNameBytes) +
                           " bytes; shorten it");
  }
  if (FirstInvalidUtf8(name) != std::string_view::npos) {
    return Error::BadInput("the file name is not valid UTF-8; rename the file");
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c == '/' || c == '\\') {
      return Error::BadInput("the file name '" + std::string(name) +
                             "' contains a path separator (/ or \\); send the file's name "
                             "alone, without folders");
    }
    bool c1 = c == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(name[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      return Error::BadInput(
          "the file name contains a control character (or NUL); rename the file");
    }
  }
  if (name.find("..") != std::string_view::npos || name == ".") {
    return Error::BadInput("the file name '" + std::string(name) +
                           "' contains '..'; rename the file");
  }
  return std::string(name);
}

namespace {

bool PlainUtf8Text(std::string_view bytes) {
  if (FirstInvalidUtf8(bytes) != std::string_view::npos) return false;
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> SniffType(std::string_view b) {
  if (b.empty()) return std::nullopt;
  if (StartsWith(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(b, std::string_view("\x89PNG\r\n\x1A\n", 8))) return "image/png";
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return "image/gif";
  if (b.size() >= 12 && StartsWith(b, "RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
  if (StartsWith(b, "%PDF-")) return "application/pdf";
  if (StartsWith(b, std::string_view("PK\x03\x04", 4))) {
    // An Office Open XML package is a ZIP with [Content_Types].xml and a part folder named for
    // its kind; the names are stored uncompressed in the local headers.
    if (b.find("[Content_Types].xml") != std::string_view::npos) {
      if (b.find("word/") != std::string_view::npos) {
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
      }
      if (b.find("xl/") != std::string_view::npos) {
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      }
      if (b.find("ppt/") != std::string_view::npos) {
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
      }
    }
    return "application/zip";
  }
  // A UTF-8 byte order mark is allowed in front of a text.
  std::string_view text = StartsWith(b, "\xEF\xBB\xBF") ? b.substr(3) : b;
  if (PlainUtf8Text(text)) return "text/plain; charset=utf-8";
  return std::nullopt;
}

std::string AcceptedTypes() {
  return "JPEG, PNG, GIF, WebP images, PDF, Word/Excel/PowerPoint (.docx, .xlsx, .pptx), ZIP "
         "and plain UTF-8 text";
}

std::string ExtensionOf(std::string_view type) {
  static const std::pair<std::string_view, std::string_view> kExt[] = {
      {"image/jpeg", "jpg"},
      {"image/png", "png"},
      {"image/gif", "gif"},
      {"image/webp", "webp"},
      {"application/pdf", "pdf"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
      {"application/zip", "zip"},
      {"text/plain; charset=utf-8", "txt"},
  };
  for (const auto& [t, e] : kExt) {
    if (t == type) return std::string(e);
  }
  return "bin";
}

}  // namespace rectify::api
