// Reading every instance a filter selects, a page of the store at a time: the one paging loop.
//
//   InstanceFilter filter;
//   filter.campaign = "xinshao-2017";
//   Status s = ForEachInstance(store, filter, [&](const Instance& item) -> Status {
//     ...;                   // an error stops the walk and is returned
//     return OkStatus();
//   });
//
// Pages are `filter.limit` rows (ListInstances' order, by id), starting after `filter.after_id`;
// the walk ends at the first short page. A row whose state does not parse (Instance::FromRecord
// fails) is an error that names the item (InstanceOf), never skipped: a caller that must go on
// past it counts it and reports it itself (ForEachInstancePage).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rectify/engine/instance.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

// Instance::FromRecord, its error naming the item: "item Q-1: cannot read its stored state: ...".
Result<Instance> InstanceOf(const InstanceRecord& record);

// Calls `fn` on each page of rows `filter` selects, in id order. `fn` returns true to read on,
// false to stop (the rows it needs are behind it); an error stops the walk and is returned.
Status ForEachInstancePage(Store& store, InstanceFilter filter,
                           const std::function<Result<bool>(std::vector<InstanceRecord>&)>& fn);

// Calls `fn` on each instance `filter` selects, in id order. A row that does not parse stops the
// walk with InstanceOf's error; so does an error `fn` returns.
Status ForEachInstance(Store& store, InstanceFilter filter,
                       const std::function<Status(Instance&)>& fn);

}  // namespace rectify::engine
