#pragma once
// The one exception type of the library, and the check macros that raise it with file:line.
#include <sstream>
#include <stdexcept>
#include <string>

namespace acne {

class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] inline void throw_error(const char* file, int line, const std::string& message) {
  std::ostringstream out;
  out << message << " [" << file << ":" << line << "]";
  throw error(out.str());
}
}  // namespace detail

}  // namespace acne

// ACNE_CHECK(cond, "text" << value << ...): throws acne::error naming the failed condition's message.
#define ACNE_CHECK(cond, msg)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::ostringstream acne_check_stream_;                                   \
      acne_check_stream_ << msg;                                               \
      ::acne::detail::throw_error(__FILE__, __LINE__, acne_check_stream_.str()); \
    }                                                                          \
  } while (false)

#define ACNE_THROW(msg) ACNE_CHECK(false, msg)
