// The ledger (问题台账, engine/ledger.h) over HTTP, as `rectify ledger import|export`:
//   POST /api/v1/ledger/check    the row-by-row check of an uploaded CSV; changes nothing
//   POST /api/v1/ledger/sheets   the sheets of an uploaded XLSX workbook, to choose the one to
//                                check and import (either ledger); changes nothing
//   POST /api/v1/ledger/import   registers every row in one transaction, or none (422)
//   GET  /api/v1/ledger/export   the caller's readable items as a ledger (CSV or XLSX)
//   POST /api/v1/ledgers/{kind}/import   a typed ledger's file (typed_ledger.h): every row
//                                        appended in one transaction, or none (422); administrators
//   GET  /api/v1/ledgers/{kind}/export   its rows (JSON, CSV or XLSX); the ledger's org's people
//
// The upload is the body itself (Content-Type: text/csv, or the XLSX type for a workbook) or
// multipart/form-data with one file, CSV or XLSX (told apart by its bytes, table_input.h).
// Query parameters as the CLI's options: campaign, workflow, escalation, encoding (utf-8, gbk,
// gb18030), sheet (an XLSX workbook's sheet; default the first). The caller registers and assigns
// the rows (the CLI's --as): the engine then checks each row as it does for the CLI (the registrar
// must be allowed the workflow's assign transition), and a caller who is not an administrator may
// import only into units of their scope (caller_scope.h), the units they read. Every problem is
// reported at its row and column, in the CLI's words; import is all or nothing, and honours
// Idempotency-Key.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "adapters/http/api/table_output.h"
#include "adapters/store/soci/typed_ledger_store.h"
#include "rectify/engine/access.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/ledger.h"
#include "rectify/engine/report_table.h"
#include "rectify/engine/xlsx_reader.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxLedger = 16u << 20;  // 16 MiB: some 50,000 rows

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The value of `name=` in a header's parameters ("multipart/form-data; boundary=xyz").
std::string HeaderParam(const std::string& header, const std::string& name) {
  std::string lower = Lower(header);
  std::size_t at = 0;
  while ((at = lower.find(name + "=", at)) != std::string::npos) {
    bool starts = at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ';
    at += name.size() + 1;
    if (!starts) continue;
    if (at < header.size() && header[at] == '"') {
      std::size_t end = header.find('"', at + 1);
      return header.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    }
    std::size_t end = header.find(';', at);
    std::string v = header.substr(at, end == std::string::npos ? std::string::npos : end - at);
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  }
  return {};
}

// A file name as sent, reduced to the name alone (a browser may send C:\path\ledger.csv).
Result<std::string> FileName(const std::string& sent) {
  std::string name = sent.substr(sent.find_last_of("/\\") + 1);
  bool ok = !name.empty() && name != "." && name != ".." && name.size() <= 200;
  for (unsigned char c : name) ok = ok && c >= 0x20 && c != 0x7f;
  if (!ok) {
    return Error::BadInput(
        "filename: give the ledger's file name alone, e.g. ledger.csv (no folders, no control "
        "characters, at most 200 bytes)");
  }
  return name;
}

Result<LedgerUpload> ReadMultipart(const http::Request& req, const std::string& content_type) {
  std::string boundary = HeaderParam(content_type, "boundary");
  if (boundary.empty()) {
    return Error::BadInput("Content-Type: multipart/form-data needs its boundary parameter");
  }
  const std::string& body = req.body;
  std::string delimiter = "--" + boundary;
  std::vector<LedgerUpload> files;
  std::size_t at = body.find(delimiter);
  if (at == std::string::npos) return Error::BadInput("the multipart body has no part");
  for (;;) {
    at += delimiter.size();
    if (body.compare(at, 2, "--") == 0) break;  // the closing delimiter
    if (body.compare(at, 2, "\r\n") != 0) return Error::BadInput("the multipart body is malformed");
    at += 2;
    std::size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string::npos) return Error::BadInput("a multipart part has no headers");
    std::string head = body.substr(at, head_end - at);
    std::size_t next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string::npos) {
      return Error::BadInput("the multipart body ends before its closing boundary");
    }
    std::string disposition;
    std::size_t line = 0;
    while (line < head.size()) {
      std::size_t end = head.find("\r\n", line);
      if (end == std::string::npos) end = head.size();
      std::string h = head.substr(line, end - line);
      if (Lower(h).rfind("content-disposition:", 0) == 0) disposition = h.substr(20);
      line = end + 2;
    }
    std::string filename = HeaderParam(disposition, "filename");
    if (!filename.empty()) {
      auto name = FileName(filename);
      if (!name) return name.error();
      files.push_back({*name, body.substr(head_end + 4, next - head_end - 4)});
    }
    at = next + 2;
  }
  if (files.size() != 1) {
    return Error::BadInput("send exactly one file in the multipart body (it has " +
                           std::to_string(files.size()) + ")");
  }
  return files.front();
}

}  // namespace

Result<LedgerUpload> ReadUpload(const http::Request& req) {
  std::string type = req.Header("content-type");
  std::string media = Lower(type.substr(0, type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media == "multipart/form-data") return ReadMultipart(req, type);
  if (media == "text/csv" || media == kXlsxType) {
    LedgerUpload u;
    if (media == kXlsxType) u.file = "ledger.xlsx";
    std::string sent = HeaderParam(req.Header("content-disposition"), "filename");
    if (!sent.empty()) {
      auto name = FileName(sent);
      if (!name) return name.error();
      u.file = *name;
    }
    u.text = req.body;
    return u;
  }
  return Error::BadInput("Content-Type: send the ledger as text/csv or as an XLSX workbook (" +
                         std::string(kXlsxType) +
                         "), or as multipart/form-data with one file (not '" +
                         (media.empty() ? std::string("none") : media) + "')");
}

namespace {

struct LedgerRequest {
  LedgerUpload upload;
  engine::LedgerOptions options;
};

Result<LedgerRequest> ReadRequest(Call& call) {
  static const std::vector<std::string> kKnown = {"campaign", "workflow", "escalation", "encoding",
                                                  "sheet"};
  for (const auto& [key, value] : call.request.query) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return Error::BadInput(key +
                             ": unknown parameter (the ledger takes campaign, workflow, "
                             "escalation, encoding, sheet)");
    }
  }
  auto param = [&](const char* name) {
    auto it = call.request.query.find(name);
    return it == call.request.query.end() ? std::string() : it->second;
  };
  LedgerRequest r;
  auto upload = ReadUpload(call.request);
  if (!upload) return upload.error();
  r.upload = std::move(*upload);
  auto& o = r.options;
  o.file = r.upload.file;
  o.campaign = param("campaign");
  o.workflow = param("workflow");
  o.escalation = param("escalation");
  o.encoding = Lower(param("encoding"));
  o.sheet = param("sheet");
  if (!o.encoding.empty() && o.encoding != "utf-8" && o.encoding != "utf8" && o.encoding != "gbk" &&
      o.encoding != "gb18030") {
    return Error::BadInput("encoding: write utf-8, gbk or gb18030 (not '" + o.encoding + "')");
  }
  if (!o.campaign.empty()) {
    auto c = call.api.options.definitions->FindCampaign(o.campaign);
    if (!c || (!call.caller.admin && c->org().info().name != call.caller.org)) {
      return Error::BadInput("campaign: no campaign '" + o.campaign + "' is loaded");
    }
  }
  o.registrar = call.caller.person;
  o.now = call.now;
  auto pinned = engine::LoadAllPinnedWorkflows(*call.db.store);
  if (!pinned) return pinned.error();
  o.pinned = std::move(*pinned);
  return r;
}

// A non-administrator imports into the units of their scope only: each other row is an error at
// its unit cell.
void CheckScope(const CallerScope& scope, const engine::Ledger& ledger,
                const engine::LedgerOptions& options, Diagnostics& diags) {
  if (scope.everything) return;
  auto unit_column = std::find(ledger.columns.begin(), ledger.columns.end(), "unit");
  int col = static_cast<int>(unit_column - ledger.columns.begin()) + 1;
  for (const auto& row : ledger.rows) {
    if (scope.Covers(row.item.unit)) continue;
    diags.Error({options.file, row.row, col}, "unit",
                "unit '" + row.item.unit + "' is outside your scope",
                "you may import into " + scope.root + " and the units under it");
  }
}

// The engine's hint names the CLI's option; over HTTP it is a query parameter.
std::string ForHttp(std::string text) {
  const std::string cli = "pass --encoding gbk";
  for (std::size_t at; (at = text.find(cli)) != std::string::npos;) {
    text.replace(at, cli.size(), "add encoding=gbk to the query");
  }
  return text;
}

json::object Report(const LedgerRequest& r, const engine::Ledger& ledger, const Diagnostics& diags,
                    bool imported) {
  json::array list;
  for (Diagnostic d : diags.items()) {
    d.hint = ForHttp(d.hint);
    list.push_back(json::object{{"row", d.pos.line},
                                {"column", d.pos.column},
                                {"column_name", d.path},
                                {"severity", d.severity == Severity::kError     ? "error"
                                             : d.severity == Severity::kWarning ? "warning"
                                                                                : "note"},
                                {"message", d.message},
                                {"hint", d.hint},
                                {"text", d.Format()}});
  }
  json::array notes;
  for (const auto& n : ledger.notes) notes.emplace_back(n);
  std::int64_t rows = static_cast<std::int64_t>(ledger.rows.size());
  return json::object{{"file", r.upload.file},
                      {"ok", !diags.has_errors()},
                      {"valid_rows", rows},
                      {"errors", static_cast<std::int64_t>(diags.error_count())},
                      {"warnings", static_cast<std::int64_t>(diags.warning_count())},
                      {"imported", imported ? rows : 0},
                      {"diagnostics", std::move(list)},
                      {"notes", std::move(notes)}};
}

// Checks (and with `commit`, imports) the upload; the row report.
http::Response Run(Call& call, bool commit) {
  auto r = ReadRequest(call);
  if (!r) return ErrorResponse(r.error());
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  Diagnostics diags;
  engine::Ledger ledger =
      engine::ParseLedger(r->upload.text, *call.api.options.definitions, r->options, diags);
  CheckScope(*scope, ledger, r->options, diags);
  Result<engine::ImportReport> done = Error::BadInput("");
  if (!diags.has_errors()) {
    engine::ImportOptions how;  // not `import`, which clang-format 14 takes for a module import
    how.dry_run = !commit;
    done = engine::ImportLedger(*call.db.engine, ledger, r->options, how, diags);
  }
  diags.Sort();
  if (diags.has_errors()) {
    return JsonResponse(commit ? 422 : 200, Report(*r, ledger, diags, false));
  }
  if (!done) return ErrorResponse(done.error());
  return JsonResponse(commit ? 201 : 200, Report(*r, ledger, diags, commit));
}

http::Response Check(Call& call) { return Run(call, false); }

http::Response Import(Call& call) {
  return WithIdempotencyKey(call, [](Call& c) { return Run(c, true); });
}

http::Response Export(Call& call) {
  for (const auto& [key, value] : call.request.query) {
    if (key != "campaign" && key != "format") {
      return ErrorResponse(
          Error::BadInput(key + ": unknown parameter (the export takes campaign, format)"));
    }
  }
  // An export is a file: CSV unless JSON or XLSX is asked for by name.
  TableFormat format = TableFormat::kCsv;
  auto f = call.request.query.find("format");
  if (f != call.request.query.end() ||
      call.request.Header("accept").find(kXlsxType) != std::string::npos) {
    auto asked = RequestedFormat(call.request);
    if (!asked) return ErrorResponse(asked.error());
    format = *asked;
  }
  InstanceFilter filter;
  auto c = call.request.query.find("campaign");
  std::string campaign = c == call.request.query.end() ? std::string() : c->second;
  if (!campaign.empty()) {
    auto def = call.api.options.definitions->FindCampaign(campaign);
    if (!def || (!call.caller.admin && def->org().info().name != call.caller.org)) {
      return ErrorResponse(Error::BadInput("campaign: no campaign '" + campaign + "' is loaded"));
    }
    filter.campaign = campaign;
  }
  engine::Reader reader{call.caller.person, call.caller.org, call.caller.admin};
  std::vector<engine::Instance> items;
  Status listed = engine::ForEachInstancePage(
      *call.db.store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const auto& record : page) {
          if (engine::IsCampaignRun(record)) continue;
          auto inst = engine::InstanceOf(record);
          if (!inst) return inst.error();
          auto bound = call.db.engine->interpreter().Bind(*inst);
          if (!bound || !engine::MayRead(*bound->org, *bound->workflow, *inst, reader)) continue;
          items.push_back(std::move(*inst));
        }
        return true;
      });
  if (!listed) return ErrorResponse(listed.error());
  engine::ReportTable table = engine::LedgerExportTable(items, *call.api.options.definitions);
  json::array rows;
  for (const auto& row : table.rows) {
    json::array cells;
    for (const auto& cell : row) cells.emplace_back(cell);
    rows.push_back(std::move(cells));
  }
  json::array columns;
  for (const auto& h : table.header) columns.emplace_back(h);
  json::object o{{"columns", std::move(columns)}, {"rows", std::move(rows)}};
  return TableResponse(format, o, table, "ledger" + (campaign.empty() ? "" : "-" + campaign));
}

// A typed ledger a caller may see: an administrator any, others their own org's; another is as
// one that does not exist.
Result<std::shared_ptr<const definition::LedgerKind>> VisibleKind(Call& call) {
  const std::string& name = call.request.params.at("kind");
  auto kind = call.api.options.definitions->FindLedgerKind(name);
  if (!kind || (!call.caller.admin && kind->org().name != call.caller.org)) {
    return Error::NotFound("no ledger '" + name + "' is loaded");
  }
  return kind;
}

http::Response TypedImport(Call& call) {
  for (const auto& [key, value] : call.request.query) {
    if (key != "encoding" && key != "sheet" && key != "dry_run") {
      return ErrorResponse(Error::BadInput(
          key + ": unknown parameter (a typed ledger's import takes encoding, sheet, dry_run)"));
    }
  }
  auto kind = VisibleKind(call);
  if (!kind) return ErrorResponse(kind.error());
  auto upload = ReadUpload(call.request);
  if (!upload) return ErrorResponse(upload.error());
  auto param = [&](const char* name) {
    auto it = call.request.query.find(name);
    return it == call.request.query.end() ? std::string() : it->second;
  };
  std::string encoding = Lower(param("encoding")), dry = param("dry_run");
  if (!encoding.empty() && encoding != "utf-8" && encoding != "utf8" && encoding != "gbk" &&
      encoding != "gb18030") {
    return ErrorResponse(
        Error::BadInput("encoding: write utf-8, gbk or gb18030 (not '" + encoding + "')"));
  }
  if (!dry.empty() && dry != "true" && dry != "false") {
    return ErrorResponse(Error::BadInput("dry_run: write true or false (not '" + dry + "')"));
  }
  bool dry_run = dry == "true";
  Diagnostics diags;
  auto ledger = store_soci::ImportTypedLedger(
      *call.db.side, **kind, *call.api.options.definitions, upload->text,
      {upload->file, encoding, param("sheet")}, call.caller.person, call.now, dry_run, diags);
  diags.Sort();
  json::array list;
  for (Diagnostic d : diags.items()) {
    d.hint = ForHttp(d.hint);
    list.push_back(json::object{{"row", d.pos.line},
                                {"column", d.pos.column},
                                {"column_name", d.path},
                                {"severity", d.severity == Severity::kError ? "error" : "warning"},
                                {"message", d.message},
                                {"hint", d.hint},
                                {"text", d.Format()}});
  }
  bool ok = !diags.has_errors();
  if (ok && !ledger) return ErrorResponse(ledger.error());
  std::int64_t rows = ok ? static_cast<std::int64_t>(ledger->rows.size()) : 0;
  json::object report{{"ledger", (*kind)->info().name},
                      {"file", upload->file},
                      {"ok", ok},
                      {"valid_rows", rows},
                      {"errors", static_cast<std::int64_t>(diags.error_count())},
                      {"warnings", static_cast<std::int64_t>(diags.warning_count())},
                      {"imported", ok && !dry_run ? rows : 0},
                      {"diagnostics", std::move(list)}};
  return JsonResponse(!ok ? (dry_run ? 200 : 422) : dry_run ? 200 : 201, report);
}

http::Response TypedExport(Call& call) {
  for (const auto& [key, value] : call.request.query) {
    if (key != "format") {
      return ErrorResponse(
          Error::BadInput(key + ": unknown parameter (a typed ledger's export takes format)"));
    }
  }
  auto kind = VisibleKind(call);
  if (!kind) return ErrorResponse(kind.error());
  TableFormat format = TableFormat::kCsv;
  if (call.request.query.count("format") ||
      call.request.Header("accept").find(kXlsxType) != std::string::npos) {
    auto asked = RequestedFormat(call.request);
    if (!asked) return ErrorResponse(asked.error());
    format = *asked;
  }
  auto table = store_soci::TypedLedgerExport(*call.db.side, **kind);
  if (!table) return ErrorResponse(table.error());
  json::array rows, columns;
  for (const auto& row : table->rows) {
    json::array cells;
    for (const auto& cell : row) cells.emplace_back(cell);
    rows.push_back(std::move(cells));
  }
  for (const auto& h : table->header) columns.emplace_back(h);
  json::object o{
      {"ledger", (*kind)->info().name}, {"columns", std::move(columns)}, {"rows", std::move(rows)}};
  return TableResponse(format, o, *table, (*kind)->info().name);
}

// The sheets of the uploaded workbook, in workbook order (the first is the one read without
// ?sheet=): the console offers them as a list instead of a name to type.
http::Response Sheets(Call& call) {
  if (!call.request.query.empty()) {
    return ErrorResponse(
        Error::BadInput(call.request.query.begin()->first + ": unknown parameter (none taken)"));
  }
  auto upload = ReadUpload(call.request);
  if (!upload) return ErrorResponse(upload.error());
  if (!engine::LooksLikeXlsx(upload->text)) {
    return ErrorResponse(Error::BadInput(upload->file +
                                         ": not an XLSX workbook (a CSV file has no sheets; "
                                         "check or import it as it is)"));
  }
  auto sheet = engine::ReadXlsxSheet(upload->text, "");
  if (!sheet) return ErrorResponse(Error::BadInput(upload->file + ": " + sheet.error().message()));
  json::array names;
  for (const auto& n : sheet->sheets) names.emplace_back(n);
  return JsonResponse(200, json::object{{"file", upload->file}, {"sheets", std::move(names)}});
}

}  // namespace

std::vector<Route> LedgerRoutes() {
  std::vector<Route> routes = {
      {{"POST", "/api/v1/ledger/check", Access::kSignedIn, false, kMaxLedger}, Check},
      {{"POST", "/api/v1/ledger/sheets", Access::kSignedIn, false, kMaxLedger}, Sheets},
      {{"POST", "/api/v1/ledger/import", Access::kSignedIn, true, kMaxLedger}, Import},
      {{"GET", "/api/v1/ledger/export", Access::kSignedIn, false}, Export},
      {{"POST", "/api/v1/ledgers/{kind}/import", Access::kAdmin, true, kMaxLedger}, TypedImport},
      {{"GET", "/api/v1/ledgers/{kind}/export", Access::kSignedIn, false}, TypedExport},
  };
  for (Route& r : routes) r.info.heavy = true;  // whole ledgers, in and out
  return routes;
}

}  // namespace rectify::api
