#include "secrets/names.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace cinch::secrets {
namespace {

// Splits an identifier into lower-case words at '_', '-', '.' and
// camelCase boundaries: "awsSecretAccess_KEY" -> aws secret access key.
std::vector<std::string> NameWords(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool boundary = c == '_' || c == '-' || c == '.';
    bool camel =
        i > 0 && std::isupper(uint8_t(c)) && std::islower(uint8_t(name[i - 1]));
    if ((boundary || camel) && !cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
    if (!boundary) cur += char(std::tolower(uint8_t(c)));
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  std::vector<std::string> w = NameWords(name);
  auto has = [&](std::string_view s) {
    return std::find(w.begin(), w.end(), s) != w.end();
  };
  for (std::string_view safe :
       {"file",    "path",     "dir",      "url",      "uri",
        "host",    "port",     "user",     "username", "id",
        "public",  "pub",      "name",     "type",     "length",
        "size",    "version",  "enabled",  "mode",     "env",
        "header",  "method",   "endpoint", "format",   "algorithm",
        "policy",  "provider", "server",   "gpg",      "fingerprint",
        "keyring", "keyserver"}) {
    if (has(safe) && !(safe == "id" && has("access"))) return false;
  }
  for (std::string_view s :
       {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token",
        "apikey", "credential", "credentials", "auth", "privatekey"}) {
    if (has(s)) return true;
  }
  // "key" alone is too common (GPG_KEY, KEY_ID); qualified keys are not.
  if (has("key")) {
    for (std::string_view q :
         {"api", "access", "private", "secret", "signing", "master",
          "encryption", "ssh", "client", "license", "service"}) {
      if (has(q)) return true;
    }
  }
  return name.ends_with("_KEY") && (has("aws") || has("stripe"));
}

}  // namespace cinch::secrets
