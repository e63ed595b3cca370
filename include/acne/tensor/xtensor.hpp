#pragma once
// Zero-copy bridges between CPU tensors and xtensor expressions.
#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "acne/tensor/tensor.hpp"

namespace acne {

// An xtensor view of the 4-D data (no copy: writes go to the tensor).
template <class T>
auto as_xtensor(tensor<T, cpu>& t) {
  const auto& s = t.shape();
  return xt::adapt(t.data(), t.size(), xt::no_ownership(), std::array<std::size_t, 4>{s.n, s.c, s.h, s.w});
}
template <class T>
auto as_xtensor(const tensor<T, cpu>& t) {
  const auto& s = t.shape();
  return xt::adapt(t.data(), t.size(), xt::no_ownership(), std::array<std::size_t, 4>{s.n, s.c, s.h, s.w});
}

// A tensor holding a copy of a rank-1..4 xtensor expression (missing trailing dims become 1).
template <class T, class E>
tensor<T, cpu> from_xtensor(const xt::xexpression<E>& expr) {
  auto&& e = xt::eval(expr.derived_cast());
  shape4 s{1, 1, 1, 1};
  std::size_t* dims[] = {&s.n, &s.c, &s.h, &s.w};
  ACNE_CHECK(e.dimension() >= 1 && e.dimension() <= 4, "from_xtensor: rank " << e.dimension() << " not in 1..4");
  for (std::size_t i = 0; i < e.dimension(); ++i) *dims[i] = e.shape()[i];
  tensor<T, cpu> t(s);
  std::copy(e.begin(), e.end(), t.begin());
  return t;
}

}  // namespace acne
