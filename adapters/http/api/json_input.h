// Request bodies as the API takes them: one JSON object, strictly checked, so that a wrong body
// gets an error naming the field (as a JSON path) and what to send, and changes nothing.
//
//   auto body = ParseObject(req.body, {{"person", JsonType::kString, true},
//                                      {"password", JsonType::kString, true}});
//   if (!body) return ErrorResponse(body.error());   // 400 "$.person: required (a string)"
//
// Checked: the body is JSON (the byte where it stops being so), valid UTF-8 (Boost.JSON refuses
// invalid UTF-8 in strings), an object, with no field outside `fields` (unknown fields are
// refused, never ignored: a misspelt field would otherwise be silently lost), every required
// field present, and each of the declared type.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/result.h"

namespace rectify::api {

enum class JsonType { kString, kBool, kInteger, kStringMap, kStringArray, kNumber };

struct JsonField {
  std::string name;
  JsonType type = JsonType::kString;
  bool required = false;
};

Result<boost::json::object> ParseObject(std::string_view body,
                                        const std::vector<JsonField>& fields);

// The text of a string field, or `fallback` when absent.
std::string StringOr(const boost::json::object& o, std::string_view name,
                     std::string fallback = {});

}  // namespace rectify::api
