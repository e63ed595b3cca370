#pragma once
// Numbers on a command line, read whole and checked: "12abc", "-3" for a count, "nan" or a negative
// rate are refused naming the flag, as bad usage (exit status 2), before any work starts.
#include <cmath>
#include <stdexcept>
#include <string>

namespace acne::cli {

// Bad arguments: the programs print it with their usage and exit with 2.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

inline unsigned long long whole_number(const std::string& flag, const std::string& text, bool positive) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || text[0] == '-' || used != text.size() || (positive && v == 0))
    throw usage_error(flag + " needs a " + (positive ? "positive " : "") + "whole number, got '" + text + "'");
  return v;
}

enum class number_sign { any, non_negative, positive };

inline double real_number(const std::string& flag, const std::string& text, number_sign sign = number_sign::non_negative) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const bool sign_ok = sign == number_sign::any || (sign == number_sign::non_negative ? v >= 0 : v > 0);
  if (text.empty() || used != text.size() || !std::isfinite(v) || !sign_ok)
    throw usage_error(flag + " needs a " +
                      (sign == number_sign::any ? "" : sign == number_sign::positive ? "positive " : "non-negative ") +
                      "number, got '" + text + "'");
  return v;
}

}  // namespace acne::cli
