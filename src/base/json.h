// Checked access to JSON documents from outside. nlohmann::json throws on
// type mismatches; these helpers turn every mismatch into an Error that
// names the field, so parsers of outside data never throw.
#ifndef CINCH_BASE_JSON_H_
#define CINCH_BASE_JSON_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace cinch {

using Json = nlohmann::json;

// Parses `text`; a syntax error names `what` and the byte offset.
Result<Json> ParseJson(std::string_view text, std::string_view what);

// Field readers. A missing field yields the fallback (or nullopt); a field
// of the wrong type is an error naming `key`.
Result<std::string> GetString(const Json& obj, std::string_view key,
                              std::string_view fallback = "");
Result<std::optional<std::string>> GetOptionalString(const Json& obj,
                                                     std::string_view key);
Result<int64_t> GetInt(const Json& obj, std::string_view key,
                       int64_t fallback = 0);
Result<bool> GetBool(const Json& obj, std::string_view key, bool fallback);
Result<std::vector<std::string>> GetStringArray(const Json& obj,
                                                std::string_view key);
Result<std::map<std::string, std::string>> GetStringMap(const Json& obj,
                                                        std::string_view key);
// Object or array members; null when absent. Wrong type is an error.
Result<const Json*> GetObject(const Json& obj, std::string_view key);
Result<const Json*> GetArray(const Json& obj, std::string_view key);

}  // namespace cinch

#endif  // CINCH_BASE_JSON_H_
