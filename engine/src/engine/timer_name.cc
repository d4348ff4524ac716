// Timer names written and read in one place (rectify/engine/timer_name.h).
#include "rectify/engine/timer_name.h"

#include <charconv>
#include <utility>
#include <vector>

namespace rectify::engine {

namespace {

constexpr std::string_view kEdgeNames[] = {"begin", "end", "open"};

std::string_view EdgeName(TimerName::Edge e) { return kEdgeNames[static_cast<int>(e)]; }

std::vector<std::string_view> Split(std::string_view name) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto colon = name.find(':');
    parts.push_back(name.substr(0, colon));
    if (colon == std::string_view::npos) return parts;
    name.remove_prefix(colon + 1);
  }
}

Error Malformed(std::string_view name, const std::string& what) {
  return Error::BadInput("timer name '" + std::string(name) + "' " + what +
                         "; timer names are written by the engine (rectify/engine/timer_name.h)");
}

}  // namespace

namespace {

TimerName Make(TimerName::Kind kind, std::string subject = {}) {
  TimerName t;
  t.kind = kind;
  t.id = std::move(subject);
  return t;
}

TimerName Numbered(TimerName::Kind kind, std::string state, int step) {
  TimerName t = Make(kind, std::move(state));
  t.index = step;
  return t;
}

TimerName Window(TimerName::Kind kind, std::string subject, TimerName::Edge at) {
  TimerName t = Make(kind, std::move(subject));
  t.edge = at;
  return t;
}

}  // namespace

TimerName TimerName::Remind(std::string state, int step) {
  return Numbered(Kind::kRemind, std::move(state), step);
}
TimerName TimerName::Escalate(std::string state, int step) {
  return Numbered(Kind::kEscalate, std::move(state), step);
}
TimerName TimerName::Judge(std::string state, int step) {
  return Numbered(Kind::kJudge, std::move(state), step);
}
TimerName TimerName::CampaignBegin() { return Make(Kind::kCampaignBegin); }
TimerName TimerName::CampaignClose() { return Make(Kind::kCampaignClose); }
TimerName TimerName::Phase(std::string phase, Edge at) {
  return Window(Kind::kPhase, std::move(phase), at);
}
TimerName TimerName::Checkpoint(std::string checkpoint, Edge at) {
  return Window(Kind::kCheckpoint, std::move(checkpoint), at);
}
TimerName TimerName::Recurring(std::string event, Date on) {
  TimerName t = Make(Kind::kRecurring, std::move(event));
  t.day = on;
  return t;
}

TimerName TimerName::Bulletin(std::string after, Date on) {
  TimerName t = Make(Kind::kBulletin, std::move(after));
  t.day = on;
  return t;
}

bool TimerName::OfItemState() const {
  return kind == Kind::kRemind || kind == Kind::kEscalate || kind == Kind::kJudge;
}

std::string TimerName::Format() const {
  switch (kind) {
    case Kind::kRemind:
      return "remind:" + id + ":" + std::to_string(index);
    case Kind::kEscalate:
      return "escalate:" + id + ":" + std::to_string(index);
    case Kind::kJudge:
      return "judge:" + id + ":" + std::to_string(index);
    case Kind::kCampaignBegin:
      return "campaign:begin";
    case Kind::kCampaignClose:
      return "campaign:close";
    case Kind::kPhase:
      return "phase:" + id + ":" + std::string(EdgeName(edge));
    case Kind::kCheckpoint:
      return "checkpoint:" + id + ":" + std::string(EdgeName(edge));
    case Kind::kRecurring:
      return "recurring:" + id + ":" + FormatDate(day);
    case Kind::kBulletin:
      return "bulletin:" + id + ":" + FormatDate(day);
  }
  return {};
}

Result<TimerName> TimerName::Parse(std::string_view name) {
  std::vector<std::string_view> parts = Split(name);
  const std::string_view head = parts[0];
  if (head == "campaign") {
    if (parts.size() == 2 && parts[1] == "begin") return CampaignBegin();
    if (parts.size() == 2 && parts[1] == "close") return CampaignClose();
    return Malformed(name, "is neither campaign:begin nor campaign:close");
  }
  const bool item = head == "remind" || head == "escalate" || head == "judge";
  const bool dated = head == "recurring" || head == "bulletin";
  if (!item && !dated && head != "phase" && head != "checkpoint") {
    return Malformed(name, "starts with '" + std::string(head) +
                               "', not remind, escalate, judge, campaign, phase, checkpoint, "
                               "recurring or bulletin");
  }
  if (parts.size() != 3) {
    return Malformed(name, "has " + std::to_string(parts.size()) + " parts, not 3 (" +
                               std::string(head) + ":<id>:<...>)");
  }
  const std::string subject(parts[1]);
  if (subject.empty()) return Malformed(name, "names no " + std::string(item ? "state" : "id"));
  const std::string_view last = parts[2];
  if (item) {
    int step = -1;
    auto [end, ec] = std::from_chars(last.data(), last.data() + last.size(), step);
    // Only the digits Format writes: no sign, no leading zero, nothing after.
    if (ec != std::errc() || end != last.data() + last.size() || step < 0 ||
        std::to_string(step) != last) {
      return Malformed(name, "ends in '" + std::string(last) + "', not a step number (0, 1, ...)");
    }
    if (head == "remind") return Remind(subject, step);
    if (head == "escalate") return Escalate(subject, step);
    return Judge(subject, step);
  }
  if (dated) {
    auto date = ParseDate(last);
    if (!date || FormatDate(*date) != last) {
      return Malformed(name, "ends in '" + std::string(last) + "', not a date (YYYY-MM-DD)");
    }
    return head == "recurring" ? Recurring(subject, *date) : Bulletin(subject, *date);
  }
  const bool checkpoint = head == "checkpoint";
  for (int e = 0; e < (checkpoint ? 3 : 2); ++e) {
    if (last == kEdgeNames[e]) {
      return checkpoint ? Checkpoint(subject, static_cast<Edge>(e))
                        : Phase(subject, static_cast<Edge>(e));
    }
  }
  return Malformed(name, "ends in '" + std::string(last) + "', not " +
                             (checkpoint ? "begin, end or open" : "begin or end"));
}

}  // namespace rectify::engine
