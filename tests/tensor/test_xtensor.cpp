// The bridges between CPU tensors and xtensor (tensor/xtensor.hpp): views both ways share memory
// (a write on either side is seen on the other), carry the shape, and a read-only side stays so.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <type_traits>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "acne/backend/cpu/elementwise.hpp"
#include "acne/tensor/xtensor.hpp"

namespace test_tensor_xtensor {

using namespace acne;

namespace {
template <class C>
concept has_tensor_view = requires(C& c) { tensor_view(c); };

tensor<float> counting(const shape4& s) {
  tensor<float> t(s);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = float(i);
  return t;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(xtensor_bridge)

BOOST_AUTO_TEST_CASE(as_xtensor_is_a_view_of_the_tensor) {
  auto t = counting({2, 3, 4, 5});
  auto x = as_xtensor(t);
  BOOST_TEST(x.dimension() == 4u);
  BOOST_TEST((x.shape() == std::array<std::size_t, 4>{2, 3, 4, 5}));
  BOOST_TEST(x.data() == t.data());
  BOOST_TEST(x(1, 2, 3, 4) == t(1, 2, 3, 4));
  x(1, 0, 2, 3) = -7.0f;  // through the view into the tensor
  BOOST_TEST(t(1, 0, 2, 3) == -7.0f);
  t(0, 2, 1, 0) = 42.0f;  // and back
  BOOST_TEST(x(0, 2, 1, 0) == 42.0f);
  xt::noalias(x) = 2.0f * x;  // a whole expression assigned in place
  BOOST_TEST(t(0, 2, 1, 0) == 84.0f);
  BOOST_TEST(t[5] == 10.0f);
}

BOOST_AUTO_TEST_CASE(a_const_tensor_gives_a_read_only_view) {
  const auto t = counting({1, 2, 3, 1});
  auto x = as_xtensor(t);
  static_assert(!std::is_assignable_v<decltype(x(0, 0, 0, 0)), float>, "a const tensor's view must not be writable");
  BOOST_TEST(x.data() == t.data());
  BOOST_TEST(x(0, 1, 2, 0) == 5.0f);
  BOOST_TEST(double(xt::sum(x)()) == 15.0);
}

BOOST_AUTO_TEST_CASE(flat_views_cover_a_range_and_check_it) {
  auto t = counting({2, 2, 2, 2});
  auto x = as_xtensor_flat(t, 3, 5);
  BOOST_TEST(x.size() == 5u);
  BOOST_TEST(x(0) == 3.0f);
  x(4) = -1.0f;
  BOOST_TEST(t[7] == -1.0f);
  BOOST_CHECK_THROW(as_xtensor_flat(t, 12, 5), std::exception);
  const auto& c = t;
  BOOST_TEST(as_xtensor_flat(c, 15, 1)(0) == 15.0f);
}

BOOST_AUTO_TEST_CASE(tensor_view_shares_an_xtensor_buffer) {
  xt::xtensor<float, 2> a = {{1, 2, 3}, {4, 5, 6}};
  auto t = tensor_view(a);
  BOOST_TEST(t.is_view());
  BOOST_TEST(t.shape() == (shape4{2, 3, 1, 1}));
  BOOST_TEST(t.data() == a.data());
  t(1, 2, 0, 0) = 60.0f;  // tensor -> container
  BOOST_TEST(a(1, 2) == 60.0f);
  a(0, 1) = 20.0f;  // container -> tensor
  BOOST_TEST(t[1] == 20.0f);
  scale(t, 0.5f);  // a backend op on the view works on the container's memory
  BOOST_TEST(a(0, 1) == 10.0f);
  BOOST_TEST(a(1, 2) == 30.0f);
  auto row = t.view({1, 3, 1, 1}, 3);  // a view of the view is still the container's
  row[0] = -4.0f;
  BOOST_TEST(a(1, 0) == -4.0f);
}

BOOST_AUTO_TEST_CASE(tensor_view_fills_missing_trailing_dims) {
  xt::xtensor<double, 1> v = {1, 2, 3, 4, 5};
  BOOST_TEST(tensor_view(v).shape() == (shape4{5, 1, 1, 1}));
  xt::xtensor<float, 4> f = xt::zeros<float>({2, 3, 4, 5});
  auto t4 = tensor_view(f);
  BOOST_TEST(t4.shape() == (shape4{2, 3, 4, 5}));
  t4(1, 2, 3, 4) = 9.0f;
  BOOST_TEST(f(1, 2, 3, 4) == 9.0f);
  xt::xarray<float> r = xt::ones<float>({2, 2, 2});
  BOOST_TEST(tensor_view(r).shape() == (shape4{2, 2, 2, 1}));
}

BOOST_AUTO_TEST_CASE(assigning_into_a_tensor_view_writes_the_container) {
  xt::xtensor<float, 2> a = xt::zeros<float>({2, 2});
  auto t = tensor_view(a);
  const auto values = counting({2, 2, 1, 1});
  t = values;  // copy-assigning into a view writes through it (moving into one rebinds it)
  BOOST_TEST(t.data() == a.data());
  BOOST_TEST(a(1, 1) == 3.0f);
}

BOOST_AUTO_TEST_CASE(tensor_view_refuses_what_it_cannot_share) {
  xt::xarray<float, xt::layout_type::dynamic> cm(std::vector<std::size_t>{2, 3}, 0.0f, xt::layout_type::column_major);
  BOOST_CHECK_THROW(tensor_view(cm), std::exception);
  xt::xarray<float> rank5 = xt::zeros<float>({1, 1, 1, 1, 2});
  BOOST_CHECK_THROW(tensor_view(rank5), std::exception);
  // A tensor has no read-only form: a const container has no tensor view.
  static_assert(!has_tensor_view<const xt::xtensor<float, 2>>);
  static_assert(has_tensor_view<xt::xtensor<float, 2>>);
}

BOOST_AUTO_TEST_CASE(from_xtensor_copies) {
  xt::xtensor<float, 2> a = {{1, 2}, {3, 4}};
  auto t = from_xtensor<float>(a);
  BOOST_TEST(t.shape() == (shape4{2, 2, 1, 1}));
  BOOST_TEST(t.data() != a.data());
  a(0, 0) = 100.0f;
  BOOST_TEST(t[0] == 1.0f);
  BOOST_TEST(t[3] == 4.0f);
}

BOOST_AUTO_TEST_CASE(borrowed_memory_is_not_freed_by_the_view) {
  std::vector<float> owner(6, 1.0f);
  {
    auto t = tensor<float>::borrow(owner.data(), {2, 3, 1, 1});
    fill(t, 2.0f);
    auto copy = t;  // a copy of a view is deep and owns its memory
    copy[0] = 5.0f;
    BOOST_TEST(!copy.is_view());
    BOOST_TEST(owner[0] == 2.0f);
  }
  BOOST_TEST(owner[5] == 2.0f);  // still ours after the views are gone
  BOOST_CHECK_THROW(tensor<float>::borrow(nullptr, {1, 1, 1, 1}), std::exception);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_tensor_xtensor
