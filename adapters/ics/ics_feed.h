// Calendar feeds: an RFC 5545 iCalendar of the open deadlines of one person or of one unit and
// the units under it, so a cadre can subscribe from a phone calendar.
//
//   FeedQuery q{.person = "xs-0014", .stamp = clock.Now()};
//   Result<std::string> ics = WriteFeed(store, definitions, q);
//
// What is in it: one VEVENT for every instance that is not in a final state and whose current
// state has a deadline clock (running or paused).
//   - A person's feed holds the deadlines they own: the responsible person's by default, else the
//     person the state's `deadline.owner` names (an item role, a people field such as `verifier`
//     (when the item leaves it empty, the org's holders of the role of that name, as
//     rectify/engine/access.h resolves it), an org role or unit path resolved over the org tree,
//     or a fixed person).
//   - A unit's feed holds the deadlines of items whose responsible unit is that unit or under it.
//
// How an event is written:
//   - A day deadline (working days, days, a date: it ends at local 24:00) is an all-day event on
//     the deadline's local day in the calendar's zone: DTSTART;VALUE=DATE:20170508 and
//     DTEND;VALUE=DATE:20170509. All-day dates are the calendar's own (Asia/Shanghai for `cn`),
//     so a phone anywhere shows the day the ledger says.
//   - An exact deadline (hours, a date-time) is a timed event at that UTC instant
//     (DTSTART:20170508T060000Z, no DTEND). UTC needs no VTIMEZONE, and every client converts it.
//   - UID: sha256(item, state, clock anchor) + "@rectify": stable for one deadline of one item, so
//     an extension or a pause updates the same event (SEQUENCE is the clock's generation), and a
//     restarted clock (a reopened item) is a new event.
//   - One VALARM per reminder of the state (`remind: [-5wd, -1wd, 0]`), at the instant the engine
//     sends it (ReminderAt in calendar/deadline.h, a UTC DATE-TIME trigger); none while the clock
//     is paused. A reminder at the end of a day deadline (`0`, local 24:00) rings at the start of
//     working hours of the deadline day, so nobody's phone rings at midnight.
//   - DTSTAMP is `stamp`; the feed reads no clock.
// Events are sorted by deadline, then item id, so the same store gives the same bytes.
//
// Errors: kBadInput unless exactly one of person and unit is set; kNotFound when no loaded org
// has that person or unit; the store's errors.
//
// Thread-safety: use the Store from one thread.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "rectify/definition/definition_set.h"
#include "rectify/engine/instance.h"
#include "rectify/result.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

namespace rectify::ics {

struct FeedQuery {
  std::optional<std::string> person;
  std::optional<std::string> unit;
  Timestamp stamp;  // DTSTAMP, and the instant paused clocks are measured to
  // When set, only the instances it accepts are in the feed (the API's feed URL: what the person
  // may read now, engine/access.h MayRead).
  std::function<bool(const engine::Instance&)> include;
};

Result<std::string> WriteFeed(Store& store, const definition::DefinitionSet& definitions,
                              const FeedQuery& query);

}  // namespace rectify::ics
