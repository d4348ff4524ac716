// The instance interpreter: a pure function from (definitions, instance, command or timer firing,
// now) to effects. It does no I/O and reads no clock, so it is tested with plain values and the
// `Engine` (engine.h) is the only place where effects meet the Store.
//
//   Interpreter interp(definitions);
//   Result<Effects> fx = interp.Apply(item, Command{.event = "submit", .actor = "xs-0014",
//                                                  .evidence = {"photos.zip"}, .at = now});
//   if (!fx) return fx.error();     // kPermissionDenied / kFailedPrecondition / kBadInput:
//                                   // nothing is changed, the message says why
//   ChangeSet changes;
//   fx->AppendTo(changes);          // the new state, audit rows, timers, outbox rows, follow-ups
//
// What a command is checked against, before anything is applied:
//   - the transition exists in the current state (`on:`), else kFailedPrecondition;
//   - the actor may take it (`by:`, see access.h): item roles, person fields, org roles held at
//     the item's unit or above it, unit paths; and the item is within the actor's unit scope;
//     else kPermissionDenied;
//   - its requirements: evidence attached with the command, a reason, a field set, signatures of
//     every member of a people field; and `at_most` for extensions; else kFailedPrecondition;
//   - a transition that stays in its state sets the field the state's deadline is read from
//     only if it changes the due date (`deadline:`), and one that changes it from a field is
//     given the field's new value; else kFailedPrecondition;
//   - a transition whose `notify:` sends to a contact field finds an email address or a phone
//     number there, or nothing (then it sends nothing); else kFailedPrecondition, saying to
//     correct it with --set (field values are checked by type when they are set, so only a
//     value that came in otherwise, such as by a migration from a text field, gets this far).
//
// A transition's notifications (`notify:`) are outbox rows of its own effects, keyed by the audit
// row it writes: `<item>|on:<from>:<event>|<seq>|<person id or $contact_field>` (docs/engine.md).
//
// After every applied event the current state's deadline clock is projected into the durable
// timers it implies (engine/src/engine/timer_projection.cc): pending timers of older generations
// or other states are cancelled, new ones armed. Every applied event appends hash-chained audit
// rows (audit_chain.h).
//
// Thread-safety: an Interpreter is immutable; share it between threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rectify/calendar/span.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/instance.h"
#include "rectify/result.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

namespace rectify::engine {

// Registers a new instance.
struct NewInstance {
  std::string id;
  std::string workflow;  // name; the latest version unless `workflow_version` pins one
  int workflow_version = 0;
  std::string org;  // empty: the one loaded org that has `unit`
  std::string campaign;
  std::string unit;         // responsible unit id
  std::string responsible;  // person id
  std::string title;
  std::string actor = kSystemActor;           // who registers it (becomes the registrar)
  std::string owner;                          // person id; tasks
  std::string parent;                         // the instance that opened it
  std::map<std::string, std::string> fields;  // workflow fields ("time_limit" -> "10wd")
  std::optional<Span> first_deadline;         // overrides the initial state's deadline budget
  // The escalation chain (name or name@version) its escalating states run instead of their own
  // `overdue:`; recorded on the instance (Instance::escalation). Empty: each state's own.
  // ApplyCampaignItems (campaign.h) fills it from the campaign's `items.escalation`.
  std::string escalation;
  // Written into the `register` audit row's data as they are (where a choice came from, a time
  // limit cut to a rectification window's end).
  std::map<std::string, std::string> audit_notes;
  Timestamp at;
  // How and where it was found (findings.h); recorded on the instance as it is.
  Origin origin;
};

// An event on an instance, by a person.
struct Command {
  std::string instance_id;
  std::string event;  // a transition's event, or "sign" (records the actor's signature)
  std::string actor;  // person id
  std::string reason;
  std::vector<std::string> evidence;          // file names or short texts
  std::map<std::string, std::string> fields;  // fields to set with the event
  Timestamp at;
  // > 0: act only on this version of the instance (an HTTP If-Match); Engine::Act answers
  // kConflict, without retrying, when the instance has moved on.
  std::int64_t expected_version = 0;
  // Through which door the person acted ("cli", "api", "web") and the request's id, recorded in
  // the audit row's data (`channel`, `request_id`) when set.
  std::string channel;
  std::string request_id;
  // Uploaded files (the API's evidence routes): recorded on the instance with their hash, and in
  // the audit row's data as `files` [{name, sha256, type, size}]; they count as evidence.
  std::vector<EvidenceFile> files;
  // kTakeMeasure / kEndMeasure (measures.h): the escalation step (or its measure) acted on.
  std::string measure;
};

// What applying a command, a registration or a timer firing changes. Nothing is applied until a
// caller commits it (AppendTo + Store::Commit), all or nothing.
struct Effects {
  Instance instance;     // the new state
  bool created = false;  // an insert (else an update at `expected_version`)
  std::int64_t expected_version = 0;
  std::vector<AuditRecord> audit;
  std::vector<TimerCancel> cancel;
  std::vector<TimerFire> fire;
  std::vector<TimerRecord> arm;
  std::vector<OutboxRecord> outbox;
  std::vector<OutboxUpdate> outbox_updates;
  std::vector<Effects> follow_ups;  // instances opened (interview tasks), each created

  // Adds everything, follow-ups included, to `changes`.
  void AppendTo(ChangeSet& changes) const;
  // Folds `next` (effects applied to this->instance afterwards) into these, as one change of the
  // instance: timers armed here and cancelled by `next` are never armed.
  void Then(Effects next);
};

// A registration followed by commands taken at once (a ledger row: registered, then assigned).
struct Registration {
  NewInstance item;
  std::vector<Command> then;  // each taken at item.at
};

// The definitions an instance runs on, looked up by the versions it pinned.
struct Bound {
  std::shared_ptr<const definition::Workflow> workflow;
  std::shared_ptr<const definition::Org> org;
  const Calendar* calendar = nullptr;  // null when the workflow names none
  // The chain recorded on the instance (Instance::escalation); null: each state's `overdue:`.
  std::shared_ptr<const definition::Escalation> escalation;

  // The chain that runs when `state` is overdue: the recorded one for a state that escalates,
  // else the state's own; null when the state does not escalate.
  const definition::Escalation* OverdueChain(const definition::State& state) const;
};

class Interpreter {
 public:
  explicit Interpreter(std::shared_ptr<const definition::DefinitionSet> definitions);

  const definition::DefinitionSet& definitions() const { return *definitions_; }

  // The workflow, org and calendar an instance runs on; kFailedPrecondition when a pinned
  // version is not loaded.
  Result<Bound> Bind(const Instance& instance) const;

  // Registers an instance at its workflow's initial state (taking a first transition that is
  // `by: [system]` at once), with its clocks and timers projected.
  Result<Effects> Create(const NewInstance& request) const;

  // Create, then Apply each of `r.then` at r.item.at, folded into one creation.
  Result<Effects> Register(const Registration& r) const;

  // Moves an instance to version `to_version` of its workflow, from its current state to
  // `state_map[current]` (the caller checks the map covers it). Every clock and what happened
  // against it moves with its state (renamed by the map; clocks of states the map does not name
  // are kept when the new version has the state, else dropped), timers are re-projected on the
  // new version, and an audit row `migrated` records from which version and state to which.
  Result<Effects> Migrate(const Instance& instance, int to_version,
                          const std::map<std::string, std::string>& state_map,
                          const std::string& actor, Timestamp now) const;

  // Moves an instance's clocks onto the calendar version its workflow now counts on, when that
  // is not the one they were projected on (Instance::calendar): every clock's generation is
  // bumped, the timers re-projected on the new dates (steps taken and reminders sent are not
  // repeated) and an audit row `calendar_changed` records `actor`, `reason`, both versions and
  // the deadline before and after. `previous` is the old calendar (null: the loaded one, if it
  // still is). Effects without audit rows mean there was nothing to move. Apply and Fire do the
  // same, as the system, before anything else, so no event is ever computed on a stale calendar.
  Result<Effects> Reproject(const Instance& instance, const std::string& actor,
                            const std::string& reason, const Calendar* previous,
                            Timestamp now) const;

  // Applies a person's command, or refuses it changing nothing.
  Result<Effects> Apply(const Instance& instance, const Command& command) const;

  // Fires due timers of one instance at `now`, in the order given. Each is claimed (TimerFire),
  // whether or not it still means anything: a timer the instance no longer expects (an older
  // generation, another state) is claimed and ignored. A timer that fires more than
  // `kLateAfter` after its due time is marked late in its audit row.
  Result<Effects> Fire(const Instance& instance, const std::vector<TimerRecord>& timers,
                       Timestamp now) const;

  static constexpr Duration kLateAfter = std::chrono::minutes(1);

 private:
  std::shared_ptr<const definition::DefinitionSet> definitions_;
};

}  // namespace rectify::engine
