// Instances moved onto the calendar version their workflow counts on: the interpreter's pure move
// (Interpreter::Reproject) and the batch that finds them and commits every move in one
// transaction (ReprojectInstances).
#include "rectify/engine/reprojection.h"

#include <boost/json.hpp>
#include <map>
#include <memory>

#include "rectify/definition/definition_set.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "step.h"

namespace rectify::engine {

Result<Effects> Interpreter::Reproject(const Instance& instance, const std::string& actor,
                                       const std::string& reason, const Calendar* previous,
                                       Timestamp now) const {
  auto bound = Bind(instance);
  if (!bound) return bound.error();
  internal::Step step(*this, *bound, instance, now);
  auto moved = step.FollowCalendar(actor, reason, previous);
  if (!moved) return moved.error().WithContext("item " + instance.record.id);
  if (Status s = step.ProjectTimers(); !s) return s.error();
  return step.Finish();
}

namespace {

// Old calendar versions, loaded or compiled again from the text the registry kept of them.
class PreviousCalendars {
 public:
  PreviousCalendars(Store& store, const definition::DefinitionSet& loaded)
      : store_(store), loaded_(loaded) {}

  // Null when the version is neither loaded nor registered (its deadline is then not shown).
  const Calendar* Find(const std::string& label) {
    auto nv = definition::ParseNameVersion(label);
    if (!nv) return nullptr;
    if (auto cal = loaded_.FindCalendar(nv->name, nv->version)) return cal.get();
    auto it = compiled_.find(label);
    if (it != compiled_.end()) {
      return it->second ? it->second->FindCalendar(nv->name, nv->version).get() : nullptr;
    }
    std::shared_ptr<const definition::DefinitionSet> set;
    if (auto rec = store_.LoadDefinition("calendar", nv->name, nv->version); rec) {
      Diagnostics diags;
      auto docs = definition::ParseYamlText(rec->source, "registry: calendar " + label, {}, diags);
      if (auto compiled = definition::CompileDocuments(docs, diags); compiled) set = *compiled;
    }
    compiled_[label] = set;
    return set ? set->FindCalendar(nv->name, nv->version).get() : nullptr;
  }

 private:
  Store& store_;
  const definition::DefinitionSet& loaded_;
  std::map<std::string, std::shared_ptr<const definition::DefinitionSet>> compiled_;
};

std::string LocalDeadline(const Calendar& cal, const std::string& iso) {
  auto t = ParseIso(iso);
  return t ? cal.FormatLocal(*t) : std::string();
}

}  // namespace

Result<ReprojectReport> ReprojectInstances(Engine& engine, const ReprojectRequest& req) {
  const Interpreter& interp = engine.interpreter();
  const auto& defs = interp.definitions();
  if (!req.calendar.empty() && !defs.FindCalendar(req.calendar)) {
    std::string known, last;  // each name once, though several versions may be loaded
    for (const auto& info : defs.All()) {
      if (info.kind != definition::Kind::kCalendar || info.name == last) continue;
      known += (known.empty() ? "" : ", ") + info.name;
      last = info.name;
    }
    return Error::NotFound("no calendar '" + req.calendar + "' is loaded" +
                           (known.empty() ? "" : "; known: " + known));
  }
  PreviousCalendars previous(engine.store(), defs);
  ReprojectReport report;
  ChangeSet changes;
  Timestamp now = engine.clock().Now();
  InstanceFilter filter;
  filter.limit = 1000;
  Status listed = ForEachInstancePage(
      engine.store(), filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const InstanceRecord& r : page) {
          if (IsCampaignRun(r)) continue;
          auto inst = InstanceOf(r);
          if (!inst) return inst.error();
          auto bound = interp.Bind(*inst);
          if (!bound) return bound.error();
          const auto& wf = *bound->workflow;
          if (!wf.calendar() || (!req.calendar.empty() && wf.calendar_ref().name != req.calendar)) {
            continue;
          }
          if (auto s = wf.FindState(r.state); s && wf.state(*s).final) {
            ++report.left_final;
            continue;
          }
          const std::string to = wf.calendar_ref().Label();
          if (inst->calendar == to || inst->calendar.empty() || inst->clocks.empty()) {
            ++report.current;
            continue;
          }
          const Calendar* old = previous.Find(inst->calendar);
          auto fx = interp.Reproject(*inst, req.actor, req.reason, old, now);
          if (!fx) return fx.error();
          ReprojectedInstance m{r.id, r.state, inst->calendar, to, {}, {}};
          for (const AuditRecord& a : fx->audit) {
            if (a.event != "calendar_changed") continue;
            auto data = boost::json::parse(a.data_json).as_object();
            if (old && data.contains("previous_deadline")) {
              m.previous_deadline =
                  LocalDeadline(*old, std::string(data.at("previous_deadline").as_string()));
            }
            if (data.contains("deadline")) {
              m.deadline =
                  LocalDeadline(*wf.calendar(), std::string(data.at("deadline").as_string()));
            }
          }
          report.moved.push_back(std::move(m));
          fx->AppendTo(changes);
        }
        return true;
      });
  if (!listed) return listed.error();
  if (req.dry_run || changes.empty()) return report;
  if (Status s = engine.Commit(changes); !s) {
    if (s.error().code() == ErrorCode::kConflict) {
      return Error::Conflict("an instance changed while re-projecting (" + s.error().message() +
                             "); nothing was changed; run the command again");
    }
    return s.error();
  }
  return report;
}

}  // namespace rectify::engine
