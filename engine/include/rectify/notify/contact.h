// The contact of someone outside the org tree, as an item field of type `contact` holds it (a
// public reporter's "how to reach me"): an email address or a phone number. Its form decides the
// contact kind the engine writes in an outbox row, as a person's contacts do for people of the org
// (PreferredContactKind): an email address goes to the `email` route, a phone number to `sms`.
//
//   ContactKindOf("someone@example.org")   // "email"
//   ContactKindOf("139 0000 0000")         // "sms"
//   ContactKindOf("ask at the shop")       // "": refused when the field is set
//
// The check is strict on purpose: the value comes from the public and ends up in an SMTP
// envelope and headers, so nothing that could break them (spaces, controls, angle brackets,
// commas, quotes, a second '@') passes.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace rectify::notify {

// "email", "sms", or "" when `contact` is neither an email address (local@domain.tld) nor a phone
// number (an optional leading '+', then 5 to 20 digits, which may be grouped by single spaces or
// dashes).
std::string_view ContactKindOf(std::string_view contact);

// Why `contact` is not a contact, for messages: "'x' is neither an email address
// (name@example.org) nor a phone number (13900000000)".
std::string ContactProblem(std::string_view contact);

}  // namespace rectify::notify
