// Custom rules through libjq (jq 1.6, Debian's libjq-dev): the program is
// compiled once per call and run over the facts document.
// jq 1.6's headers declare C functions without extern "C".
extern "C" {
#include <jq.h>
#include <jv.h>
}

#include <memory>

#include "policy/policy.h"

namespace cinch::policy {
namespace {

// A program may yield without end ("repeat(1)"); stop counting there.
constexpr size_t kMaxOutputs = 10000;

struct JqDeleter {
  void operator()(jq_state* jq) const { jq_teardown(&jq); }
};

// jq reports compile errors through this callback (it prints to stderr
// when none is set); keep the first.
void OnError(void* data, jv message) {
  auto* out = static_cast<std::string*>(data);
  if (out->empty()) {
    if (jv_get_kind(message) == JV_KIND_STRING) {
      *out = jv_string_value(message);
    } else {
      jv text = jv_dump_string(jv_copy(message), 0);
      *out = jv_string_value(text);
      jv_free(text);
    }
  }
  jv_free(message);
}

std::string DumpJv(jv value) {
  jv text = jv_dump_string(value, 0);
  std::string out = jv_string_value(text);
  jv_free(text);
  return out;
}

}  // namespace

Result<std::vector<nlohmann::json>> RunJq(std::string_view program,
                                          const nlohmann::json& input) {
  std::unique_ptr<jq_state, JqDeleter> jq(jq_init());
  if (!jq) return Fail("jq: out of memory");
  std::string error;
  jq_set_error_cb(jq.get(), OnError, &error);
  std::string text(program);
  if (!jq_compile(jq.get(), text.c_str())) {
    return Fail("jq program does not compile: {}",
                error.empty() ? "syntax error" : error);
  }
  jv parsed = jv_parse(input.dump().c_str());
  if (!jv_is_valid(parsed)) {
    jv_free(parsed);
    return Fail("jq: the input is not JSON");
  }
  jq_start(jq.get(), parsed, 0);
  std::vector<nlohmann::json> outputs;
  for (;;) {
    jv result = jq_next(jq.get());
    if (!jv_is_valid(result)) {
      if (jv_invalid_has_msg(jv_copy(result))) {
        jv message = jv_invalid_get_msg(result);
        std::string what = jv_get_kind(message) == JV_KIND_STRING
                               ? std::string(jv_string_value(message))
                               : DumpJv(jv_copy(message));
        jv_free(message);
        return Fail("jq: {}", what);
      }
      jv_free(result);
      break;
    }
    if (outputs.size() == kMaxOutputs) {
      jv_free(result);
      return Fail("jq: more than {} outputs", kMaxOutputs);
    }
    outputs.push_back(nlohmann::json::parse(DumpJv(result), nullptr, false));
  }
  return outputs;
}

}  // namespace cinch::policy
