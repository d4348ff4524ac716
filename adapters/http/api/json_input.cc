#include "adapters/http/api/json_input.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

const char* TypeName(JsonType t) {
  switch (t) {
    case JsonType::kString:
      return "a string";
    case JsonType::kBool:
      return "true or false";
    case JsonType::kInteger:
      return "an integer";
    case JsonType::kStringMap:
      return "an object of strings";
    case JsonType::kStringArray:
      return "an array of strings";
    case JsonType::kNumber:
      return "a number";
  }
  return "?";
}

bool HasType(const json::value& v, JsonType t) {
  switch (t) {
    case JsonType::kString:
      return v.is_string();
    case JsonType::kBool:
      return v.is_bool();
    case JsonType::kInteger:
      return v.is_int64() || v.is_uint64();
    case JsonType::kNumber:
      return v.is_number();
    case JsonType::kStringMap:
      if (!v.is_object()) return false;
      for (const auto& [k, e] : v.as_object()) {
        if (!e.is_string()) return false;
      }
      return true;
    case JsonType::kStringArray:
      if (!v.is_array()) return false;
      for (const auto& e : v.as_array()) {
        if (!e.is_string()) return false;
      }
      return true;
  }
  return false;
}

std::string Allowed(const std::vector<JsonField>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f.name;
  return out.empty() ? "none" : out;
}

}  // namespace

Result<json::object> ParseObject(std::string_view body, const std::vector<JsonField>& fields) {
  if (body.empty()) {
    bool any_required = false;
    for (const auto& f : fields) any_required = any_required || f.required;
    if (!any_required) return json::object();
    return Error::BadInput("the request has no body; send a JSON object with " + Allowed(fields));
  }
  json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t used = parser.write_some(body.data(), body.size(), ec);
  if (!ec && used < body.size()) ec = json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec) {
    return Error::BadInput("the body is not valid JSON (at byte " + std::to_string(used) + ": " +
                           ec.message() + "); send a JSON object, UTF-8 encoded");
  }
  json::value v = parser.release();
  if (!v.is_object()) return Error::BadInput("$: the body must be a JSON object");
  json::object& o = v.as_object();
  for (const auto& [key, value] : o) {
    bool known = false;
    for (const auto& f : fields) known = known || f.name == key;
    if (!known) {
      return Error::BadInput("$." + std::string(key) + ": unknown field (this request takes " +
                             Allowed(fields) + ")");
    }
  }
  for (const auto& f : fields) {
    const json::value* value = o.if_contains(f.name);
    if (!value) {
      if (f.required)
        return Error::BadInput("$." + f.name + ": required (" + TypeName(f.type) + ")");
      continue;
    }
    if (!HasType(*value, f.type)) {
      return Error::BadInput("$." + f.name + ": must be " + TypeName(f.type));
    }
  }
  return std::move(o);
}

std::string StringOr(const json::object& o, std::string_view name, std::string fallback) {
  if (const json::value* v = o.if_contains(name); v && v->is_string()) {
    return std::string(v->as_string());
  }
  return fallback;
}

}  // namespace rectify::api
