// Turns an outbox row into the message a person reads, from the templates in
// `workflows/templates/` (or another folder), in the recipient's language.
//
//   auto renderer = Renderer::Load("workflows/templates");
//   Rendered r = renderer->Render(row, recipient, calendar, now);
//   // r.message.subject, .text, and .html for a letter; r.letter says whether to keep it
//
// Which template: the row's template name, refined by its measure for escalations (reminder ->
// `reminder`; escalation with measure supervision_letter -> `supervision-letter`; a work or warning
// interview -> `interview-notice`; informed criticism (and its bulletin) -> `informed-criticism`;
// accountability -> `accountability-referral`; a transition's notification names its own, such as
// `public-reply` and `public-reply-dismissed` for the reply to a public reporter; a numbered
// bulletin, engine/bulletin.h -> `bulletin`).
// A template is `<name>.<lang>.txt` (a first line `Subject: ...`, a blank line, the body) and, for
// letters, `<name>.<lang>.html`. `{{field}}` is replaced by the row's payload field (HTML-escaped
// in .html), plus recipient_name, issuer, today and measure_label. A name without a template falls
// back to `notice`, whose body is the engine's own message line, so nothing is ever unsendable.
//
// Thread-safety: immutable once loaded; share it. Ownership: plain values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/notify/channel.h"
#include "adapters/notify/directory.h"
#include "rectify/calendar/calendar.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::notify {

struct Rendered {
  Message message;
  bool letter = false;  // an HTML document to keep with the item's record
};

class Renderer {
 public:
  // Reads every *.txt and *.html of `folder`. kBadInput names a template whose first line is not
  // `Subject: ...`.
  static Result<Renderer> Load(const std::string& folder);

  // The template a row uses (see the top of this file).
  static std::string TemplateFor(const OutboxRecord& row);

  Rendered Render(const OutboxRecord& row, const Recipient& to, const Calendar* calendar,
                  Timestamp now) const;
  // One message listing several reminders for one person (their daily digest).
  Rendered RenderDigest(const std::vector<OutboxRecord>& rows, const Recipient& to,
                        const std::string& dedup_key, const Calendar* calendar,
                        Timestamp now) const;

  bool Has(const std::string& name, const std::string& language) const;

 private:
  struct Template {
    std::string subject, text, html;
  };
  const Template* Find(const std::string& name, const std::string& language) const;
  std::map<std::pair<std::string, std::string>, Template> templates_;
};

// Replaces each {{key}} in `text` by fields[key] ("" when absent), HTML-escaped when `html`.
std::string Fill(const std::string& text, const std::map<std::string, std::string>& fields,
                 bool html);

}  // namespace rectify::notify
