// The secret rules: well-known credential formats, each a pattern in the
// Hyperscan/Vectorscan dialect (a PCRE subset without back-references or
// look-arounds) plus a check in C++ that a candidate must pass before it
// is reported. Patterns find candidates fast in one pass; the checks keep
// false alarms down (placeholders, variable references, low entropy).
#ifndef CINCH_SECRETS_RULES_H_
#define CINCH_SECRETS_RULES_H_

#include <span>
#include <string_view>

#include "lint/finding.h"

namespace cinch::secrets {

// How the secret itself sits inside a pattern's match; it decides what is
// redacted, fingerprinted and checked for entropy.
enum class SecretPart {
  kWhole,        // the match is the token (ghp_..., AKIA...)
  kValue,        // after the first ':' or '=' (keyword assignments)
  kUrlPassword,  // between "scheme://user:" and "@"
  kKeyBody,      // a private key: the header names it, the body is secret
  kQuoted,       // the last double-quoted string of the match
};

struct Rule {
  std::string_view id;     // stable finding ID, e.g. "CH1001"
  std::string_view slug;   // readable name, e.g. "aws-access-key-id"
  std::string_view title;  // what was found, for messages
  Severity severity;
  std::string_view pattern;  // Hyperscan syntax
  bool caseless = false;
  SecretPart part = SecretPart::kWhole;
  // Minimum Shannon entropy (bits per character) of the secret; 0 skips
  // the test. Generic rules need it, fixed-prefix tokens do not.
  double min_entropy = 0;
  // Longest match the pattern can produce; bounds the bytes kept behind
  // the scan position to recover a match (see Scanner).
  size_t max_length = 256;
};

// Every rule, in ID order.
std::span<const Rule> Rules();
// By ID or slug; null when unknown.
const Rule* FindRule(std::string_view id_or_slug);

}  // namespace cinch::secrets

#endif  // CINCH_SECRETS_RULES_H_
