// Marks, bonus points, vetoes and publication of an assessment, kept as audit rows on the
// campaign's run, and the period's ranking from them (see rectify/engine/assessment.h).
#include "rectify/engine/assessment.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

#include "rectify/engine/access.h"
#include "rectify/engine/instance_pages.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;
namespace chr = std::chrono;

namespace {

constexpr const char* kMarkEvent = "assessment_mark";
constexpr const char* kBonusEvent = "assessment_bonus";
constexpr const char* kVetoEvent = "assessment_veto";

// "88.75", "81.5", "100.0": decimal text, as the ranking has always written scores.
std::string Points(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  if (s.size() > 3 && s.back() == '0') s.pop_back();
  return s;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

double Number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_string()) return std::atof(v->as_string().c_str());
  return 0;
}

std::string PeriodHint(definition::Period p) {
  switch (p) {
    case definition::Period::kWeek:
      return "write the Monday of the week, as 2017-05-08";
    case definition::Period::kMonth:
      return "write the month as 2017-05";
    case definition::Period::kQuarter:
      return "write the quarter as 2017-Q2";
    case definition::Period::kYear:
      return "write the year as 2017";
  }
  return {};
}

// Everything an act needs: the run, its pinned campaign, the assessment and the period.
struct Context {
  Instance run;
  std::shared_ptr<const definition::Campaign> campaign;
  std::shared_ptr<const definition::Assessment> assessment;
  AssessmentPeriod period;
};

// The campaign's run and the campaign version it runs on (ctx.run and ctx.campaign).
Status LoadRun(Engine& engine, const std::string& campaign, Context& ctx) {
  auto record = engine.store().LoadInstance(CampaignInstanceId(campaign));
  if (!record) {
    if (record.error().code() != ErrorCode::kNotFound) return record.error();
    return Error::NotFound("campaign " + campaign +
                           " has not been started; start it with 'rectify campaign start " +
                           campaign + "'");
  }
  auto run = Instance::FromRecord(*record);
  if (!run) return run.error();
  ctx.run = std::move(*run);
  ctx.campaign = engine.interpreter().definitions().FindCampaign(
      ctx.run.Field("campaign"), static_cast<int>(ctx.run.record.workflow_version));
  if (!ctx.campaign) {
    return Error::FailedPrecondition("campaign " + campaign + " runs on version " +
                                     std::to_string(ctx.run.record.workflow_version) +
                                     ", which is not loaded; load the definitions it started with");
  }
  return OkStatus();
}

// An assessment's period kind as the campaign's recurrence of the same length, whose period
// arithmetic (definition::PeriodStart, PeriodAfter) is the one place that counts periods.
definition::Every AsEvery(definition::Period p) {
  switch (p) {
    case definition::Period::kWeek:
      return definition::Every::kWeek;
    case definition::Period::kMonth:
      return definition::Every::kMonth;
    case definition::Period::kQuarter:
      return definition::Every::kQuarter;
    case definition::Period::kYear:
      return definition::Every::kYear;
  }
  return definition::Every::kMonth;
}

Result<Context> LoadContext(Engine& engine, const std::string& campaign,
                            const std::string& assessment, const std::string& period) {
  Context ctx;
  if (Status s = LoadRun(engine, campaign, ctx); !s) return s.error();
  std::vector<std::string> names;
  for (const definition::Recurring& r : ctx.campaign->recurring()) {
    if (!r.assessment) continue;
    names.push_back(r.assessment->info().name);
    if (assessment.empty() || assessment == r.assessment->info().name) {
      if (ctx.assessment && ctx.assessment != r.assessment) {
        return Error::BadInput("campaign " + campaign + " has several assessments (" +
                               ctx.assessment->info().name + ", " + r.assessment->info().name +
                               "); name one with --assessment");
      }
      ctx.assessment = r.assessment;
    }
  }
  if (!ctx.assessment) {
    if (names.empty()) return Error::NotFound("campaign " + campaign + " runs no assessment");
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Error::NotFound("campaign " + campaign + " runs no assessment '" + assessment +
                           "'; it runs " + list);
  }
  auto p = ParseAssessmentPeriod(*ctx.assessment, *ctx.campaign, period);
  if (!p) return p.error();
  ctx.period = *p;
  return ctx;
}

// Whether `actor` holds `role` for `unit` (or, with no unit, for the org's top unit).
Status CheckRole(const definition::Org& org, const std::string& actor, const std::string& role,
                 const std::string& unit, const std::string& what) {
  auto person = org.FindPerson(actor);
  if (!person) {
    return Error::PermissionDenied("'" + actor + "' is nobody in org " + org.info().name + "; " +
                                   what + " is entered by a person of the org");
  }
  if (role.empty()) {
    return Error::FailedPrecondition(what +
                                     " names no role that enters it; add by: or "
                                     "assessed_by: to the assessment");
  }
  definition::UnitIndex u = 0;
  if (!unit.empty()) {
    auto found = org.FindUnit(unit);
    if (!found) return Error::NotFound("org " + org.info().name + " has no unit '" + unit + "'");
    u = *found;
  }
  if (HoldsRoleFor(org, *person, role, u)) return OkStatus();
  return Error::PermissionDenied(PersonLabel(org, actor) + " may not enter " + what + " for " +
                                 UnitLabel(org, org.unit(u).id) + ": that takes the role " + role +
                                 " over the unit");
}

// The unit an entry is for must be one the assessment ranks.
Status CheckUnit(const definition::Assessment& a, const definition::Org& org,
                 const std::string& unit) {
  auto u = org.FindUnit(unit);
  if (!u) {
    return Error::NotFound("org " + org.info().name + " has no unit '" + unit +
                           "'; see 'rectify org show'");
  }
  const std::string& kind = org.unit(*u).kind;
  if (!a.applies_to().empty() &&
      std::find(a.applies_to().begin(), a.applies_to().end(), kind) == a.applies_to().end()) {
    std::string kinds;
    for (const auto& k : a.applies_to()) kinds += (kinds.empty() ? "" : ", ") + k;
    return Error::BadInput(UnitLabel(org, unit) + " is a " + kind + "; assessment " +
                           a.info().name + " ranks units of kind " + kinds);
  }
  return OkStatus();
}

Status CheckOpen(const Context& ctx, const AssessmentSheet& sheet, Timestamp now) {
  if (sheet.published) {
    return Error::FailedPrecondition("the " + ctx.period.label + " ranking of " +
                                     ctx.assessment->info().name + " was published by " +
                                     Text(*sheet.published, "by") +
                                     "; a published period is closed and its entries stand");
  }
  if (now < ctx.campaign->calendar().StartOfDay(ctx.period.first)) {
    return Error::FailedPrecondition("period " + ctx.period.label + " begins on " +
                                     FormatDate(ctx.period.first) +
                                     "; marks are entered once it has begun");
  }
  return OkStatus();
}

// Appends one audit row to the run, committed with the run's version check.
Status AppendRow(Engine& engine, const Context& ctx, const std::string& actor,
                 const std::string& event, const std::string& reason, json::object data) {
  Bound bound{nullptr, ctx.campaign->org_ptr(), &ctx.campaign->calendar(), nullptr};
  internal::Step step(engine.interpreter(), bound, ctx.run, engine.clock().Now());
  std::string state = step.inst().record.state;
  step.Audit(actor, event, state, state, reason, std::move(data));
  Effects fx = step.Finish();
  ChangeSet changes;
  fx.AppendTo(changes);
  return engine.Commit(changes);
}

Result<AssessmentSheet> LoadSheet(Engine& engine, const Context& ctx) {
  auto rows = engine.store().AuditOf(ctx.run.record.id);
  if (!rows) return rows.error();
  return ReadSheet(*rows, ctx.assessment->info().name, ctx.period.label);
}

// Evidence is recorded as the items' is: "file 照片.jpg (2048 bytes, sha256 ...)" or a text.
Status CheckEvidence(const std::vector<std::string>& evidence) {
  for (const std::string& e : evidence) {
    if (e.empty() || e.size() > 1000) {
      return Error::BadInput("evidence must be a file or a text of at most 1000 bytes");
    }
  }
  return OkStatus();
}

// Runs `act` on a fresh context until it commits without a version conflict (another entry on
// the same run committed in between), at most a few times.
template <typename Act>
Result<json::object> WithRetry(Engine& engine, const AssessmentEntry& e, Act act) {
  for (int attempt = 1;; ++attempt) {
    auto ctx = LoadContext(engine, e.campaign, e.assessment, e.period);
    if (!ctx) return ctx.error();
    auto sheet = LoadSheet(engine, *ctx);
    if (!sheet) return sheet.error();
    if (Status s = CheckOpen(*ctx, *sheet, engine.clock().Now()); !s) return s.error();
    if (Status s = CheckUnit(*ctx->assessment, ctx->campaign->org(), e.unit); !s) {
      return s.error();
    }
    if (Status s = CheckEvidence(e.evidence); !s) return s.error();
    Result<json::object> out = act(*ctx, *sheet);
    if (out || out.error().code() != ErrorCode::kConflict || attempt == 3) return out;
  }
}

json::object EntryData(const Context& ctx, const AssessmentEntry& e) {
  json::object data{
      {"assessment", ctx.assessment->info().name}, {"period", ctx.period.label}, {"unit", e.unit}};
  if (!e.channel.empty()) data["channel"] = e.channel;
  return data;
}

json::object DeductionJson(const RankedUnit::Deduction& d) {
  json::object o{
      {"cause", d.cause}, {"item", d.item}, {"date", d.date}, {"points", Points(d.points)}};
  if (!d.step.empty()) o["step"] = d.step;
  if (!d.measure.empty()) o["measure"] = d.measure;
  return o;
}

}  // namespace

Result<std::vector<Instance>> CampaignItems(Store& store, const std::string& campaign) {
  std::vector<Instance> out;
  InstanceFilter filter;
  filter.campaign = campaign;
  Status s = ForEachInstance(store, filter, [&](Instance& inst) {
    out.push_back(std::move(inst));
    return OkStatus();
  });
  if (!s) return s.error();
  return out;
}

std::string PeriodLabel(definition::Period p, Date first) {
  chr::year_month_day ymd{first};
  char buf[32];
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month());
  switch (p) {
    case definition::Period::kWeek:
      return FormatDate(first);
    case definition::Period::kMonth:
      std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
      return buf;
    case definition::Period::kQuarter:
      std::snprintf(buf, sizeof buf, "%04d-Q%u", y, (m - 1) / 3 + 1);
      return buf;
    case definition::Period::kYear:
      std::snprintf(buf, sizeof buf, "%04d", y);
      return buf;
  }
  return FormatDate(first);
}

Result<AssessmentPeriod> ParseAssessmentPeriod(const definition::Assessment& a,
                                               const definition::Campaign& c,
                                               const std::string& label) {
  auto bad = [&]() {
    return Error::BadInput("period '" + label + "' is not a " +
                           std::string(definition::PeriodName(a.period())) + " of assessment " +
                           a.info().name + ": " + PeriodHint(a.period()));
  };
  int y = 0;
  unsigned n = 0;
  char extra = 0;
  Date first{};
  Date next{};
  switch (a.period()) {
    case definition::Period::kWeek: {
      auto d = ParseDate(label);
      if (!d || chr::weekday{*d} != chr::Monday) return bad();
      first = *d;
      next = first + chr::days(7);
      break;
    }
    case definition::Period::kMonth:
      if (std::sscanf(label.c_str(), "%4d-%2u%c", &y, &n, &extra) != 2 || label.size() != 7 ||
          n < 1 || n > 12) {
        return bad();
      }
      first = Date(chr::year(y) / chr::month(n) / chr::day(1));
      next = Date(chr::year_month_day(first) + chr::months(1));
      break;
    case definition::Period::kQuarter:
      if (std::sscanf(label.c_str(), "%4d-Q%1u%c", &y, &n, &extra) != 2 || label.size() != 7 ||
          n < 1 || n > 4) {
        return bad();
      }
      first = Date(chr::year(y) / chr::month(3 * (n - 1) + 1) / chr::day(1));
      next = Date(chr::year_month_day(first) + chr::months(3));
      break;
    case definition::Period::kYear:
      if (std::sscanf(label.c_str(), "%4d%c", &y, &extra) != 1 || label.size() != 4) return bad();
      first = Date(chr::year(y) / chr::January / chr::day(1));
      next = Date(chr::year(y + 1) / chr::January / chr::day(1));
      break;
  }
  Date last = next - chr::days(1);
  if (last < c.from() || first > c.to()) {
    return Error::BadInput("period " + label + " is outside campaign " + c.info().name + " (" +
                           FormatDate(c.from()) + ".." + FormatDate(c.to()) + ")");
  }
  return AssessmentPeriod{label, std::max(first, c.from()), std::min(last, c.to())};
}

AssessmentSheet ReadSheet(const std::vector<AuditRecord>& run_audit, const std::string& assessment,
                          const std::string& period_label) {
  AssessmentSheet sheet;
  for (const AuditRecord& row : run_audit) {
    bool entry = row.event == kMarkEvent || row.event == kBonusEvent || row.event == kVetoEvent;
    if (!entry && row.event != "assessment") continue;
    boost::system::error_code ec;
    json::value v = json::parse(row.data_json, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    if (!entry) {
      const json::value* published = o.if_contains("published");
      if (published && published->is_bool() && published->as_bool() &&
          Text(o, "assessment_name") == assessment && Text(o, "period_label") == period_label) {
        sheet.published = o;
      }
      continue;
    }
    if (Text(o, "assessment") != assessment || Text(o, "period") != period_label) continue;
    SheetEntry e;
    e.event = row.event;
    e.unit = Text(o, "unit");
    e.criterion = Text(o, "criterion");
    e.value = Number(o, row.event == kBonusEvent ? "points" : "mark");
    if (o.contains("previous")) e.previous = Number(o, "previous");
    const json::value* withdrawn = o.if_contains("withdrawn");
    e.withdrawn = withdrawn && withdrawn->is_bool() && withdrawn->as_bool();
    e.note = Text(o, "note");
    e.reason = row.reason;
    if (const json::value* ev = o.if_contains("evidence"); ev && ev->is_array()) {
      for (const auto& h : ev->as_array()) {
        if (h.is_string()) e.evidence.emplace_back(h.as_string());
      }
    }
    e.by = row.actor;
    e.at = row.at;
    e.seq = row.seq;
    if (row.event == kMarkEvent) {
      sheet.marks[{e.unit, e.criterion}] = e;
    } else if (row.event == kBonusEvent) {
      sheet.bonus[e.unit] = e;
    } else if (e.withdrawn) {
      sheet.vetoes.erase({e.unit, e.criterion});
    } else {
      sheet.vetoes[{e.unit, e.criterion}] = e;
    }
    sheet.history.push_back(std::move(e));
  }
  return sheet;
}

json::array RankingJson(const std::vector<RankedUnit>& ranking) {
  json::array rows;
  for (const RankedUnit& u : ranking) {
    // Scores as decimal text ("88.5"): Boost.JSON would write 88.5 as 8.85E1.
    json::object o{{"rank", u.rank},
                   {"unit", u.unit},
                   {"name", u.name},
                   {"kind", u.kind},
                   {"score", Points(u.score)},
                   {"deducted", Points(u.deducted)},
                   {"escalations", u.escalations},
                   {"overdue_items", u.overdue_items}};
    if (!u.vetoes.empty()) o["vetoes"] = Strings(u.vetoes);
    o["marks"] = Points(u.marks);
    o["bonus"] = Points(u.bonus);
    json::object criteria;
    for (const auto& [id, mark] : u.criteria) criteria[id] = Points(mark);
    o["criteria"] = std::move(criteria);
    if (!u.not_assessed.empty()) o["not_assessed"] = Strings(u.not_assessed);
    json::array deductions;
    for (const auto& d : u.deductions) deductions.emplace_back(DeductionJson(d));
    o["deductions"] = std::move(deductions);
    if (!u.veto_reasons.empty()) {
      json::object reasons;
      for (const auto& [id, why] : u.veto_reasons) reasons[id] = why;
      o["veto_reasons"] = std::move(reasons);
    }
    rows.emplace_back(std::move(o));
  }
  return rows;
}

namespace {

// A mark's audit data, checked against the definition and the sheet (not yet appended).
Result<json::object> MarkRow(const Context& ctx, const AssessmentSheet& sheet,
                             const AssessmentEntry& e) {
  const definition::Assessment& a = *ctx.assessment;
  const definition::Criterion* c = a.FindCriterion(e.criterion);
  if (!c) {
    std::string ids;
    for (const auto& x : a.criteria()) ids += (ids.empty() ? "" : ", ") + x.id;
    return Error::BadInput("assessment " + a.info().name + " has no criterion '" + e.criterion +
                           "'" + (ids.empty() ? "" : "; its criteria: " + ids));
  }
  if (!(e.value >= 0 && e.value <= c->max)) {
    return Error::BadInput("mark " + Points(e.value) + " for " + c->id + " is out of range: 0.." +
                           Points(c->max));
  }
  if (e.note.empty()) {
    return Error::BadInput("a mark needs a note saying what was found (--note)");
  }
  if (Status s =
          CheckRole(ctx.campaign->org(), e.actor, a.RoleOr(c->by), e.unit, "the mark for " + c->id);
      !s) {
    return s.error();
  }
  json::object data = EntryData(ctx, e);
  data["criterion"] = c->id;
  data["mark"] = Points(e.value);
  data["max"] = Points(c->max);
  data["note"] = e.note;
  data["evidence"] = Strings(e.evidence);
  auto old = sheet.marks.find({e.unit, c->id});
  if (old != sheet.marks.end()) {
    if (e.reason.empty()) {
      return Error::BadInput("the " + ctx.period.label + " mark for " + c->id + " of " + e.unit +
                             " is " + Points(old->second.value) + " (entered by " + old->second.by +
                             "); a correction needs its reason (--reason)");
    }
    data["previous"] = Points(old->second.value);
  }
  return data;
}

}  // namespace

Result<json::object> EnterMark(Engine& engine, const AssessmentEntry& e) {
  return WithRetry(
      engine, e, [&](const Context& ctx, const AssessmentSheet& sheet) -> Result<json::object> {
        auto data = MarkRow(ctx, sheet, e);
        if (!data) return data;
        if (Status s = AppendRow(engine, ctx, e.actor, kMarkEvent, e.reason, *data); !s) {
          return s.error();
        }
        return data;
      });
}

Result<std::vector<json::object>> EnterMarks(Engine& engine,
                                             const std::vector<AssessmentEntry>& entries) {
  if (entries.empty()) return std::vector<json::object>{};
  const AssessmentEntry& first = entries.front();
  for (int attempt = 1;; ++attempt) {
    auto ctx = LoadContext(engine, first.campaign, first.assessment, first.period);
    if (!ctx) return ctx.error();
    auto sheet = LoadSheet(engine, *ctx);
    if (!sheet) return sheet.error();
    if (Status s = CheckOpen(*ctx, *sheet, engine.clock().Now()); !s) return s.error();
    Bound bound{nullptr, ctx->campaign->org_ptr(), &ctx->campaign->calendar(), nullptr};
    internal::Step step(engine.interpreter(), bound, ctx->run, engine.clock().Now());
    std::string state = step.inst().record.state;
    std::vector<json::object> rows;
    for (const AssessmentEntry& e : entries) {
      if (e.campaign != first.campaign || e.assessment != first.assessment ||
          e.period != first.period) {
        return Error::BadInput("marks entered together are of one campaign, assessment and period");
      }
      if (Status s = CheckUnit(*ctx->assessment, ctx->campaign->org(), e.unit); !s) {
        return s.error();
      }
      if (Status s = CheckEvidence(e.evidence); !s) return s.error();
      auto data = MarkRow(*ctx, *sheet, e);
      if (!data) return data.error();
      // A later entry of the same mark in the batch corrects this one.
      SheetEntry entered;
      entered.value = e.value;
      entered.by = e.actor;
      sheet->marks[{e.unit, e.criterion}] = entered;
      step.Audit(e.actor, kMarkEvent, state, state, e.reason, *data);
      rows.push_back(std::move(*data));
    }
    Effects fx = step.Finish();
    ChangeSet changes;
    fx.AppendTo(changes);
    Status s = engine.Commit(changes);
    if (!s && s.error().code() == ErrorCode::kConflict && attempt < 3) continue;
    if (!s) return s.error();
    return rows;
  }
}

Result<json::object> EnterBonus(Engine& engine, const AssessmentEntry& e) {
  return WithRetry(
      engine, e, [&](const Context& ctx, const AssessmentSheet& sheet) -> Result<json::object> {
        const definition::Assessment& a = *ctx.assessment;
        if (a.bonus().max <= 0) {
          return Error::FailedPrecondition("assessment " + a.info().name +
                                           " gives no bonus points (its definition has no bonus:)");
        }
        if (!(e.value >= 0 && e.value <= a.bonus().max)) {
          return Error::BadInput("bonus " + Points(e.value) + " is out of range: 0.." +
                                 Points(a.bonus().max) + " points");
        }
        if (e.note.empty()) return Error::BadInput("a bonus needs its reason as a note (--note)");
        if (Status s = CheckRole(ctx.campaign->org(), e.actor, a.RoleOr(a.bonus().by), e.unit,
                                 "bonus points");
            !s) {
          return s.error();
        }
        json::object data = EntryData(ctx, e);
        data["points"] = Points(e.value);
        data["note"] = e.note;
        data["evidence"] = Strings(e.evidence);
        auto old = sheet.bonus.find(e.unit);
        if (old != sheet.bonus.end()) {
          if (e.reason.empty()) {
            return Error::BadInput("the " + ctx.period.label + " bonus of " + e.unit + " is " +
                                   Points(old->second.value) + " (entered by " + old->second.by +
                                   "); a correction needs its reason (--reason)");
          }
          data["previous"] = Points(old->second.value);
        }
        if (Status s = AppendRow(engine, ctx, e.actor, kBonusEvent, e.reason, data); !s) {
          return s.error();
        }
        return data;
      });
}

Result<json::object> TakeVeto(Engine& engine, const AssessmentEntry& e) {
  return WithRetry(
      engine, e, [&](const Context& ctx, const AssessmentSheet& sheet) -> Result<json::object> {
        const definition::Assessment& a = *ctx.assessment;
        const definition::Veto* v = a.FindVeto(e.criterion);
        if (!v || v->when != definition::Veto::When::kManual) {
          std::string ids;
          for (const auto& x : a.vetoes()) {
            if (x.when == definition::Veto::When::kManual) ids += (ids.empty() ? "" : ", ") + x.id;
          }
          return Error::BadInput("assessment " + a.info().name + " has no veto '" + e.criterion +
                                 "' taken by a person" + (v ? " (it is taken by a measure)" : "") +
                                 (ids.empty() ? "" : "; its vetoes taken by a person: " + ids));
        }
        if (e.note.empty()) return Error::BadInput("a veto needs its reason (--reason)");
        if (Status s = CheckRole(ctx.campaign->org(), e.actor, a.RoleOr(v->by), e.unit,
                                 "the veto " + v->id);
            !s) {
          return s.error();
        }
        bool taken = sheet.vetoes.count({e.unit, v->id}) > 0;
        if (e.withdraw && !taken) {
          return Error::FailedPrecondition("veto " + v->id + " was not taken on " + e.unit +
                                           " for " + ctx.period.label +
                                           "; there is nothing to withdraw");
        }
        if (!e.withdraw && taken) {
          return Error::FailedPrecondition("veto " + v->id + " was taken on " + e.unit + " for " +
                                           ctx.period.label + " already");
        }
        json::object data = EntryData(ctx, e);
        data["criterion"] = v->id;
        data["note"] = e.note;
        data["withdrawn"] = e.withdraw;
        data["evidence"] = Strings(e.evidence);
        if (Status s = AppendRow(engine, ctx, e.actor, kVetoEvent, e.note, data); !s) {
          return s.error();
        }
        return data;
      });
}

namespace {

// In an open period, a unit with no mark entered yet (and no veto taken) has no score: its
// 100.0 is the absence of marks, not a result, and ranking it above the units already marked
// tells a reader the opposite of the truth. Such units go after the ranked ones, with rank 0;
// the ranked ones keep their order and are numbered again as RankUnits numbers them. Answers,
// per line of the new order, whether the unit is ranked.
std::vector<bool> SetApartUnassessed(const definition::Assessment& a,
                                     std::vector<RankedUnit>& ranking) {
  auto marked = [](const RankedUnit& u) { return !u.criteria.empty() || !u.vetoes.empty(); };
  if (a.criteria().empty()) return std::vector<bool>(ranking.size(), true);  // nothing to mark
  // Before anyone is marked, the ranking from deductions alone is the provisional one (as the run
  // records it on the first working day): only marked units rank above unmarked ones.
  if (std::none_of(ranking.begin(), ranking.end(), marked)) {
    return std::vector<bool>(ranking.size(), true);
  }
  std::stable_partition(ranking.begin(), ranking.end(), marked);
  std::vector<bool> ranked;
  std::string kind;
  int rank = 0;
  for (RankedUnit& u : ranking) {
    ranked.push_back(marked(u));
    if (!ranked.back()) {
      u.rank = 0;
      continue;
    }
    if (a.ranking().by_kind && u.kind != kind) {
      kind = u.kind;
      rank = 0;
    }
    u.rank = ++rank;
  }
  return ranked;
}

Result<AssessmentView> BuildView(Engine& engine, const Context& ctx) {
  AssessmentView view;
  view.campaign = ctx.run.Field("campaign");
  view.assessment = ctx.assessment;
  view.period = ctx.period;
  auto sheet = LoadSheet(engine, ctx);
  if (!sheet) return sheet.error();
  view.history = sheet->history;
  if (sheet->published) {
    view.published = true;
    view.published_by = Text(*sheet->published, "by");
    view.published_at = Text(*sheet->published, "published_at");
    if (const json::value* r = sheet->published->if_contains("ranking"); r && r->is_array()) {
      view.ranking_json = r->as_array();
    }
    return view;
  }
  auto items = CampaignItems(engine.store(), view.campaign);
  if (!items) return items.error();
  const definition::Campaign& c = *ctx.campaign;
  const Calendar& cal = c.calendar();
  Timestamp now = engine.clock().Now();
  Timestamp from = cal.StartOfDay(ctx.period.first);
  Timestamp to = std::max(from, std::min(cal.EndOfDay(ctx.period.last), now));
  view.ranking = RankUnits(*ctx.assessment, c.org(), &cal, *items, from, to, now, *sheet);
  std::vector<bool> ranked = SetApartUnassessed(*ctx.assessment, view.ranking);
  view.ranking_json = RankingJson(view.ranking);
  // Said per line, so that every client shows it alike: no rank, and why.
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (ranked[i]) continue;
    json::object& line = view.ranking_json[i].as_object();
    line["rank"] = nullptr;
    line["assessed"] = false;
  }
  for (const RankedUnit& u : view.ranking) {
    for (const std::string& id : u.not_assessed) {
      view.missing.push_back(UnitLabel(c.org(), u.unit) + ": " + id);
    }
  }
  return view;
}

}  // namespace

std::string EvidenceFileText(std::string_view name, std::int64_t size, std::string_view sha256) {
  return "file " + std::string(name) + " (" + std::to_string(size) + " bytes, sha256 " +
         std::string(sha256) + ")";
}

Result<std::vector<AssessmentPeriodState>> ListAssessmentPeriods(Engine& engine,
                                                                 const std::string& campaign) {
  Context ctx;
  if (Status s = LoadRun(engine, campaign, ctx); !s) return s.error();
  auto rows = engine.store().AuditOf(ctx.run.record.id);
  if (!rows) return rows.error();
  // (assessment, period label) -> who published it.
  std::map<std::pair<std::string, std::string>, std::string> published;
  for (const AuditRecord& row : *rows) {
    if (row.event != "assessment") continue;
    boost::system::error_code ec;
    json::value v = json::parse(row.data_json, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    const json::value* p = o.if_contains("published");
    if (p && p->is_bool() && p->as_bool()) {
      published[{Text(o, "assessment_name"), Text(o, "period_label")}] = Text(o, "by");
    }
  }
  const definition::Campaign& c = *ctx.campaign;
  const Calendar& cal = c.calendar();
  Timestamp now = engine.clock().Now();
  Date last = std::min(c.to(), cal.DateOf(now));
  std::vector<AssessmentPeriodState> out;
  for (const definition::Recurring& r : c.recurring()) {
    if (!r.assessment) continue;
    const definition::Assessment& a = *r.assessment;
    const definition::Every every = AsEvery(a.period());
    for (Date first = definition::PeriodStart(every, c.from()); first <= last;
         first = definition::PeriodAfter(every, first)) {
      auto period = ParseAssessmentPeriod(a, c, PeriodLabel(a.period(), first));
      if (!period) return period.error();
      AssessmentPeriodState line{a.info().name, a.info().title, a.period(), *period};
      line.ended = now >= cal.EndOfDay(period->last);
      if (auto it = published.find({a.info().name, period->label}); it != published.end()) {
        line.published = true;
        line.published_by = it->second;
      }
      out.push_back(std::move(line));
    }
  }
  return out;
}

Result<AssessmentView> ShowAssessment(Engine& engine, const std::string& campaign,
                                      const std::string& assessment, const std::string& period) {
  auto ctx = LoadContext(engine, campaign, assessment, period);
  if (!ctx) return ctx.error();
  return BuildView(engine, *ctx);
}

Result<AssessmentView> PublishAssessment(Engine& engine, const std::string& campaign,
                                         const std::string& assessment, const std::string& period,
                                         const std::string& actor, const std::string& channel) {
  for (int attempt = 1;; ++attempt) {
    auto ctx = LoadContext(engine, campaign, assessment, period);
    if (!ctx) return ctx.error();
    const definition::Assessment& a = *ctx->assessment;
    const definition::Campaign& c = *ctx->campaign;
    std::string role = a.published_by().empty() ? a.assessed_by() : a.published_by();
    if (Status s = CheckRole(c.org(), actor, role, "", "the publication of " + a.info().name); !s) {
      return s.error();
    }
    Timestamp now = engine.clock().Now();
    if (now < c.calendar().EndOfDay(ctx->period.last)) {
      return Error::FailedPrecondition("period " + ctx->period.label + " ends on " +
                                       FormatDate(ctx->period.last) +
                                       "; its ranking is published after that");
    }
    auto view = BuildView(engine, *ctx);
    if (!view) return view.error();
    if (view->published) {
      return Error::FailedPrecondition("the " + ctx->period.label + " ranking of " + a.info().name +
                                       " was published by " + view->published_by + " already");
    }
    if (!view->missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < view->missing.size() && i < 5; ++i) {
        list += (i ? "; " : "") + view->missing[i];
      }
      if (view->missing.size() > 5) {
        list += "; and " + std::to_string(view->missing.size() - 5) + " more";
      }
      return Error::FailedPrecondition(std::to_string(view->missing.size()) +
                                       " mark(s) are missing (" + list +
                                       "); enter them with 'rectify assessment mark' first");
    }
    json::object data{
        {"title", a.info().title},
        {"assessment", a.info().name + "@" + std::to_string(a.info().version)},
        {"assessment_name", a.info().name},
        {"period", FormatDate(ctx->period.first) + ".." + FormatDate(ctx->period.last)},
        {"period_label", ctx->period.label},
        {"published", true},
        {"by", actor},
        {"published_at", c.calendar().FormatLocal(now)},
        {"ranking", view->ranking_json}};
    if (!channel.empty()) data["channel"] = channel;
    Status s = AppendRow(engine, *ctx, actor, "assessment", "", data);
    if (!s && s.error().code() == ErrorCode::kConflict && attempt < 3) continue;
    if (!s) return s.error();
    view->published = true;
    view->published_by = actor;
    view->published_at = c.calendar().FormatLocal(now);
    return view;
  }
}

json::object AssessmentViewJson(const AssessmentView& view) {
  json::object o{{"campaign", view.campaign},
                 {"assessment", view.assessment->info().name},
                 {"title", view.assessment->info().title},
                 {"period", view.period.label},
                 {"from", FormatDate(view.period.first)},
                 {"to", FormatDate(view.period.last)},
                 {"published", view.published}};
  if (view.published) {
    o["published_by"] = view.published_by;
    o["published_at"] = view.published_at;
  }
  o["missing"] = Strings(view.missing);
  o["ranking"] = view.ranking_json;
  json::array history;
  for (const SheetEntry& e : view.history) {
    json::object h{{"event", e.event},
                   {"unit", e.unit},
                   {"by", e.by},
                   {"at", FormatIso(e.at)},
                   {"seq", e.seq}};
    if (!e.criterion.empty()) h["criterion"] = e.criterion;
    if (e.event != kVetoEvent) h["value"] = Points(e.value);
    if (e.previous) h["previous"] = Points(*e.previous);
    if (e.event == kVetoEvent) h["withdrawn"] = e.withdrawn;
    h["note"] = e.note;
    if (!e.reason.empty() && e.event != kVetoEvent) h["reason"] = e.reason;
    if (!e.evidence.empty()) h["evidence"] = Strings(e.evidence);
    history.emplace_back(std::move(h));
  }
  o["history"] = std::move(history);
  return o;
}

namespace {

std::string Cell(const json::object& row, const std::string& field) {
  const json::value* v = row.if_contains(field);
  if (v && v->is_null()) return "";  // the rank of a unit not assessed yet
  if (field == "vetoes") {
    std::string out;
    if (v && v->is_array()) {
      for (const auto& x : v->as_array()) {
        if (x.is_string()) out += (out.empty() ? "" : " ") + std::string(x.as_string());
      }
    }
    return out;
  }
  if (field == "status") {
    if (row.contains("vetoes")) return "veto";
    return row.contains("not_assessed") ? "not assessed" : "passed";
  }
  if (field.rfind("criterion:", 0) == 0) {
    const json::value* c = row.if_contains("criteria");
    if (!c || !c->is_object()) return "";
    return Text(c->as_object(), field.substr(10));
  }
  if (!v) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return json::serialize(*v);
}

}  // namespace

ReportTable AssessmentTable(const AssessmentView& view, const std::string& lang) {
  using Kind = ReportTable::Kind;
  ReportTable t;
  std::vector<std::string> fields;
  const definition::ExportLayout& layout = view.assessment->layout();
  if (layout.columns.empty()) {
    fields = {"rank",  "unit",     "name",  "kind",   "marks",
              "bonus", "deducted", "score", "vetoes", "status"};
    for (const auto& c : view.assessment->criteria()) fields.push_back("criterion:" + c.id);
    t.header = fields;
  } else {
    for (const auto& c : layout.columns) {
      fields.push_back(c.field);
      t.header.push_back(lang == "en" ? c.title_en : c.title_zh);
    }
  }
  for (const std::string& f : fields) {
    bool number = f == "rank" || f == "score" || f == "marks" || f == "bonus" || f == "deducted" ||
                  f == "escalations" || f == "overdue_items" || f.rfind("criterion:", 0) == 0;
    t.kinds.push_back(number ? Kind::kNumber : Kind::kText);
  }
  for (const auto& v : view.ranking_json) {
    if (!v.is_object()) continue;
    std::vector<std::string> row;
    for (const std::string& f : fields) {
      std::string cell = Cell(v.as_object(), f);
      // Status words in the sheet's language.
      if (f == "status" && lang != "en") {
        cell = cell == "veto" ? "一票否决" : cell == "passed" ? "通过" : "未完成考核";
      }
      row.push_back(std::move(cell));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string AssessmentSheetName(const AssessmentView& view, const std::string& lang) {
  const definition::ExportLayout& layout = view.assessment->layout();
  std::string name = lang == "en" ? layout.sheet_en : layout.sheet_zh;
  if (name.empty()) name = view.period.label;
  return name;
}

}  // namespace rectify::engine
