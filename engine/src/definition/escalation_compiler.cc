// kind: escalation -> Escalation.
#include <algorithm>
#include <set>

#include "compile.h"

namespace rectify::definition::internal {
namespace {

std::optional<FollowUpTask> ReadTask(DocContext& doc, const YAML::Node& node,
                                     const std::string& path, Linker& linker) {
  MapReader m(doc, node, path);
  if (!m.valid()) return std::nullopt;
  FollowUpTask task;
  task.pos = doc.Pos(node);
  bool ok = true;
  if (YAML::Node wf = m.Require("workflow", "interview-task"); wf.IsDefined()) {
    auto ref = linker.Resolve(doc, Kind::kWorkflow, wf, m.PathOf("workflow"));
    if (ref) task.workflow = *ref;
    ok = ok && ref.has_value();
  }
  if (YAML::Node owner = m.Require("owner", "unit.parent.leader"); owner.IsDefined()) {
    auto rp =
        ParseRolePath(doc, owner, m.PathOf("owner"), linker.vocabulary(), {}, RoleUse::kTarget);
    if (rp) task.owner = *rp;
    ok = ok && rp.has_value();
  }
  if (YAML::Node within = m.Get("within"); within.IsDefined()) {
    task.within = ReadSpan(doc, within, m.PathOf("within"));
    if (task.within && (task.within->negative() || task.within->kind == Span::Kind::kZero)) {
      doc.Error(within, m.PathOf("within"), "a task's time limit must be more than zero",
                "for example within: 3wd");
    }
  }
  task.title = m.String("title").value_or("");
  m.Finish();
  if (!ok) return std::nullopt;
  return task;
}

// `judgment: { by: [finance], while: open }`: the org roles that may take the step by judgment.
std::optional<StepJudgment> ReadJudgment(DocContext& doc, const YAML::Node& node,
                                         const std::string& path, const RoleVocabulary& vocab) {
  MapReader m(doc, node, path);
  if (!m.valid()) return std::nullopt;
  StepJudgment j;
  j.pos = doc.Pos(node);
  bool ok = true;
  if (YAML::Node by = m.Require("by", "[finance]"); by.IsDefined()) {
    std::size_t before = doc.error_count();
    j.by = ParseRolePaths(doc, by, m.PathOf("by"), vocab, {}, RoleUse::kActor);
    ok = ok && doc.error_count() == before;
    for (const RolePath& r : j.by) {
      if (r.base == RolePath::Base::kSystem || r.base == RolePath::Base::kPublic) {
        doc.ErrorAt(r.pos, m.PathOf("by"),
                    "a step is taken by judgment by a person, not by '" + r.text + "'",
                    "name the org role that decides, for example by: [finance]; the "
                    "system takes the step by time through 'after'");
        ok = false;
      }
    }
    if (j.by.empty() && ok) {
      doc.Error(by, m.PathOf("by"), "name at least one role that may take the step",
                "for example by: [finance]");
      ok = false;
    }
  }
  if (auto when = m.String("while")) {
    if (*when == "open") {
      j.when = StepJudgment::When::kOpen;
    } else if (*when == "overdue") {
      j.when = StepJudgment::When::kOverdue;
    } else {
      doc.Error(m.Get("while"), m.PathOf("while"), "unknown 'while' value '" + *when + "'",
                SuggestHint(*when, {"open", "overdue"}));
      ok = false;
    }
  }
  m.Finish();
  if (!ok) return std::nullopt;
  return j;
}

// `until: { events: [accept], by: [finance] }`: what ends a measure that lasts.
std::optional<MeasureUntil> ReadUntil(DocContext& doc, const YAML::Node& node,
                                      const std::string& path, const RoleVocabulary& vocab) {
  MapReader m(doc, node, path);
  if (!m.valid()) return std::nullopt;
  MeasureUntil u;
  u.pos = doc.Pos(node);
  bool ok = true;
  if (YAML::Node events = m.Get("events"); events.IsDefined()) {
    for (const StringItem& e : AsStringList(doc, events, m.PathOf("events"))) {
      if (!IsIdentifier(e.value)) {
        CheckIdentifier(doc, e.node, e.path, e.value, "event");
        ok = false;
      } else {
        u.events.push_back(e.value);
      }
    }
  }
  if (YAML::Node by = m.Get("by"); by.IsDefined()) {
    std::size_t before = doc.error_count();
    u.by = ParseRolePaths(doc, by, m.PathOf("by"), vocab, {}, RoleUse::kActor);
    ok = ok && doc.error_count() == before;
  }
  m.Finish();
  if (!ok) return std::nullopt;
  return u;
}

}  // namespace

std::shared_ptr<const Escalation> CompileEscalation(DocContext& doc, const RawDefinition& raw,
                                                    Linker& linker) {
  std::size_t errors_before = doc.error_count();
  MapReader m(doc, raw.root, "");
  AllowHeaderKeys(m);
  YAML::Node steps = m.Require("steps", "[{ after: 0, measure: reminder_letter }]");
  m.Finish();
  std::vector<EscalationStep> out;
  const RoleVocabulary& vocab = linker.vocabulary();
  if (steps.IsDefined() && !IsList(steps)) {
    doc.Error(steps, "steps", "expected a list of steps, found " + Describe(steps),
              "write each step as '- { after: 3wd, measure: supervision_letter }'");
  } else if (steps.IsDefined() && steps.size() == 0) {
    doc.Error(steps, "steps", "an escalation needs at least one step");
  } else if (steps.IsDefined()) {
    std::set<std::string> ids;
    std::optional<std::size_t> prev;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      std::string p = IndexPath("steps", i);
      MapReader s(doc, steps[i], p);
      if (!s.valid()) continue;
      EscalationStep step;
      step.index = static_cast<int>(out.size());
      step.pos = doc.Pos(steps[i]);
      step.id = s.String("id").value_or("step-" + std::to_string(i + 1));
      if (s.Has("id")) CheckIdentifier(doc, s.Get("id"), s.PathOf("id"), step.id, "step id");
      if (!ids.insert(step.id).second) {
        doc.Error(s.Get("id"), s.PathOf("id"), "duplicate step id '" + step.id + "'",
                  "give each step its own id");
      }
      bool have_after = false;
      if (YAML::Node after = s.Require("after", "3wd"); after.IsDefined()) {
        if (auto span = ReadSpan(doc, after, s.PathOf("after"))) {
          step.after = *span;
          step.after_text = after.Scalar();
          have_after = true;
          if (span->negative()) {
            have_after = false;
            doc.Error(
                after, s.PathOf("after"),
                "an escalation step cannot come before the deadline ('" + step.after_text + "')",
                "'after' counts from the missed deadline; put reminders before it in "
                "the workflow's remind:");
          } else if (prev && NominalHours(step.after) < NominalHours(out[*prev].after)) {
            const EscalationStep& previous = out[*prev];
            doc.Error(after, s.PathOf("after"),
                      "step " + std::to_string(i + 1) + " falls at " + step.after_text +
                          ", before step " + std::to_string(previous.index + 1) + " at " +
                          previous.after_text,
                      "order the steps by 'after', mildest first");
          }
        }
      }
      bool have_measure = false;
      if (YAML::Node measure = s.Require("measure", "reminder_letter"); measure.IsDefined()) {
        if (auto text = AsString(doc, measure, s.PathOf("measure"))) {
          if (auto ms = ParseMeasure(*text)) {
            step.measure = *ms;
            have_measure = true;
          } else {
            doc.Error(measure, s.PathOf("measure"), "unknown measure '" + *text + "'",
                      SuggestHint(*text, MeasureNames()));
          }
        }
      }
      if (have_measure && prev && Severity(step.measure) < Severity(out[*prev].measure)) {
        const EscalationStep& previous = out[*prev];
        doc.Warning(s.Get("measure"), s.PathOf("measure"),
                    "step " + std::to_string(i + 1) + " (" +
                        std::string(MeasureName(step.measure)) + ") is milder than step " +
                        std::to_string(previous.index + 1) + " (" +
                        std::string(MeasureName(previous.measure)) + ")",
                    "an escalation usually grows more severe; check the order");
      }
      step.suspend_payment = step.measure == Measure::kSuspendPayment;
      if (YAML::Node notify = s.Get("notify"); notify.IsDefined()) {
        step.notify = ParseRolePaths(doc, notify, s.PathOf("notify"), vocab, vocab.person_fields,
                                     RoleUse::kTarget);
      }
      if (YAML::Node task = s.Get("task"); task.IsDefined()) {
        step.task = ReadTask(doc, task, s.PathOf("task"), linker);
      }
      if (auto score = s.Number("score")) {
        if (*score > 0) {
          doc.Error(s.Get("score"), s.PathOf("score"),
                    "a score deduction is written as a negative number",
                    "write score: -" + s.Get("score").Scalar());
        } else {
          step.score = *score;
        }
      }
      if (auto bulletin = s.String("bulletin")) {
        if (vocab.have_org && std::find(vocab.unit_kinds.begin(), vocab.unit_kinds.end(),
                                        *bulletin) == vocab.unit_kinds.end()) {
          doc.Error(s.Get("bulletin"), s.PathOf("bulletin"),
                    "unknown unit kind '" + *bulletin + "'",
                    SuggestHint(*bulletin, vocab.unit_kinds,
                                "name the kind of unit that issues the bulletin (county)"));
        } else {
          step.bulletin = *bulletin;
        }
      }
      if (YAML::Node judgment = s.Get("judgment"); judgment.IsDefined()) {
        step.judgment = ReadJudgment(doc, judgment, s.PathOf("judgment"), vocab);
      }
      if (YAML::Node carried = s.Get("carried_out_by"); carried.IsDefined()) {
        step.carried_out_by = ParseRolePaths(doc, carried, s.PathOf("carried_out_by"), vocab,
                                             vocab.person_fields, RoleUse::kTarget);
      }
      if (YAML::Node until = s.Get("until"); until.IsDefined()) {
        step.until = ReadUntil(doc, until, s.PathOf("until"), vocab);
        // Ended by an act of whoever carries it out or decided it, unless the chain says.
        if (step.until && step.until->by.empty() && step.judgment) {
          step.until->by = step.judgment->by;
        }
        if (step.until && step.until->events.empty() && step.until->by.empty()) {
          doc.Error(until, s.PathOf("until"), "nothing can end this measure",
                    "name the item's events that end it (events: [accept]) or who may end it "
                    "(by: [finance])");
        }
      }
      step.urgent = s.Bool("urgent").value_or(false);
      if (auto sp = s.Bool("suspend_payment")) step.suspend_payment = step.suspend_payment || *sp;
      if (step.notify.empty() && !s.Has("task") && step.bulletin.empty() && have_measure &&
          !s.Has("notify")) {
        doc.Warning(steps[i], p, "step " + std::to_string(i + 1) + " notifies no one",
                    "add notify: [responsible, unit.head]");
      }
      s.Finish();
      out.push_back(std::move(step));
      if (have_after) prev = out.size() - 1;
    }
  }
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const Escalation>(raw.info, std::move(out));
}

}  // namespace rectify::definition::internal
