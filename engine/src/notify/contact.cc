#include "rectify/notify/contact.h"

namespace rectify::notify {

namespace {

bool IsEmailAddress(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
        c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
      return false;
    }
  }
  std::string_view domain = s.substr(at + 1);
  auto dot = domain.find('.');
  // A dot inside the domain, not at its ends: "example.org", not "localhost" or "example.".
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

bool IsPhoneNumber(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  int digits = 0;
  bool after_separator = true;  // no separator first, none twice in a row
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++digits;
      after_separator = false;
    } else if ((c == ' ' || c == '-') && !after_separator) {
      after_separator = true;
    } else {
      return false;
    }
  }
  return !after_separator && digits >= 5 && digits <= 20;
}

}  // namespace

std::string_view ContactKindOf(std::string_view contact) {
  if (IsEmailAddress(contact)) return "email";
  if (IsPhoneNumber(contact)) return "sms";
  return "";
}

std::string ContactProblem(std::string_view contact) {
  std::string problem = "'";
  problem.append(contact);
  problem.append(
      "' is neither an email address (name@example.org) nor a phone number (13900000000)");
  return problem;
}

}  // namespace rectify::notify
