#include "secrets/rules.h"

#include <array>

namespace cinch::secrets {
namespace {

// Characters that may follow a keyword before its value: `key = "v"`,
// `"key": "v"`, `key := v`, `key => v`.
#define CINCH_ASSIGN_SEP R"re(["']?\s{0,4}(?::=|=>|==|:|=)\s{0,4}["']?)re"

constexpr auto kRules = std::to_array<Rule>({
    {"CH1001", "aws-access-key-id", "AWS access key ID", Severity::kError,
     R"re(\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b)re", false,
     SecretPart::kWhole, 3.0, 24},
    {"CH1002", "aws-secret-access-key", "AWS secret access key",
     Severity::kError,
     R"re((?i:aws)[A-Za-z0-9_.\-]{0,20}(?i:secret)[A-Za-z0-9_.\-]{0,20})re" CINCH_ASSIGN_SEP
     R"re([A-Za-z0-9/+]{40}\b)re",
     false, SecretPart::kValue, 4.0, 120},
    {"CH1003", "gcp-service-account-key", "GCP service-account key file",
     Severity::kError, R"re("type"\s{0,4}:\s{0,4}"service_account")re", false,
     SecretPart::kQuoted, 0, 40},
    {"CH1004", "gcp-api-key", "Google API key", Severity::kWarning,
     R"re(\bAIza[0-9A-Za-z_\-]{35}\b)re", false, SecretPart::kWhole, 3.5, 40},
    {"CH1005", "azure-storage-account-key", "Azure storage account key",
     Severity::kError,
     R"re((?i:AccountKey)\s{0,2}=\s{0,2}[A-Za-z0-9+/]{86}==)re", false,
     SecretPart::kValue, 4.0, 110},
    {"CH1006", "azure-ad-client-secret", "Azure AD client secret",
     Severity::kError,
     R"re((?:^|[^A-Za-z0-9_~.\-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34}(?:[^A-Za-z0-9_~.\-]|$))re",
     false, SecretPart::kWhole, 3.0, 48},
    {"CH1007", "github-token", "GitHub token", Severity::kError,
     R"re(\bgh[pousr]_[A-Za-z0-9]{36}\b)re", false, SecretPart::kWhole, 3.0,
     44},
    {"CH1008", "github-fine-grained-token", "GitHub fine-grained token",
     Severity::kError, R"re(\bgithub_pat_[A-Za-z0-9_]{82}\b)re", false,
     SecretPart::kWhole, 3.0, 96},
    {"CH1009", "gitlab-token", "GitLab token", Severity::kError,
     R"re(\b(?:gl(?:pat|ptt|rt|dt|ft|imt|oas|cbt|soat|agent|ffct|feed)-|GR1348941)[A-Za-z0-9_\-]{20,300}(?:\.[0-9a-z]{9})?)re",
     false, SecretPart::kWhole, 3.0, 330},
    {"CH1010", "slack-token", "Slack token", Severity::kError,
     R"re(\bxox[abposre](?:\.xox[bp])?-[0-9]{1,16}-[0-9A-Za-z\-]{10,250})re",
     false, SecretPart::kWhole, 3.0, 280},
    {"CH1011", "slack-app-token", "Slack app-level token", Severity::kError,
     R"re(\bxapp-[0-9]-[A-Z0-9]{6,16}-[0-9]{6,16}-[a-z0-9]{32,80})re", false,
     SecretPart::kWhole, 3.0, 130},
    {"CH1012", "slack-webhook-url", "Slack webhook URL", Severity::kError,
     R"re(hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{30,120})re",
     false, SecretPart::kWhole, 3.0, 150},
    {"CH1013", "stripe-secret-key", "Stripe secret key", Severity::kError,
     R"re(\b[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,120}\b)re", false,
     SecretPart::kWhole, 3.0, 130},
    {"CH1014", "npm-token", "npm access token", Severity::kError,
     R"re(\bnpm_[A-Za-z0-9]{36}\b)re", false, SecretPart::kWhole, 3.0, 40},
    {"CH1015", "npmrc-auth", "npm registry credential (.npmrc)",
     Severity::kError,
     R"re(\b(?i:_auth(?:Token)?)\s{0,4}=\s{0,4}[A-Za-z0-9+/=_\-.:]{16,512}(?:[\s"']|$))re",
     false, SecretPart::kValue, 3.0, 540},
    {"CH1016", "pypi-token", "PyPI upload token", Severity::kError,
     R"re(\bpypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,1000})re",
     false, SecretPart::kWhole, 3.0, 1030},
    {"CH1017", "docker-config-auth", "registry credential (Docker config.json)",
     Severity::kError, R"re("auth"\s{0,4}:\s{0,4}"[A-Za-z0-9+/=]{8,1024}")re",
     false, SecretPart::kQuoted, 0, 1050},
    {"CH1018", "private-key", "private key", Severity::kError,
     R"re(-----BEGIN[ A-Z0-9]{0,32}PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|[\r\n \t]){1,8}(?:[A-Za-z\-]{1,32}:[^\r\n]{0,128}(?:\\[rn]|[\r\n]){1,2}){0,6}(?:\\[rn]|[\r\n \t]){0,4}[A-Za-z0-9+/=]{40})re",
     false, SecretPart::kKeyBody, 0, 1200},
    {"CH1019", "jwt", "JSON Web Token", Severity::kWarning,
     R"re(\beyJ[A-Za-z0-9_\-]{8,1024}\.eyJ[A-Za-z0-9_\-]{8,2048}(?:\.[A-Za-z0-9_\-]{8,512})?)re",
     false, SecretPart::kWhole, 3.0, 7200},
    {"CH1020", "database-url-password", "database URL with a password",
     Severity::kError,
     R"re(\b(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|couchdb|clickhouse)://[^\s:/@"'<>]{1,64}:[^\s:/@"'<>]{1,128}@[A-Za-z0-9.\-_\[\]]{1,255})re",
     false, SecretPart::kUrlPassword, 0, 480},
    {"CH1021", "generic-secret-assignment",
     "secret-looking value assigned to a secret-named key", Severity::kWarning,
     R"re((?i:pass(?:word|wd)?|pwd|secret|token|api[_.\-]?key|access[_.\-]?key|auth[_.\-]?key|private[_.\-]?key|credentials?)[A-Za-z0-9_.\-]{0,24})re" CINCH_ASSIGN_SEP
     R"re([A-Za-z0-9/+_\-.=~!@#%^*]{12,256})re",
     false, SecretPart::kValue, 3.5, 320},
    {"CH1022", "openai-api-key", "OpenAI API key", Severity::kError,
     R"re(\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,200}T3BlbkFJ[A-Za-z0-9_\-]{20,200})re",
     false, SecretPart::kWhole, 3.0, 420},
    {"CH1023", "anthropic-api-key", "Anthropic API key", Severity::kError,
     R"re(\bsk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,120})re", false,
     SecretPart::kWhole, 3.0, 140},
    {"CH1024", "huggingface-token", "Hugging Face token", Severity::kError,
     R"re(\bhf_[A-Za-z]{34}\b)re", false, SecretPart::kWhole, 3.5, 40},
    {"CH1025", "sendgrid-api-key", "SendGrid API key", Severity::kError,
     R"re(\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b)re", false,
     SecretPart::kWhole, 3.0, 72},
    {"CH1026", "twilio-api-key", "Twilio API key", Severity::kError,
     R"re(\bSK[0-9a-fA-F]{32}\b)re", false, SecretPart::kWhole, 3.0, 36},
});

#undef CINCH_ASSIGN_SEP

}  // namespace

std::span<const Rule> Rules() { return kRules; }

const Rule* FindRule(std::string_view id_or_slug) {
  for (const Rule& r : kRules) {
    if (r.id == id_or_slug || r.slug == id_or_slug) return &r;
  }
  return nullptr;
}

}  // namespace cinch::secrets
