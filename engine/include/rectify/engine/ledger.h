// A ledger file (问题台账): one row per problem, as the inspection teams keep them in a spreadsheet
// and save as CSV. Parsing and checking are pure functions of (text, definitions); importing is
// one transaction through the Engine.
//
//   Diagnostics diags;
//   LedgerOptions options{.file = "ledger.csv", .registrar = "xs-0009"};
//   Ledger ledger = ParseLedger(text, *definitions, options, diags);
//   if (diags.has_errors()) { diags.Sort(); std::cerr << diags.Format(); return; }
//   // ledger.rows[i].item is a NewInstance ready for Engine::RegisterMany, at registered_at
//
//   Result<ImportReport> done = ImportLedger(engine, ledger, options, diags);   // all or nothing
//
// The file: an XLSX workbook (one sheet, xlsx_reader.h and table_input.h; recognized by its
// bytes), or RFC 4180 CSV, UTF-8 with or without a byte order mark, LF or CRLF line ends, fields
// in double quotes where they hold commas, quotes ("") or line breaks; GBK or GB18030 with
// `LedgerOptions::encoding` (a file that is not UTF-8 is otherwise one error, and no other). The
// first row names the columns (in any order, case-insensitive, or by the Chinese headers offices
// write: 编号, 问题, 责任单位, 责任人, 验收人, 登记日期, 整改时限, ...; docs/engine.md lists them);
// the required ones are `kLedgerRequiredColumns`. Optional: `workflow` (name or name@version;
// into a started campaign, the version it pinned), `campaign`, `escalation` (the chain its
// overdue states run), and any field the row's workflow declares (`measures`, `special_action`,
// `verifier`, ...). A row's workflow, chain and time limit are its cells, else the options, else
// its campaign's `items:`, else the workflow's own (campaign_items.h); an empty time_limit cell is
// allowed when the campaign gives one. Unknown columns are a warning and are ignored. Cells may
// be written as offices write them (2018/7/16, 2018年7月16日, 10个工作日, 10天: ParseOfficeDate,
// ParseOfficeTimeLimit); rows keep the canonical text (2018-07-16, 10wd). A row that leaves a
// person field used as a role empty (no verifier) is verified by the org's holders of that role
// (access.h); Ledger::notes says who; a row for which nobody holds it is an error (nobody could
// take its transitions, and the item keeps its org version).
//
// Positions: a message's line is the CSV row (the header is row 1, as a spreadsheet numbers it,
// whether or not a quoted cell spans several lines) and its column is the cell's column (1-based):
//
//   ledger.csv:14:6: error: time_limit: '10 days' is not a duration or a date (hint: ...)
//
// Every row is checked before anything is imported, and every problem is reported (not just the
// first): required cells present, ids well formed and unique in the file (and, in ImportLedger,
// not in the database), units and people known (with "did you mean"), the responsible person
// within the unit's tree (else a warning: they can still act as the responsible person, but
// escalations go to the unit named), dates and deadlines inside the workflow's calendar, and
// registered_at not in the future.
//
// Each row is registered at its registered_at and, when the workflow's initial state has the
// `assign_event` transition (rectification-item's `assign`), assigned at the same instant by the
// registrar: a ledger row is a problem handed to a unit with a time limit, so its deadline runs
// from registered_at (registered 2017-04-21 with 10wd: due at the end of 2017-05-08).
//
// Thread-safety: pure functions except ImportLedger, which uses the Engine (one thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/definition_set.h"
#include "rectify/diagnostics.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/interpreter.h"
#include "rectify/result.h"
#include "rectify/timestamp.h"
#include "rectify/utf8.h"

namespace rectify::engine {

inline constexpr std::string_view kLedgerRequiredColumns[] = {
    "id", "title", "unit", "responsible", "registered_at", "time_limit"};

// One CSV record: its row number (1-based; the header is row 1) and its cells.
struct CsvRecord {
  int row = 0;
  std::vector<std::string> cells;
};

// Splits RFC 4180 text into records. A leading UTF-8 byte order mark is skipped; LF, CRLF and CR
// end records outside quotes. Malformed input (an unterminated quote, text after a closing
// quote, bytes that are not UTF-8) is reported to `diags` at its row and column; the records
// read are returned either way.
std::vector<CsvRecord> ParseCsv(std::string_view text, const std::string& file, Diagnostics& diags);

// One cell as CSV writes it: quoted when it holds a comma, a quote, a line break or leading or
// trailing spaces.
std::string CsvCell(std::string_view cell);
// Cells joined by commas, ended by CRLF (RFC 4180).
std::string CsvLine(const std::vector<std::string>& cells);

// Cells as offices write them (ledger_text.cc). Full-width digits, letters, brackets and the
// ideographic space read as their ASCII twins.
//
// A date: 2018-07-16, 2018-7-16, 2018/7/16, 2018.7.16, 2018年7月16日 (日 or 号 may be left out).
std::optional<Date> ParseOfficeDate(std::string_view text);
// A registered_at: an office date, optionally followed by a local time "H:MM" (Excel writes
// "2018/7/16 10:00"); `time` is empty for a date alone.
struct OfficeDateTime {
  Date date;
  std::optional<std::chrono::minutes> time;
};
std::optional<OfficeDateTime> ParseOfficeDateTime(std::string_view text);
// A time limit, as the engine's canonical text (`text`): "10wd" for 10wd, 10 wd, 10个工作日,
// 10工作日 (and with 内/以内 after it); "10d" for 10d, 10个自然日, and for 10天 and 10日, which
// set `calendar_days` (offices also write 天 for working days, so the import says how it read
// them); "2018-07-31" for an office date (and with 前/之前 after it); otherwise the text as
// ParseDeadlineSpec reads it. nullopt when it is none of these.
struct OfficeTimeLimit {
  std::string text;
  bool calendar_days = false;
};
std::optional<OfficeTimeLimit> ParseOfficeTimeLimit(std::string_view text);
// A header for matching: ASCII folded, spaces dropped, lower case ("整改时限（工作日）" ->
// "整改时限(工作日)").
std::string NormalizeHeader(std::string_view text);

// Whether text that is not UTF-8 reads whole as GB18030 (GBK's superset): what Excel saves as
// "CSV" on a Chinese Windows.
bool LooksLikeGb18030(std::string_view bytes);
// `bytes` in `encoding` ("utf-8", "gbk", "gb18030", any case) as UTF-8, through iconv(3).
// kBadInput naming the line and byte offset of the first byte that is not in `encoding`, or for
// another encoding name.
Result<std::string> LedgerToUtf8(std::string_view bytes, std::string_view encoding);

struct LedgerOptions {
  std::string file = "ledger.csv";  // named in messages
  // For rows without a `workflow` cell; empty: the campaign's `items.workflow`, else
  // rectification-item (the precedence of campaign_items.h).
  std::string workflow;
  std::string campaign;  // for rows without a `campaign` cell
  // For rows without an `escalation` cell (a chain's name or name@version); empty: the
  // campaign's `items.escalation`, else each state's own `overdue:`.
  std::string escalation;
  // The workflow versions the started campaigns pinned (campaign -> workflow -> version, as
  // LoadAllPinnedWorkflows reads them): a row into one of them gets the version it pinned, and a
  // row that names another version is an error.
  std::map<std::string, std::map<std::string, int>> pinned;
  std::string registrar;                // who registers (a person id); empty: system
  std::string assign_event = "assign";  // taken after registering; empty: none
  std::optional<Timestamp> now;         // registered_at later than this is an error
  // A registered_at that is a date means that day at this local time: the start of the day for
  // an import, 09:00 (when offices open) for the scripted registrars of simulate and the demo.
  std::chrono::minutes date_registered_at{0};
  // For rows whose time_limit cell is empty (a campaign's `items.time_limit`); empty: the cell is
  // required.
  std::string default_time_limit;
  // The file's encoding ("utf-8", "gbk", "gb18030"); empty: UTF-8, and a file that is not gets
  // one error (naming GBK when it reads as GBK) and no other. Not for XLSX.
  std::string encoding;
  // An XLSX workbook's sheet to read; empty: the first (table_input.h).
  std::string sheet;
};

struct LedgerRow {
  int row = 0;       // the CSV row
  NewInstance item;  // item.at is registered_at
  // The transition taken at registered_at by the registrar; empty when none.
  std::string assign_event;
};

struct Ledger {
  std::vector<std::string> columns;  // as the header names them, normalized to lower case
  std::vector<LedgerRow> rows;       // every valid row, in file order
  // What the import will do that the file does not say, one line each, for the import to print:
  // who acts for a person field the rows leave empty (an empty `verifier` reads as the org's
  // verifiers, access.h), and time limits in 天/日 read as calendar days.
  std::vector<std::string> notes;
  // The sheet read when the file is an XLSX workbook; empty for CSV. Messages about an XLSX
  // ledger name the cell as Excel does ("台账!F14 time_limit: ..."), after its row and column.
  std::string sheet;
};

// Parses and checks a ledger. The rows are usable only when `diags` has no error.
Ledger ParseLedger(std::string_view text, const definition::DefinitionSet& definitions,
                   const LedgerOptions& options, Diagnostics& diags);

// Registrations for Engine::RegisterMany: each row registered, then assigned.
std::vector<Registration> LedgerRegistrations(const Ledger& ledger, const LedgerOptions& options);

struct ImportOptions {
  bool dry_run = false;  // check everything (the database too), change nothing
  // Called as rows are checked and prepared: (done, total). May be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct ImportReport {
  std::size_t rows = 0;         // rows in the ledger
  std::size_t registered = 0;   // instances committed (0 on a dry run)
  std::vector<Instance> items;  // as registered (or as they would be, on a dry run)
};

// Checks the rows against the database (ids that exist already) and against the engine (each
// registration and assignment is interpreted), reporting every problem to `diags` at its row;
// then registers all rows in ONE transaction. kBadInput (nothing imported) when any row is
// wrong; a store error when the commit fails (nothing imported either).
Result<ImportReport> ImportLedger(Engine& engine, const Ledger& ledger,
                                  const LedgerOptions& options, const ImportOptions& import,
                                  Diagnostics& diags);

// ImportLedger with the registrations given: `batch[i]` registers `ledger.rows[i]`, perhaps by
// another registrar and with other transitions after it than LedgerRegistrations makes (the
// scripted cadres of `rectify simulate` register each row as a registrar of its unit). The same
// checks, the same messages; with `import.dry_run`, the check that a run makes before it starts.
Result<ImportReport> ImportLedgerRegistrations(Engine& engine, const Ledger& ledger,
                                               const std::vector<Registration>& batch,
                                               const LedgerOptions& options,
                                               const ImportOptions& import, Diagnostics& diags);

}  // namespace rectify::engine
