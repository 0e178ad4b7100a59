// Renders an InspectReport: a table for people and JSON for machines. The
// JSON follows docs/inspect-json.md; its schema is
// docs/schemas/inspect-v1.schema.json.
#ifndef CINCH_REPORT_INSPECT_REPORT_H_
#define CINCH_REPORT_INSPECT_REPORT_H_

#include <string>

#include "analyze/inspect.h"

namespace cinch {

inline constexpr int kInspectSchemaVersion = 1;

std::string InspectToJson(const InspectReport& report);

struct TextOptions {
  bool color = false;
  size_t width = 100;  // terminal columns for the created-by column
};
std::string InspectToText(const InspectReport& report,
                          const TextOptions& options);

// "1.5 GB": decimal units as docker and dive print them.
std::string HumanBytes(uint64_t bytes);

}  // namespace cinch

#endif  // CINCH_REPORT_INSPECT_REPORT_H_
