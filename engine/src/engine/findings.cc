// Findings of inspection rounds and confirmed public reports turned into ledger items
// (rectify/engine/findings.h).
#include "rectify/engine/findings.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "rectify/engine/access.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/instance_pages.h"

namespace rectify::engine {
namespace {

constexpr std::array<std::pair<FoundBy, std::string_view>, 7> kFoundBy = {{
    {FoundBy::kInspection, "inspection"},
    {FoundBy::kOpenVisit, "open_visit"},
    {FoundBy::kUnannouncedVisit, "unannounced_visit"},
    {FoundBy::kPublicReport, "public_report"},
    {FoundBy::kDataComparison, "data_comparison"},
    {FoundBy::kAudit, "audit"},
    {FoundBy::kImported, "imported"},
}};

constexpr int kMaxAttempts = 5;

std::string RoundPrefix(const std::string& campaign, const std::string& round) {
  return "F-" + campaign + "-" + (round.empty() ? "" : round + "-");
}

// The campaign a finding or a confirmation names, loaded.
Result<std::shared_ptr<const definition::Campaign>> CampaignNamed(const Engine& engine,
                                                                  const std::string& name) {
  auto c = engine.interpreter().definitions().FindCampaign(name);
  if (!c) {
    return Error::NotFound("no campaign '" + name +
                           "' is loaded; check the name (rectify campaign list)");
  }
  return c;
}

// Takes the item workflow's first step (assign) at once, by the confirmer, as a ledger import
// does for its rows: a confirmed finding is an assigned problem with a time limit.
std::vector<Command> AssignStep(const definition::DefinitionSet& defs, const NewInstance& item) {
  auto wf = defs.FindWorkflow(item.workflow, item.workflow_version);
  if (!wf) return {};
  for (auto ti : wf->state(wf->initial()).transitions) {
    if (wf->transition(ti).event == "assign") {
      Command c;
      c.instance_id = item.id;
      c.event = "assign";
      c.actor = item.actor;
      c.at = item.at;
      return {c};
    }
  }
  return {};
}

}  // namespace

std::string FindingIdPrefix(const std::string& campaign, const std::string& round) {
  return RoundPrefix(campaign, round);
}

std::string_view FoundByName(FoundBy f) {
  for (const auto& [k, name] : kFoundBy) {
    if (k == f) return name;
  }
  return "inspection";
}

std::string FoundByNames() {
  std::string out;
  for (const auto& [k, name] : kFoundBy) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

Result<FoundBy> ParseFoundBy(std::string_view text) {
  std::string t(text);
  std::replace(t.begin(), t.end(), '-', '_');
  for (const auto& [k, name] : kFoundBy) {
    if (name == t) return k;
  }
  return Error::BadInput("found_by '" + std::string(text).substr(0, 40) + "' is not one of " +
                         FoundByNames());
}

std::string DescribeOrigin(const Origin& o, const definition::Org& org, const Calendar* calendar) {
  if (o.found_by.empty() && o.source.empty()) return {};
  std::string out = o.found_by.empty() ? "unknown" : o.found_by;
  if (!o.round.empty()) out += ", round " + o.round + " of " + o.campaign;
  if (!o.source.empty()) {
    out +=
        (o.found_by == FoundByName(FoundBy::kPublicReport) ? ", report " : ", finding ") + o.source;
  }
  if (o.found_at != Timestamp{}) {
    out += ", " + (calendar ? FormatDate(calendar->DateOf(o.found_at)) : FormatIso(o.found_at));
  }
  if (!o.recorded_by.empty()) out += ", by " + PersonLabel(org, o.recorded_by);
  return out;
}

Result<const definition::Checkpoint*> FindRound(const definition::Campaign& campaign,
                                                const std::string& round) {
  std::string rounds;
  for (const auto& cp : campaign.checkpoints()) {
    if (cp.kind != definition::CheckpointKind::kInspection) continue;
    if (cp.id == round) return &cp;
    rounds += (rounds.empty() ? "" : ", ") + cp.id;
  }
  for (const auto& cp : campaign.checkpoints()) {
    if (cp.id == round) {
      return Error::BadInput(
          "checkpoint '" + round + "' of campaign " + campaign.info().name + " is a " +
          std::string(definition::CheckpointKindName(cp.kind)) +
          ", not an inspection round; its rounds: " + (rounds.empty() ? "none" : rounds));
    }
  }
  return Error::NotFound("campaign " + campaign.info().name + " has no inspection round '" + round +
                         "'; its rounds: " + (rounds.empty() ? "none" : rounds));
}

Result<Registration> PrepareFinding(Engine& engine, const NewFinding& f) {
  auto campaign = CampaignNamed(engine, f.campaign);
  if (!campaign) return campaign.error();
  const definition::Campaign& c = **campaign;
  auto round = FindRound(c, f.round);
  if (!round) return round.error();
  const definition::Checkpoint& cp = **round;
  Timestamp now = engine.clock().Now();
  Date today = c.calendar().DateOf(now);
  if (today < cp.from) {
    return Error::FailedPrecondition("round " + cp.id + " of " + c.info().name + " begins on " +
                                     FormatDate(cp.from) + "; findings are recorded from then on");
  }
  auto unit = c.org().FindUnit(f.unit);
  if (!unit) {
    return Error::NotFound("unit '" + f.unit + "' is not in org " + c.org().info().name +
                           "; check the id against workflows/orgs/");
  }
  const std::string& kind = c.org().unit(*unit).kind;
  if (!cp.applies_to.empty() &&
      std::find(cp.applies_to.begin(), cp.applies_to.end(), kind) == cp.applies_to.end()) {
    std::string kinds;
    for (const auto& k : cp.applies_to) kinds += (kinds.empty() ? "" : ", ") + k;
    return Error::BadInput("round " + cp.id + " inspects units of the kinds " + kinds + "; " +
                           UnitLabel(c.org(), f.unit) + " is a " + kind);
  }
  if (f.title.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::BadInput("say what was found (the finding's title is empty)");
  }
  std::string found_by =
      f.found_by.empty() ? (cp.found_by.empty() ? "inspection" : cp.found_by) : f.found_by;
  auto how = ParseFoundBy(found_by);
  if (!how) return how.error();
  if (*how == FoundBy::kPublicReport || *how == FoundBy::kImported) {
    return Error::BadInput(
        "a round's finding is found by inspection, open_visit, "
        "unannounced_visit, data_comparison or audit, not " +
        found_by);
  }
  if (!f.special_action.empty()) {
    const auto& tags = c.special_actions();
    if (std::none_of(tags.begin(), tags.end(),
                     [&](const definition::Tag& t) { return t.id == f.special_action; })) {
      return Error::BadInput("campaign " + c.info().name + " has no special action '" +
                             f.special_action + "'");
    }
  }

  NewInstance req;
  req.workflow = cp.findings ? cp.findings->info().name : kFindingWorkflow;
  req.workflow_version = cp.findings ? cp.findings->info().version : 0;
  req.org = c.org().info().name;
  req.unit = f.unit;
  req.responsible = f.responsible;
  req.title = f.title;
  req.actor = f.actor;
  if (!f.location.empty()) req.fields["location"] = f.location;
  if (!f.time_limit.empty()) req.fields["time_limit"] = f.time_limit;
  if (!f.special_action.empty()) req.fields["special_action"] = f.special_action;
  req.origin.found_by = std::string(FoundByName(*how));
  req.origin.campaign = c.info().name;
  req.origin.round = cp.id;
  req.origin.recorded_by = f.actor;
  req.origin.found_at = now;
  req.at = now;
  if (!f.channel.empty()) req.audit_notes["channel"] = f.channel;
  if (!f.request_id.empty()) req.audit_notes["request_id"] = f.request_id;
  Command record;
  record.event = "record";
  record.actor = f.actor;
  record.evidence = f.evidence;
  record.at = now;
  record.channel = f.channel;
  record.request_id = f.request_id;

  return Registration{req, {record}};
}

Result<Instance> RecordFinding(Engine& engine, const NewFinding& f) {
  auto prepared = PrepareFinding(engine, f);
  if (!prepared) return prepared.error();
  Registration r = std::move(*prepared);
  const std::string& campaign = r.item.origin.campaign;
  const std::string& round = r.item.origin.round;
  std::string prefix = RoundPrefix(campaign, round);
  for (int attempt = 1;; ++attempt) {
    auto existing = ListFindings(engine.store(), campaign, round);
    if (!existing) return existing.error();
    int n = 0;
    for (const auto& v : *existing) {
      n = std::max(n, std::atoi(v.finding.record.id.substr(prefix.size()).c_str()));
    }
    char num[16];
    std::snprintf(num, sizeof num, "%03d", n + 1);
    r.item.id = prefix + num;
    r.then[0].instance_id = r.item.id;
    auto fx = engine.interpreter().Register(r);
    if (!fx) return fx.error();
    ChangeSet changes;
    fx->AppendTo(changes);
    Status s = engine.Commit(changes);
    if (s) {
      fx->instance.record.version = 1;
      return fx->instance;
    }
    if (s.error().code() != ErrorCode::kUniqueViolation || attempt == kMaxAttempts) {
      return s.error();
    }
  }
}

Result<Confirmed> ConfirmFinding(Engine& engine, const Confirmation& cf) {
  const definition::DefinitionSet& defs = engine.interpreter().definitions();
  for (int attempt = 1;; ++attempt) {
    auto source = engine.Load(cf.source);
    if (!source) return source.error();
    const Instance& src = *source;
    bool report = src.record.workflow == kPublicReportWorkflow;
    if (!report && src.origin.round.empty()) {
      return Error::BadInput(cf.source +
                             " is neither a finding of an inspection round nor a "
                             "public report; act on it with 'rectify item act'");
    }
    if (!src.origin.opened.empty()) {
      return Error::FailedPrecondition(cf.source + " was confirmed before and opened item " +
                                       src.origin.opened);
    }
    Timestamp now = engine.clock().Now();

    NewInstance item;
    item.id = cf.item_id;
    if (item.id.empty()) {
      item.id = cf.source.rfind("F-", 0) == 0 ? "P-" + cf.source.substr(2) : cf.source + "-P";
    }
    item.title = src.title;
    item.actor = cf.actor;
    item.at = now;
    item.origin.source = src.record.id;
    item.origin.found_at =
        src.origin.found_at == Timestamp{} ? src.record.created_at : src.origin.found_at;
    item.audit_notes["source"] = src.record.id;
    if (!cf.channel.empty()) item.audit_notes["channel"] = cf.channel;
    if (!cf.request_id.empty()) item.audit_notes["request_id"] = cf.request_id;
    Command confirm;
    confirm.instance_id = src.record.id;
    confirm.event = "confirm";
    confirm.actor = cf.actor;
    confirm.at = now;
    confirm.evidence = cf.evidence;
    confirm.channel = cf.channel;
    confirm.request_id = cf.request_id;
    if (report) {
      if (cf.unit.empty()) {
        return Error::BadInput(
            "name the responsible unit the report is about (--unit, $.unit): "
            "the item is opened there");
      }
      item.unit = cf.unit;
      item.campaign = cf.campaign;
      item.responsible = cf.responsible;
      item.origin.found_by = std::string(FoundByName(FoundBy::kPublicReport));
      item.origin.campaign = cf.campaign;
      confirm.fields["outcome"] = "problem";
      if (!cf.campaign.empty()) {
        if (auto c = CampaignNamed(engine, cf.campaign); !c) return c.error();
      }
    } else {
      if (!cf.unit.empty() && cf.unit != src.record.unit_id) {
        return Error::BadInput("a finding's item is opened at the finding's unit (" +
                               src.record.unit_id + "); leave the unit out");
      }
      item.unit = src.record.unit_id;
      item.org = src.org;
      item.campaign = src.origin.campaign;
      item.responsible = cf.responsible.empty() ? src.responsible : cf.responsible;
      item.origin.found_by = src.origin.found_by;
      item.origin.campaign = src.origin.campaign;
      item.origin.round = src.origin.round;
      item.origin.recorded_by = src.origin.recorded_by;
      item.audit_notes["round"] = src.origin.round;
    }
    std::string limit = !cf.time_limit.empty() ? cf.time_limit : src.Field("time_limit");
    if (!limit.empty()) item.fields["time_limit"] = limit;
    if (std::string tag = src.Field("special_action"); !tag.empty()) {
      item.fields["special_action"] = tag;
    }

    // The link is on the state the confirmation writes, so it is in the same row version.
    Instance linked = src;
    linked.origin.opened = item.id;
    auto applied = engine.interpreter().Apply(linked, confirm);
    if (!applied) return applied.error();
    if (Status s = ApplyCampaignItems(engine.store(), defs, item); !s) return s.error();
    auto pins = LoadPinnedWorkflows(engine.store(), item.campaign);
    if (!pins) return pins.error();
    if (Status s = ApplyCampaignPin(*pins, item); !s) return s.error();
    Registration reg{item, AssignStep(defs, item)};
    auto opened = engine.interpreter().Register(reg);
    if (!opened) return opened.error();

    ChangeSet changes;
    applied->AppendTo(changes);
    opened->AppendTo(changes);
    Status s = engine.Commit(changes);
    if (s) {
      applied->instance.record.version = applied->expected_version + 1;
      opened->instance.record.version = 1;
      return Confirmed{applied->instance, opened->instance};
    }
    if (s.error().code() == ErrorCode::kUniqueViolation) {
      return Error::UniqueViolation("item " + item.id +
                                    " already exists; name another id for "
                                    "the item (--item, $.item)");
    }
    if (s.error().code() != ErrorCode::kConflict || attempt == kMaxAttempts) return s.error();
  }
}

Result<Instance> DismissFinding(Engine& engine, const std::string& id, const std::string& actor,
                                const std::string& reason, const std::string& channel,
                                const std::string& request_id) {
  auto source = engine.Load(id);
  if (!source) return source.error();
  if (source->origin.round.empty()) {
    return Error::BadInput(id +
                           " is not a finding of an inspection round; a public report is "
                           "dismissed with its own 'dismiss' (rectify item act)");
  }
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::BadInput("say why the finding is dismissed (--reason, $.reason)");
  }
  Command c;
  c.instance_id = id;
  c.event = "dismiss";
  c.actor = actor;
  c.reason = reason;
  c.channel = channel;
  c.request_id = request_id;
  return engine.Act(c);
}

Result<std::vector<FindingView>> ListFindings(Store& store, const std::string& campaign,
                                              const std::string& round) {
  std::string prefix = RoundPrefix(campaign, round);
  std::vector<FindingView> out;
  std::vector<std::string> opened;
  InstanceFilter filter;
  filter.after_id = prefix;
  filter.limit = 500;
  Status listed =
      ForEachInstancePage(store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const auto& record : page) {
          // Ids are in order: past the round's prefix, nothing more is the round's.
          if (record.id.compare(0, prefix.size(), prefix) != 0) return false;
          auto inst = InstanceOf(record);
          if (!inst) return inst.error();
          if (inst->origin.round.empty() || inst->origin.campaign != campaign) continue;
          if (!inst->origin.opened.empty()) opened.push_back(inst->origin.opened);
          out.push_back({std::move(*inst), std::nullopt});
        }
        return true;
      });
  if (!listed) return listed.error();
  if (!opened.empty()) {
    auto items = store.LoadInstances(opened);
    if (!items) return items.error();
    std::map<std::string, Instance> by_id;
    for (const auto& record : *items) {
      auto inst = Instance::FromRecord(record);
      if (!inst) return inst.error();
      by_id.emplace(record.id, std::move(*inst));
    }
    for (auto& v : out) {
      auto it = by_id.find(v.finding.origin.opened);
      if (it != by_id.end()) v.item = it->second;
    }
  }
  return out;
}

}  // namespace rectify::engine
