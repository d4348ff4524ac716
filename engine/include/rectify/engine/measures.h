// Measures by judgment as well as by time (issue 15 point 3, seed 002): a step of an item's
// escalation chain that says `judgment:` may be taken by a person holding one of its roles, with a
// reason, at any time the chain allows; a step that says `until:` is a measure that lasts (payment
// suspended) until an event of the item's workflow or an explicit act ends it.
//
// Both are commands on the item, applied by the interpreter like any event (Engine::Act), so they
// are checked, audited, hash-chained, retried and If-Match'ed the same way:
//
//   engine.Act({.instance_id = "JKH-1", .event = kTakeMeasure, .actor = "jkh-07",
//               .reason = "项目资金违规拨付使用", .measure = "suspend_payment"});
//   engine.Act({.instance_id = "JKH-1", .event = kEndMeasure, .actor = "jkh-07",
//               .reason = "整改到位，恢复拨付", .measure = "suspend_payment"});
//
// Taking a step by judgment does what the step does by time (its notices, follow-up task, score
// deduction, bulletin; an `escalate` audit row whose actor is the person, with the reason) and
// moves the state's escalation level to the step's: the ladder by time then continues with the
// next step at its own `after`, and the milder steps not yet taken are passed over
// (docs/engine.md "Measures by judgment"). A measure that lasts is kept on the instance
// (Instance::measures); it is shown on the item while in force and its end is audited
// (`measure_end`) with who ended it, when and why.
//
// Thread-safety: pure functions over immutable values.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/escalation.h"
#include "rectify/definition/org.h"
#include "rectify/engine/instance.h"

namespace rectify::engine {

// The events of a measure command (Command::measure names the step or the measure). Not
// identifiers, so no workflow's event can be mistaken for them.
inline constexpr const char* kTakeMeasure = "measure:take";
inline constexpr const char* kEndMeasure = "measure:end";
// The audit event of a measure's end (its taking is an `escalate` row).
inline constexpr const char* kMeasureEndEvent = "measure_end";

// The step of `chain` that `name` names: its id, else its measure when one step has it.
const definition::EscalationStep* FindMeasureStep(const definition::Escalation& chain,
                                                  const std::string& name);

// The measures in force on `instance`, oldest first.
std::vector<const MeasureRecord*> MeasuresInForce(const Instance& instance);

// "suspension of fund payment (暂停拨付) since 2017-06-12 by 区财政局, decided by 曹华 (jkh-07),
// for 违规拨付使用项目资金", for `item show` and the API; with its end when it has ended ("...;
// ended 2017-06-16 on accept by 许明 (jkh-05)"). `calendar` gives the local day (null: UTC).
std::string DescribeMeasure(const definition::Org& org, const MeasureRecord& measure,
                            const Calendar* calendar);

// The same as JSON, for `item show --format json` and GET /api/v1/items/{id}: measure, label,
// step, chain, in_force, since, decided_by, reason, unit, unit_name, carried_out_by, text, and
// when ended: ended_at, ended_by, end_event, end_reason.
boost::json::object MeasureJson(const definition::Org& org, const MeasureRecord& measure,
                                const Calendar* calendar);

}  // namespace rectify::engine
