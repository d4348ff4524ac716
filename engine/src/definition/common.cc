#include "rectify/definition/common.h"

#include <charconv>

namespace rectify::definition {
namespace {

struct KindEntry {
  Kind kind;
  std::string_view name;
};
constexpr KindEntry kKinds[] = {
    {Kind::kCalendar, "calendar"},     {Kind::kOrg, "org"},
    {Kind::kWorkflow, "workflow"},     {Kind::kEscalation, "escalation"},
    {Kind::kCampaign, "campaign"},     {Kind::kAssessment, "assessment"},
    {Kind::kChannels, "channels"},     {Kind::kLedger, "ledger"},
    {Kind::kComparison, "comparison"},
};

struct MeasureEntry {
  Measure measure;
  std::string_view name;
  std::string_view label;
};
constexpr MeasureEntry kMeasures[] = {
    {Measure::kNotice, "notice", "notice"},
    {Measure::kReminderLetter, "reminder_letter", "reminder letter (提醒函)"},
    {Measure::kSupervisionLetter, "supervision_letter", "supervision letter (督办函)"},
    {Measure::kSuggestionLetter, "suggestion_letter", "suggestion letter (建议函)"},
    {Measure::kWorkInterview, "work_interview", "work interview (工作约谈)"},
    {Measure::kWarningInterview, "warning_interview", "warning interview (警示约谈)"},
    {Measure::kSuspendPayment, "suspend_payment", "suspension of fund payment (暂停拨付)"},
    {Measure::kInformedCriticism, "informed_criticism", "informed criticism (通报批评)"},
    {Measure::kAccountability, "accountability", "accountability referral (问责处理)"},
};

}  // namespace

std::string_view KindName(Kind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<Kind> ParseKind(std::string_view text) {
  for (const auto& k : kKinds) {
    if (k.name == text) return k.kind;
  }
  return std::nullopt;
}

const std::vector<std::string>& KindNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& k : kKinds) v.emplace_back(k.name);
    return v;
  }();
  return names;
}

std::string DefinitionInfo::Label() const {
  return std::string(KindName(kind)) + " " + name + "@" + std::to_string(version);
}

std::string Ref::Label() const { return version > 0 ? name + "@" + std::to_string(version) : name; }

std::optional<NameVersion> ParseNameVersion(std::string_view text) {
  auto at = text.find('@');
  if (at == std::string_view::npos) return NameVersion{std::string(text), 0};
  std::string_view v = text.substr(at + 1);
  int version = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (ec != std::errc() || p != v.data() + v.size() || version < 1 || at == 0) {
    return std::nullopt;
  }
  return NameVersion{std::string(text.substr(0, at)), version};
}

std::string_view MeasureName(Measure m) {
  for (const auto& e : kMeasures) {
    if (e.measure == m) return e.name;
  }
  return "notice";
}

std::string_view MeasureLabel(Measure m) {
  for (const auto& e : kMeasures) {
    if (e.measure == m) return e.label;
  }
  return "notice";
}

std::optional<Measure> ParseMeasure(std::string_view text) {
  for (const auto& e : kMeasures) {
    if (e.name == text) return e.measure;
  }
  return std::nullopt;
}

const std::vector<std::string>& MeasureNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& e : kMeasures) v.emplace_back(e.name);
    return v;
  }();
  return names;
}

int Severity(Measure m) { return static_cast<int>(m); }

}  // namespace rectify::definition
