// A delivery's receipt: whether the message reached the person, after the provider took it. A
// second small machine beside the delivery lifecycle (delivery.h), not an extension of it:
//
//   none --accepted--> sent --receipt--> delivered | failed
//                        \--no receipt within the channel's receipt_within--> unknown
//   unknown --late receipt--> delivered | failed
//
// Why beside and not inside: the lifecycle's `delivered` means the provider accepted the request,
// and it is final (the row leaves the dispatcher's hands, its lease and its retries). A receipt
// comes later, from someone else (the provider's status report, polled or pushed), possibly
// long after the row was final, and it never sends anything again: a failed receipt does not
// reopen the lifecycle. Folding it into the MSM machine would make `delivered` non-final and
// every final-state rule of the outbox (Finish never moves a row out of 'sent') false. So the
// lifecycle stays as it is, and a row in its `delivered` state carries this receipt state.
//
// A channel that has no receipts (email, webhook, a log) leaves the row at `none`. A channel whose
// send answer already tells (WeCom's `invaliduser`) gives the receipt with the answer.
//
// Duplicates and contradictions: a receipt equal to the current final state is a duplicate and
// changes nothing; a final state (delivered, failed) never changes to another one (the first
// receipt the provider sent is kept; a later contradiction is refused and logged).
//
//   ReceiptMove m = NextReceipt(ReceiptState::kSent, ReceiptState::kDelivered);   // kApply
//   NextReceipt(ReceiptState::kDelivered, ReceiptState::kDelivered);              // kDuplicate
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "rectify/result.h"

namespace rectify::notify {

enum class ReceiptState { kNone, kSent, kDelivered, kFailed, kUnknown };

// "none", "sent", "delivered", "failed", "unknown" (as stored in outbox.receipt).
std::string_view ReceiptStateName(ReceiptState s);
Result<ReceiptState> ParseReceiptState(std::string_view name);
// Delivered or failed: no receipt changes it any more.
bool IsFinalReceipt(ReceiptState s);

enum class ReceiptMove {
  kApply,      // take the new state
  kDuplicate,  // the same final state again: nothing changes
  kRefused,    // not a move of the machine (a final state contradicted, back to sent...)
};
std::string_view ReceiptMoveName(ReceiptMove m);  // "applied", "duplicate", "refused"

// What a report of `incoming` does to a delivery whose receipt is `current`.
ReceiptMove NextReceipt(ReceiptState current, ReceiptState incoming);

}  // namespace rectify::notify
