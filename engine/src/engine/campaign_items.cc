// The campaign's `items:` block applied to a registration: see campaign_items.h.
#include "rectify/engine/campaign_items.h"

#include "rectify/calendar/deadline.h"
#include "rectify/engine/campaign.h"

namespace rectify::engine {

namespace {

constexpr const char* kTimeLimit = "time_limit";

}  // namespace

const Calendar* ItemCalendar(const definition::DefinitionSet& defs,
                             const definition::Workflow& workflow, std::string_view campaign) {
  const Calendar* own = workflow.calendar().get();
  if (!own || campaign.empty()) return own;
  auto c = defs.FindCampaign(campaign);
  if (!c || c->calendar_changes().empty() || c->calendar().name() != own->name()) return own;
  return c->item_calendar_ptr().get();
}

const definition::Checkpoint* RectificationWindowAt(const definition::Campaign& c, Date day) {
  for (const definition::Checkpoint& cp : c.checkpoints()) {
    if (cp.kind == definition::CheckpointKind::kRectification && cp.from <= day && day <= cp.to) {
      return &cp;
    }
  }
  return nullptr;
}

Status ApplyCampaignItems(const definition::Campaign* c, const definition::DefinitionSet& defs,
                          NewInstance& request) {
  if (!c) {
    if (request.workflow.empty()) request.workflow = kDefaultItemWorkflow;
    return OkStatus();
  }
  // Where each choice came from, for the register audit row (only for items of a campaign:
  // elsewhere there is nothing to choose between).
  const std::string from_campaign = "campaign " + c->info().name;
  auto note = [&](const char* key, const std::string& from) {
    request.audit_notes.emplace(key, from);  // the first pass says it (a dry run, then the run)
  };
  const definition::ItemDefaults& items = c->items();
  if (!request.workflow.empty()) {
    note("workflow_from", "registration");
  } else if (items.workflow) {
    request.workflow = items.workflow->info().name;
    request.workflow_version = items.workflow->info().version;
    note("workflow_from", from_campaign);
  } else {
    request.workflow = kDefaultItemWorkflow;
    note("workflow_from", "workflow");
  }
  if (!request.escalation.empty()) {
    note("escalation_from", "registration");
  } else if (items.escalation) {
    request.escalation =
        items.escalation->info().name + "@" + std::to_string(items.escalation->info().version);
    note("escalation_from", from_campaign);
  }
  auto wf = defs.FindWorkflow(request.workflow, request.workflow_version);
  if (!wf || !wf->FindField(kTimeLimit)) return OkStatus();  // Create says what is wrong
  auto limit = request.fields.find(kTimeLimit);
  if (limit != request.fields.end()) {
    note("time_limit_from", "registration");
  } else if (items.time_limit) {
    limit = request.fields.emplace(kTimeLimit, FormatSpan(*items.time_limit)).first;
    note("time_limit_from", from_campaign);
  } else {
    return OkStatus();
  }
  const definition::Checkpoint* window =
      RectificationWindowAt(*c, c->calendar().DateOf(request.at));
  if (!window) return OkStatus();
  // The item's own calendar (ItemCalendar), from the campaign at hand.
  const Calendar& cal = !wf->calendar() || wf->calendar()->name() == c->calendar().name()
                            ? *c->item_calendar_ptr()
                            : *wf->calendar();
  auto spec = ParseDeadlineSpec(limit->second);
  if (!spec)
    return Error::BadInput("time_limit '" + limit->second + "': " + spec.error().message());
  auto due = ResolveDeadline(cal, request.at, *spec);
  if (!due) return due.error();
  if (*due <= c->calendar().EndOfDay(window->to)) return OkStatus();
  note("time_limit_asked", limit->second);
  note("time_limit_capped_by", window->id);
  limit->second = FormatDate(window->to);
  return OkStatus();
}

Status ApplyCampaignItems(Store& store, const definition::DefinitionSet& defs,
                          NewInstance& request) {
  if (request.campaign.empty()) return ApplyCampaignItems(nullptr, defs, request);
  int version = 0;
  auto run = store.LoadInstance(CampaignInstanceId(request.campaign));
  if (run) {
    version = static_cast<int>(run->workflow_version);
  } else if (run.error().code() != ErrorCode::kNotFound) {
    return run.error();
  }
  auto c = defs.FindCampaign(request.campaign, version);
  if (!c && version != 0) {
    return Error::FailedPrecondition("campaign " + request.campaign + " was started on version " +
                                     std::to_string(version) +
                                     ", which is not loaded; load the definitions it started with");
  }
  bool own_workflow = !request.workflow.empty();
  if (Status s = ApplyCampaignItems(c.get(), defs, request); !s) return s;
  // The campaign's workflow runs on the version its run pinned (ApplyCampaignPin), not on the
  // one its name resolves to now that a newer one may be loaded.
  if (run && c && !own_workflow) {
    auto inst = Instance::FromRecord(*run);
    if (!inst) return inst.error();
    auto pins = PinnedWorkflows(*inst);
    if (!pins) return pins.error();
    if (auto pin = pins->find(request.workflow); pin != pins->end()) {
      request.workflow_version = pin->second;
    }
  }
  return OkStatus();
}

}  // namespace rectify::engine
