#include "base/json.h"

namespace cinch {
namespace {

const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    return Fail("{}: invalid JSON at byte {}", what, e.byte);
  } catch (const Json::exception& e) {
    return Fail("{}: invalid JSON: {}", what, e.what());
  }
}

Result<std::string> GetString(const Json& obj, std::string_view key,
                              std::string_view fallback) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::string(fallback);
  if (!v->is_string()) return Fail("field '{}' must be a string", key);
  return v->get<std::string>();
}

Result<std::optional<std::string>> GetOptionalString(const Json& obj,
                                                     std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Fail("field '{}' must be a string", key);
  return v->get<std::string>();
}

Result<int64_t> GetInt(const Json& obj, std::string_view key,
                       int64_t fallback) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) {
    return Fail("field '{}' must be an integer", key);
  }
  if (v->is_number_unsigned() && v->get<uint64_t>() > INT64_MAX) {
    return Fail("field '{}' is out of range", key);
  }
  return v->get<int64_t>();
}

Result<bool> GetBool(const Json& obj, std::string_view key, bool fallback) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) return Fail("field '{}' must be true or false", key);
  return v->get<bool>();
}

Result<std::vector<std::string>> GetStringArray(const Json& obj,
                                                std::string_view key) {
  std::vector<std::string> out;
  const Json* v = Find(obj, key);
  if (v == nullptr) return out;
  if (!v->is_array()) return Fail("field '{}' must be an array", key);
  for (const Json& item : *v) {
    if (!item.is_string()) {
      return Fail("field '{}' must hold only strings", key);
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> GetStringMap(const Json& obj,
                                                        std::string_view key) {
  std::map<std::string, std::string> out;
  const Json* v = Find(obj, key);
  if (v == nullptr) return out;
  if (!v->is_object()) return Fail("field '{}' must be an object", key);
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      return Fail("field '{}.{}' must be a string", key, it.key());
    }
    out.emplace(it.key(), it.value().get<std::string>());
  }
  return out;
}

Result<const Json*> GetObject(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v != nullptr && !v->is_object()) {
    return Fail("field '{}' must be an object", key);
  }
  return v;
}

Result<const Json*> GetArray(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v != nullptr && !v->is_array()) {
    return Fail("field '{}' must be an array", key);
  }
  return v;
}

}  // namespace cinch
