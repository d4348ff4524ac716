#include "adapters/notify/dispatcher.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cassert>
#include <iterator>
#include <optional>
#include <set>

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
    // A fallback row (unreached:) goes by the kind it names: the preferred one already failed.
    if (row.dedup_key.find("|via:") == std::string::npos) {
      r.contact_kind = std::string(PreferredContactKind(o->contacts));
    }
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

// One result per message, whatever the channel does (an exception or a wrong count is a retry).
std::vector<SendResult> SafeSendMany(Channel& channel, const std::vector<Message>& messages) {
  std::vector<SendResult> out;
  try {
    out = channel.SendMany(messages);
  } catch (const std::exception& e) {
    return std::vector<SendResult>(
        messages.size(), {SendOutcome::kRetry, std::string("the channel failed: ") + e.what()});
  }
  if (out.size() != messages.size()) {
    return std::vector<SendResult>(
        messages.size(), {SendOutcome::kRetry,
                          "the channel answered " + std::to_string(out.size()) + " result(s) for " +
                              std::to_string(messages.size()) + " message(s)"});
  }
  return out;
}

SendResult SafeSend(Channel& channel, const Message& m) {
  return SafeSendMany(channel, {m}).front();
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
        w.result.provider_ref = sent.provider_ref;
        w.result.receipt = sent.receipt;
        w.result.receipt_code = sent.receipt_code;
        w.result.receipt_detail = sent.receipt_detail;
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
  // The messages for channels that send many at once (SMPP's window), per channel in the order of
  // its first row, each group sent in one SendMany after the rows are sorted. A group takes at
  // most its channel's timeout; `planned` is what the groups so far may take.
  struct Outgoing {
    std::size_t work;  // index into `work`
    Message message;
    std::optional<DocumentRecord> document;
  };
  std::vector<std::pair<const ChannelSpec*, std::vector<Outgoing>>> groups;
  Duration planned = Duration::zero();
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
    // dispatcher that claimed the row in the meantime. Put such rows back, untried, for now. A row
    // joining its channel's group adds nothing: the group's one call takes the timeout at most.
    Channel& channel = *channels_.at(w.spec->name);
    const bool at_once = channel.sends_many_at_once();
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& g) { return g.first->name == w.spec->name; });
    const Duration adds =
        at_once && group != groups.end() ? Duration::zero() : SendTimeout(*w.spec);
    const Duration ahead = at_once ? planned + adds : adds;
    if ((sends > 0 || !groups.empty()) && clock_.Now() + ahead >= lease_until) {
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
    std::optional<DocumentRecord> document;
    if (r.letter) {
      document = DocumentRecord{
          row.dedup_key,      row.instance_id,   row.recipient,  r.message.template_name,
          r.message.language, r.message.subject, r.message.html, now};
    }
    if (at_once) {
      if (group == groups.end()) {
        groups.emplace_back(w.spec, std::vector<Outgoing>{});
        group = std::prev(groups.end());
      }
      group->second.push_back({work.size() - 1, std::move(r.message), std::move(document)});
      planned += adds;
      continue;
    }
    if (document) documents.push_back(std::move(*document));
    ++sends;
    StampAttempt(r.message, clock_.Now());
    apply(w, SafeSend(channel, r.message), false);
  }

  // Each group in one call. The sends made one by one above took their time: a group that could
  // now end after the lease is put back whole, untried.
  for (auto& [spec, out] : groups) {
    if (sends > 0 && clock_.Now() + SendTimeout(*spec) >= lease_until) {
      for (Outgoing& o : out) hold(work[o.work], HoldRule::kBusy, now);
      continue;
    }
    std::vector<Message> messages;
    messages.reserve(out.size());
    for (Outgoing& o : out) {
      StampAttempt(o.message, clock_.Now());
      messages.push_back(std::move(o.message));
      if (o.document) documents.push_back(std::move(*o.document));
    }
    sends += static_cast<int>(messages.size());
    std::vector<SendResult> sent = SafeSendMany(*channels_.at(spec->name), messages);
    for (std::size_t i = 0; i < out.size(); ++i) apply(work[out[i].work], sent[i], false);
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

Result<ReceiptStats> Dispatcher::CollectReceipts() {
  ReceiptStats stats;
  // Every poll, with or without receipts to wait for: the sessions a channel keeps stay alive.
  for (auto& [name, channel] : channels_) {
    try {
      channel->KeepAlive();
    } catch (const std::exception& e) {
      stats.notes.push_back("channel '" + name + "': keep-alive: " + e.what());
    }
  }
  auto awaiting = store_.AwaitingReceipts(1000);
  if (!awaiting) return awaiting.error();
  const Timestamp now = clock_.Now();
  const std::int64_t now_ms = ToMicros(now) / 1000;
  // The rows by the channel that sent them (the route they take now: the channels file's).
  std::map<std::string, std::vector<const AwaitingReceipt*>> by_channel;
  for (const AwaitingReceipt& a : *awaiting) {
    Route route = RouteOf(a.row);
    if (route.spec && channels_.count(route.spec->name)) {
      by_channel[route.spec->name].push_back(&a);
    }
  }
  std::vector<ReceiptReport> reports;
  for (const auto& [name, rows] : by_channel) {
    Channel& channel = *channels_.at(name);
    std::vector<ReceiptQuery> queries;
    for (const AwaitingReceipt* a : rows) {
      Route route = RouteOf(a->row);
      queries.push_back({a->receipt.provider_ref, AddressFor(route.to, route.contact_kind),
                         ToMicros(a->receipt.sent_at.value_or(a->row.created_at)) / 1000});
    }
    std::string error;
    std::vector<PolledReceipt> got;
    try {
      got = channel.PollReceipts(queries, now_ms, error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    // A note on a channel that failed its poll.
    if (!error.empty()) stats.notes.push_back("channel '" + name + "': " + error);
    std::set<std::string> answered;
    for (PolledReceipt& p : got) {
      answered.insert(p.provider_ref);
      reports.push_back({p.provider_ref, p.state, p.code, p.detail, "poll", now});
    }
    // No receipt within the channel's time: unknown (a late one may still come and tell).
    const std::int64_t within = channel.receipt_within_ms();
    for (const AwaitingReceipt* a : rows) {
      if (within <= 0 || answered.count(a->receipt.provider_ref)) continue;
      Timestamp sent = a->receipt.sent_at.value_or(a->row.created_at);
      if (sent + std::chrono::milliseconds(within) > now) continue;
      reports.push_back({a->receipt.provider_ref, ReceiptState::kUnknown, "no-receipt",
                         "no receipt within " + std::to_string(within / 1000) + " s of the send",
                         "timeout", now});
    }
  }
  auto applied = store_.ApplyReceipts(reports);
  if (!applied) return applied.error();
  for (const ReceiptResult& r : *applied) {
    if (!r.matched) {
      ++stats.unmatched;
      stats.notes.push_back("a receipt for " + r.report.provider_ref +
                            ", which no delivery has, was logged and ignored");
      continue;
    }
    switch (r.move) {
      case ReceiptMove::kApply:
        if (r.report.state == ReceiptState::kDelivered) ++stats.delivered;
        if (r.report.state == ReceiptState::kFailed) ++stats.failed;
        if (r.report.state == ReceiptState::kUnknown) ++stats.unknown;
        break;
      case ReceiptMove::kDuplicate:
        ++stats.duplicate;
        break;
      case ReceiptMove::kRefused:
        ++stats.refused;
        break;
    }
  }
  auto followed = FollowUpUnreached();
  if (!followed) return followed.error();
  stats.fallbacks = followed->fallbacks;
  stats.unreached = followed->unreached;
  stats.notes.insert(stats.notes.end(), followed->notes.begin(), followed->notes.end());
  return stats;
}

namespace {

constexpr std::string_view kVia = "|via:";

// The dedup key of the first message of a fallback chain ("K|via:sms|via:email" -> "K") and the
// contact kinds the chain took, the first's (`first_kind`) then each fallback's.
std::pair<std::string, std::vector<std::string>> ChainOf(const std::string& key,
                                                         const std::string& first_kind) {
  std::size_t at = key.find(kVia);
  std::vector<std::string> kinds{first_kind};
  std::string origin = key.substr(0, at);
  while (at != std::string::npos) {
    std::size_t next = key.find(kVia, at + kVia.size());
    std::size_t from = at + kVia.size();
    kinds.push_back(key.substr(from, next == std::string::npos ? std::string::npos : next - from));
    at = next;
  }
  return {origin, kinds};
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Result<ReceiptStats> Dispatcher::FollowUpUnreached() {
  ReceiptStats stats;
  const UnreachedPolicy& policy = options_.unreached;
  if (!policy.enabled) return stats;
  auto rows = store_.NotReachedRows(500);
  if (!rows) return rows.error();
  const Timestamp now = clock_.Now();
  for (const NotReached& n : *rows) {
    const OutboxRecord& row = n.row;
    FollowUp f;
    f.outbox_id = row.id;
    const Recipient* person = directory_.Find(row.recipient);
    // Only a person of the org has routes to fall back on and a unit head; anything else (a
    // unit's mailbox, a public reporter, a bulletin) is only marked followed up.
    if (person && !person->is_unit && row.channel != "bulletin") {
      Route route = RouteOf(row);
      // The kinds the chain took: the first message's (as it was routed), then each fallback's.
      auto [origin, tried] = ChainOf(row.dedup_key, route.contact_kind);
      if (origin != row.dedup_key) {
        auto first = store_.Row(origin);
        tried.front() = first ? RouteOf(*first).contact_kind : std::string();
      }
      std::string next;
      if (policy.fallback) {
        for (const char* kind : {"wecom", "dingtalk", "email", "sms"}) {
          if (std::find(tried.begin(), tried.end(), kind) != tried.end()) continue;
          if (AddressFor(route.to, kind).empty()) continue;
          const ChannelSpec* spec = config_.Route(kind);
          if (!spec || !channels_.count(spec->name)) continue;
          next = kind;
          break;
        }
      }
      if (!next.empty()) {
        OutboxRecord again = row;
        again.dedup_key = row.dedup_key + std::string(kVia) + next;
        again.channel = next;
        again.not_before = now;
        again.next_attempt_at = now;
        again.created_at = now;
        f.inserts.push_back(std::move(again));
      } else if (row.template_name != "notice" ||
                 row.payload_json.find("\"unreached\"") == std::string::npos) {
        // No route left: the person was not reached. Tell the unit head (once: the report's
        // key and the record's key are the origin's).
        UnreachedRecord u{
            origin, row.instance_id, row.recipient, row.template_name, Join(tried), "", "", now};
        const Recipient* head =
            person->unit_head.empty() ? nullptr : directory_.Find(person->unit_head);
        if (policy.report_to == "unit-head" && head) {
          // The first message's fields (title, unit, due: an SMS template may name them), then
          // what the report adds.
          boost::json::object payload;
          boost::system::error_code ec;
          boost::json::value first = boost::json::parse(row.payload_json, ec);
          if (!ec && first.is_object()) payload = first.as_object();
          payload.erase("urgent");
          const boost::json::object adds{
              {"unreached", row.recipient},
              {"item", row.instance_id},
              {"language", head->language},
              {"message",
               head->language == "en"
                   ? person->name + " (" + person->id + ") was not reached by the " +
                         row.template_name +
                         (row.instance_id.empty() ? "" : " of item " + row.instance_id) +
                         " through any of their routes (" + Join(tried) +
                         "). Please tell them in person."
                   : "未能联系到" + person->name + "（" + person->id + "）：" +
                         (row.instance_id.empty() ? "" : "问题 " + row.instance_id + " 的") +
                         row.template_name + "经各渠道（" + Join(tried) +
                         "）均未送达，请当面转告本人。"}};
          for (const auto& [k, v] : adds) payload[k] = v;
          OutboxRecord report;
          report.dedup_key = "unreached|" + origin;
          report.instance_id = row.instance_id;
          report.recipient = head->id;
          report.channel = std::string(PreferredContactKind(head->contacts));
          report.template_name = "notice";
          report.payload_json = boost::json::serialize(payload);
          report.not_before = report.next_attempt_at = report.created_at = now;
          u.reported_to = head->id;
          u.report_key = report.dedup_key;
          f.inserts.push_back(std::move(report));
        } else if (policy.report_to == "unit-head") {
          stats.notes.push_back(person->id + " was not reached (" + row.dedup_key +
                                ") and the org names no unit head for them: nobody was told");
        }
        f.unreached = std::move(u);
      }
    }
    auto done = store_.ApplyFollowUp(f);
    if (!done) return done.error();
    if (*done && f.unreached) ++stats.unreached;
    if (*done && !f.unreached && !f.inserts.empty()) ++stats.fallbacks;
  }
  return stats;
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
