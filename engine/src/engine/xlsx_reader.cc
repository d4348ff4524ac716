// Reading an XLSX worksheet: minizip over the bytes in memory, expat over each XML part
// (xlsx_reader.h says what is read and how).
#include "rectify/engine/xlsx_reader.h"

#include <date/date.h>
#include <expat.h>
#include <minizip/unzip.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace rectify::engine {

namespace {

constexpr std::size_t kMaxPart = 256u << 20;
constexpr int kMaxRows = 1048576;
constexpr int kMaxColumns = 16384;
// Cells held (a row holds every cell up to its last): a crafted sheet of a few cells far apart on
// many rows would otherwise take gigabytes.
constexpr std::size_t kMaxCells = 10'000'000;

// --- minizip over a buffer: the callbacks of its I/O API, with the buffer as the "file". ---

struct MemoryFile {
  std::string_view bytes;
  std::size_t at = 0;
};

voidpf MemOpen(voidpf opaque, const void*, int) { return opaque; }
uLong MemRead(voidpf, voidpf stream, void* buf, uLong size) {
  auto* f = static_cast<MemoryFile*>(stream);
  std::size_t n = std::min<std::size_t>(size, f->bytes.size() - f->at);
  std::memcpy(buf, f->bytes.data() + f->at, n);
  f->at += n;
  return static_cast<uLong>(n);
}
uLong MemWrite(voidpf, voidpf, const void*, uLong) { return 0; }
ZPOS64_T MemTell(voidpf, voidpf stream) { return static_cast<MemoryFile*>(stream)->at; }
long MemSeek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* f = static_cast<MemoryFile*>(stream);
  std::size_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                     : origin == ZLIB_FILEFUNC_SEEK_CUR ? f->at
                                                        : f->bytes.size();
  if (offset > f->bytes.size() - std::min(base, f->bytes.size())) return -1;
  f->at = base + offset;
  return 0;
}
int MemClose(voidpf, voidpf) { return 0; }
int MemError(voidpf, voidpf) { return 0; }

class Zip {
 public:
  explicit Zip(std::string_view bytes) : file_{bytes} {
    zlib_filefunc64_def f{};
    f.zopen64_file = MemOpen;
    f.zread_file = MemRead;
    f.zwrite_file = MemWrite;
    f.ztell64_file = MemTell;
    f.zseek64_file = MemSeek;
    f.zclose_file = MemClose;
    f.zerror_file = MemError;
    f.opaque = &file_;
    zip_ = unzOpen2_64("workbook", &f);
  }
  ~Zip() {
    if (zip_) unzClose(zip_);
  }
  Zip(const Zip&) = delete;
  Zip& operator=(const Zip&) = delete;
  bool ok() const { return zip_ != nullptr; }

  // The part's bytes; nullopt when the archive has no such part. kBadInput when it cannot be
  // read.
  Result<std::optional<std::string>> Read(const std::string& name) {
    if (unzLocateFile(zip_, name.c_str(), 0) != UNZ_OK) return std::optional<std::string>{};
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK ||
        unzOpenCurrentFile(zip_) != UNZ_OK) {
      return Error::BadInput("the workbook's part " + name + " cannot be read (a damaged file?)");
    }
    std::string out;
    char buf[65536];
    int n = 0;
    while ((n = unzReadCurrentFile(zip_, buf, sizeof buf)) > 0) {
      if (out.size() + static_cast<std::size_t>(n) > kMaxPart) {
        unzCloseCurrentFile(zip_);
        return Error::BadInput("the workbook's part " + name +
                               " is larger than 256 MiB unzipped; split the workbook");
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    bool crc_ok = unzCloseCurrentFile(zip_) == UNZ_OK;
    if (n < 0 || !crc_ok) {
      return Error::BadInput("the workbook's part " + name +
                             " is damaged (it does not unzip); save the workbook again");
    }
    return std::optional<std::string>(std::move(out));
  }

 private:
  MemoryFile file_;
  unzFile zip_ = nullptr;
};

// --- expat, with namespaces resolved: handlers see local names ("c", "v", "si"). ---

struct Element {
  std::string_view name;                                  // local name
  std::map<std::string, std::string, std::less<>> attrs;  // by local name (r:id -> "id")
  std::string Attr(std::string_view n) const {
    auto it = attrs.find(n);
    return it == attrs.end() ? std::string() : it->second;
  }
};

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  auto sp = n.rfind(' ');
  return sp == std::string_view::npos ? n : n.substr(sp + 1);
}

struct XmlHandlers {
  std::function<void(const Element&)> start;
  std::function<void(std::string_view)> end;
  std::function<void(std::string_view)> text;
};

Status ParseXml(const std::string& part, const std::string& xml, XmlHandlers& h) {
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, ' '), XML_ParserFree);
  if (!parser) return Error::Internal("expat: out of memory");
  XML_SetUserData(parser.get(), &h);
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const XML_Char* name, const XML_Char** atts) {
        auto* hs = static_cast<XmlHandlers*>(data);
        if (!hs->start) return;
        Element e;
        e.name = LocalName(name);
        for (int i = 0; atts[i]; i += 2) e.attrs.emplace(LocalName(atts[i]), atts[i + 1]);
        hs->start(e);
      },
      [](void* data, const XML_Char* name) {
        auto* hs = static_cast<XmlHandlers*>(data);
        if (hs->end) hs->end(LocalName(name));
      });
  XML_SetCharacterDataHandler(parser.get(), [](void* data, const XML_Char* s, int len) {
    auto* hs = static_cast<XmlHandlers*>(data);
    if (hs->text) hs->text(std::string_view(s, static_cast<std::size_t>(len)));
  });
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    return Error::BadInput("the workbook's part " + part + " is not well-formed XML (line " +
                           std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                           XML_ErrorString(XML_GetErrorCode(parser.get())) +
                           "); save the workbook again from Excel or WPS");
  }
  return {};
}

// "F14" -> (14, 6); (0, 0) when malformed.
std::pair<int, int> ParseReference(std::string_view ref) {
  int col = 0, row = 0;
  std::size_t i = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    col = col * 26 + (std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (col > kMaxColumns) return {0, 0};
    ++i;
  }
  if (i == 0 || i == ref.size()) return {0, 0};
  for (; i < ref.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(ref[i]))) return {0, 0};
    row = row * 10 + (ref[i] - '0');
    if (row > kMaxRows) return {0, 0};
  }
  return {row, col};
}

// Whether a number format's code shows a date or a time: y, m, d, h or s outside quoted text,
// escapes and [brackets] ("[Red]", "[$-804]"; but "[h]" is elapsed time, which we read as a number
// all the same).
bool IsDateFormatCode(std::string_view code) {
  bool quoted = false, bracket = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (quoted) {
      quoted = c != '"';
    } else if (bracket) {
      bracket = c != ']';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[') {
      bracket = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (std::strchr("yYmMdDhH", c)) {
      return true;
    } else if (c == ';') {
      return false;  // only the first section (positive numbers) matters
    }
  }
  return false;
}

bool IsBuiltinDateFormat(int id) { return (id >= 14 && id <= 22) || (id >= 45 && id <= 47); }

std::string NumberText(const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d)) return v;
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  // The shortest of %.15g..%.17g that reads back as the same double.
  char buf[40];
  for (int p = 15; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

struct Relationship {
  std::string type, target;
};

Result<std::map<std::string, Relationship>> ReadRelationships(Zip& zip, const std::string& part) {
  std::map<std::string, Relationship> rels;
  auto xml = zip.Read(part);
  if (!xml) return xml.error();
  if (!*xml) return rels;
  XmlHandlers h;
  h.start = [&](const Element& e) {
    if (e.name == "Relationship") rels[e.Attr("Id")] = {e.Attr("Type"), e.Attr("Target")};
  };
  if (Status s = ParseXml(part, **xml, h); !s) return s.error();
  return rels;
}

// A relationship's target as a part name: relative to xl/, or absolute from the root.
std::string PartName(const std::string& target) {
  if (!target.empty() && target.front() == '/') return target.substr(1);
  return "xl/" + target;
}

}  // namespace

bool LooksLikeXlsx(std::string_view bytes) { return bytes.substr(0, 4) == "PK\x03\x04"; }

std::string XlsxCellReference(int row, int column) {
  std::string letters;
  for (int c = column; c > 0; c = (c - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  }
  return letters + std::to_string(row);
}

std::string XlsxSerialDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < (date1904 ? 0 : 1) || serial > 2958465.99999) return {};
  long days = static_cast<long>(std::floor(serial));
  // Minutes of the day, rounded: Excel stores 10:00 as 0.41666666...
  long minutes = std::lround((serial - static_cast<double>(days)) * 24 * 60);
  if (minutes == 24 * 60) {
    ++days;
    minutes = 0;
  }
  using namespace date;
  sys_days day;
  if (date1904) {
    day = sys_days{year{1904} / 1 / 1} + date::days{days};
  } else if (days == 60) {
    return "1900-02-29";  // Lotus 1-2-3's leap day, which Excel keeps
  } else {
    // Serial 1 is 1900-01-01; after the fictitious 1900-02-29, one day less.
    day = sys_days{year{1899} / 12 / 31} + date::days{days < 60 ? days : days - 1};
  }
  year_month_day ymd{day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  std::string out = buf;
  if (minutes > 0) {
    std::snprintf(buf, sizeof buf, " %02ld:%02ld", minutes / 60, minutes % 60);
    out += buf;
  }
  return out;
}

Result<XlsxSheet> ReadXlsxSheet(std::string_view bytes, std::string_view wanted) {
  const std::string kHint = "save it from Excel or WPS as an .xlsx workbook, or as CSV UTF-8";
  if (!LooksLikeXlsx(bytes)) return Error::BadInput("not an XLSX workbook; " + kHint);
  Zip zip(bytes);
  if (!zip.ok())
    return Error::BadInput("not an XLSX workbook (the ZIP archive is damaged); " + kHint);

  // The workbook: its sheets, in order, and the date system.
  auto workbook = zip.Read("xl/workbook.xml");
  if (!workbook) return workbook.error();
  if (!*workbook) {
    return Error::BadInput(
        "not an XLSX workbook (it has no xl/workbook.xml: a Word or other Office file?); " + kHint);
  }
  XlsxSheet out;
  std::vector<std::string> rel_ids;
  bool date1904 = false;
  {
    XmlHandlers h;
    h.start = [&](const Element& e) {
      if (e.name == "sheet") {
        out.sheets.push_back(e.Attr("name"));
        rel_ids.push_back(e.Attr("id"));
      } else if (e.name == "workbookPr") {
        std::string v = e.Attr("date1904");
        date1904 = v == "1" || v == "true";
      }
    };
    if (Status s = ParseXml("xl/workbook.xml", **workbook, h); !s) return s.error();
  }
  if (out.sheets.empty()) return Error::BadInput("the workbook has no sheet");
  std::size_t index = 0;
  if (!wanted.empty()) {
    auto it = std::find(out.sheets.begin(), out.sheets.end(), wanted);
    if (it == out.sheets.end()) {
      std::string names;
      for (const auto& n : out.sheets) names += (names.empty() ? "" : ", ") + n;
      return Error::BadInput("the workbook has no sheet '" + std::string(wanted) +
                             "'; its sheets: " + names);
    }
    index = static_cast<std::size_t>(it - out.sheets.begin());
  }
  out.name = out.sheets[index];
  auto rels = ReadRelationships(zip, "xl/_rels/workbook.xml.rels");
  if (!rels) return rels.error();
  std::string sheet_part, strings_part = "xl/sharedStrings.xml", styles_part = "xl/styles.xml";
  for (const auto& [id, rel] : *rels) {
    if (id == rel_ids[index]) sheet_part = PartName(rel.target);
    if (rel.type.ends_with("/sharedStrings")) strings_part = PartName(rel.target);
    if (rel.type.ends_with("/styles")) styles_part = PartName(rel.target);
  }
  if (sheet_part.empty()) sheet_part = "xl/worksheets/sheet" + std::to_string(index + 1) + ".xml";

  // Shared strings: each <si>'s text runs, without the phonetic guides (<rPh>).
  std::vector<std::string> strings;
  if (auto xml = zip.Read(strings_part); !xml) {
    return xml.error();
  } else if (*xml) {
    bool in_t = false;
    int in_rph = 0;
    XmlHandlers h;
    h.start = [&](const Element& e) {
      if (e.name == "si") strings.emplace_back();
      if (e.name == "rPh") ++in_rph;
      if (e.name == "t") in_t = in_rph == 0;
    };
    h.end = [&](std::string_view n) {
      if (n == "rPh") --in_rph;
      if (n == "t") in_t = false;
    };
    h.text = [&](std::string_view t) {
      if (in_t && !strings.empty()) strings.back() += t;
    };
    if (Status s = ParseXml(strings_part, **xml, h); !s) return s.error();
  }

  // Styles: which cell formats (the s="" of a cell) show a date.
  std::vector<bool> date_style;
  if (auto xml = zip.Read(styles_part); !xml) {
    return xml.error();
  } else if (*xml) {
    std::set<int> custom_dates;
    std::vector<int> xf_formats;
    bool in_cell_xfs = false;
    XmlHandlers h;
    h.start = [&](const Element& e) {
      if (e.name == "numFmt" && IsDateFormatCode(e.Attr("formatCode"))) {
        custom_dates.insert(std::atoi(e.Attr("numFmtId").c_str()));
      } else if (e.name == "cellXfs") {
        in_cell_xfs = true;
      } else if (e.name == "xf" && in_cell_xfs) {
        xf_formats.push_back(std::atoi(e.Attr("numFmtId").c_str()));
      }
    };
    h.end = [&](std::string_view n) {
      if (n == "cellXfs") in_cell_xfs = false;
    };
    if (Status s = ParseXml(styles_part, **xml, h); !s) return s.error();
    for (int id : xf_formats)
      date_style.push_back(IsBuiltinDateFormat(id) || custom_dates.count(id));
  }

  auto xml = zip.Read(sheet_part);
  if (!xml) return xml.error();
  if (!*xml) {
    return Error::BadInput("the workbook's sheet '" + out.name + "' has no part " + sheet_part +
                           " (a chart sheet?); " + kHint);
  }
  struct Merge {
    int r1, c1, r2, c2;
  };
  std::vector<Merge> merges;
  std::map<int, XlsxRow> rows;
  std::size_t held = 0;  // cells allocated in `rows`
  Status failure;
  int row_no = 0, col_no = 0;
  std::string type, value, inline_text;
  int style = 0;
  bool in_v = false, in_is_t = false, in_is = false;
  XmlHandlers h;
  h.start = [&](const Element& e) {
    if (!failure) return;
    if (e.name == "row") {
      std::string r = e.Attr("r");
      row_no = r.empty() ? row_no + 1 : std::atoi(r.c_str());
      col_no = 0;
      if (row_no < 1 || row_no > kMaxRows) {
        failure = Error::BadInput("the sheet '" + out.name + "' has a row numbered '" + r +
                                  "' (rows are 1 to 1048576)");
      }
    } else if (e.name == "c") {
      std::string r = e.Attr("r");
      if (r.empty()) {
        ++col_no;
      } else {
        auto [rr, cc] = ParseReference(r);
        if (rr == 0) {
          failure = Error::BadInput("the sheet '" + out.name + "' has a cell referenced '" + r +
                                    "', which is not a cell reference");
          return;
        }
        row_no = rr;
        col_no = cc;
      }
      if (col_no > kMaxColumns) {
        failure = Error::BadInput("the sheet '" + out.name + "' has more than 16384 columns");
      }
      type = e.Attr("t");
      style = std::atoi(e.Attr("s").c_str());
      value.clear();
      inline_text.clear();
    } else if (e.name == "v") {
      in_v = true;
    } else if (e.name == "is") {
      in_is = true;
    } else if (e.name == "t" && in_is) {
      in_is_t = true;
    } else if (e.name == "mergeCell") {
      std::string ref = e.Attr("ref");
      auto colon = ref.find(':');
      if (colon == std::string::npos) return;
      auto [r1, c1] = ParseReference(std::string_view(ref).substr(0, colon));
      auto [r2, c2] = ParseReference(std::string_view(ref).substr(colon + 1));
      if (r1 > 0 && r2 >= r1 && c2 >= c1 && r2 - r1 <= 1000 && c2 - c1 <= 1000) {
        merges.push_back({r1, c1, r2, c2});
      }
    }
  };
  h.end = [&](std::string_view n) {
    if (!failure) return;
    if (n == "v") {
      in_v = false;
    } else if (n == "is") {
      in_is = false;
    } else if (n == "t") {
      in_is_t = false;
    } else if (n == "c") {
      std::string text;
      if (type == "s") {
        std::size_t i = static_cast<std::size_t>(std::atol(value.c_str()));
        if (value.empty() || i >= strings.size()) {
          failure = Error::BadInput("the sheet '" + out.name + "' cell " +
                                    XlsxCellReference(row_no, col_no) +
                                    " names a shared string the workbook does not have");
          return;
        }
        text = strings[i];
      } else if (type == "inlineStr") {
        text = inline_text;
      } else if (type == "str" || type == "e") {
        text = value;
      } else if (type == "b") {
        text = value == "1" ? "TRUE" : value.empty() ? "" : "FALSE";
      } else if (!value.empty()) {  // a number, perhaps a date
        text = NumberText(value);
        if (style >= 0 && static_cast<std::size_t>(style) < date_style.size() &&
            date_style[static_cast<std::size_t>(style)]) {
          if (std::string d = XlsxSerialDate(std::strtod(value.c_str(), nullptr), date1904);
              !d.empty()) {
            text = d;
          }
        }
      }
      if (text.empty()) return;
      XlsxRow& row = rows[row_no];
      row.row = row_no;
      if (row.cells.size() < static_cast<std::size_t>(col_no)) {
        held += static_cast<std::size_t>(col_no) - row.cells.size();
        if (held > kMaxCells) {
          failure = Error::BadInput("the sheet '" + out.name +
                                    "' is too large to read (more than 10 million cells); split "
                                    "it, or save it as CSV");
          return;
        }
        row.cells.resize(col_no);
      }
      row.cells[static_cast<std::size_t>(col_no - 1)] = std::move(text);
    }
  };
  h.text = [&](std::string_view t) {
    if (in_v) value += t;
    if (in_is_t) inline_text += t;
  };
  if (Status s = ParseXml(sheet_part, **xml, h); !s) return s.error();
  if (!failure) return failure.error();

  // Merged ranges: the top-left value into every cell of the range.
  std::set<int> title_rows;
  for (const Merge& m : merges) {
    auto top = rows.find(m.r1);
    if (top == rows.end() || top->second.cells.size() < static_cast<std::size_t>(m.c1)) continue;
    std::string v = top->second.cells[static_cast<std::size_t>(m.c1 - 1)];
    if (v.empty()) continue;
    for (int r = m.r1; r <= m.r2; ++r) {
      XlsxRow& row = rows[r];
      row.row = r;
      if (row.cells.size() < static_cast<std::size_t>(m.c2)) {
        held += static_cast<std::size_t>(m.c2) - row.cells.size();
        if (held > kMaxCells) {
          return Error::BadInput("the sheet '" + out.name +
                                 "' is too large to read (more than 10 million cells); split it, "
                                 "or save it as CSV");
        }
        row.cells.resize(m.c2);
      }
      for (int c = m.c1; c <= m.c2; ++c) row.cells[static_cast<std::size_t>(c - 1)] = v;
    }
    if (m.c2 > m.c1) {
      // A title: nothing on its rows outside the range.
      for (int r = m.r1; r <= m.r2; ++r) {
        const XlsxRow& row = rows[r];
        bool alone = true;
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
          int col = static_cast<int>(c) + 1;
          alone = alone && (row.cells[c].empty() || (col >= m.c1 && col <= m.c2));
        }
        if (alone) title_rows.insert(r);
      }
    }
  }
  for (auto& [r, row] : rows) {
    row.title = title_rows.count(r) > 0;
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace rectify::engine
