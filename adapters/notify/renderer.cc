#include "adapters/notify/renderer.h"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/html.h"

namespace rectify::notify {

namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> PayloadFields(const std::string& payload_json) {
  std::map<std::string, std::string> fields;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload_json, ec);
  if (ec || !v.is_object()) return fields;
  for (const auto& [k, val] : v.as_object()) {
    std::string key(k);
    if (val.is_string()) {
      fields[key] = std::string(val.as_string());
    } else if (val.is_int64()) {
      fields[key] = std::to_string(val.as_int64());
    } else if (val.is_double()) {
      std::ostringstream s;
      s << val.as_double();
      fields[key] = s.str();
    } else if (val.is_bool()) {
      fields[key] = val.as_bool() ? "true" : "false";
    } else if (!val.is_null()) {
      fields[key] = boost::json::serialize(val);
    }
  }
  return fields;
}

const std::map<std::string, std::pair<std::string, std::string>>& MeasureLabels() {
  static const std::map<std::string, std::pair<std::string, std::string>> kLabels = {
      {"notice", {"通知", "notice"}},
      {"reminder_letter", {"提醒函", "reminder letter"}},
      {"supervision_letter", {"督办函", "supervision letter"}},
      {"suggestion_letter", {"建议函", "suggestion letter"}},
      {"work_interview", {"工作约谈", "work interview"}},
      {"warning_interview", {"警示约谈", "warning interview"}},
      {"suspend_payment", {"暂停拨付", "suspension of fund payment"}},
      {"informed_criticism", {"通报批评", "informed criticism"}},
      {"accountability", {"问责处理", "accountability referral"}},
  };
  return kLabels;
}

}  // namespace

std::string Fill(const std::string& text, const std::map<std::string, std::string>& fields,
                 bool html) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(text, pos, open - pos);
    std::string key = text.substr(open + 2, close - open - 2);
    auto it = fields.find(key);
    std::string value = it == fields.end() ? "" : it->second;
    out += html ? EscapeHtml(value) : value;
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

Result<Renderer> Renderer::Load(const std::string& folder) {
  Renderer r;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return Error::BadInput("the templates folder '" + folder +
                           "' does not exist; pass --templates DIR or set RECTIFY_HOME");
  }
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    fs::path p = entry.path();
    std::string ext = p.extension().string();
    if (ext != ".txt" && ext != ".html") continue;
    std::string stem = p.stem().string();  // name.lang
    auto dot = stem.rfind('.');
    if (dot == std::string::npos) continue;
    std::string name = stem.substr(0, dot), lang = stem.substr(dot + 1);
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    Template& t = r.templates_[{name, lang}];
    if (ext == ".html") {
      t.html = s.str();
      continue;
    }
    std::string body = s.str();
    std::string first = body.substr(0, body.find('\n'));
    if (first.rfind("Subject: ", 0) != 0) {
      return Error::BadInput(p.string() + ":1:1: error: a template starts with 'Subject: ...' " +
                             "(hint: write the subject line, a blank line, then the body)");
    }
    t.subject = first.substr(9);
    std::size_t start = body.find('\n');
    body = start == std::string::npos ? "" : body.substr(start + 1);
    while (!body.empty() && body.front() == '\n') body.erase(0, 1);
    t.text = body;
  }
  if (ec) return Error::Unavailable("cannot read the templates folder '" + folder + "'");
  return r;
}

const Renderer::Template* Renderer::Find(const std::string& name,
                                         const std::string& language) const {
  for (const std::string& lang : {language, std::string("zh"), std::string("en")}) {
    auto it = templates_.find({name, lang});
    if (it != templates_.end() && !it->second.subject.empty()) return &it->second;
  }
  return nullptr;
}

bool Renderer::Has(const std::string& name, const std::string& language) const {
  auto it = templates_.find({name, language});
  return it != templates_.end() && !it->second.subject.empty();
}

std::string Renderer::TemplateFor(const OutboxRecord& row) {
  const std::string& t = row.template_name;
  if (t != "escalation" && t != "bulletin") return t;
  auto fields = PayloadFields(row.payload_json);
  const std::string measure = fields.count("measure") ? fields.at("measure") : "";
  if (measure == "reminder_letter") return "reminder-letter";
  if (measure == "supervision_letter") return "supervision-letter";
  if (measure == "suggestion_letter") return "suggestion-letter";
  if (measure == "work_interview" || measure == "warning_interview") return "interview-notice";
  if (measure == "informed_criticism") return "informed-criticism";
  if (measure == "accountability") return "accountability-referral";
  // A numbered bulletin (engine/bulletin.h) carries its number; an escalation step's notice to a
  // bulletin unit with no letter of its own stays a plain notice, as before bulletins had one.
  if (t == "bulletin" && !fields.count("number_label")) return "notice";
  return t;
}

Rendered Renderer::Render(const OutboxRecord& row, const Recipient& to, const Calendar* calendar,
                          Timestamp now) const {
  Rendered out;
  Message& m = out.message;
  m.dedup_key = row.dedup_key;
  m.template_name = TemplateFor(row);
  m.language = to.language;
  m.recipient_id = to.id;
  m.recipient_name = to.name;
  m.instance_id = row.instance_id;
  m.fields = PayloadFields(row.payload_json);
  m.fields["recipient_name"] = to.name;
  m.fields["issuer"] = to.issuer;
  m.fields["today"] = calendar ? FormatDate(calendar->DateOf(now)) : FormatIso(now).substr(0, 10);
  if (m.fields.count("measure")) {
    auto it = MeasureLabels().find(m.fields["measure"]);
    if (it != MeasureLabels().end()) {
      m.fields["measure_label"] = to.language == "en" ? it->second.second : it->second.first;
    }
  }
  const Template* t = Find(m.template_name, to.language);
  if (!t) t = Find("notice", to.language);
  if (!t) {
    m.subject = m.fields.count("message") ? m.fields["message"] : m.template_name;
    m.text = m.subject + "\n";
    return out;
  }
  m.subject = Fill(t->subject, m.fields, false);
  m.text = Fill(t->text, m.fields, false);
  if (!t->html.empty()) {
    m.html = Fill(t->html, m.fields, true);
    out.letter = true;
  }
  return out;
}

Rendered Renderer::RenderDigest(const std::vector<OutboxRecord>& rows, const Recipient& to,
                                const std::string& dedup_key, const Calendar* calendar,
                                Timestamp now) const {
  Rendered out;
  Message& m = out.message;
  m.dedup_key = dedup_key;
  m.template_name = "digest";
  m.language = to.language;
  m.recipient_id = to.id;
  m.recipient_name = to.name;
  std::string lines;
  for (const auto& row : rows) {
    Rendered one = Render(row, to, calendar, now);
    lines += "- " + one.message.subject + "\n";
  }
  m.fields["recipient_name"] = to.name;
  m.fields["issuer"] = to.issuer;
  m.fields["count"] = std::to_string(rows.size());
  m.fields["items"] = lines;
  m.fields["today"] = calendar ? FormatDate(calendar->DateOf(now)) : FormatIso(now).substr(0, 10);
  const Template* t = Find("digest", to.language);
  if (!t) {
    m.subject = std::to_string(rows.size()) + " reminders";
    m.text = lines;
    return out;
  }
  m.subject = Fill(t->subject, m.fields, false);
  m.text = Fill(t->text, m.fields, false);
  return out;
}

}  // namespace rectify::notify
