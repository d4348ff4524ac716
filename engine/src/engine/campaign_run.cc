// Campaign runs: start (pin versions, arm the dated timers) and firing (phases, checkpoints,
// recurring events, look backs, assessments). See campaign.h.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "rectify/calendar/deadline.h"
#include "rectify/engine/access.h"
#include "rectify/engine/assessment.h"
#include "rectify/engine/bulletin.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;
namespace chr = std::chrono;
using definition::Campaign;
using definition::Checkpoint;
using definition::CheckpointKind;
using definition::Recurring;
using internal::Step;

namespace {

constexpr std::int64_t kGeneration = 1;

struct Planned {
  TimerName name;
  Timestamp due;
};

std::string Label(const std::string& name, int version) {
  return name + "@" + std::to_string(version);
}

// Every definition version the run depends on.
json::object Pins(const Campaign& c) {
  json::object pins;
  pins["campaign"] = Label(c.info().name, c.info().version);
  pins["org"] = Label(c.org().info().name, c.org().info().version);
  pins["calendar"] = c.calendar().name();
  json::object workflows;
  json::object escalations;
  json::object assessments;
  auto add_workflow = [&](const std::shared_ptr<const definition::Workflow>& wf) {
    if (!wf) return;
    workflows[wf->info().name] = wf->info().version;
    for (const auto& s : wf->states()) {
      if (s.overdue) escalations[s.overdue->info().name] = s.overdue->info().version;
    }
  };
  add_workflow(c.items().workflow);
  if (c.items().escalation) {
    escalations[c.items().escalation->info().name] = c.items().escalation->info().version;
  }
  for (const Checkpoint& cp : c.checkpoints()) add_workflow(cp.workflow);
  for (const Recurring& r : c.recurring()) {
    add_workflow(r.workflow);
    if (r.assessment) assessments[r.assessment->info().name] = r.assessment->info().version;
  }
  pins["workflows"] = std::move(workflows);
  pins["escalations"] = std::move(escalations);
  pins["assessments"] = std::move(assessments);
  return pins;
}

// The days an occurrence on `day` assesses: [first, last].
std::pair<Date, Date> AssessedPeriod(const Recurring& r, Date day) {
  Date start = definition::PeriodStart(r.every, day);
  if (r.at.kind == definition::RecurringAt::Kind::kLastWorkday) {
    return {start, definition::PeriodAfter(r.every, start) - chr::days(1)};
  }
  return {definition::PeriodBefore(r.every, start), start - chr::days(1)};
}

// When a submission checkpoint opens its instances: the start of the phase its date falls in.
Date OpensOn(const Campaign& c, const Checkpoint& cp) {
  if (const definition::Phase* p = c.PhaseAt(cp.from); p && p->from < cp.from) return p->from;
  return std::min(c.from(), cp.from);
}

Result<std::vector<Planned>> Plan(const Campaign& c, Timestamp now) {
  const Calendar& cal = c.calendar();
  std::vector<Planned> out;
  // A dated event ahead is armed at its time; one already under way when the run starts (a
  // phase or window in progress, a submission not yet due) is armed at `now`.
  using Edge = TimerName::Edge;
  auto window = [&](TimerName::Kind kind, const std::string& id, Date from, Date to) {
    Timestamp begin = cal.StartOfDay(from);
    Timestamp end = cal.EndOfDay(to);
    if (end <= now) return;
    auto name = kind == TimerName::Kind::kPhase ? TimerName::Phase : TimerName::Checkpoint;
    out.push_back({name(id, Edge::kBegin), std::max(begin, now)});
    out.push_back({name(id, Edge::kEnd), end});
  };
  if (cal.StartOfDay(c.from()) > now) {
    out.push_back({TimerName::CampaignBegin(), cal.StartOfDay(c.from())});
  }
  for (const auto& p : c.phases()) window(TimerName::Kind::kPhase, p.id, p.from, p.to);
  for (const Checkpoint& cp : c.checkpoints()) {
    if (cp.kind == CheckpointKind::kSubmission) {
      if (cal.EndOfDay(cp.to) <= now) continue;
      out.push_back({TimerName::Checkpoint(cp.id, Edge::kOpen),
                     std::max(cal.StartOfDay(OpensOn(c, cp)), now)});
      continue;
    }
    window(TimerName::Kind::kCheckpoint, cp.id, cp.from, cp.to);
  }
  for (const Recurring& r : c.recurring()) {
    auto days = definition::Occurrences(r, cal);
    if (!days) return days.error();
    for (Date d : *days) {
      Timestamp at = cal.AtLocalTime(d, cal.working_hours().start);
      if (at < now) continue;
      if (r.assessment && AssessedPeriod(r, d).second < c.from()) continue;  // nothing to assess
      out.push_back({TimerName::Recurring(r.id, d), at});
    }
  }
  auto bulletins = ScheduleBulletins(c);
  if (!bulletins) return bulletins.error();
  for (const ScheduledBulletin& b : *bulletins) {
    if (b.at < now) continue;
    out.push_back({TimerName::Bulletin(b.after, b.day), b.at});
  }
  out.push_back({TimerName::CampaignClose(), cal.EndOfDay(c.to())});
  return out;
}

// The order of firings due at the same instant: begin, ends, beginnings, the rest, bulletins
// (which report what the rest did), close.
int Rank(const std::string& text) {
  auto name = TimerName::Parse(text);
  if (!name) return 5;
  switch (name->kind) {
    case TimerName::Kind::kCampaignBegin:
      return 0;
    case TimerName::Kind::kCampaignClose:
      return 9;
    case TimerName::Kind::kPhase:
      return name->edge == TimerName::Edge::kEnd ? 2 : 3;
    case TimerName::Kind::kCheckpoint:
      return name->edge == TimerName::Edge::kEnd ? 1 : 4;
    case TimerName::Kind::kBulletin:
      return 6;
    default:
      return 5;
  }
}

std::string Points(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> Holders(const definition::Org& org, definition::UnitIndex unit,
                                 const std::string& role) {
  std::vector<std::string> out;
  auto it = org.unit(unit).roles.find(role);
  if (it == org.unit(unit).roles.end()) return out;
  for (definition::PersonIndex p : it->second) out.push_back(org.person(p).id);
  return out;
}

// People holding `role` whose scope covers `unit`.
std::vector<std::string> RoleHoldersOver(const definition::Org& org, definition::UnitIndex unit,
                                         const std::string& role) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < org.people().size(); ++i) {
    const definition::Person& p = org.people()[i];
    if (std::find(p.roles.begin(), p.roles.end(), role) == p.roles.end()) continue;
    if (org.Within(unit, ScopeOf(org, static_cast<definition::PersonIndex>(i)))) {
      out.push_back(p.id);
    }
  }
  return out;
}

class Firing {
 public:
  Firing(const Interpreter& interp, Store& store, const Campaign& c, Step& step)
      : interp_(interp), store_(store), c_(c), step_(step) {}

  Status Fire(const PendingTimer& timer) {
    timer_ = &timer;
    // A name that does not parse, or an item's, is no event of the run: claimed, nothing else.
    auto name = TimerName::Parse(timer.name);
    if (!name) return OkStatus();
    switch (name->kind) {
      case TimerName::Kind::kCampaignBegin:
        return Lifecycle(CampaignEvent::kBegin, "campaign_began");
      case TimerName::Kind::kCampaignClose:
        return Lifecycle(CampaignEvent::kClose, "campaign_closed");
      case TimerName::Kind::kPhase:
        return Phase(name->id, name->edge == TimerName::Edge::kBegin);
      case TimerName::Kind::kCheckpoint:
        return CheckpointEvent(name->id, name->edge);
      case TimerName::Kind::kRecurring:
        return RecurringEvent(name->id, name->day);
      case TimerName::Kind::kBulletin:
        return IssueBulletin(name->id, name->day);
      default:
        return OkStatus();
    }
  }

 private:
  const std::string& Root() const { return c_.org().unit(0).id; }

  void Bulletin(const std::string& message, json::object payload) {
    payload["campaign"] = c_.info().name;
    payload["message"] = message;
    step_.NotifyUnit(Root(), "bulletin", "campaign", std::move(payload), timer_->name,
                     timer_->generation);
  }

  Status Lifecycle(CampaignEvent event, const std::string& audit_event) {
    auto state = ParseCampaignState(step_.inst().record.state);
    if (!state) return state.error();
    CampaignLifecycle life(*state);
    if (Status s = life.Process(event); !s) return s;
    std::string from = step_.inst().record.state;
    step_.inst().record.state = std::string(CampaignStateName(life.state()));
    json::object data{{"campaign", c_.info().name}};
    if (event == CampaignEvent::kClose) {
      auto items = CampaignItems(store_, c_.info().name);
      if (!items) return items.error();
      std::map<std::string, int> by_state;
      for (const Instance& i : *items) ++by_state[i.record.workflow + ":" + i.record.state];
      json::object counts;
      for (const auto& [k, n] : by_state) counts[k] = n;
      data["instances"] = std::move(counts);
      // Whatever is still armed has nothing left to do.
      for (const PendingTimer& t : step_.inst().timers) {
        step_.fx().cancel.push_back({step_.inst().record.id, t.name, t.generation});
      }
      step_.inst().timers.clear();
    }
    step_.Audit(kSystemActor, audit_event, from, step_.inst().record.state, "", std::move(data));
    Bulletin(c_.info().title + (event == CampaignEvent::kClose ? " closed" : " began"), {});
    return OkStatus();
  }

  Status Phase(const std::string& id, bool begin) {
    auto it = std::find_if(c_.phases().begin(), c_.phases().end(),
                           [&](const definition::Phase& p) { return p.id == id; });
    if (it == c_.phases().end()) return OkStatus();
    if (begin) {
      step_.inst().fields["phase"] = id;
    } else if (step_.inst().Field("phase") == id) {
      step_.inst().fields.erase("phase");
    }
    json::object data{{"phase", id},
                      {"title", it->title},
                      {"from", FormatDate(it->from)},
                      {"to", FormatDate(it->to)}};
    std::string state = step_.inst().record.state;
    step_.Audit(kSystemActor, begin ? "phase_began" : "phase_ended", state, state, "", data);
    Bulletin("phase " + it->title + " (" + id + ") " + (begin ? "began" : "ended") + ": " +
                 FormatDate(it->from) + " to " + FormatDate(it->to),
             {{"phase", id}});
    return OkStatus();
  }

  const Checkpoint* FindCheckpoint(const std::string& id) const {
    for (const Checkpoint& cp : c_.checkpoints()) {
      if (cp.id == id) return &cp;
    }
    return nullptr;
  }

  std::vector<definition::UnitIndex> UnitsOf(const std::vector<std::string>& kinds) const {
    std::vector<definition::UnitIndex> out;
    for (const std::string& k : kinds) {
      for (definition::UnitIndex u : c_.org().UnitsOfKind(k)) out.push_back(u);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Status CheckpointEvent(const std::string& id, TimerName::Edge edge) {
    const Checkpoint* cp = FindCheckpoint(id);
    if (!cp) return OkStatus();
    std::string state = step_.inst().record.state;
    json::object data{{"checkpoint", id},
                      {"title", cp->title},
                      {"kind", std::string(definition::CheckpointKindName(cp->kind))},
                      {"from", FormatDate(cp->from)},
                      {"to", FormatDate(cp->to)}};
    if (edge == TimerName::Edge::kOpen) return OpenPerUnit(*cp, data);
    bool begin = edge == TimerName::Edge::kBegin;
    if (begin && cp->kind == CheckpointKind::kLookBack) return LookBack(*cp, data);
    if (!cp->applies_to.empty()) {
      data["units"] = static_cast<std::int64_t>(UnitsOf(cp->applies_to).size());
    }
    step_.Audit(kSystemActor, begin ? "checkpoint_began" : "checkpoint_ended", state, state, "",
                data);
    Bulletin(cp->title + " (" + id + ") " + (begin ? "began" : "ended") + ": " +
                 FormatDate(cp->from) + " to " + FormatDate(cp->to),
             {{"checkpoint", id}});
    return OkStatus();
  }

  // Opens one instance of `wf` per unit; returns the ids and the heads told.
  // Opens on the version of `latest`'s workflow that the run pinned when it started (a version
  // loaded since does not change what a running campaign opens); fields that version does not
  // declare are left out.
  Status OpenFor(const std::vector<definition::UnitIndex>& units,
                 const std::shared_ptr<const definition::Workflow>& latest,
                 const std::string& id_prefix, const std::string& title,
                 const std::map<std::string, std::string>& latest_fields, json::object& data) {
    std::shared_ptr<const definition::Workflow> wf = latest;
    auto pins = PinnedWorkflows(step_.inst());
    if (!pins) return pins.error();
    if (auto pin = pins->find(latest->info().name); pin != pins->end()) {
      wf = interp_.definitions().FindWorkflow(latest->info().name, pin->second);
      if (!wf) {
        return Error::FailedPrecondition("campaign " + c_.info().name + " pinned workflow " +
                                         latest->info().name + "@" + std::to_string(pin->second) +
                                         ", which is not loaded; load the definitions it started "
                                         "with");
      }
    }
    std::map<std::string, std::string> fields;
    for (const auto& [k, v] : latest_fields) {
      if (wf->FindField(k)) fields[k] = v;
    }
    const definition::Org& org = c_.org();
    std::vector<std::string> ids;
    std::vector<std::string> heads;
    for (definition::UnitIndex u : units) {
      NewInstance req;
      req.id = id_prefix + "/" + org.unit(u).id;
      req.workflow = wf->info().name;
      req.workflow_version = wf->info().version;
      req.org = org.info().name;
      req.campaign = c_.info().name;
      req.unit = org.unit(u).id;
      auto unit_heads = Holders(org, u, "head");
      req.responsible = unit_heads.empty() ? "" : unit_heads.front();
      req.title = title + " (" + org.unit(u).name + ")";
      req.fields = fields;
      req.at = step_.now();
      auto created = interp_.Create(req);
      if (!created) return created.error().WithContext("opening " + req.id);
      step_.fx().follow_ups.push_back(std::move(*created));
      ids.push_back(req.id);
      for (const auto& h : unit_heads) {
        if (std::find(heads.begin(), heads.end(), h) == heads.end()) heads.push_back(h);
      }
    }
    data["workflow"] = Label(wf->info().name, wf->info().version);
    data["instances"] = Strings(ids);
    data["notified"] = Strings(heads);
    json::object payload{{"campaign", c_.info().name}, {"title", title}};
    if (auto d = fields.find("due"); d != fields.end()) payload["due"] = d->second;
    payload["message"] = title + ": " + std::to_string(ids.size()) + " " + wf->info().name +
                         " opened" +
                         (fields.count("due") ? ", due " + fields.at("due") : std::string());
    step_.Notify(heads, "checkpoint", payload, timer_->name, timer_->generation, false);
    return OkStatus();
  }

  Status OpenPerUnit(const Checkpoint& cp, json::object data) {
    std::string state = step_.inst().record.state;
    if (!cp.workflow) return OkStatus();
    std::map<std::string, std::string> fields;
    if (cp.workflow->FindField("due")) fields["due"] = FormatDate(cp.to);
    if (Status s = OpenFor(UnitsOf(cp.applies_to), cp.workflow, c_.info().name + "/" + cp.id,
                           cp.title, fields, data);
        !s) {
      return s;
    }
    step_.Audit(kSystemActor, "checkpoint_opened", state, state, "", std::move(data));
    return OkStatus();
  }

  Status LookBack(const Checkpoint& cp, json::object data) {
    std::string state = step_.inst().record.state;
    auto items = CampaignItems(store_, c_.info().name);
    if (!items) return items.error();
    const auto& item_wf = c_.items().workflow;
    std::vector<std::string> candidates;
    std::map<std::string, const Instance*> by_id;
    for (const Instance& i : *items) {
      if (item_wf && i.record.workflow != item_wf->info().name) continue;
      if (cp.of_closed_only) {
        auto wf = interp_.definitions().FindWorkflow(i.record.workflow,
                                                     static_cast<int>(i.record.workflow_version));
        auto s = wf ? wf->FindState(i.record.state) : std::nullopt;
        if (!s || !wf->state(*s).final) continue;
      }
      candidates.push_back(i.record.id);
      by_id[i.record.id] = &i;
    }
    std::string date = FormatDate(c_.calendar().DateOf(step_.now()));
    std::string seed = c_.info().name + "|" + cp.id + "|" + date;
    std::vector<std::string> sample = SampleForLookBack(candidates, cp.sample, seed);
    std::vector<std::string> inspectors_told;
    for (const std::string& id : sample) {
      const Instance& item = *by_id[id];
      auto bound = interp_.Bind(item);
      if (!bound) return bound.error();
      Step mark(interp_, *bound, item, step_.now());
      mark.inst().fields["look_back"] = cp.id + "@" + date;
      auto unit = c_.org().FindUnit(item.record.unit_id);
      std::vector<std::string> inspectors =
          unit ? RoleHoldersOver(c_.org(), *unit, "inspector") : std::vector<std::string>{};
      json::object payload{{"item", id},
                           {"title", item.title},
                           {"unit", item.record.unit_id},
                           {"checkpoint", cp.id},
                           {"message", cp.title + ": item " + id + " '" + item.title +
                                           "' is sampled for re-inspection; reopen it if the "
                                           "rectification did not hold"}};
      mark.Notify(inspectors, "look_back", payload, "look_back:" + cp.id, kGeneration, false);
      mark.Audit(kSystemActor, "look_back", item.record.state, item.record.state, "",
                 {{"campaign", c_.info().name},
                  {"checkpoint", cp.id},
                  {"chosen_by", "campaign run " + c_.info().name + " (" + kSystemActor + ")"},
                  {"share", cp.sample},
                  {"seed", seed},
                  {"inspectors", Strings(inspectors)}});
      step_.fx().follow_ups.push_back(mark.Finish());
      for (const auto& p : inspectors) {
        if (std::find(inspectors_told.begin(), inspectors_told.end(), p) == inspectors_told.end())
          inspectors_told.push_back(p);
      }
    }
    // Who chose the sample and how, so that anyone can check it was not picked by hand: the run
    // itself, by a hash any machine recomputes from the seed.
    const std::string method = "the " + std::to_string(sample.size()) + " of " +
                               std::to_string(candidates.size()) +
                               (cp.of_closed_only ? " closed" : "") +
                               " items with the lowest StableHash(seed|item id) (share rounded up)";
    data["chosen_by"] = "campaign run " + c_.info().name + " (" + kSystemActor + ")";
    data["method"] = method;
    data["seed"] = seed;
    data["share"] = cp.sample;
    data["candidates"] = static_cast<std::int64_t>(candidates.size());
    data["sampled"] = Strings(sample);
    data["inspectors"] = Strings(inspectors_told);
    step_.Audit(kSystemActor, "look_back", state, state, "", std::move(data));
    Bulletin(cp.title + ": " + std::to_string(sample.size()) + " of " +
                 std::to_string(candidates.size()) + " closed items sampled for re-inspection",
             {{"checkpoint", cp.id}});
    return OkStatus();
  }

  Status RecurringEvent(const std::string& id, Date day) {
    auto it = std::find_if(c_.recurring().begin(), c_.recurring().end(),
                           [&](const Recurring& r) { return r.id == id; });
    if (it == c_.recurring().end()) return OkStatus();
    const Recurring& r = *it;
    std::string state = step_.inst().record.state;
    const std::string date_text = FormatDate(day);
    json::object data{{"recurring", id}, {"title", r.title}, {"date", date_text}};
    if (r.assessment) return Assess(r, day, std::move(data));
    if (r.workflow) {
      auto days = definition::Occurrences(r, c_.calendar());
      if (!days) return days.error();
      std::size_t n =
          static_cast<std::size_t>(std::find(days->begin(), days->end(), day) - days->begin());
      std::map<std::string, std::string> fields;
      std::string title = r.title;
      if (!r.themes.empty() && r.workflow->FindField("theme")) {
        fields["theme"] = r.themes[n % r.themes.size()];
        title += ": " + fields["theme"];
        data["theme"] = fields["theme"];
      }
      if (Status s = OpenFor(UnitsOf(r.applies_to), r.workflow,
                             c_.info().name + "/" + id + "/" + date_text, title, fields, data);
          !s) {
        return s;
      }
    }
    step_.Audit(kSystemActor, "recurring", state, state, "", std::move(data));
    return OkStatus();
  }

  Status Assess(const Recurring& r, Date day, json::object data) {
    std::string state = step_.inst().record.state;
    const definition::Assessment& a = *r.assessment;
    auto [first, last] = AssessedPeriod(r, day);
    first = std::max(first, c_.from());
    const Calendar& cal = c_.calendar();
    auto items = CampaignItems(store_, c_.info().name);
    if (!items) return items.error();
    Timestamp to = std::min(cal.EndOfDay(last), step_.now());
    // The marks, bonus and vetoes entered so far (engine/assessment.h): until every mark is in
    // and the period is published, this ranking is provisional.
    auto audit = store_.AuditOf(step_.inst().record.id);
    if (!audit) return audit.error();
    std::string label = PeriodLabel(a.period(), AssessedPeriod(r, day).first);
    AssessmentSheet sheet = ReadSheet(*audit, a.info().name, label);
    std::vector<RankedUnit> ranking =
        RankUnits(a, c_.org(), &cal, *items, cal.StartOfDay(first), to, step_.now(), sheet);
    json::array rows = RankingJson(ranking);
    data["assessment"] = Label(a.info().name, a.info().version);
    data["period"] = FormatDate(first) + ".." + FormatDate(last);
    data["period_label"] = label;
    data["ranking"] = std::move(rows);
    // The bulletin names the first and the last few ("first queue", 排队).
    std::string text = r.title + " " + FormatDate(first) + ".." + FormatDate(last) + ":";
    int top = a.ranking().top > 0 ? a.ranking().top : 3;
    int bottom = a.ranking().bottom > 0 ? a.ranking().bottom : 0;
    for (std::size_t i = 0; i < ranking.size(); ++i) {
      const RankedUnit& u = ranking[i];
      bool head = static_cast<int>(i) < top;
      bool tail = static_cast<int>(ranking.size() - i) <= bottom;
      if (!head && !tail) continue;
      text += std::string(" ") + std::to_string(u.rank) + ". " + u.name + " " + Points(u.score) +
              (u.vetoes.empty() ? "" : " (一票否决)") + ";";
    }
    step_.Audit(kSystemActor, "assessment", state, state, "", std::move(data));
    Bulletin(text, {{"assessment", a.info().name}});
    return OkStatus();
  }

  // The bulletin `bulletins: { after: }` scheduled after `after`'s `day`, issued through the
  // store's desk in the name of a holder of the issuing role (ScheduledIssuer), before this
  // firing commits: when the commit fails or the node stops in between, the timer fires again and
  // the desk finds the bulletin issued (IssueOnce), so it is issued once. One the issuing role
  // issued by hand since the checkpoint began (or the occurrence) stands for it.
  Status IssueBulletin(const std::string& after, Date day) {
    auto schedule = ScheduleBulletins(c_);
    if (!schedule) return schedule.error();
    auto it = std::find_if(schedule->begin(), schedule->end(), [&](const ScheduledBulletin& b) {
      return b.after == after && b.day == day;
    });
    if (it == schedule->end()) return OkStatus();  // not in the pinned campaign: nothing to do
    const ScheduledBulletin& scheduled = *it;
    std::string state = step_.inst().record.state;
    json::object data{
        {"campaign", c_.info().name},
        {"after", after},
        {"day", FormatDate(day)},
        {"round", scheduled.round.empty() ? json::value(nullptr) : json::value(scheduled.round)}};
    auto not_issued = [&](const std::string& why) {
      data["reason"] = why;
      step_.Audit(kSystemActor, "bulletin_not_issued", state, state, "", std::move(data));
      return OkStatus();
    };
    BulletinRequest request;
    request.campaign = c_.info().name;
    request.round = scheduled.round;
    request.actor = ScheduledIssuer(c_, scheduled);
    const std::string role =
        c_.bulletins().issued_by.empty() ? kDefaultBulletinRole : c_.bulletins().issued_by;
    if (request.actor.empty()) {
      return not_issued("nobody in org " + c_.org().info().name + " holds the role " + role +
                        " over its top unit; give the role to someone (the campaign's bulletins: "
                        "issued_by) and issue it by hand with 'rectify bulletin issue'");
    }
    // A store that keeps bulletins is also their desk (the SOCI store is; the in-memory one is
    // not).
    auto* desk = dynamic_cast<BulletinDesk*>(&store_);
    if (!desk) return not_issued("this store keeps no bulletins");
    // The bulletin is built as of this firing, on the store it commits to.
    VirtualClock at(step_.now());
    const std::shared_ptr<const definition::DefinitionSet> unowned(
        std::shared_ptr<const definition::DefinitionSet>(), &interp_.definitions());
    Engine issuing(store_, at, unowned);
    auto receipt = desk->IssueOnce(issuing, request, scheduled.counts_from);
    if (!receipt) {
      // What the data or the definitions refuse stays refused: noted, not retried. Anything else
      // (the database) fails the firing, which is tried again.
      const ErrorCode code = receipt.error().code();
      if (code == ErrorCode::kPermissionDenied || code == ErrorCode::kNotFound ||
          code == ErrorCode::kBadInput || code == ErrorCode::kFailedPrecondition) {
        return not_issued(receipt.error().message());
      }
      return receipt.error();
    }
    data["bulletin"] = receipt->key;
    data["issued_by"] = receipt->issued_by;
    data["issued_now"] = receipt->issued_now;
    step_.Audit(kSystemActor, receipt->issued_now ? "bulletin_issued" : "bulletin_issued_before",
                state, state, "", std::move(data));
    return OkStatus();
  }

  const Interpreter& interp_;
  Store& store_;
  const Campaign& c_;
  Step& step_;
  const PendingTimer* timer_ = nullptr;
};

Result<std::shared_ptr<const Campaign>> PinnedCampaign(const Interpreter& interp,
                                                       const Instance& run) {
  auto c = interp.definitions().FindCampaign(run.Field("campaign"),
                                             static_cast<int>(run.record.workflow_version));
  if (!c) {
    return Error::FailedPrecondition(
        "campaign run " + run.record.id + " pinned " +
        Label(run.Field("campaign"), static_cast<int>(run.record.workflow_version)) +
        ", which is not loaded; load the definitions it started with");
  }
  return c;
}

}  // namespace

Result<CampaignPins> CampaignPins::Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value pins = json::parse(text, ec);
  if (ec) return Error::BadInput("'" + std::string(text) + "' is not JSON (" + ec.message() + ")");
  if (!pins.is_object()) return Error::BadInput("'" + std::string(text) + "' is not an object");
  const json::object& o = pins.as_object();
  CampaignPins out;
  for (auto [key, into] : {std::pair{"campaign", &out.campaign}, std::pair{"org", &out.org},
                           std::pair{"calendar", &out.calendar}}) {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_string() || v->as_string().empty()) {
      return Error::BadInput(std::string(key) + " is not a definition's name");
    }
    *into = std::string(v->as_string());
  }
  for (auto [key, into] :
       {std::pair{"workflows", &out.workflows}, std::pair{"escalations", &out.escalations},
        std::pair{"assessments", &out.assessments}}) {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_object()) return Error::BadInput(std::string(key) + " is not an object");
    for (const auto& [name, version] : v->as_object()) {
      if (!version.is_int64() || version.as_int64() < 1 ||
          version.as_int64() > std::numeric_limits<int>::max()) {
        return Error::BadInput(std::string(key) + "." + std::string(name) + " is " +
                               json::serialize(version) + ", not a version (1, 2, ...)");
      }
      (*into)[std::string(name)] = static_cast<int>(version.as_int64());
    }
  }
  return out;
}

Result<std::map<std::string, int>> PinnedWorkflows(const Instance& run) {
  auto pins = CampaignPins::Parse(run.Field("pins"));
  if (!pins) {
    return Error::FailedPrecondition(
        "campaign " + run.Field("campaign") + ": the versions its run pinned when it started (" +
        run.record.id + ", field pins) do not parse: " + pins.error().message() +
        "; nothing was changed. Its items must run on those versions: restore the run from a "
        "backup of the database");
  }
  return std::move(pins->workflows);
}

Result<std::map<std::string, int>> LoadPinnedWorkflows(Store& store, const std::string& campaign) {
  if (campaign.empty()) return std::map<std::string, int>();
  auto record = store.LoadInstance(CampaignInstanceId(campaign));
  if (!record) {
    if (record.error().code() == ErrorCode::kNotFound) return std::map<std::string, int>();
    return record.error();
  }
  auto run = Instance::FromRecord(*record);
  if (!run) return run.error();
  return PinnedWorkflows(*run);
}

Result<std::map<std::string, std::map<std::string, int>>> LoadAllPinnedWorkflows(Store& store) {
  std::map<std::string, std::map<std::string, int>> out;
  InstanceFilter filter;
  filter.workflow = kCampaignWorkflow;
  filter.limit = 1000;
  Status s = ForEachInstance(store, filter, [&](Instance& run) -> Status {
    auto pins = PinnedWorkflows(run);
    if (!pins) return pins.error();
    out[run.Field("campaign")] = std::move(*pins);
    return OkStatus();
  });
  if (!s) return s.error();
  return out;
}

Status ApplyCampaignPin(const std::map<std::string, int>& pins, NewInstance& request) {
  auto pin = pins.find(request.workflow);
  if (request.campaign.empty() || pin == pins.end()) return OkStatus();
  if (request.workflow_version != 0 && request.workflow_version != pin->second) {
    return Error::FailedPrecondition(CampaignPinMismatch(request.campaign, request.workflow,
                                                         pin->second, request.workflow_version));
  }
  request.workflow_version = pin->second;
  return OkStatus();
}

std::string CampaignPinMismatch(const std::string& campaign, const std::string& workflow,
                                int pinned, int asked) {
  return "campaign " + campaign + " pinned " + Label(workflow, pinned) +
         " when it started; its items run on that version, not @" + std::to_string(asked) +
         " (leave the version out; running instances move to another version only by 'rectify "
         "instances migrate')";
}

Result<Instance> StartCampaign(Engine& engine, const std::string& name, int version) {
  return StartCampaign(engine, name, version, CampaignStarter{});
}

Result<Instance> StartCampaign(Engine& engine, const std::string& name, int version,
                               const CampaignStarter& starter) {
  const Interpreter& interp = engine.interpreter();
  auto c = interp.definitions().FindCampaign(name, version);
  if (!c) {
    std::string known;
    for (const auto& info : interp.definitions().All()) {
      if (info.kind == definition::Kind::kCampaign)
        known += (known.empty() ? "" : ", ") + info.name;
    }
    return Error::NotFound("no campaign '" + name + "' is loaded" +
                           (known.empty() ? "" : "; known: " + known));
  }
  Timestamp now = engine.clock().Now();
  std::string id = CampaignInstanceId(name);
  if (auto existing = engine.store().LoadInstance(id); existing) {
    return Error::UniqueViolation("campaign " + name + " was started before (it is " +
                                  existing->state + "); see 'rectify campaign show " + name + "'");
  } else if (existing.error().code() != ErrorCode::kNotFound) {
    return existing.error();
  }
  if (c->calendar().EndOfDay(c->to()) <= now) {
    return Error::FailedPrecondition("campaign " + name + " ended on " + FormatDate(c->to()) +
                                     "; there is nothing left to run");
  }
  Instance run;
  run.record.id = id;
  run.record.workflow = kCampaignWorkflow;
  run.record.workflow_version = c->info().version;
  run.record.unit_id = c->org().unit(0).id;
  run.record.state = std::string(CampaignStateName(CampaignState::kDraft));
  run.record.created_at = now;
  run.org = c->org().info().name;
  run.org_version = c->org().info().version;
  run.title = c->info().title;
  run.fields["campaign"] = name;
  json::object pins = Pins(*c);
  run.fields["pins"] = json::serialize(pins);
  run.fields["started_at"] = c->calendar().FormatLocal(now);

  Bound bound{nullptr, c->org_ptr(), &c->calendar(), nullptr};
  Step step(interp, bound, std::move(run), now);
  CampaignLifecycle life;
  if (Status s = life.Process(CampaignEvent::kSchedule); !s) return s.error();
  bool begins_now = c->calendar().StartOfDay(c->from()) <= now;
  if (begins_now) {
    if (Status s = life.Process(CampaignEvent::kBegin); !s) return s.error();
  }
  step.inst().record.state = std::string(CampaignStateName(life.state()));
  auto plan = Plan(*c, now);
  if (!plan) return plan.error();
  json::array timers;
  for (const Planned& p : *plan) {
    std::string timer_name = p.name.Format();
    step.fx().arm.push_back({{id, timer_name, kGeneration}, p.due, TimerState::kPending, {}});
    step.inst().timers.push_back({timer_name, kGeneration, p.due});
    timers.emplace_back(timer_name);
  }
  json::object started{{"campaign", name},
                       {"pins", pins},
                       {"from", FormatDate(c->from())},
                       {"to", FormatDate(c->to())},
                       {"timers", static_cast<std::int64_t>(plan->size())}};
  if (!starter.channel.empty()) started["channel"] = starter.channel;
  if (!starter.request_id.empty()) started["request_id"] = starter.request_id;
  step.Audit(starter.actor.empty() ? kSystemActor : starter.actor, "campaign_started", "draft",
             step.inst().record.state, "", std::move(started));
  Effects fx = step.Finish();
  fx.created = true;
  fx.expected_version = 0;
  ChangeSet changes;
  fx.AppendTo(changes);
  if (Status s = engine.Commit(changes); !s) return s.error();
  fx.instance.record.version = 1;
  return fx.instance;
}

namespace {

// A run arms its whole plan when it starts (StartCampaign). A run started by an older Rectify
// lacks what a newer one plans from the same pinned campaign (the scheduled bulletins came so),
// so each firing arms the timers of the plan still ahead that the run never had, in any state,
// and says so in its audit. Timers whose time passed before are not armed: what they would have
// done is done by hand (a bulletin: 'rectify bulletin issue').
Status ArmWhatThePlanLacks(Store& store, const Campaign& c, Step& step, Timestamp now) {
  Instance& run = step.inst();
  if (run.record.state == CampaignStateName(CampaignState::kClosed)) return OkStatus();
  auto had = store.TimersOf(run.record.id);
  if (!had) return had.error();
  std::set<std::string> known;
  for (const TimerRecord& t : *had) known.insert(t.key.name);
  for (const PendingTimer& t : run.timers) known.insert(t.name);
  for (const TimerFire& f : step.fx().fire) known.insert(f.key.name);
  auto plan = Plan(c, now);
  if (!plan) return plan.error();
  json::array added;
  for (const Planned& p : *plan) {
    std::string name = p.name.Format();
    if (known.count(name) != 0 || p.due < now) continue;
    step.fx().arm.push_back({{run.record.id, name, kGeneration}, p.due, TimerState::kPending, {}});
    run.timers.push_back({name, kGeneration, p.due});
    added.emplace_back(name);
  }
  if (added.empty()) return OkStatus();
  step.Audit(kSystemActor, "campaign_timers_added", run.record.state, run.record.state, "",
             json::object{{"campaign", c.info().name},
                          {"timers", std::move(added)},
                          {"reason",
                           "planned by this version of Rectify from the pinned campaign; the run "
                           "started without them"}});
  return OkStatus();
}

}  // namespace

Result<Effects> FireCampaign(const Interpreter& interp, Store& store, const Instance& run,
                             const std::vector<TimerRecord>& timers, Timestamp now) {
  auto c = PinnedCampaign(interp, run);
  if (!c) return c.error();
  Bound bound{nullptr, (*c)->org_ptr(), &(*c)->calendar(), nullptr};
  Step step(interp, bound, run, now);
  std::vector<TimerRecord> ordered = timers;
  std::stable_sort(ordered.begin(), ordered.end(), [](const TimerRecord& a, const TimerRecord& b) {
    if (a.due_at != b.due_at) return a.due_at < b.due_at;
    return Rank(a.key.name) < Rank(b.key.name);
  });
  Firing firing(interp, store, **c, step);
  for (const TimerRecord& t : ordered) {
    step.fx().fire.push_back({t.key, now});
    auto& pending = step.inst().timers;
    auto it = std::find_if(pending.begin(), pending.end(), [&](const PendingTimer& p) {
      return p.name == t.key.name && p.generation == t.key.generation;
    });
    if (it == pending.end()) continue;  // stale: claimed, nothing else
    PendingTimer timer = *it;
    pending.erase(it);
    if (Status s = firing.Fire(timer); !s) {
      return s.error().WithContext("campaign " + run.Field("campaign") + ", " + timer.name);
    }
  }
  if (Status s = ArmWhatThePlanLacks(store, **c, step, now); !s) return s.error();
  return step.Finish();
}

}  // namespace rectify::engine
