// kind: workflow -> Workflow (reading; the consistency checks are in workflow_checks.cc).
#include <algorithm>

#include "compile.h"
#include "workflow_draft.h"

namespace rectify::definition::internal {
namespace {

class WorkflowCompiler {
 public:
  WorkflowCompiler(DocContext& doc, const RawDefinition& raw, Linker& linker)
      : doc_(doc), raw_(raw), linker_(linker) {}

  std::shared_ptr<const Workflow> Compile() {
    std::size_t errors_before = doc_.error_count();
    MapReader m(doc_, raw_.root, "");
    AllowHeaderKeys(m);
    std::shared_ptr<const Calendar> calendar;
    Ref calendar_ref{Kind::kCalendar, "", 0};
    YAML::Node cal = m.Get("calendar");
    if (cal.IsDefined()) {
      if (auto ref = linker_.Resolve(doc_, Kind::kCalendar, cal, "calendar")) {
        calendar_ref = *ref;
        calendar = linker_.GetCalendar(*ref);
      }
    }
    YAML::Node fields = m.Get("fields");
    YAML::Node initial = m.Get("initial");
    YAML::Node states = m.Require("states", "{ registered: { on: ... }, closed: { final: true } }");
    m.Finish();
    if (fields.IsDefined()) ReadFields(fields);
    for (const auto& f : draft_.fields) {
      if (f.type == FieldType::kPerson || f.type == FieldType::kPeople)
        person_fields_.push_back(f.name);
    }
    if (states.IsDefined()) ReadStates(states);
    if (initial.IsDefined() && !draft_.states.empty()) {
      if (auto s = FindState(initial, "initial")) draft_.initial = *s;
    }
    bool any_deadline = std::any_of(
        draft_.states.begin(), draft_.states.end(),
        [](const DraftState& s) { return s.state.deadline.kind != Deadline::Kind::kNone; });
    if (any_deadline && !cal.IsDefined()) {
      doc_.Error(raw_.root, "", "a workflow with deadlines needs a calendar",
                 "add 'calendar: cn' (working days are counted on it)");
    }
    if (!draft_.states.empty()) {
      // A transition dropped for a bad `to` would make the graph look broken; skip it then.
      if (!dropped_transition_) CheckWorkflowGraph(doc_, draft_);
      CheckWorkflowTimes(doc_, draft_);
    }
    if (doc_.error_count() > errors_before || draft_.states.empty()) return nullptr;
    std::vector<State> out_states;
    for (auto& s : draft_.states) out_states.push_back(std::move(s.state));
    std::vector<Transition> out_transitions;
    for (auto& t : draft_.transitions) out_transitions.push_back(std::move(t.transition));
    return std::make_shared<const Workflow>(raw_.info, calendar, calendar_ref, draft_.fields,
                                            std::move(out_states), std::move(out_transitions),
                                            draft_.initial);
  }

 private:
  void ReadFields(const YAML::Node& node) {
    MapReader m(doc_, node, "fields");
    for (const auto& e : m.entries()) {
      m.Allow({e.key});
      std::string p = m.PathOf(e.key);
      Field f;
      f.name = e.key;
      f.pos = doc_.Pos(e.key_node);
      CheckIdentifier(doc_, e.key_node, p, e.key, "field name");
      // `due: date` is short for `due: { type: date }`.
      YAML::Node type_node = e.value;
      std::optional<MapReader> fm;
      if (IsMap(e.value)) {
        fm.emplace(doc_, e.value, p);
        type_node.reset(
            fm->Require("type", "date"));  // rebind; operator= would overwrite the document
        f.required = fm->Bool("required").value_or(false);
        f.title = fm->String("title").value_or("");
      }
      if (type_node.IsDefined()) {
        if (auto t = AsString(doc_, type_node, fm ? JoinPath(p, "type") : p)) {
          if (auto ft = ParseFieldType(*t)) {
            f.type = *ft;
          } else {
            doc_.Error(type_node, fm ? JoinPath(p, "type") : p, "unknown field type '" + *t + "'",
                       SuggestHint(*t, FieldTypeNames()));
          }
        }
      }
      if (fm) {
        if (YAML::Node choices = fm->Get("choices"); choices.IsDefined()) {
          for (const auto& c : AsStringList(doc_, choices, JoinPath(p, "choices"))) {
            f.choices.push_back(c.value);
          }
        }
        if (f.type == FieldType::kChoice && f.choices.empty()) {
          doc_.Error(e.value, p, "a choice field needs its choices", "add choices: [a, b]");
        }
        fm->Finish();
      }
      draft_.fields.push_back(std::move(f));
    }
  }

  std::vector<std::string> StateIds() const {
    std::vector<std::string> ids;
    for (const auto& s : draft_.states) ids.push_back(s.state.id);
    return ids;
  }

  std::vector<std::string> FieldNames() const {
    std::vector<std::string> names;
    for (const auto& f : draft_.fields) names.push_back(f.name);
    return names;
  }

  std::optional<StateIndex> FindState(const YAML::Node& node, const std::string& path) {
    auto id = AsString(doc_, node, path);
    if (!id) return std::nullopt;
    for (const auto& s : draft_.states) {
      if (s.state.id == *id) return s.state.index;
    }
    doc_.Error(node, path, "unknown state '" + *id + "'", SuggestHint(*id, StateIds()));
    return std::nullopt;
  }

  // `$name` -> the field's index, reported when unknown.
  std::optional<FieldIndex> FindField(const YAML::Node& node, const std::string& path,
                                      const std::string& text) {
    std::string name = text.substr(1);
    for (std::size_t i = 0; i < draft_.fields.size(); ++i) {
      if (draft_.fields[i].name == name) return static_cast<FieldIndex>(i);
    }
    doc_.Error(node, path, "unknown field '" + name + "'",
               SuggestHint(name, FieldNames(), "declare it under fields: (" + name + ": date)"));
    return std::nullopt;
  }

  void ReadStates(const YAML::Node& node) {
    MapReader m(doc_, node, "states");
    if (!m.valid()) return;
    if (m.entries().empty()) {
      doc_.Error(node, "states", "a workflow needs at least one state");
      return;
    }
    // First every id, so transitions may point forward.
    for (const auto& e : m.entries()) {
      m.Allow({e.key});
      DraftState ds;
      ds.state.id = e.key;
      ds.state.index = static_cast<StateIndex>(draft_.states.size());
      ds.state.pos = doc_.Pos(e.key_node);
      ds.key_node = e.key_node;
      ds.path = m.PathOf(e.key);
      CheckIdentifier(doc_, e.key_node, ds.path, e.key, "state name");
      draft_.states.push_back(std::move(ds));
    }
    for (std::size_t i = 0; i < m.entries().size(); ++i)
      ReadState(draft_.states[i], m.entries()[i].value);
  }

  void ReadState(DraftState& ds, const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return;  // `closed:` with nothing: a dead end
    MapReader m(doc_, node, ds.path);
    if (!m.valid()) {
      dropped_transition_ = true;
      return;
    }
    State& s = ds.state;
    s.title = m.String("title").value_or("");
    s.final = m.Bool("final").value_or(false);
    ds.deadline_node = m.Get("deadline");
    if (ds.deadline_node.IsDefined()) {
      if (auto d = ReadDeadline(ds.deadline_node, m.PathOf("deadline"))) s.deadline = *d;
    }
    ds.remind_node = m.Get("remind");
    if (ds.remind_node.IsDefined()) ReadReminders(ds, m.PathOf("remind"));
    ds.overdue_node = m.Get("overdue");
    if (ds.overdue_node.IsDefined()) {
      if (auto ref =
              linker_.Resolve(doc_, Kind::kEscalation, ds.overdue_node, m.PathOf("overdue"))) {
        s.overdue = linker_.GetEscalation(*ref);
      }
    }
    YAML::Node on = m.Get("on");
    m.Finish();
    if (on.IsDefined()) {
      MapReader tm(doc_, on, JoinPath(ds.path, "on"));
      if (!tm.valid()) dropped_transition_ = true;
      for (const auto& e : tm.entries()) {
        tm.Allow({e.key});
        ReadTransition(ds, e, tm.PathOf(e.key));
      }
    }
  }

  std::optional<Deadline> ReadDeadline(const YAML::Node& node, const std::string& path) {
    Deadline d;
    d.pos = doc_.Pos(node);
    if (IsScalar(node)) {  // `deadline: 15wd` is short for `deadline: { within: 15wd }`
      auto span = ReadSpan(doc_, node, path);
      if (!span) return std::nullopt;
      d.kind = Deadline::Kind::kWithin;
      d.within = *span;
      d.text = node.Scalar();
      return CheckBudget(d, node, path);
    }
    MapReader m(doc_, node, path);
    if (!m.valid()) return std::nullopt;
    YAML::Node within = m.Get("within");
    YAML::Node at = m.Get("at");
    YAML::Node otherwise = m.Get("otherwise");
    if (YAML::Node owner = m.Get("owner"); owner.IsDefined()) {
      d.owner = ParseRolePath(doc_, owner, m.PathOf("owner"), linker_.vocabulary(), person_fields_,
                              RoleUse::kTarget);
    }
    m.Finish();
    if (within.IsDefined() == at.IsDefined()) {
      doc_.Error(node, path, "a deadline needs exactly one of 'within' and 'at'",
                 "write { within: 15wd } or { at: $due }");
      return std::nullopt;
    }
    if (within.IsDefined()) {
      auto span = ReadSpan(doc_, within, JoinPath(path, "within"));
      if (!span) return std::nullopt;
      d.kind = Deadline::Kind::kWithin;
      d.within = *span;
      d.text = within.Scalar();
      if (otherwise.IsDefined()) {
        doc_.Error(otherwise, JoinPath(path, "otherwise"), "'otherwise' goes with 'at: $field'",
                   "remove it; 'within' always applies");
      }
      return CheckBudget(d, within, JoinPath(path, "within"));
    }
    auto text = AsString(doc_, at, JoinPath(path, "at"));
    if (!text) return std::nullopt;
    d.text = *text;
    if (!text->empty() && (*text)[0] == '$') {
      auto f = FindField(at, JoinPath(path, "at"), *text);
      if (!f) return std::nullopt;
      FieldType t = draft_.fields[static_cast<std::size_t>(*f)].type;
      if (t != FieldType::kDate && t != FieldType::kDateTime && t != FieldType::kDuration) {
        doc_.Error(at, JoinPath(path, "at"),
                   "field '" + text->substr(1) + "' is a " + std::string(FieldTypeName(t)) +
                       "; a deadline needs a date, datetime or duration field",
                   "change the field's type or point at another field");
        return std::nullopt;
      }
      d.kind = Deadline::Kind::kField;
      d.field = *f;
      if (otherwise.IsDefined()) {
        d.otherwise = ReadSpan(doc_, otherwise, JoinPath(path, "otherwise"));
        if (!d.otherwise) return std::nullopt;
      }
      return d;
    }
    Result<DeadlineSpec> spec = ParseDeadlineSpec(*text);
    if (!spec || spec->kind == DeadlineSpec::Kind::kSpan) {
      doc_.Error(at, JoinPath(path, "at"),
                 "'" + *text + "' is neither a date, a date-time nor a $field",
                 "write at: 2017-05-15, at: 2017-05-15T18:00:00+08:00 or at: $due; for a "
                 "budget use within:");
      return std::nullopt;
    }
    d.kind = Deadline::Kind::kAt;
    d.at = *spec;
    return d;
  }

  std::optional<Deadline> CheckBudget(Deadline d, const YAML::Node& node, const std::string& path) {
    if (d.within.negative() || d.within.kind == Span::Kind::kZero) {
      doc_.Error(node, path, "a deadline's budget must be more than zero, not '" + d.text + "'",
                 "for example within: 15wd");
      return std::nullopt;
    }
    return d;
  }

  void ReadReminders(DraftState& ds, const std::string& path) {
    const YAML::Node& node = ds.remind_node;
    std::vector<YAML::Node> items;
    if (IsList(node)) {
      for (std::size_t i = 0; i < node.size(); ++i) items.push_back(node[i]);
    } else if (IsScalar(node)) {
      items.push_back(node);
    } else {
      doc_.Error(node, path,
                 "expected a list of offsets such as [-5wd, -1wd, 0], found " + Describe(node));
      return;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string p = IsList(node) ? IndexPath(path, i) : path;
      Reminder r;
      YAML::Node at = items[i];
      if (IsMap(items[i])) {  // { at: -1wd, notify: [responsible, unit.head] }
        MapReader m(doc_, items[i], p);
        at.reset(m.Require("at", "-1wd"));  // rebind; operator= would overwrite the document
        if (YAML::Node n = m.Get("notify"); n.IsDefined()) {
          r.notify = ParseRolePaths(doc_, n, m.PathOf("notify"), linker_.vocabulary(),
                                    person_fields_, RoleUse::kTarget);
        }
        m.Finish();
        p = JoinPath(p, "at");
        if (!at.IsDefined()) continue;
      }
      auto span = ReadSpan(doc_, at, p);
      if (!span) continue;
      r.offset = *span;
      r.text = at.Scalar();
      r.pos = doc_.Pos(at);
      ds.state.reminders.push_back(std::move(r));
      ds.reminder_nodes.push_back(at);
    }
  }

  Requirement ReadRequirement(const YAML::Node& node, const std::string& path, bool& ok) {
    Requirement r;
    r.pos = doc_.Pos(node);
    ok = false;
    auto field_of = [&](const YAML::Node& n, const std::string& p) -> std::optional<FieldIndex> {
      auto text = AsString(doc_, n, p);
      if (!text) return std::nullopt;
      std::string t = (!text->empty() && (*text)[0] == '$') ? *text : "$" + *text;
      return FindField(n, p, t);
    };
    if (IsScalar(node)) {
      r.text = node.Scalar();
      if (r.text == "evidence") {
        r.kind = Requirement::Kind::kEvidence;
      } else if (r.text == "reason") {
        r.kind = Requirement::Kind::kReason;
      } else if (!r.text.empty() && r.text[0] == '$') {
        r.kind = Requirement::Kind::kField;
        auto f = FindField(node, path, r.text);
        if (!f) return r;
        r.field = *f;
      } else {
        doc_.Error(node, path, "unknown requirement '" + r.text + "'",
                   SuggestHint(r.text, {"evidence", "reason"},
                               "use evidence, reason, $field, { evidence: 2 } or "
                               "{ signatures: $team }"));
        return r;
      }
      ok = true;
      return r;
    }
    MapReader m(doc_, node, path);
    if (!m.valid()) return r;
    if (m.entries().size() != 1) {
      doc_.Error(node, path, "a requirement has exactly one key",
                 "write { evidence: 2 }, { field: due } or { signatures: $acceptance_team }");
      m.Allow({"evidence", "field", "signatures"});
      m.Finish();
      return r;
    }
    const auto& e = m.entries().front();
    r.text = e.key;
    if (e.key == "evidence") {
      r.kind = Requirement::Kind::kEvidence;
      auto n = m.Int("evidence");
      if (!n) return r;
      if (*n < 1) {
        doc_.Error(e.value, m.PathOf("evidence"),
                   "at least one piece of evidence, not " + std::to_string(*n));
        return r;
      }
      r.count = static_cast<int>(*n);
      ok = true;
    } else if (e.key == "field") {
      r.kind = Requirement::Kind::kField;
      auto f = field_of(m.Get("field"), m.PathOf("field"));
      if (!f) return r;
      r.field = *f;
      ok = true;
    } else if (e.key == "signatures") {
      r.kind = Requirement::Kind::kSignatures;
      auto f = field_of(m.Get("signatures"), m.PathOf("signatures"));
      if (!f) return r;
      if (draft_.fields[static_cast<std::size_t>(*f)].type != FieldType::kPeople) {
        doc_.Error(e.value, m.PathOf("signatures"),
                   "signatures come from a people field, and '" +
                       draft_.fields[static_cast<std::size_t>(*f)].name + "' is a " +
                       std::string(FieldTypeName(draft_.fields[static_cast<std::size_t>(*f)].type)),
                   "declare the team as a field of type people");
        return r;
      }
      r.field = *f;
      ok = true;
    } else {
      m.Finish();  // reports the unknown key with a suggestion
      return r;
    }
    m.Finish();
    return r;
  }

  void ReadTransition(DraftState& from, const MapReader::Entry& e, const std::string& path) {
    DraftTransition dt;
    Transition& t = dt.transition;
    t.event = e.key;
    t.from = from.state.index;
    t.to = from.state.index;
    t.pos = doc_.Pos(e.key_node);
    dt.key_node = e.key_node;
    dt.path = path;
    CheckIdentifier(doc_, e.key_node, path, e.key, "event name");
    MapReader m(doc_, e.value, path);
    if (!m.valid()) {
      dropped_transition_ = true;
      return;
    }
    t.title = m.String("title").value_or("");
    bool ok = true;
    if (YAML::Node to = m.Get("to"); to.IsDefined()) {
      auto s = FindState(to, m.PathOf("to"));
      if (s) t.to = *s;
      ok = ok && s.has_value();
    }
    if (YAML::Node by = m.Require("by", "[responsible]"); by.IsDefined()) {
      t.by = ParseRolePaths(doc_, by, m.PathOf("by"), linker_.vocabulary(), person_fields_,
                            RoleUse::kActor);
      if (IsList(by) && by.size() == 0) {
        doc_.Error(by, m.PathOf("by"), "no one may take this transition",
                   "name at least one role, for example by: [responsible]");
      }
    }
    if (YAML::Node req = m.Get("requires"); req.IsDefined()) {
      std::vector<YAML::Node> items;
      if (IsList(req)) {
        for (std::size_t i = 0; i < req.size(); ++i) items.push_back(req[i]);
      } else {
        items.push_back(req);
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        bool rok = false;
        Requirement r = ReadRequirement(
            items[i], IsList(req) ? IndexPath(m.PathOf("requires"), i) : m.PathOf("requires"), rok);
        if (rok) t.requires_.push_back(std::move(r));
      }
    }
    dt.clock_node = m.Get("clock");
    if (dt.clock_node.IsDefined()) {
      if (auto c = AsString(doc_, dt.clock_node, m.PathOf("clock"))) {
        static const std::vector<std::string> kClocks = {"restart", "continue", "pause", "resume"};
        if (*c == "restart")
          t.clock = ClockEffect::kRestart;
        else if (*c == "continue")
          t.clock = ClockEffect::kContinue;
        else if (*c == "pause")
          t.clock = ClockEffect::kPause;
        else if (*c == "resume")
          t.clock = ClockEffect::kResume;
        else
          doc_.Error(dt.clock_node, m.PathOf("clock"), "unknown clock effect '" + *c + "'",
                     SuggestHint(*c, kClocks));
      }
    }
    dt.ladder_node = m.Get("ladder");
    if (dt.ladder_node.IsDefined()) {
      if (auto l = AsString(doc_, dt.ladder_node, m.PathOf("ladder"))) {
        static const std::vector<std::string> kLadders = {"step_up", "continue", "restart"};
        if (*l == "step_up")
          t.ladder = Ladder::kStepUp;
        else if (*l == "continue")
          t.ladder = Ladder::kContinue;
        else if (*l == "restart")
          t.ladder = Ladder::kRestart;
        else
          doc_.Error(dt.ladder_node, m.PathOf("ladder"), "unknown ladder '" + *l + "'",
                     SuggestHint(*l, kLadders));
      }
    }
    dt.adds_node = m.Get("adds");
    if (dt.adds_node.IsDefined()) {
      t.adds = ReadSpan(doc_, dt.adds_node, m.PathOf("adds"));
      if (t.adds && (t.adds->negative() || t.adds->kind == Span::Kind::kZero)) {
        doc_.Error(dt.adds_node, m.PathOf("adds"), "an extension must add more than zero",
                   "for example adds: 10wd");
      }
    }
    if (auto n = m.Int("at_most")) {
      if (*n < 1) {
        doc_.Error(m.Get("at_most"), m.PathOf("at_most"), "at_most must be 1 or more",
                   "remove it to allow the transition any number of times");
      } else {
        t.at_most = static_cast<int>(*n);
      }
    }
    dt.deadline_node = m.Get("deadline");
    if (dt.deadline_node.IsDefined()) {
      t.deadline = ReadDeadline(dt.deadline_node, m.PathOf("deadline"));
    }
    if (YAML::Node n = m.Get("notify"); n.IsDefined()) ReadNotices(t, n, m.PathOf("notify"));
    m.Finish();
    if (!ok) {
      dropped_transition_ = true;
      return;
    }
    from.state.transitions.push_back(static_cast<TransitionIndex>(draft_.transitions.size()));
    draft_.transitions.push_back(std::move(dt));
  }

  // `notify:` on a transition: a list whose items are role paths (people of the org, sent the
  // `notice` template) or { people: [...] | contact: $field, template, language }.
  void ReadNotices(Transition& t, const YAML::Node& node, const std::string& path) {
    if (!IsList(node)) {
      doc_.Error(node, path, "expected a list of notifications, found " + Describe(node),
                 "write notify: [responsible] or notify: [{ contact: $reporter_contact, "
                 "template: public-reply }]");
      return;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      std::string p = IndexPath(path, i);
      TransitionNotice n;
      n.pos = doc_.Pos(item);
      if (IsScalar(item)) {
        n.text = item.Scalar();
        if (!item.Scalar().empty() && item.Scalar()[0] == '$') {
          doc_.Error(item, p, "a field's contact needs the map form",
                     "write { contact: " + item.Scalar() + ", template: public-reply }");
          continue;
        }
        auto role =
            ParseRolePath(doc_, item, p, linker_.vocabulary(), person_fields_, RoleUse::kTarget);
        if (!role) continue;
        n.people.push_back(std::move(*role));
        t.notify.push_back(std::move(n));
        continue;
      }
      MapReader m(doc_, item, p);
      if (!m.valid()) continue;
      YAML::Node people = m.Get("people");
      YAML::Node contact = m.Get("contact");
      YAML::Node language = m.Get("language");
      bool ok = true;
      if (auto tn = m.String("template")) {
        if (IsIdentifier(*tn)) {
          n.template_name = *tn;
        } else {
          doc_.Error(m.Get("template"), m.PathOf("template"),
                     "'" + *tn + "' is not a template name",
                     "name a file of workflows/templates/ without its language and extension: "
                     "template: public-reply");
          ok = false;
        }
      }
      m.Finish();
      if (people.IsDefined() == contact.IsDefined()) {
        doc_.Error(item, p,
                   people.IsDefined() ? "a notification goes either to people or to a contact"
                                      : "a notification needs its recipient",
                   "write people: [responsible] or contact: $reporter_contact");
        continue;
      }
      if (people.IsDefined()) {
        n.people = ParseRolePaths(doc_, people, m.PathOf("people"), linker_.vocabulary(),
                                  person_fields_, RoleUse::kTarget);
        n.text = IsScalar(people) ? people.Scalar() : "people";
        if (language.IsDefined()) {
          doc_.Error(language, m.PathOf("language"),
                     "people of the org are told in their own language",
                     "remove language:; each person's language: in the org tree decides");
          ok = false;
        }
        if (n.people.empty()) ok = false;
      } else {
        auto f = ContactField(contact, m.PathOf("contact"));
        bool twice = f && std::any_of(t.notify.begin(), t.notify.end(),
                                      [&](const TransitionNotice& o) { return o.contact == *f; });
        if (twice) {
          doc_.Error(contact, m.PathOf("contact"),
                     "the transition already sends to " + contact.Scalar(),
                     "one notification per contact field; remove this one");
        }
        if (!f || twice) {
          ok = false;
        } else {
          n.contact = *f;
        }
        n.text = contact.Scalar();
        if (language.IsDefined() && !ReadNoticeLanguage(n, language, m.PathOf("language"))) {
          ok = false;
        }
      }
      if (ok) t.notify.push_back(std::move(n));
    }
  }

  // `contact: $field`: a field of type contact.
  std::optional<FieldIndex> ContactField(const YAML::Node& node, const std::string& path) {
    auto text = AsString(doc_, node, path);
    if (!text) return std::nullopt;
    if (text->empty() || (*text)[0] != '$') {
      doc_.Error(node, path, "a contact comes from a field of the item, not '" + *text + "'",
                 "write contact: $reporter_contact (a field of type contact)");
      return std::nullopt;
    }
    auto f = FindField(node, path, *text);
    if (!f) return std::nullopt;
    const Field& field = draft_.fields[static_cast<std::size_t>(*f)];
    if (field.type != FieldType::kContact) {
      doc_.Error(
          node, path,
          "field '" + field.name + "' is a " + std::string(FieldTypeName(field.type)) +
              "; a notification's address comes from a field of type contact",
          "declare it as " + field.name +
              ": { type: contact }, an email address or a phone number checked when it is set");
      return std::nullopt;
    }
    return f;
  }

  // `language: en` or `language: $field` (a choice field whose choices are languages).
  bool ReadNoticeLanguage(TransitionNotice& n, const YAML::Node& node, const std::string& path) {
    auto text = AsString(doc_, node, path);
    if (!text) return false;
    std::vector<std::string> languages(std::begin(kLanguages), std::end(kLanguages));
    if (text->empty() || (*text)[0] != '$') {
      if (std::find(languages.begin(), languages.end(), *text) == languages.end()) {
        doc_.Error(node, path, "unknown language '" + *text + "'",
                   "write zh or en, or $field for a choice field of them");
        return false;
      }
      n.language = *text;
      return true;
    }
    auto f = FindField(node, path, *text);
    if (!f) return false;
    const Field& field = draft_.fields[static_cast<std::size_t>(*f)];
    bool languages_only =
        field.type == FieldType::kChoice &&
        std::all_of(field.choices.begin(), field.choices.end(), [&](const std::string& c) {
          return std::find(languages.begin(), languages.end(), c) != languages.end();
        });
    if (!languages_only) {
      std::string choices;
      for (const auto& c : field.choices) choices += (choices.empty() ? "" : ", ") + c;
      std::string is = field.type == FieldType::kChoice
                           ? "a choice of " + choices
                           : "a " + std::string(FieldTypeName(field.type));
      doc_.Error(node, path,
                 "field '" + field.name + "' is " + is + "; a language comes from a choice of " +
                     "zh and en",
                 "point at another field, or declare one: reporter_language: { type: choice, "
                 "choices: [zh, en] }");
      return false;
    }
    n.language_field = *f;
    return true;
  }

  DocContext& doc_;
  const RawDefinition& raw_;
  Linker& linker_;
  WorkflowDraft draft_;
  std::vector<std::string> person_fields_;
  bool dropped_transition_ = false;
};

}  // namespace

std::shared_ptr<const Workflow> CompileWorkflow(DocContext& doc, const RawDefinition& raw,
                                                Linker& linker) {
  return WorkflowCompiler(doc, raw, linker).Compile();
}

}  // namespace rectify::definition::internal
