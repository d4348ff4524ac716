// Stable hashing and the look back's deterministic sample.
#include <algorithm>
#include <cmath>

#include "rectify/engine/campaign.h"

namespace rectify::engine {

std::uint64_t StableHash(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a, 64 bits
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // FNV's low bits mix poorly for short keys; finish with a splitmix64 round.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

double StableShare(std::string_view text) {
  return static_cast<double>(StableHash(text) >> 11) / static_cast<double>(1ULL << 53);
}

std::vector<std::string> SampleForLookBack(const std::vector<std::string>& candidates, double share,
                                           const std::string& seed) {
  if (candidates.empty() || share <= 0) return {};
  std::vector<std::pair<std::uint64_t, std::string>> keyed;
  keyed.reserve(candidates.size());
  for (const auto& id : candidates) keyed.emplace_back(StableHash(seed + "|" + id), id);
  std::sort(keyed.begin(), keyed.end());
  auto n = static_cast<std::size_t>(std::ceil(share * static_cast<double>(candidates.size())));
  n = std::min(n, keyed.size());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(keyed[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

std::string CampaignInstanceId(std::string_view campaign_name) {
  return "campaign:" + std::string(campaign_name);
}

bool IsCampaignRun(const InstanceRecord& record) { return record.workflow == kCampaignWorkflow; }

}  // namespace rectify::engine
