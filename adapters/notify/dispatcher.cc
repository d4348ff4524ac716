#include "adapters/notify/dispatcher.h"

#include <boost/json.hpp>
#include <cassert>

namespace rectify::notify {

DispatchStats& DispatchStats::operator+=(const DispatchStats& o) {
  claimed += o.claimed;
  delivered += o.delivered;
  retried += o.retried;
  dead += o.dead;
  held += o.held;
  digests += o.digests;
  abandoned += o.abandoned;
  lost_leases += o.lost_leases;
  holds.insert(holds.end(), o.holds.begin(), o.holds.end());
  return *this;
}

std::string_view ActionName(RowVerdict::Action action) {
  switch (action) {
    case RowVerdict::Action::kSend:
      return "send";
    case RowVerdict::Action::kDigest:
      return "digest";
    case RowVerdict::Action::kHold:
      return "held";
    case RowVerdict::Action::kDeadLetter:
      return "dead letter";
  }
  return "send";
}

struct Dispatcher::Route {
  Recipient to;
  std::string contact_kind;  // the row's, or the one a `contacts` rule of the channels file gives
  const ChannelSpec* spec = nullptr;
  std::string unroutable;  // why it cannot be sent at all (it is dead-lettered)
};

Dispatcher::Route Dispatcher::RouteOf(const OutboxRecord& row) const {
  Route r;
  const Recipient* known = directory_.Find(row.recipient);
  r.to = known ? *known : directory_.Outsider(row);
  r.contact_kind = row.channel;
  // A rehearsal's contacts replace the org's: the kind follows them (a bulletin stays one).
  if (const ContactOverride* o = config_.ContactsFor(row.recipient);
      o && row.channel != "bulletin") {
    r.to.contacts = o->contacts;
    if (!o->language.empty()) r.to.language = o->language;
    r.contact_kind = std::string(PreferredContactKind(o->contacts));
  }
  r.spec = config_.Route(r.contact_kind);
  // A rehearsal's file replaces the contacts of the org's people; someone outside the org (a
  // public reporter) has no rehearsal contact, and their real one must not be reached.
  const bool rehearsal_outsider = r.to.outside && !config_.contacts().empty();
  if (rehearsal_outsider) {
    r.unroutable = "'" + row.recipient + "' is outside the org, and channels file " +
                   config_.info().name +
                   " gives rehearsal contacts (contacts:), so its real address is not used; "
                   "send it with the office's channels file (rectify dispatch --requeue "
                   "--channels FILE)";
  } else if (!r.spec || !channels_.count(r.spec->name)) {
    r.unroutable = "no channel serves contact kind '" + r.contact_kind + "'; add 'routes: { " +
                   r.contact_kind +
                   ": CHANNEL }' to the channels file, then run 'rectify dispatch --requeue'";
  }
  return r;
}

// One claimed row on its way through this round.
struct Dispatcher::Work {
  ClaimedRow claimed;
  RowResult result;
  DeliveryLifecycle life;
  const ChannelSpec* spec = nullptr;
  std::string contact_kind;  // the row's, or the one a `contacts` rule of the channels file gives
  Recipient to;
  bool urgent = false;
};

namespace {

AttemptOutcome ToOutcome(SendOutcome o) {
  switch (o) {
    case SendOutcome::kDelivered:
      return AttemptOutcome::kDelivered;
    case SendOutcome::kRetry:
      return AttemptOutcome::kRetry;
    case SendOutcome::kFailed:
      return AttemptOutcome::kFailed;
  }
  return AttemptOutcome::kRetry;
}

// The longest one attempt on this channel may take.
Duration SendTimeout(const ChannelSpec& spec) {
  if (spec.settings) return spec.settings->timeout();
  return std::chrono::seconds(1);
}

// What a peer may want to know of the attempt's time, from the dispatcher's Clock (virtual under
// `rectify simulate`): an email's Date: header, a signed DingTalk robot's timestamp.
void StampAttempt(Message& m, Timestamp at) {
  m.fields["date"] = FormatIso(at);
  m.fields["timestamp_ms"] = std::to_string(ToMicros(at) / 1000);
}

SendResult SafeSend(Channel& channel, const Message& m) {
  try {
    return channel.Send(m);
  } catch (const std::exception& e) {
    return {SendOutcome::kRetry, std::string("the channel failed: ") + e.what()};
  }
}

}  // namespace

Dispatcher::Dispatcher(OutboxStore& store, Clock& clock, const ChannelsConfig& config,
                       ChannelMap& channels, const Renderer& renderer, const Directory& directory,
                       const Calendar* calendar, DispatcherOptions options)
    : store_(store),
      clock_(clock),
      config_(config),
      channels_(channels),
      renderer_(renderer),
      directory_(directory),
      calendar_(calendar),
      options_(std::move(options)) {}

bool Dispatcher::IsUrgent(const OutboxRecord& row) {
  // The engine writes the flag for an escalation step marked `urgent: true`
  // (engine/src/engine/step.cc, Step::Notify).
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(row.payload_json, ec);
  if (ec || !v.is_object()) return false;
  const auto* u = v.as_object().if_contains("urgent");
  return u && u->is_bool() && u->as_bool();
}

TokenBucket& Dispatcher::BucketFor(const ChannelSpec& spec) {
  auto it = buckets_.find(spec.name);
  if (it == buckets_.end()) {
    it = buckets_.emplace(spec.name, TokenBucket(spec.rate_per_minute, spec.burst, clock_.Now()))
             .first;
  }
  return it->second;
}

Result<DispatchStats> Dispatcher::RunOnce() {
  DispatchStats stats;
  const Timestamp now = clock_.Now();
  const Timestamp lease_until = now + options_.lease;
  auto claimed = store_.Claim(now, options_.batch, options_.owner, lease_until);
  if (!claimed) return claimed.error();
  stats.claimed = static_cast<std::int64_t>(claimed->size());
  if (claimed->empty()) return stats;

  std::vector<Work> work;
  work.reserve(claimed->size());
  std::vector<DocumentRecord> documents;

  auto record = [&](Work& w, const std::string& outcome, const std::string& detail) {
    w.result.attempts.push_back({w.claimed.row.id, w.result.attempts_total, now,
                                 w.spec ? w.spec->name : w.claimed.row.channel, outcome, detail,
                                 w.claimed.row.dedup_key, w.claimed.row.instance_id,
                                 w.claimed.row.recipient});
  };
  auto hold = [&](Work& w, HoldRule rule, Timestamp until) {
    Status s = w.life.Process(DeliveryEvent::kRelease);
    assert(s.ok());
    (void)s;
    w.result.state = OutboxState::kPending;
    w.result.next_attempt_at = until;
    w.result.last_error = w.claimed.row.last_error;
    ++stats.held;
    RowVerdict& v = stats.holds.emplace_back();
    v.row = w.claimed.row;
    v.recipient_name = w.to.name;
    v.action = RowVerdict::Action::kHold;
    v.hold = {rule, until};
  };
  // Applies a channel's answer to one row: the policy picks the move, the lifecycle checks it.
  auto apply = [&](Work& w, const SendResult& sent, bool in_digest) {
    ++w.result.attempts_total;
    AttemptDecision d =
        DecideAfterAttempt(w.spec->retry, ToOutcome(sent.outcome), w.result.attempts_total, now,
                           calendar_, w.urgent, options_.seed, w.claimed.row.dedup_key);
    Status s = w.life.Process(d.event);
    assert(s.ok());
    (void)s;
    switch (d.event) {
      case DeliveryEvent::kDelivered:
        record(w, in_digest ? "digested" : "delivered", sent.detail);
        w.result.state = OutboxState::kSent;
        w.result.sent_at = now;
        ++stats.delivered;
        break;
      case DeliveryEvent::kRetry:
        record(w, "retry", sent.detail);
        w.result.state = OutboxState::kPending;
        w.result.next_attempt_at = d.next_attempt_at;
        w.result.last_error = sent.detail;
        ++stats.retried;
        break;
      default:
        record(w, "failed", sent.detail + " (" + d.reason + ")");
        w.result.state = OutboxState::kDead;
        w.result.next_attempt_at = w.claimed.row.next_attempt_at;
        w.result.last_error = sent.detail + " (" + d.reason + ")";
        ++stats.dead;
        break;
    }
  };

  // Sends made this round; the first is always made, so a batch always moves on.
  int sends = 0;
  // Digest groups: (recipient, channel) -> indexes into `work`.
  std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> digests;

  for (ClaimedRow& c : *claimed) {
    Work& w = work.emplace_back();
    w.claimed = std::move(c);
    const OutboxRecord& row = w.claimed.row;
    w.result.outbox_id = row.id;
    w.result.lease_token = w.claimed.lease_token;
    w.result.attempts_total = row.attempts;
    w.life = DeliveryLifecycle(StoredDeliveryState(OutboxState::kPending, row.attempts, false));
    Status claimed_ok = w.life.Process(DeliveryEvent::kClaim);
    assert(claimed_ok.ok());
    (void)claimed_ok;
    Route route = RouteOf(row);
    w.to = std::move(route.to);
    w.contact_kind = std::move(route.contact_kind);
    w.spec = route.spec;
    if (!w.claimed.previous_owner.empty()) {
      ++w.result.attempts_total;
      record(w, "abandoned",
             "the lease of " + w.claimed.previous_owner +
                 " ran out before it recorded an outcome; sending again with the same dedup key");
      ++stats.abandoned;
    }
    if (!route.unroutable.empty()) {
      ++w.result.attempts_total;
      Status s = w.life.Process(DeliveryEvent::kFail);
      assert(s.ok());
      (void)s;
      const std::string& why = route.unroutable;
      record(w, "failed", why);
      w.result.state = OutboxState::kDead;
      w.result.next_attempt_at = row.next_attempt_at;
      w.result.last_error = why;
      ++stats.dead;
      continue;
    }
    w.urgent = IsUrgent(row);
    // Nothing but an urgent message goes out of working hours, whenever it was claimed: a row due
    // at 17:59 on Friday that a dispatcher picks up at 23:00 waits for Monday morning. A reminder
    // to a person who takes a daily digest waits for its slot.
    const bool digest = w.to.contacts.digest == "daily" && IsDigestible(row.template_name);
    if (HoldReason why = WhyWaiting(row, now, calendar_, w.urgent, digest);
        why.rule != HoldRule::kNone) {
      hold(w, why.rule, why.until);
      continue;
    }
    if (!w.urgent && calendar_ && digest) {
      digests[{w.to.id, w.spec->name}].push_back(work.size() - 1);
      continue;
    }
    // Slow peers must not outlive the lease: a send that could end after it would race another
    // dispatcher that claimed the row in the meantime. Put such rows back, untried, for now.
    if (sends > 0 && clock_.Now() + SendTimeout(*w.spec) >= lease_until) {
      hold(w, HoldRule::kBusy, now);
      continue;
    }
    if (!w.urgent && !BucketFor(*w.spec).TryTake(now)) {
      hold(w, HoldRule::kRateLimit,
           HoldToWorkingHours(calendar_, BucketFor(*w.spec).NextToken(now)));
      continue;
    }
    Rendered r = renderer_.Render(row, w.to, calendar_, now);
    r.message.address = AddressFor(w.to, w.contact_kind);
    if (r.letter) {
      documents.push_back({row.dedup_key, row.instance_id, row.recipient, r.message.template_name,
                           r.message.language, r.message.subject, r.message.html, now});
    }
    ++sends;
    StampAttempt(r.message, clock_.Now());
    apply(w, SafeSend(*channels_.at(w.spec->name), r.message), false);
  }

  for (auto& [key, indexes] : digests) {
    const ChannelSpec& spec = *work[indexes.front()].spec;
    if (sends > 0 && clock_.Now() + SendTimeout(spec) >= lease_until) {
      for (std::size_t i : indexes) hold(work[i], HoldRule::kBusy, now);
      continue;
    }
    if (!BucketFor(spec).TryTake(now)) {
      Timestamp next = HoldToWorkingHours(calendar_, BucketFor(spec).NextToken(now));
      for (std::size_t i : indexes) hold(work[i], HoldRule::kRateLimit, next);
      continue;
    }
    std::vector<OutboxRecord> rows;
    for (std::size_t i : indexes) rows.push_back(work[i].claimed.row);
    const Recipient& to = work[indexes.front()].to;
    std::string day = calendar_ ? FormatDate(calendar_->DateOf(now)) : FormatIso(now).substr(0, 10);
    std::string digest_key = "digest|" + to.id + "|" + day + "|" + std::to_string(rows.front().id);
    Rendered r = renderer_.RenderDigest(rows, to, digest_key, calendar_, now);
    r.message.address = AddressFor(to, work[indexes.front()].contact_kind);
    ++sends;
    StampAttempt(r.message, clock_.Now());
    SendResult sent = SafeSend(*channels_.at(spec.name), r.message);
    if (sent.outcome == SendOutcome::kDelivered) {
      sent.detail = "in digest " + digest_key + ": " + sent.detail;
      ++stats.digests;
    }
    for (std::size_t i : indexes) apply(work[i], sent, true);
  }

  if (Status s = store_.PutDocuments(documents); !s) return s.error();
  std::vector<RowResult> results;
  results.reserve(work.size());
  for (Work& w : work) results.push_back(std::move(w.result));
  auto lost = store_.Finish(results);
  if (!lost) return lost.error();
  stats.lost_leases = static_cast<std::int64_t>(lost->size());
  return stats;
}

std::vector<RowVerdict> Dispatcher::Preview(const std::vector<OutboxRecord>& rows,
                                            Timestamp at) const {
  std::vector<RowVerdict> out;
  std::map<std::string, TokenBucket> buckets;  // fresh: full at `at`
  std::map<std::pair<std::string, std::string>, bool> digest_sent;
  for (const OutboxRecord& row : rows) {
    RowVerdict& v = out.emplace_back();
    v.row = row;
    if (const Recipient* known = directory_.Find(row.recipient)) v.recipient_name = known->name;
    if (row.state != OutboxState::kPending) continue;
    Route route = RouteOf(row);
    v.recipient_name = route.to.name;
    if (!route.unroutable.empty()) {
      v.action = RowVerdict::Action::kDeadLetter;
      v.detail = route.unroutable;
      continue;
    }
    const bool urgent = IsUrgent(row);
    const bool digest = route.to.contacts.digest == "daily" && IsDigestible(row.template_name);
    if (HoldReason why = WhyWaiting(row, at, calendar_, urgent, digest);
        why.rule != HoldRule::kNone) {
      v.action = RowVerdict::Action::kHold;
      v.hold = why;
      continue;
    }
    if (!urgent && calendar_ && digest) {
      v.action = RowVerdict::Action::kDigest;
      // One digest a recipient and channel: the first of its rows takes the token.
      auto key = std::make_pair(route.to.id, route.spec->name);
      if (digest_sent.count(key)) continue;
      digest_sent[key] = true;
    }
    if (urgent) continue;
    auto it = buckets.find(route.spec->name);
    if (it == buckets.end()) {
      it = buckets
               .emplace(route.spec->name,
                        TokenBucket(route.spec->rate_per_minute, route.spec->burst, at))
               .first;
    }
    if (!it->second.TryTake(at)) {
      v.action = RowVerdict::Action::kHold;
      v.hold = {HoldRule::kRateLimit, HoldToWorkingHours(calendar_, it->second.NextToken(at))};
    }
  }
  return out;
}

Result<DispatchStats> Dispatcher::Drain() {
  DispatchStats total;
  while (true) {
    auto once = RunOnce();
    if (!once) return once.error();
    total += *once;
    // Rows put back (rate limit, digest) are not due again at this instant, so this ends.
    if (once->claimed == 0 || once->claimed == once->held) return total;
  }
}

}  // namespace rectify::notify
