// A delivery's receipt machine (rectify/notify/receipt.h).
#include "rectify/notify/receipt.h"

#include <string>

namespace rectify::notify {

std::string_view ReceiptStateName(ReceiptState s) {
  switch (s) {
    case ReceiptState::kNone:
      return "none";
    case ReceiptState::kSent:
      return "sent";
    case ReceiptState::kDelivered:
      return "delivered";
    case ReceiptState::kFailed:
      return "failed";
    case ReceiptState::kUnknown:
      return "unknown";
  }
  return "none";
}

Result<ReceiptState> ParseReceiptState(std::string_view name) {
  for (ReceiptState s : {ReceiptState::kNone, ReceiptState::kSent, ReceiptState::kDelivered,
                         ReceiptState::kFailed, ReceiptState::kUnknown}) {
    if (ReceiptStateName(s) == name) return s;
  }
  return Error::BadInput("unknown receipt state '" + std::string(name) +
                         "' (none, sent, delivered, failed, unknown)");
}

bool IsFinalReceipt(ReceiptState s) {
  return s == ReceiptState::kDelivered || s == ReceiptState::kFailed;
}

std::string_view ReceiptMoveName(ReceiptMove m) {
  switch (m) {
    case ReceiptMove::kApply:
      return "applied";
    case ReceiptMove::kDuplicate:
      return "duplicate";
    case ReceiptMove::kRefused:
      return "refused";
  }
  return "refused";
}

ReceiptMove NextReceipt(ReceiptState current, ReceiptState incoming) {
  if (IsFinalReceipt(current)) {
    return current == incoming ? ReceiptMove::kDuplicate : ReceiptMove::kRefused;
  }
  switch (current) {
    case ReceiptState::kNone:
      // The provider took it; a send answer may already carry the outcome (WeCom invaliduser).
      return incoming == ReceiptState::kNone ? ReceiptMove::kRefused : ReceiptMove::kApply;
    case ReceiptState::kSent:
      if (incoming == ReceiptState::kSent) return ReceiptMove::kDuplicate;
      return incoming == ReceiptState::kNone ? ReceiptMove::kRefused : ReceiptMove::kApply;
    case ReceiptState::kUnknown:
      // A late receipt still tells the truth; "still nothing" changes nothing.
      if (IsFinalReceipt(incoming)) return ReceiptMove::kApply;
      return incoming == ReceiptState::kUnknown ? ReceiptMove::kDuplicate : ReceiptMove::kRefused;
    default:
      return ReceiptMove::kRefused;
  }
}

}  // namespace rectify::notify
