#include "rectify/engine/instance_pages.h"

namespace rectify::engine {

Result<Instance> InstanceOf(const InstanceRecord& record) {
  auto inst = Instance::FromRecord(record);
  if (!inst) {
    return Error(inst.error().code(),
                 "item " + record.id + ": cannot read its stored state: " + inst.error().message());
  }
  return inst;
}

Status ForEachInstancePage(Store& store, InstanceFilter filter,
                           const std::function<Result<bool>(std::vector<InstanceRecord>&)>& fn) {
  for (;;) {
    auto page = store.ListInstances(filter);
    if (!page) return page.error();
    if (page->empty()) return OkStatus();
    bool full = static_cast<std::int64_t>(page->size()) >= filter.limit;
    std::string last = page->back().id;
    auto more = fn(*page);
    if (!more) return more.error();
    if (!*more || !full) return OkStatus();
    filter.after_id = std::move(last);
  }
}

Status ForEachInstance(Store& store, InstanceFilter filter,
                       const std::function<Status(Instance&)>& fn) {
  return ForEachInstancePage(store, std::move(filter),
                             [&](std::vector<InstanceRecord>& page) -> Result<bool> {
                               for (const InstanceRecord& r : page) {
                                 auto inst = InstanceOf(r);
                                 if (!inst) return inst.error();
                                 if (Status s = fn(*inst); !s) return s.error();
                               }
                               return true;
                             });
}

}  // namespace rectify::engine
