// Whether a variable's name says it holds a credential: the one judgement
// behind the linter's ARG/ENV rule, the image-config check and slim's
// removal of secret Env entries.
#ifndef CINCH_SECRETS_NAMES_H_
#define CINCH_SECRETS_NAMES_H_

#include <string_view>

namespace cinch::secrets {

// "DB_PASSWORD", "githubToken", "AWS_SECRET_ACCESS_KEY": true. Names that
// point at a credential instead of holding one ("TOKEN_FILE",
// "SSH_KEY_PATH", "GPG_KEY_ID", "PUBLIC_KEY") and bare "KEY" are false.
// Words are split at '_', '-', '.' and camelCase boundaries.
bool IsSecretName(std::string_view name);

}  // namespace cinch::secrets

#endif  // CINCH_SECRETS_NAMES_H_
