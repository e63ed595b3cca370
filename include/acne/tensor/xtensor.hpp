#pragma once
// Zero-copy bridges between CPU tensors and xtensor expressions, both ways.
#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include <xtensor/xadapt.hpp>
#include <xtensor/xcontainer.hpp>
#include <xtensor/xeval.hpp>
#include <xtensor/xlayout.hpp>
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

// A rank-1 view of `count` elements from `first`: the backend's kernels work on flat ranges, and a
// fixed-rank row-major adaptor is what xtensor assigns with one linear (SIMD) loop.
template <class T>
auto as_xtensor_flat(T* data, std::size_t count) {
  return xt::adapt(data, count, xt::no_ownership(), std::array<std::size_t, 1>{count});
}
template <class T>
auto as_xtensor_flat(tensor<T, cpu>& t, std::size_t first, std::size_t count) {
  ACNE_CHECK(first + count <= t.size(), "as_xtensor_flat: [" << first << ", " << first + count << ") of " << t.shape());
  return as_xtensor_flat(t.data() + first, count);
}
template <class T>
auto as_xtensor_flat(const tensor<T, cpu>& t, std::size_t first, std::size_t count) {
  ACNE_CHECK(first + count <= t.size(), "as_xtensor_flat: [" << first << ", " << first + count << ") of " << t.shape());
  return as_xtensor_flat(t.data() + first, count);
}

// The other way without a copy: a tensor view of a row-major xtensor container's (or adaptor's)
// buffer, rank 1..4, missing trailing dims 1. The container must outlive the view and must not be
// resized while it is used. A tensor has no read-only form, so a const container is refused: copy
// it with from_xtensor instead.
template <class E>
  requires std::is_base_of_v<xt::xcontainer<E>, E>
tensor<typename E::value_type, cpu> tensor_view(E& e) {
  ACNE_CHECK(e.dimension() >= 1 && e.dimension() <= 4, "tensor_view: rank " << e.dimension() << " not in 1..4");
  ACNE_CHECK(e.layout() == xt::layout_type::row_major, "tensor_view: the container is not row-major");
  shape4 s{1, 1, 1, 1};
  std::size_t* dims[] = {&s.n, &s.c, &s.h, &s.w};
  for (std::size_t i = 0; i < e.dimension(); ++i) *dims[i] = e.shape()[i];
  return tensor<typename E::value_type, cpu>::borrow(e.data(), s);
}
template <class E>
  requires std::is_base_of_v<xt::xcontainer<E>, E>
void tensor_view(const E& e) = delete;

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
