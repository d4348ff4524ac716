// kind: campaign -> Campaign.
#include <algorithm>
#include <set>

#include "compile.h"
#include "rectify/calendar/deadline.h"

namespace rectify::definition::internal {
namespace {

class CampaignCompiler {
 public:
  CampaignCompiler(DocContext& doc, const RawDefinition& raw, Linker& linker)
      : doc_(doc), raw_(raw), linker_(linker) {}

  std::shared_ptr<const Campaign> Compile() {
    std::size_t errors_before = doc_.error_count();
    MapReader m(doc_, raw_.root, "");
    AllowHeaderKeys(m);
    bool refs_ok = true;
    if (YAML::Node cal = m.Require("calendar", "cn"); cal.IsDefined()) {
      auto ref = linker_.Resolve(doc_, Kind::kCalendar, cal, "calendar");
      if (ref) parts_.calendar = linker_.GetCalendar(*ref);
      refs_ok = refs_ok && parts_.calendar != nullptr;
    }
    if (YAML::Node org = m.Require("org", "xinshao"); org.IsDefined()) {
      auto ref = linker_.Resolve(doc_, Kind::kOrg, org, "org");
      if (ref) parts_.org = linker_.GetOrg(*ref);
      refs_ok = refs_ok && parts_.org != nullptr;
    }
    YAML::Node from = m.Get("from");
    YAML::Node to = m.Get("to");
    YAML::Node actions = m.Get("special_actions");
    YAML::Node phases = m.Get("phases");
    YAML::Node checkpoints = m.Get("checkpoints");
    YAML::Node recurring = m.Get("recurring");
    YAML::Node items = m.Require("items", "{ workflow: rectification-item }");
    YAML::Node calendar_changes = m.Get("calendar_changes");
    YAML::Node bulletins = m.Get("bulletins");
    m.Finish();
    if (actions.IsDefined()) ReadActions(actions);
    if (phases.IsDefined()) ReadPhases(phases);
    ReadDates(from, to);
    if (phases.IsDefined()) CheckPhases(phases);
    if (checkpoints.IsDefined()) ReadCheckpoints(checkpoints);
    if (recurring.IsDefined()) ReadRecurring(recurring);
    if (items.IsDefined()) ReadItems(items);
    if (calendar_changes.IsDefined() && cal() != nullptr)
      ReadCalendarChanges(doc_, calendar_changes, parts_, have_span_);
    if (bulletins.IsDefined()) ReadBulletins(bulletins);
    if (!refs_ok || doc_.error_count() > errors_before) return nullptr;
    return std::make_shared<const Campaign>(raw_.info, std::move(parts_));
  }

 private:
  const Calendar* cal() const { return parts_.calendar.get(); }

  std::optional<Date> DateAt(const YAML::Node& node, const std::string& path) {
    auto d = AsDate(doc_, node, path);
    if (!d) return std::nullopt;
    if (!CheckCovered(doc_, node, path, cal(), *d)) return std::nullopt;
    return d;
  }

  void ReadActions(const YAML::Node& node) {
    if (!IsList(node)) {
      doc_.Error(node, "special_actions", "expected a list of actions, found " + Describe(node));
      return;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      std::string p = IndexPath("special_actions", i);
      MapReader a(doc_, node[i], p);
      if (!a.valid()) continue;
      Tag tag;
      tag.pos = doc_.Pos(node[i]);
      tag.id = a.String("id", true).value_or("");
      tag.title = a.String("title").value_or("");
      if (!tag.id.empty() && !action_ids_.insert(tag.id).second) {
        doc_.Error(a.Get("id"), a.PathOf("id"), "duplicate special action '" + tag.id + "'");
      }
      a.Finish();
      parts_.special_actions.push_back(tag);
    }
  }

  std::vector<std::string> ReadTags(const YAML::Node& node, const std::string& path) {
    std::vector<std::string> out;
    std::vector<std::string> known(action_ids_.begin(), action_ids_.end());
    for (const auto& t : AsStringList(doc_, node, path)) {
      if (action_ids_.count(t.value) == 0) {
        doc_.Error(t.node, t.path, "unknown special action '" + t.value + "'",
                   SuggestHint(t.value, known, "list it under special_actions:"));
        continue;
      }
      out.push_back(t.value);
    }
    return out;
  }

  std::vector<std::string> ReadKinds(const YAML::Node& node, const std::string& path) {
    std::vector<std::string> out;
    for (const auto& k : AsStringList(doc_, node, path)) {
      if (parts_.org && !parts_.org->HasKind(k.value)) {
        std::vector<std::string> present;
        for (const auto& u : parts_.org->units()) {
          if (std::find(present.begin(), present.end(), u.kind) == present.end()) {
            present.push_back(u.kind);
          }
        }
        doc_.Error(k.node, k.path,
                   "org '" + parts_.org->info().name + "' has no unit of kind '" + k.value + "'",
                   SuggestHint(k.value, present));
        continue;
      }
      out.push_back(k.value);
    }
    return out;
  }

  void ReadPhases(const YAML::Node& node) {
    if (!IsList(node)) {
      doc_.Error(node, "phases", "expected a list of phases, found " + Describe(node));
      return;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < node.size(); ++i) {
      std::string p = IndexPath("phases", i);
      MapReader m(doc_, node[i], p);
      if (!m.valid()) continue;
      Phase ph;
      ph.pos = doc_.Pos(node[i]);
      ph.id = m.String("id", true).value_or("");
      if (!ph.id.empty() && !ids.insert(ph.id).second) {
        doc_.Error(m.Get("id"), m.PathOf("id"), "duplicate phase '" + ph.id + "'");
      }
      ph.title = m.String("title").value_or("");
      YAML::Node f = m.Require("from", "2017-01-01");
      YAML::Node t = m.Require("to", "2017-03-31");
      if (YAML::Node tags = m.Get("tags"); tags.IsDefined())
        ph.tags = ReadTags(tags, m.PathOf("tags"));
      m.Finish();
      auto fd = f.IsDefined() ? DateAt(f, m.PathOf("from")) : std::nullopt;
      auto td = t.IsDefined() ? DateAt(t, m.PathOf("to")) : std::nullopt;
      if (!fd || !td) continue;
      if (*td < *fd) {
        doc_.Error(t, m.PathOf("to"),
                   "phase '" + ph.id + "' ends (" + FormatDate(*td) + ") before it begins (" +
                       FormatDate(*fd) + ")",
                   "swap from and to");
        continue;
      }
      ph.from = *fd;
      ph.to = *td;
      parts_.phases.push_back(ph);
      phase_nodes_.push_back(node[i]);
    }
  }

  void ReadDates(const YAML::Node& from, const YAML::Node& to) {
    bool have_from = false;
    bool have_to = false;
    if (from.IsDefined()) {
      if (auto d = DateAt(from, "from")) {
        parts_.from = *d;
        have_from = true;
      }
    } else if (!parts_.phases.empty()) {
      parts_.from = std::min_element(parts_.phases.begin(), parts_.phases.end(),
                                     [](const Phase& a, const Phase& b) { return a.from < b.from; })
                        ->from;
      have_from = true;
    }
    if (to.IsDefined()) {
      if (auto d = DateAt(to, "to")) {
        parts_.to = *d;
        have_to = true;
      }
    } else if (!parts_.phases.empty()) {
      parts_.to = std::max_element(parts_.phases.begin(), parts_.phases.end(),
                                   [](const Phase& a, const Phase& b) { return a.to < b.to; })
                      ->to;
      have_to = true;
    }
    if (!from.IsDefined() && !to.IsDefined() && parts_.phases.empty()) {
      doc_.Error(raw_.root, "", "the campaign has neither phases nor from/to dates",
                 "add from: and to:, or phases:");
      return;
    }
    if (have_from && have_to && parts_.to < parts_.from) {
      doc_.Error(to.IsDefined() ? to : raw_.root, "to", "the campaign ends before it begins",
                 "swap from and to");
      return;
    }
    have_span_ = have_from && have_to;
  }

  void CheckPhases(const YAML::Node& node) {
    std::vector<std::size_t> order(parts_.phases.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return parts_.phases[a].from < parts_.phases[b].from;
    });
    using std::chrono::days;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const Phase& ph = parts_.phases[order[k]];
      const YAML::Node& at = phase_nodes_[order[k]];
      std::string path = IndexPath("phases", order[k]);
      if (k == 0 && have_span_ && ph.from > parts_.from) {
        doc_.Warning(at, path,
                     "no phase covers " + FormatDate(parts_.from) + ".." +
                         FormatDate(ph.from - days(1)) + " at the start of the campaign",
                     "start the first phase on the campaign's first day");
      }
      if (k > 0) {
        const Phase& prev = parts_.phases[order[k - 1]];
        if (ph.from <= prev.to) {
          doc_.Warning(at, path,
                       "phase '" + ph.id + "' begins " + FormatDate(ph.from) + ", before phase '" +
                           prev.id + "' ends on " + FormatDate(prev.to),
                       "phases should not overlap; end one the day before the next begins");
        } else if (ph.from > prev.to + days(1)) {
          doc_.Warning(at, path,
                       "no phase covers " + FormatDate(prev.to + days(1)) + ".." +
                           FormatDate(ph.from - days(1)) + ", between phase '" + prev.id +
                           "' and phase '" + ph.id + "'",
                       "begin each phase the day after the previous one ends");
        }
      }
      if (k + 1 == order.size() && have_span_ && ph.to < parts_.to) {
        doc_.Warning(at, path,
                     "no phase covers " + FormatDate(ph.to + days(1)) + ".." +
                         FormatDate(parts_.to) + " at the end of the campaign",
                     "end the last phase on the campaign's last day");
      }
    }
    (void)node;
  }

  void ReadCheckpoints(const YAML::Node& node);
  void ReadRecurring(const YAML::Node& node);
  void ReadItems(const YAML::Node& node);
  void ReadBulletins(const YAML::Node& node);
  void ReadBulletinsAfter(const YAML::Node& node);
  void CheckItemsTakeEffect(const YAML::Node& escalation, const YAML::Node& time_limit);
  void WarnOutside(const YAML::Node& at, const std::string& path, Date d, const std::string& what);

  DocContext& doc_;
  const RawDefinition& raw_;
  Linker& linker_;
  Campaign::Parts parts_;
  std::set<std::string> action_ids_;
  std::vector<YAML::Node> phase_nodes_;
  bool have_span_ = false;
};

void CampaignCompiler::WarnOutside(const YAML::Node& at, const std::string& path, Date d,
                                   const std::string& what) {
  if (!have_span_ || (d >= parts_.from && d <= parts_.to)) return;
  doc_.Warning(at, path,
               what + " " + FormatDate(d) + " is outside the campaign (" + FormatDate(parts_.from) +
                   ".." + FormatDate(parts_.to) + ")",
               "move it inside the campaign, or widen from:/to:");
}

void CampaignCompiler::ReadCheckpoints(const YAML::Node& node) {
  if (!IsList(node)) {
    doc_.Error(node, "checkpoints", "expected a list of checkpoints, found " + Describe(node));
    return;
  }
  static const std::vector<std::string> kKinds = {"inspection", "rectification", "submission",
                                                  "look_back"};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string p = IndexPath("checkpoints", i);
    MapReader m(doc_, node[i], p);
    if (!m.valid()) continue;
    Checkpoint c;
    c.pos = doc_.Pos(node[i]);
    c.id = m.String("id", true).value_or("");
    if (!c.id.empty() && !ids.insert(c.id).second) {
      doc_.Error(m.Get("id"), m.PathOf("id"), "duplicate checkpoint '" + c.id + "'");
    }
    c.title = m.String("title").value_or("");
    bool kind_ok = false;
    if (auto kind = m.String("kind", true)) {
      if (*kind == "inspection")
        c.kind = CheckpointKind::kInspection;
      else if (*kind == "rectification")
        c.kind = CheckpointKind::kRectification;
      else if (*kind == "submission")
        c.kind = CheckpointKind::kSubmission;
      else if (*kind == "look_back")
        c.kind = CheckpointKind::kLookBack;
      else
        doc_.Error(m.Get("kind"), m.PathOf("kind"), "unknown checkpoint kind '" + *kind + "'",
                   SuggestHint(*kind, kKinds));
      kind_ok = std::find(kKinds.begin(), kKinds.end(), *kind) != kKinds.end();
    }
    YAML::Node at = m.Get("at");
    YAML::Node due = m.Get("due");
    YAML::Node from = m.Get("from");
    YAML::Node to = m.Get("to");
    YAML::Node within = m.Get("within");
    YAML::Node wf = m.Get("workflow");
    YAML::Node sample = m.Get("sample");
    YAML::Node of = m.Get("of");
    YAML::Node reopen = m.Get("reopen_on_failure");
    YAML::Node findings = m.Get("findings");
    YAML::Node found_by = m.Get("found_by");
    if (YAML::Node a = m.Get("applies_to"); a.IsDefined())
      c.applies_to = ReadKinds(a, m.PathOf("applies_to"));
    if (YAML::Node tags = m.Get("tags"); tags.IsDefined())
      c.tags = ReadTags(tags, m.PathOf("tags"));
    m.Finish();
    if (!kind_ok) continue;
    const std::string kind_name(CheckpointKindName(c.kind));
    auto only_for = [&](const YAML::Node& n, const char* key, CheckpointKind k) {
      if (n.IsDefined() && c.kind != k) {
        doc_.Error(n, m.PathOf(key),
                   std::string("'") + key + "' applies only to " +
                       std::string(CheckpointKindName(k)) + " checkpoints, not " + kind_name,
                   "remove it");
      }
    };
    only_for(sample, "sample", CheckpointKind::kLookBack);
    only_for(of, "of", CheckpointKind::kLookBack);
    only_for(reopen, "reopen_on_failure", CheckpointKind::kLookBack);
    only_for(due, "due", CheckpointKind::kSubmission);
    only_for(within, "within", CheckpointKind::kRectification);
    only_for(findings, "findings", CheckpointKind::kInspection);
    only_for(found_by, "found_by", CheckpointKind::kInspection);
    // When: `due`/`at` is one day; `from` with `to` (or `within`) a window.
    std::optional<Date> first, last;
    const YAML::Node& single = due.IsDefined() ? due : at;
    const char* single_key = due.IsDefined() ? "due" : "at";
    if (single.IsDefined() && (from.IsDefined() || to.IsDefined())) {
      doc_.Error(single, m.PathOf(single_key),
                 std::string("give either '") + single_key + "' or 'from'/'to', not both",
                 "a checkpoint is one day or a window");
      continue;
    }
    if (single.IsDefined()) {
      first = last = DateAt(single, m.PathOf(single_key));
      if (!first) continue;
    } else if (from.IsDefined()) {
      first = DateAt(from, m.PathOf("from"));
      if (!first) continue;
      if (to.IsDefined() && within.IsDefined()) {
        doc_.Error(within, m.PathOf("within"), "give either 'to' or 'within', not both");
        continue;
      }
      if (to.IsDefined()) {
        last = DateAt(to, m.PathOf("to"));
      } else if (within.IsDefined()) {
        auto span = internal::ReadSpan(doc_, within, m.PathOf("within"));
        if (!span) continue;
        if (cal() != nullptr) {
          auto end = AddSpan(*cal(), *first, *span);
          if (!end) {
            doc_.Error(within, m.PathOf("within"), end.error().message());
            continue;
          }
          last = DeadlineDay(*cal(), *end);
        }
      } else {
        last = first;
      }
      if (!last) continue;
      if (*last < *first) {
        doc_.Error(to, m.PathOf("to"),
                   "checkpoint '" + c.id + "' ends (" + FormatDate(*last) + ") before it begins (" +
                       FormatDate(*first) + ")",
                   "swap from and to");
        continue;
      }
    } else {
      doc_.Error(node[i], p, "checkpoint '" + c.id + "' has no date",
                 c.kind == CheckpointKind::kSubmission
                     ? "add due: 2017-05-15"
                     : "add at: DATE, or from: DATE with to: DATE");
      continue;
    }
    c.from = *first;
    c.to = *last;
    WarnOutside(single.IsDefined() ? single : from, p, c.from, "checkpoint '" + c.id + "' on");
    if (wf.IsDefined()) {
      if (auto ref = linker_.Resolve(doc_, Kind::kWorkflow, wf, m.PathOf("workflow"))) {
        c.workflow = linker_.GetWorkflow(*ref);
      }
    }
    switch (c.kind) {
      case CheckpointKind::kSubmission:
        if (!wf.IsDefined()) {
          doc_.Error(node[i], p, "a submission checkpoint needs a workflow",
                     "add workflow: materials-submission (one instance per unit)");
        }
        if (c.applies_to.empty() && !m.Has("applies_to")) {
          doc_.Error(node[i], p, "a submission checkpoint needs applies_to",
                     "add applies_to: [township]");
        }
        break;
      case CheckpointKind::kRectification:
        if (!to.IsDefined() && !within.IsDefined()) {
          doc_.Error(node[i], p, "a rectification window needs an end",
                     "add to: DATE or within: P1M");
        }
        break;
      case CheckpointKind::kLookBack:
        if (!sample.IsDefined()) {
          doc_.Error(node[i], p, "a look back needs a sample", "add sample: 20%");
        } else if (auto s = AsShare(doc_, sample, m.PathOf("sample"))) {
          c.sample = *s;
        }
        if (of.IsDefined()) {
          if (auto o = AsString(doc_, of, m.PathOf("of"))) {
            if (*o == "all")
              c.of_closed_only = false;
            else if (*o != "closed")
              doc_.Error(of, m.PathOf("of"), "unknown sample '" + *o + "'",
                         SuggestHint(*o, {"closed", "all"}));
          }
        }
        if (reopen.IsDefined())
          c.reopen_on_failure = AsBool(doc_, reopen, m.PathOf("reopen_on_failure")).value_or(true);
        break;
      case CheckpointKind::kInspection:
        if (findings.IsDefined()) {
          if (auto ref = linker_.Resolve(doc_, Kind::kWorkflow, findings, m.PathOf("findings"))) {
            c.findings = linker_.GetWorkflow(*ref);
          }
        }
        if (found_by.IsDefined()) {
          // The closed set of engine/findings.h (FoundBy), without the intake paths of their own.
          static const std::vector<std::string> kRoundMethods = {
              "inspection", "open_visit", "unannounced_visit", "data_comparison", "audit"};
          if (auto f = AsString(doc_, found_by, m.PathOf("found_by"))) {
            if (std::find(kRoundMethods.begin(), kRoundMethods.end(), *f) == kRoundMethods.end()) {
              doc_.Error(found_by, m.PathOf("found_by"), "unknown way of finding '" + *f + "'",
                         SuggestHint(*f, kRoundMethods));
            } else {
              c.found_by = *f;
            }
          }
        }
        break;
    }
    parts_.checkpoints.push_back(std::move(c));
  }
}

void CampaignCompiler::ReadRecurring(const YAML::Node& node) {
  if (!IsList(node)) {
    doc_.Error(node, "recurring", "expected a list of recurring events, found " + Describe(node));
    return;
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string p = IndexPath("recurring", i);
    MapReader m(doc_, node[i], p);
    if (!m.valid()) continue;
    Recurring r;
    r.pos = doc_.Pos(node[i]);
    r.id = m.String("id", true).value_or("");
    if (!r.id.empty() && !ids.insert(r.id).second) {
      doc_.Error(m.Get("id"), m.PathOf("id"), "duplicate recurring event '" + r.id + "'");
    }
    r.title = m.String("title").value_or("");
    if (auto every = m.String("every", true)) {
      static const std::vector<std::string> kEvery = {"week", "month", "quarter", "year"};
      if (*every == "week")
        r.every = Every::kWeek;
      else if (*every == "month")
        r.every = Every::kMonth;
      else if (*every == "quarter")
        r.every = Every::kQuarter;
      else if (*every == "year")
        r.every = Every::kYear;
      else
        doc_.Error(m.Get("every"), m.PathOf("every"), "unknown period '" + *every + "'",
                   SuggestHint(*every, kEvery));
    }
    if (YAML::Node at = m.Require("at", "first_workday"); at.IsDefined()) {
      static const std::vector<std::string> kAt = {"first_workday", "last_workday"};
      if (IsScalar(at)) {
        r.at.text = at.Scalar();
        if (r.at.text == "first_workday")
          r.at.kind = RecurringAt::Kind::kFirstWorkday;
        else if (r.at.text == "last_workday")
          r.at.kind = RecurringAt::Kind::kLastWorkday;
        else
          doc_.Error(at, m.PathOf("at"), "unknown day '" + r.at.text + "'",
                     SuggestHint(r.at.text, kAt,
                                 "use first_workday, last_workday, "
                                 "{ day: 10 } or { workday: 3 }"));
      } else {
        MapReader a(doc_, at, m.PathOf("at"));
        auto day = a.Int("day");
        auto workday = a.Int("workday");
        a.Finish();
        if (day.has_value() == workday.has_value()) {
          doc_.Error(at, m.PathOf("at"), "give exactly one of 'day' and 'workday'",
                     "for example at: { day: 10 } or at: { workday: 3 }");
        } else {
          std::int64_t n = day ? *day : *workday;
          r.at.kind = day ? RecurringAt::Kind::kDay : RecurringAt::Kind::kWorkday;
          r.at.n = static_cast<int>(n);
          r.at.text = (day ? "day " : "working day ") + std::to_string(n);
          // The most every period of the kind is sure to have.
          int most = 0;
          switch (r.every) {
            case Every::kWeek:
              most = day ? 7 : 5;
              break;
            case Every::kMonth:
              most = day ? 28 : 16;
              break;
            case Every::kQuarter:
              most = day ? 90 : 50;
              break;
            case Every::kYear:
              most = day ? 365 : 230;
              break;
          }
          if (n < 1 || n > most) {
            doc_.Error(at, m.PathOf("at"),
                       std::string(day ? "the day" : "the working day") +
                           " must be between 1 and " + std::to_string(most) + " for every " +
                           std::string(EveryName(r.every)) + ", not " + std::to_string(n),
                       "use last_workday for the end of the period");
          }
        }
      }
    }
    r.from = parts_.from;
    r.to = parts_.to;
    if (YAML::Node f = m.Get("from"); f.IsDefined()) {
      if (auto d = DateAt(f, m.PathOf("from"))) r.from = *d;
    }
    if (YAML::Node t = m.Get("to"); t.IsDefined()) {
      if (auto d = DateAt(t, m.PathOf("to"))) r.to = *d;
    }
    if (YAML::Node run = m.Require("run", "{ assessment: monthly }"); run.IsDefined()) {
      MapReader rm(doc_, run, m.PathOf("run"));
      YAML::Node assessment = rm.Get("assessment");
      YAML::Node workflow = rm.Get("workflow");
      rm.Finish();
      if (rm.valid() && assessment.IsDefined() == workflow.IsDefined()) {
        doc_.Error(run, m.PathOf("run"), "run needs exactly one of 'assessment' and 'workflow'",
                   "for example run: { assessment: xinshao-monthly }");
      } else if (assessment.IsDefined()) {
        if (auto ref = linker_.Resolve(doc_, Kind::kAssessment, assessment,
                                       JoinPath(m.PathOf("run"), "assessment"))) {
          r.assessment = linker_.GetAssessment(*ref);
        }
      } else if (workflow.IsDefined()) {
        if (auto ref = linker_.Resolve(doc_, Kind::kWorkflow, workflow,
                                       JoinPath(m.PathOf("run"), "workflow"))) {
          r.workflow = linker_.GetWorkflow(*ref);
        }
      }
    }
    if (YAML::Node a = m.Get("applies_to"); a.IsDefined())
      r.applies_to = ReadKinds(a, m.PathOf("applies_to"));
    if (YAML::Node themes = m.Get("themes"); themes.IsDefined()) {
      for (const auto& t : AsStringList(doc_, themes, m.PathOf("themes")))
        r.themes.push_back(t.value);
    }
    m.Finish();
    parts_.recurring.push_back(std::move(r));
  }
}

void CampaignCompiler::ReadItems(const YAML::Node& node) {
  MapReader m(doc_, node, "items");
  if (!m.valid()) return;
  if (YAML::Node wf = m.Require("workflow", "rectification-item"); wf.IsDefined()) {
    if (auto ref = linker_.Resolve(doc_, Kind::kWorkflow, wf, "items.workflow")) {
      parts_.items.workflow = linker_.GetWorkflow(*ref);
    }
  }
  YAML::Node esc = m.Get("escalation");
  if (esc.IsDefined()) {
    if (auto ref = linker_.Resolve(doc_, Kind::kEscalation, esc, "items.escalation")) {
      parts_.items.escalation = linker_.GetEscalation(*ref);
    }
  }
  YAML::Node tl = m.Get("time_limit");
  if (tl.IsDefined()) parts_.items.time_limit = internal::ReadSpan(doc_, tl, "items.time_limit");
  m.Finish();
  CheckItemsTakeEffect(esc, tl);
}

// bulletins: { issued_by: ROLE, scope: [KIND, ...] } (engine/bulletin.h).
void CampaignCompiler::ReadBulletins(const YAML::Node& node) {
  MapReader m(doc_, node, "bulletins");
  if (!m.valid()) return;
  parts_.bulletins.pos = doc_.Pos(node);
  if (auto role = m.String("issued_by")) {
    const Org* org = parts_.org.get();
    if (org && std::find(org->roles().begin(), org->roles().end(), *role) == org->roles().end()) {
      doc_.Error(
          m.Get("issued_by"), m.PathOf("issued_by"),
          "nobody in org " + org->info().name + " holds the role '" + *role + "'",
          SuggestHint(*role, org->roles(), "name the role of headquarters that issues them"));
    }
    parts_.bulletins.issued_by = *role;
  }
  if (YAML::Node scope = m.Get("scope"); scope.IsDefined()) {
    parts_.bulletins.scope = ReadKinds(scope, m.PathOf("scope"));
  }
  if (YAML::Node after = m.Get("after"); after.IsDefined()) ReadBulletinsAfter(after);
  if (YAML::Node within = m.Get("within"); within.IsDefined()) {
    auto span = internal::ReadSpan(doc_, within, "bulletins.within");
    if (span && span->kind != Span::Kind::kWorkingDays && span->kind != Span::Kind::kZero) {
      doc_.Error(within, "bulletins.within",
                 "a bulletin follows its round by working days, not '" + within.Scalar() + "'",
                 "write working days, e.g. 3wd");
    } else if (span) {
      parts_.bulletins.within_workdays = span->working_days;
    }
  }
  m.Finish();
}

// bulletins.after: [ID, ...], each an inspection checkpoint or a recurring event of the campaign.
void CampaignCompiler::ReadBulletinsAfter(const YAML::Node& node) {
  if (!IsList(node)) {
    doc_.Error(
        node, "bulletins.after",
        "expected a list of inspection checkpoints or recurring events, found " + Describe(node));
    return;
  }
  std::vector<std::string> known;
  for (const Checkpoint& cp : parts_.checkpoints) {
    if (cp.kind == CheckpointKind::kInspection) known.push_back(cp.id);
  }
  for (const Recurring& r : parts_.recurring) known.push_back(r.id);
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string path = IndexPath("bulletins.after", i);
    if (!node[i].IsScalar()) {
      doc_.Error(node[i], path, "expected an id, found " + Describe(node[i]));
      continue;
    }
    std::string id = node[i].Scalar();
    if (std::find(known.begin(), known.end(), id) == known.end()) {
      doc_.Error(node[i], path,
                 "'" + id + "' is no inspection checkpoint or recurring event of the campaign",
                 SuggestHint(id, known, "name a checkpoint of kind inspection or a recurring id"));
      continue;
    }
    if (std::find(parts_.bulletins.after.begin(), parts_.bulletins.after.end(), id) !=
        parts_.bulletins.after.end()) {
      doc_.Error(node[i], path, "'" + id + "' is listed twice");
      continue;
    }
    parts_.bulletins.after.push_back(id);
  }
}

std::string PosText(const SourcePos& pos) {
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// Where the campaign's choices for its items cannot take effect on the workflow it names (see
// engine/campaign_items.h): the chain replaces the `overdue:` of the states that name one, and
// the time limit (and a rectification window's cap) is the `time_limit` field a deadline reads.
void CampaignCompiler::CheckItemsTakeEffect(const YAML::Node& escalation,
                                            const YAML::Node& time_limit) {
  const auto& wf = parts_.items.workflow;
  if (!wf) return;
  if (escalation.IsDefined() && parts_.items.escalation) {
    bool escalates = false;
    for (const State& st : wf->states()) escalates = escalates || st.overdue != nullptr;
    if (!escalates) {
      doc_.Warning(escalation, "items.escalation",
                   "escalation chain " + parts_.items.escalation->info().name +
                       " cannot take effect: no state of " + wf->info().Label() + " (" +
                       PosText(wf->info().pos) + ") escalates, so nothing is ever overdue by it",
                   "name the chain in the workflow state whose deadline it follows (overdue: " +
                       parts_.items.escalation->info().name + "), or leave items.escalation out");
    }
  }
  auto field = wf->FindField("time_limit");
  bool read = false;
  for (const State& st : wf->states()) {
    read = read ||
           (field && st.deadline.kind == Deadline::Kind::kField && st.deadline.field == *field);
  }
  std::string why =
      !field ? wf->info().Label() + " (" + PosText(wf->info().pos) + ") has no field time_limit"
             : "no deadline of " + wf->info().Label() + " (" + PosText(wf->info().pos) +
                   ") is read from $time_limit";
  if (time_limit.IsDefined() && parts_.items.time_limit && !read) {
    doc_.Warning(time_limit, "items.time_limit", "the time limit cannot take effect: " + why,
                 "give the workflow a time_limit field that a state's deadline reads "
                 "(deadline: { at: $time_limit }), or leave items.time_limit out");
  }
  if (read) return;
  for (std::size_t i = 0; i < parts_.checkpoints.size(); ++i) {
    const Checkpoint& cp = parts_.checkpoints[i];
    if (cp.kind != CheckpointKind::kRectification) continue;
    doc_.WarningAt(cp.pos, IndexPath("checkpoints", i),
                   "items registered in rectification window '" + cp.id +
                       "' cannot be held to its end: " + why,
                   "the window caps an item's time_limit; give the workflow one its deadline "
                   "reads (deadline: { at: $time_limit })");
  }
}

}  // namespace

std::shared_ptr<const Campaign> CompileCampaign(DocContext& doc, const RawDefinition& raw,
                                                Linker& linker) {
  return CampaignCompiler(doc, raw, linker).Compile();
}

}  // namespace rectify::definition::internal
