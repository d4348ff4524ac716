// What an item list shows of one row (GET /api/v1/items, and the head of GET /api/v1/items/{id}),
// written as JSON text.
//
//   std::string out;
//   AppendItemJson(out, row, DeadlineOf(row, now), now);   // {"id":"Q-1",...,"version":3}
//
// Most of a row does not change while the row does not (its title, unit, state, names,
// measures): RowOf writes that text once into the row (ItemRow::json_head and json_tail, by
// ItemJsonParts), and a list copies it, writing only the deadline fields, which depend on the
// hour asked. A page of 50 rows is then some copies and a few numbers, not 1,500 JSON values built
// and serialized.
//
// Thread-safety: pure functions over immutable rows.
#pragma once

#include <string>

#include "adapters/http/api/item_index.h"
#include "rectify/engine/item_view.h"

namespace rectify::api {

// The name of person `id` of `org` ("" when the org has no such person).
std::string PersonName(const definition::Org& org, const std::string& id);

// The text of `row` before and after its deadline fields (each without its enclosing braces or
// the commas around the deadline fields); RowOf keeps them in the row.
void ItemJsonParts(const ItemRow& row, std::string& head, std::string& tail);

// Appends the row's JSON object; `d` is its deadline as of `now` (working-day counts are added
// here for a running or paused clock).
void AppendItemJson(std::string& out, const ItemRow& row, engine::DeadlineView d, Timestamp now);

}  // namespace rectify::api
