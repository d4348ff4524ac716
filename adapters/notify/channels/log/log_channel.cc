#include "adapters/notify/channels/log/log_channel.h"

#include <boost/json.hpp>

namespace rectify::notify {

std::string MessageJson(const Message& m) {
  boost::json::object fields;
  for (const auto& [k, v] : m.fields) fields[k] = v;
  boost::json::object o{{"dedup_key", m.dedup_key},
                        {"template", m.template_name},
                        {"language", m.language},
                        {"recipient", m.recipient_id},
                        {"recipient_name", m.recipient_name},
                        {"address", m.address},
                        {"instance", m.instance_id},
                        {"subject", m.subject},
                        {"text", m.text},
                        {"has_html", !m.html.empty()},
                        {"fields", std::move(fields)}};
  return boost::json::serialize(o);
}

SendResult LogChannel::Send(const Message& message) {
  if (!out_) return {SendOutcome::kRetry, "the log stream is not writable"};
  out_ << MessageJson(message) << '\n' << std::flush;
  if (!out_) return {SendOutcome::kRetry, "writing to the log stream failed"};
  return {SendOutcome::kDelivered, "logged"};
}

}  // namespace rectify::notify
