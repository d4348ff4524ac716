// Year-on-year figures (issue 15, point 9; seed 003: "the number of clues dropped by 33.5%
// year-on-year, disciplinary sanctions 37.7%, registered cases 48.5%"): a campaign's counts over a
// period beside those of an earlier campaign over the same calendar dates a year before, and the
// change in percent with one decimal.
//
//   YearOnYearQuery q{.campaign = "xinshao-2018", .with = "xinshao-2017",
//                     .from = *ParseDate("2018-01-01"), .to = *ParseDate("2018-06-30")};
//   Result<YearOnYear> r = YearOnYearReport(store, definitions, q);
//   r->lines[0];  // {"problems_found", 133, 200, "-33.5%", "dropped by 33.5%"}
//
// What counts in a period (dates are local days of the campaign's calendar, both ends included):
//   problems_found       findings of the campaign's inspection rounds recorded in it (findings.h)
//   items_opened         rectification items of the campaign registered in it (not findings,
//                        public reports, campaign runs, nor the tasks an escalation opens)
//   items_closed         those items in a final state whose last change was in it
//   items_overdue        those items with an escalation step that fell due in it (a missed
//                        deadline), each counted once
//   public_report_clues  items found by public_report registered in it
//   escalation:MEASURE   escalation steps that took effect in it, by measure, by time or judgment
//   accountability_referrals  the steps among those whose measure is accountability
// The earlier period is the same dates a year before (02-29 as 02-28), unless `with_from` and
// `with_to` name another (the same phase of the earlier campaign).
//
// The change: (now - before) / before, in percent with one decimal, signed ("-33.5%", "+12.0%",
// "0.0%"); "new" when there were none before and some now; "-" when there were none either time.
//
// Thread-safety: use the Store from one thread.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/definition_set.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

struct YearOnYearQuery {
  std::string campaign;                    // this period's campaign
  std::string with;                        // the earlier campaign
  Date from{}, to{};                       // this period
  std::optional<Date> with_from, with_to;  // the earlier period; default: a year before
};

struct YearOnYearLine {
  std::string measure;  // problems_found, ..., escalation:warning_interview
  std::string label;    // 发现问题 (problems found)
  std::int64_t now = 0, before = 0;
  std::string change;  // "-33.5%", "+12.0%", "0.0%", "new", "-"
  std::string words;  // "dropped by 33.5%", "rose by 12.0%", "unchanged", "new", "none either year"
};

struct YearOnYear {
  std::string campaign, with;
  Date from{}, to{}, with_from{}, with_to{};
  std::vector<YearOnYearLine> lines;
};

// The change from `before` to `now` as the seed writes it: "-33.5%" (200 -> 133).
std::string PercentChange(std::int64_t before, std::int64_t now);
// In words: "dropped by 33.5%", "rose by 12.0%", "unchanged", "new", "none either year".
std::string ChangeInWords(std::int64_t before, std::int64_t now);
// `d` a year before (02-29 as 02-28).
Date YearBefore(Date d);

// kNotFound for a campaign that is not loaded; kBadInput for a period that ends before it begins.
Result<YearOnYear> YearOnYearReport(Store& store, const definition::DefinitionSet& definitions,
                                    const YearOnYearQuery& query);

boost::json::value ToJson(const YearOnYear& report);

}  // namespace rectify::engine
