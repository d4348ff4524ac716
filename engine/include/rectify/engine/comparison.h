// Data comparison (issue 15, point 8): two data sets read against a `kind: comparison`
// (definition/comparison.h), matched by key, their mismatches by rule, and each mismatch
// registered as a clue at its responsible unit: a finding (findings.h) of the comparison's round,
// found_by data_comparison, all in ONE transaction.
//
//   Diagnostics diags;
//   ComparisonResult r = CompareData(*comparison, defs, {"花名册.xlsx", roster_bytes},
//                                    {"发放表.csv", payment_bytes}, diags);
//   if (diags.has_errors()) { ... nothing is registered ... }
//   auto run = RegisterClues(engine, *comparison, r, {.campaign = "", .actor = "hc-003"});
//   // run->registered: the clues new this run; r.mismatches[i].registered_before: by an earlier
//   one
//
// A mismatch's clue id is stable: F-<campaign>-<round>-DC<10 hex digits of SHA-256 of the
// comparison, the rule and the normalised key>, so a second run of the same files registers
// nothing twice (and a unique violation from a concurrent run makes the whole run retry).
//
// Thread-safety: CompareData is pure; RegisterClues is of one thread, like the Engine.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/comparison.h"
#include "rectify/definition/definition_set.h"
#include "rectify/diagnostics.h"
#include "rectify/engine/engine.h"
#include "rectify/result.h"

namespace rectify::engine {

struct ComparisonFile {
  std::string name;  // named in messages (the upload's or the path's file name)
  std::string_view bytes;
  std::string encoding;  // CSV: "gbk", "gb18030"; empty: UTF-8
  std::string sheet;     // XLSX: the sheet; empty: the first
};

struct Mismatch {
  std::string rule;
  definition::CompareCheck check = definition::CompareCheck::kOnlyLeft;
  std::string key;                         // normalised key cells joined by " / "
  std::vector<int> left_rows, right_rows;  // the files' rows (the header is row 1 in CSV)
  std::string detail;                      // "amount: 300.00 / 350.00", "600.00 > 500"
  std::string unit;                        // the responsible unit's id
  std::string clue;                        // the clue's text, the rule's template filled
  std::string time_limit;                  // the rule's; empty: the campaign's
  std::string clue_id;                     // filled by RegisterClues
  bool registered_before = false;          // filled by RegisterClues
};

struct ComparisonResult {
  std::vector<Mismatch> mismatches;   // by rule (in the definition's order), then by key
  int left_rows = 0, right_rows = 0;  // the data rows read
};

// Normalises one key cell as `n` says.
std::string NormalizeKeyCell(std::string_view cell, const definition::KeyNormalization& n);

// Reads both files (CSV or XLSX, as a typed ledger import does) and finds the mismatches. Every
// problem of the files goes to `diags` with file, row and column (missing column, bad value,
// unknown unit, a mismatch whose unit cell is empty); when it has errors the result is not to be
// registered.
ComparisonResult CompareData(const definition::Comparison& comparison,
                             const definition::DefinitionSet& definitions,
                             const ComparisonFile& left, const ComparisonFile& right,
                             Diagnostics& diags);

struct ClueOptions {
  std::string campaign;  // empty: the comparison's
  std::string actor;     // who registers the clues (the round's `record` role at each unit)
  // Every clue checked (and counted in ClueRun::registered) and nothing stored. With no actor,
  // only the ids and registered_before are filled (nothing is checked against the round).
  bool dry_run = false;
  std::string channel, request_id;
};

struct ClueRun {
  std::string campaign, round;
  int registered = 0;         // new clues stored by this run
  int registered_before = 0;  // mismatches whose clue an earlier run stored
};

// Registers the mismatches of `result` as findings, in one transaction; fills each mismatch's
// clue_id and registered_before. kBadInput without a campaign; the errors of PrepareFinding
// (unknown round, a unit the round does not cover, an actor who may not record) for the first
// mismatch that has one, with its rule and key; nothing is stored on any error. With an actor,
// kPermissionDenied when they may not record at any mismatch's unit, also when every clue was
// registered before (the CLI and the API check the same way).
Result<ClueRun> RegisterClues(Engine& engine, const definition::Comparison& comparison,
                              ComparisonResult& result, const ClueOptions& options);

// The run as JSON, what `rectify compare --format json` prints and POST /api/v1/comparisons
// answers: {comparison, campaign, round, dry_run, left: {file, rows}, right: {...}, rules: [{name,
// check, mismatches}], mismatches: [{rule, check, key, left_rows, right_rows, detail, unit, clue,
// clue_id, registered_before}], registered, registered_before}. `run` may be null (no campaign).
boost::json::object ComparisonJson(const definition::Comparison& comparison,
                                   const ComparisonResult& result, const ClueRun* run, bool dry_run,
                                   const std::string& left_file, const std::string& right_file);

}  // namespace rectify::engine
