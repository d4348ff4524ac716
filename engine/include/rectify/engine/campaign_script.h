// Scripted cadres: the people of a campaign acting on its instances, deterministically, so that
// `rectify simulate` and the demo show a realistic year (issue 4, point 7).
//
// The script registers the ledger's problems at their registration time and then plays each
// person's part through Engine::Act, as the person the workflow names: the registrar registers
// and assigns (choosing a verifier), the responsible cadre submits with evidence, the verifier
// accepts or rejects, an interview's owner holds it and files the minutes, an inspector starts
// and reports an inspection round and re-inspects what a look back sampled, reopening it when it
// fails. Every choice comes from StableShare(seed | instance id | what) (campaign.h), so the same
// seed and ledger always give the same year:
//
//   on_time  share of items submitted before their deadline (1-4 working days before it)
//   late     share submitted 1-14 working days after it (so the first escalation steps happen)
//            the rest are never submitted and climb the whole escalation chain
//   reject   share of first verifications that send the item back (resubmitted 2 working days on)
//   look_back_fail  share of items a look back sampled that the inspector reopens
//
// An item about funds (资金 in its title) whose escalation chain opens a measure that lasts to
// judgment (jinkouhe-funds: suspend payment) has it taken two working days after assignment by
// the first person the step's `judgment.by` names, for "违规拨付使用项目资金" (seed 002); it
// ends as the chain says (on the item's acceptance).
//
// After each assessment occurrence (the run's `assessment` row) the assessing role marks every
// unit on every criterion for the period just assessed (60..100 by halves, from the share), gives
// bonus points to about one unit in eight and takes a manual veto on about one in forty (with the
// script's reasons), and the publishing role publishes the ranking three working days on
// (engine/assessment.h), so that a simulated year shows published monthly rankings.
//
//   CadreScript script(engine, campaign, {.seed = 7});
//   std::vector<Registration> batch = script.Registrations(ledger);   // ledger.h: ParseLedger
//   ImportLedgerRegistrations(engine, ledger, batch, options, {.dry_run = true}, diags);
//   script.AddLedger(batch);
//   RunScripted(engine, clock, io, &script, until, {});   // timers and actions in time order
//
// A ledger row with found_by public_report is a report from the public (seed 003) that came in on
// its registered_at: registered at the org's top unit (public-report), confirmed into the item at
// the row's unit by an inspector two working days on, and the reporter told a day after that.
//
// A ledger row with a found_by of an inspection round's way (inspection, open_visit,
// unannounced_visit, data_comparison, audit) is not registered directly: an inspector records it
// as a finding of the campaign's latest inspection round begun by then, on a working day of the
// round, and a verifier confirms it at its registered_at, which opens the item (findings.h).
//
// The script reacts to what the engine did by reading the audit rows of the instances whose
// timers fired (Observe): instances a checkpoint opened, follow-up interview tasks, items a look
// back sampled. It acts only through Engine::Act and Engine::Register, so everything it does is
// checked, audited and committed like a person's command.
//
// Thread-safety: one thread, with its Engine.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "rectify/definition/campaign.h"
#include "rectify/engine/bulletin.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/ledger.h"

namespace rectify::engine {

struct CadreBehaviour {
  std::uint64_t seed = 1;
  double on_time = 0.6;
  double late = 0.25;
  double reject = 0.15;
  double look_back_fail = 0.3;
};

class CadreScript {
 public:
  CadreScript(Engine& engine, std::shared_ptr<const definition::Campaign> campaign,
              CadreBehaviour behaviour);

  // The rows of a checked ledger (ledger.h: ParseLedger) as the script registers them: each by a
  // registrar of its unit (else the system) and, when the workflow starts with `assign`, assigned
  // by them (or an inspector of the unit) at the same instant, with a verifier of the unit unless
  // the row names one. Check them before a run with ImportLedgerRegistrations (a dry run), so
  // that a row the engine would refuse stops the run before it starts.
  std::vector<Registration> Registrations(const Ledger& ledger) const;
  // Queues each registration at its item.at (now, when that has passed). Registering is
  // Engine::RegisterMany of the one row: it registers and assigns at item.at, so a row registered
  // before the run's start gets the steps whose time has passed, marked late, as an import does.
  // A registration the engine refuses stops the run with its error (RunDue returns it).
  void AddLedger(const std::vector<Registration>& batch);

  // When the next scripted action is due, if any.
  std::optional<Timestamp> NextAt() const;
  // Performs the actions due at the engine clock's now, in order. An action the engine refuses
  // (the item moved on meanwhile) is dropped and noted; a refused registration is an error.
  Status RunDue();
  // Reads the new audit rows of instances whose timers fired and plans the reactions.
  Status Observe(const std::vector<std::string>& instance_ids);

  std::int64_t actions() const { return actions_; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  struct Action {
    Timestamp at;
    std::uint64_t seq = 0;
    std::function<Status()> run;
  };
  struct Later {
    bool operator()(const Action& a, const Action& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };

  void Schedule(Timestamp at, std::function<Status()> run);
  double Share(const std::string& id, const std::string& what) const;
  // The working day `n` working days from today (or from `day`), at local `hh:mm`.
  Timestamp WorkdayAt(Date day, int n, int hour, int minute) const;
  Date Today() const;

  Status Register(const Registration& registration);
  // Rows found by an inspection round (findings.h): recorded during the round, confirmed into
  // the ledger at their registration time.
  const definition::Checkpoint* RoundOf(const Registration& registration) const;
  void AddFinding(const Registration& registration, const definition::Checkpoint& round);
  // Rows found by a public report: the report comes in, is checked and confirmed into the item.
  void AddPublicReport(const Registration& registration);
  Result<Instance> Act(const std::string& id, const std::string& event, const std::string& actor,
                       const std::string& reason = "", std::vector<std::string> evidence = {},
                       std::map<std::string, std::string> fields = {});
  // Plans the next move of whoever the instance now waits for.
  Status PlanNext(const std::string& id);
  Status PlanSubmit(const Instance& inst);
  Status PlanJudgment(const Instance& inst);
  Status PlanVerify(const Instance& inst);
  // Marks, bonus, vetoes and publication after an assessment occurrence (`data`: its audit row).
  void PlanAssessment(const boost::json::object& data);
  std::string PickHolder(const std::string& unit, const std::string& role,
                         const std::string& salt) const;

  Engine& engine_;
  std::shared_ptr<const definition::Campaign> campaign_;
  const Calendar& cal_;
  CadreBehaviour behaviour_;
  std::priority_queue<Action, std::vector<Action>, Later> queue_;
  std::uint64_t next_seq_ = 0;
  std::map<std::string, std::int64_t> seen_seq_;
  std::int64_t actions_ = 0;
  std::vector<std::string> notes_;
};

struct SimulationReport {
  FireReport fired;
  std::int64_t actions = 0;
};

// Runs the engine (and the script, when given) on `clock` up to `until`: each timer fires at its
// due time and each scripted action happens at its time, timers first at the same instant.
// `progress` is called after each step with the clock's time.
Result<SimulationReport> RunScripted(Engine& engine, VirtualClock& clock,
                                     boost::asio::io_context& io, CadreScript* script,
                                     Timestamp until,
                                     const std::function<void(Timestamp)>& progress);

}  // namespace rectify::engine
