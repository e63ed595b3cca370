#pragma once
// Axis ticks at "nice" steps (1, 2, 2.5, 5 x 10^k) and their labels, as matplotlib picks them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace acne::io::detail {

struct axis_ticks {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> values;
  int decimals = 0;
};

inline double nice_step(double raw) {
  const double exponent = std::floor(std::log10(raw));
  const double base = std::pow(10.0, exponent);
  const double fraction = raw / base;
  double nice = 10.0;
  if (fraction <= 1.0) nice = 1.0;
  else if (fraction <= 2.0) nice = 2.0;
  else if (fraction <= 2.5) nice = 2.5;
  else if (fraction <= 5.0) nice = 5.0;
  return nice * base;
}

// Ticks covering [lo, hi] with about `target` intervals; `expand` widens the range to whole steps.
inline axis_ticks make_ticks(double lo, double hi, int target, bool integer, bool expand) {
  if (!(hi > lo)) {  // one value or degenerate: open a window around it
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  axis_ticks t;
  t.step = nice_step((hi - lo) / std::max(target, 1));
  if (integer) t.step = std::max(1.0, std::round(t.step));
  if (expand) {
    t.lo = std::floor(lo / t.step + 1e-9) * t.step;
    t.hi = std::ceil(hi / t.step - 1e-9) * t.step;
  } else {
    t.lo = lo;
    t.hi = hi;
  }
  const double first = std::ceil(t.lo / t.step - 1e-9) * t.step;
  for (double v = first; v <= t.hi + t.step * 1e-9; v += t.step) t.values.push_back(std::abs(v) < t.step * 1e-9 ? 0.0 : v);
  // Enough decimals to tell adjacent ticks apart (2.5 x 10^k needs one more).
  const double mantissa_step = t.step / std::pow(10.0, std::floor(std::log10(t.step)));
  t.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(t.step) + 1e-9)) +
                               (std::abs(mantissa_step - 2.5) < 1e-9 ? 1 : 0));
  return t;
}

inline std::string format_number(double value, int decimals) {
  char buffer[64];
  if (std::abs(value) >= 1e6 || (value != 0.0 && std::abs(value) < 1e-4 && decimals > 6))
    std::snprintf(buffer, sizeof buffer, "%.3g", value);
  else
    std::snprintf(buffer, sizeof buffer, "%.*f", std::min(decimals, 8), value);
  return buffer;
}

}  // namespace acne::io::detail
