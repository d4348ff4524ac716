// The name of a durable timer: what the timer is for, written as text.
//
// A timer's name is stored with it (the timers table, an item's pending timers, the outbox's
// timer_name of the notices it sends) and read back when it fires, so each form's text is fixed:
// existing databases hold these bytes, and `Format` writes them exactly so.
//
//   an item's timers, in the state it is in:
//     remind:<state>:<i>            the state's i-th reminder (0-based)
//     escalate:<state>:<i>          the i-th step of the state's overdue chain
//     judge:<state>:<i>             step i taken by judgment (never armed; it names the notices)
//   a campaign run's timers:
//     campaign:begin  campaign:close
//     phase:<id>:begin  phase:<id>:end
//     checkpoint:<id>:begin  checkpoint:<id>:end  checkpoint:<id>:open
//     recurring:<id>:<YYYY-MM-DD>   the recurring event's occurrence on that day
//     bulletin:<id>:<YYYY-MM-DD>    the bulletin `bulletins: { after: }` schedules after the
//                                   checkpoint or recurring event <id> whose day (a checkpoint's
//                                   last day, an occurrence's day) that is
//
//   TimerName::Remind("rectifying", 2).Format();   // "remind:rectifying:2"
//   auto t = TimerName::Parse("escalate:verifying:1");
//   t->kind == TimerName::Kind::kEscalate && t->id == "verifying" && t->index == 1;
//   TimerName::Parse("remind:rectifying:two");    // an error that says what is wrong
//
// Thread-safety: a value.
#pragma once

#include <string>
#include <string_view>

#include "rectify/calendar/calendar.h"
#include "rectify/result.h"

namespace rectify::engine {

struct TimerName {
  enum class Kind {
    kRemind,
    kEscalate,
    kJudge,
    kCampaignBegin,
    kCampaignClose,
    kPhase,
    kCheckpoint,
    kRecurring,
    kBulletin,
  };
  // Which edge of a phase's or checkpoint's window (`open`: a submission checkpoint's instances
  // open).
  enum class Edge { kBegin, kEnd, kOpen };

  Kind kind = Kind::kRemind;
  std::string id;  // the state (remind, escalate, judge) or the phase, checkpoint or event's id
  int index = 0;   // remind, escalate, judge
  Edge edge = Edge::kBegin;  // phase, checkpoint
  Date day{};                // recurring, bulletin

  static TimerName Remind(std::string state, int step);
  static TimerName Escalate(std::string state, int step);
  static TimerName Judge(std::string state, int step);
  static TimerName CampaignBegin();
  static TimerName CampaignClose();
  static TimerName Phase(std::string phase, Edge at);
  static TimerName Checkpoint(std::string checkpoint, Edge at);
  static TimerName Recurring(std::string event, Date on);
  static TimerName Bulletin(std::string after, Date on);

  // The stored text, as in the table above.
  std::string Format() const;
  // The name `Format` wrote; BadInput saying what is wrong with any other text.
  static Result<TimerName> Parse(std::string_view name);

  // Whether it is one of an item's timers in a state (remind, escalate or judge).
  bool OfItemState() const;

  bool operator==(const TimerName&) const = default;
};

}  // namespace rectify::engine
