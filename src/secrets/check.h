// The checks a pattern's candidate must pass to be reported: where the
// secret sits inside the match, whether it is a placeholder, a variable
// reference or too regular to be a real credential, and how it is shown.
#ifndef CINCH_SECRETS_CHECK_H_
#define CINCH_SECRETS_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

#include "secrets/rules.h"

namespace cinch::secrets {

// The secret's bytes [begin, end) inside a match.
struct SecretSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Returns where the secret is in `match` when the candidate looks like a
// real credential of `rule`, nullopt when it is a false alarm.
std::optional<SecretSpan> CheckCandidate(const Rule& rule,
                                         std::string_view match);

// The match for display: the secret keeps a short prefix and the rest is
// masked; long matches are cut to one line of at most 80 characters.
std::string Redact(const Rule& rule, std::string_view match, SecretSpan span);

// "sha256:" prefix dropped, 16 hex digits of SHA-256(rule ID ":" secret):
// the same secret found anywhere gets the same fingerprint, and the
// fingerprint does not reveal it.
std::string Fingerprint(std::string_view rule_id, std::string_view secret);

// True for values that stand for a secret rather than being one:
// "${TOKEN}", "<password>", "changeme", "xxxxxxxx", "EXAMPLE"...
bool IsPlaceholder(std::string_view value);

}  // namespace cinch::secrets

#endif  // CINCH_SECRETS_CHECK_H_
