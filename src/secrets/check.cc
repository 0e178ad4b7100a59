#include "secrets/check.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "base/sha256.h"
#include "secrets/engine.h"

namespace cinch::secrets {
namespace {

// Characters that surround a token without being part of it.
constexpr std::string_view kSeparators = " \t\r\n\"'`=:,;<>()[]{}\\";

bool IsSeparator(char c) {
  return kSeparators.find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

SecretSpan TrimSpan(std::string_view match, SecretSpan s,
                    std::string_view extra_trailing = "") {
  while (s.begin < s.end && IsSeparator(match[s.begin])) ++s.begin;
  while (s.end > s.begin &&
         (IsSeparator(match[s.end - 1]) ||
          extra_trailing.find(match[s.end - 1]) != std::string_view::npos)) {
    --s.end;
  }
  return s;
}

std::optional<SecretSpan> ValueSpan(std::string_view match) {
  size_t sep = match.find_first_of(":=");
  if (sep == std::string_view::npos) return std::nullopt;
  size_t begin = match.find_first_not_of(":=> \t\"'", sep);
  if (begin == std::string_view::npos) return std::nullopt;
  return TrimSpan(match, {begin, match.size()}, ".");
}

std::optional<SecretSpan> UrlPasswordSpan(std::string_view match) {
  size_t scheme = match.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  size_t colon = match.find(':', scheme + 3);
  size_t at = match.find('@', colon);
  if (colon == std::string_view::npos || at == std::string_view::npos) {
    return std::nullopt;
  }
  return SecretSpan{colon + 1, at};
}

std::optional<SecretSpan> KeyBodySpan(std::string_view match) {
  constexpr std::string_view kDashes = "-----";
  size_t close = match.find(kDashes, kDashes.size());
  if (close == std::string_view::npos) return std::nullopt;
  return SecretSpan{close + kDashes.size(), match.size()};
}

std::optional<SecretSpan> LastQuotedSpan(std::string_view match) {
  size_t close = match.rfind('"');
  if (close == std::string_view::npos || close == 0) return std::nullopt;
  size_t open = match.rfind('"', close - 1);
  if (open == std::string_view::npos) return std::nullopt;
  return SecretSpan{open + 1, close};
}

std::optional<SecretSpan> Locate(const Rule& rule, std::string_view match) {
  switch (rule.part) {
    case SecretPart::kWhole:
      return TrimSpan(match, {0, match.size()});
    case SecretPart::kValue:
      return ValueSpan(match);
    case SecretPart::kUrlPassword:
      return UrlPasswordSpan(match);
    case SecretPart::kKeyBody:
      return KeyBodySpan(match);
    case SecretPart::kQuoted:
      return LastQuotedSpan(match);
  }
  return std::nullopt;
}

// Decodes standard or URL-safe base64, padding optional; nullopt on a
// character outside both alphabets.
std::optional<std::string> DecodeBase64(std::string_view in) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(char((bits >> count) & 0xff));
    }
  }
  return out;
}

bool HasLetterAndDigit(std::string_view s) {
  bool letter = false, digit = false;
  for (char c : s) {
    letter |= std::isalpha(static_cast<unsigned char>(c)) != 0;
    digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  return letter && digit;
}

// A value a program computes or looks up rather than a literal secret:
// "os.environ.get", "/run/secrets/db", "config.Token".
bool LooksLikeCode(std::string_view v) {
  if (v.starts_with("/") || v.starts_with("./") || v.starts_with("~/")) {
    return true;
  }
  return std::count(v.begin(), v.end(), '.') >= 2 && !HasLetterAndDigit(v);
}

// The extra test of rules whose format carries structure to verify.
bool PassesFormatCheck(const Rule& rule, std::string_view secret) {
  if (rule.slug == "docker-config-auth") {
    auto decoded = DecodeBase64(secret);
    if (!decoded) return false;
    size_t colon = decoded->find(':');
    return colon != std::string::npos && colon > 0 &&
           colon + 1 < decoded->size() && !IsPlaceholder(*decoded);
  }
  if (rule.slug == "jwt") {
    auto header = DecodeBase64(secret.substr(0, secret.find('.')));
    return header && header->starts_with("{") &&
           (header->find("\"alg") != std::string::npos ||
            header->find("\"typ") != std::string::npos);
  }
  if (rule.slug == "generic-secret-assignment") {
    return secret.size() >= 12 && HasLetterAndDigit(secret) &&
           !LooksLikeCode(secret);
  }
  if (rule.slug == "database-url-password") {
    return !secret.empty() && secret.size() >= 3;
  }
  return true;
}

// A keyword assignment whose key names something about a secret rather
// than the secret: "credentialsId", "SECRET_NAME", "token_url".
bool KeyNamesMetadata(std::string_view match) {
  std::string key = Lower(match.substr(0, match.find_first_of(":=")));
  while (!key.empty() && std::string_view(" \t\"'").find(key.back()) !=
                             std::string_view::npos) {
    key.pop_back();
  }
  static constexpr std::array<std::string_view, 16> kSuffixes = {
      "id",   "name", "length", "url",   "uri",    "path",  "file", "dir",
      "type", "size", "count",  "field", "prefix", "label", "ref",  "version"};
  for (std::string_view suffix : kSuffixes) {
    if (key.ends_with(suffix)) return true;
  }
  return false;
}

}  // namespace

bool IsPlaceholder(std::string_view value) {
  static constexpr std::array<std::string_view, 18> kMarkers = {
      "example", "xxxxx", "${",       "{{",          "$(",       "%(",
      "<",       ">",     "changeme", "placeholder", "redacted", "your_",
      "your-",   "dummy", "abcdefgh", "12345678",    "*****",    "password"};
  std::string lower = Lower(value);
  for (std::string_view m : kMarkers) {
    if (lower.find(m) != std::string::npos) return true;
  }
  if (lower.starts_with("$")) return true;
  // Six or more of one character in a row: "aaaaaa", "000000".
  int run = 1;
  for (size_t i = 1; i < lower.size(); ++i) {
    run = lower[i] == lower[i - 1] ? run + 1 : 1;
    if (run >= 6) return true;
  }
  static constexpr std::array<std::string_view, 8> kWords = {
      "pass", "passwd", "secret", "token", "null", "none", "true", "false"};
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

std::optional<SecretSpan> CheckCandidate(const Rule& rule,
                                         std::string_view match) {
  std::optional<SecretSpan> span = Locate(rule, match);
  if (!span || span->end <= span->begin) return std::nullopt;
  std::string_view secret = match.substr(span->begin, span->end - span->begin);
  bool structural = rule.part == SecretPart::kKeyBody ||
                    rule.slug == "gcp-service-account-key";
  if (!structural && IsPlaceholder(secret)) return std::nullopt;
  if (rule.min_entropy > 0 && ShannonEntropy(secret) < rule.min_entropy) {
    return std::nullopt;
  }
  if (!PassesFormatCheck(rule, secret)) return std::nullopt;
  if (rule.slug == "generic-secret-assignment" && KeyNamesMetadata(match)) {
    return std::nullopt;
  }
  return span;
}

std::string Redact(const Rule& rule, std::string_view match, SecretSpan span) {
  std::string_view secret = match.substr(span.begin, span.end - span.begin);
  size_t keep = rule.part == SecretPart::kKeyBody
                    ? 0
                    : std::min<size_t>(4, secret.size() / 4);
  std::string out(match.substr(0, span.begin));
  out += secret.substr(0, keep);
  out += "********";
  if (rule.part != SecretPart::kKeyBody) out += match.substr(span.end);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  constexpr size_t kMaxShown = 80;
  if (out.size() > kMaxShown) out = out.substr(0, kMaxShown - 3) + "...";
  return out;
}

std::string Fingerprint(std::string_view rule_id, std::string_view secret) {
  std::string digest = Sha256Digest(fmt::format("{}:{}", rule_id, secret));
  return digest.substr(digest.find(':') + 1, 16);
}

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double entropy = 0;
  double n = double(s.size());
  for (size_t count : counts) {
    if (count == 0) continue;
    double p = double(count) / n;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

}  // namespace cinch::secrets
