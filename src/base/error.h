// Errors as values. Bad input is normal input for cinch: every function that
// reads outside data returns a Result or a Status instead of throwing.
#ifndef CINCH_BASE_ERROR_H_
#define CINCH_BASE_ERROR_H_

#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace cinch {

// What went wrong, in words a user can act on. Messages name the file, the
// layer and the offset where the reader knows them; callers add context as
// the error travels outwards (see Error::In).
struct Error {
  std::string message;

  // Returns this error with `where` prepended, as "where: message".
  Error In(std::string_view where) const& {
    return Error{fmt::format("{}: {}", where, message)};
  }
  Error In(std::string_view where) && {
    return Error{fmt::format("{}: {}", where, message)};
  }
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

// Builds an unexpected error from a format string.
template <typename... Args>
std::unexpected<Error> Fail(fmt::format_string<Args...> f, Args&&... args) {
  return std::unexpected(Error{fmt::format(f, std::forward<Args>(args)...)});
}

inline std::unexpected<Error> Fail(Error e) {
  return std::unexpected(std::move(e));
}

}  // namespace cinch

// Evaluates `expr` (a Status); returns its error from the enclosing function.
#define CINCH_TRY(expr)                                         \
  do {                                                          \
    if (auto cinch_status_ = (expr); !cinch_status_) {          \
      return std::unexpected(std::move(cinch_status_).error()); \
    }                                                           \
  } while (false)

// Evaluates `expr` (a Result); on error returns it from the enclosing
// function, else assigns the value to `lhs`, which may be a declaration.
#define CINCH_ASSIGN(lhs, expr) \
  CINCH_ASSIGN_IMPL_(CINCH_CONCAT_(cinch_result_, __LINE__), lhs, expr)
#define CINCH_ASSIGN_IMPL_(tmp, lhs, expr)                  \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
#define CINCH_CONCAT_(a, b) CINCH_CONCAT2_(a, b)
#define CINCH_CONCAT2_(a, b) a##b

#endif  // CINCH_BASE_ERROR_H_
