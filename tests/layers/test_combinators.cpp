// The combinators' own contracts: residual and choice against finite differences, the tangent
// passes of sequential, repeated, sum_of, choice and styled_chain against central differences of
// forward and backward, styled_chain's slicing of ws, parameter names under inlined parts, lookup of a part by name, the empty chain;
// the buffers they share: in-place activations and gradients borrowed from the pool.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "acne/gradcheck.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/branches.hpp"
#include "acne/layers/choice.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/residual.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/layers/stylegan/equalized_conv2d.hpp"
#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/layers/stylegan/learned_const.hpp"
#include "acne/layers/stylegan/synthesis_layer.hpp"
#include "acne/tensor/buffer_pool.hpp"

#include "support/layer_gradients.hpp"
#include "support/styled_probe.hpp"

namespace test_layers_combinators {

using namespace acne;
using T = double;

namespace {
using acne::test::normal_tensor;

// Parameters drawn from N(0, 1) rather than the initialiser, so zero biases are exercised too.
template <class L>
void randomize(network<L>& net, shape4 in, std::uint64_t seed) {
  net.setup(in, seed);
  std::mt19937_64 gen(seed + 11);
  std::normal_distribution<double> d;
  for (auto& s : net.slots())
    if (s.trainable())
      for (auto& v : *s.value) v = d(gen);
}

template <class L>
double gradient_error(L layer, shape4 in) {
  network<L> net(std::move(layer));
  randomize(net, in, 1);
  return check_gradients(net, normal_tensor(in, 2)).worst();
}

// max |a - b| / max(1, max |b|).
double relative_error(const tensor<T>& a, const tensor<T>& b) {
  double worst = 0, scale = 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return worst / scale;
}

// The tangent passes against central differences along (tx, tdy): forward_tangent against those of
// the output, backward_tangent against those of dL/dx and of the parameter gradients.
template <class L>
double tangent_error(L layer, shape4 in) {
  network<L> net(std::move(layer));
  randomize(net, in, 3);
  const auto x = normal_tensor(in, 4), tx = normal_tensor(in, 5);
  const auto dy = normal_tensor(net.output_shape(), 6), tdy = normal_tensor(net.output_shape(), 7);
  const double h = 1e-5;
  const auto at = [&](double t, tensor<T>& y, tensor<T>& dx, tensor<T>& dparams) {
    tensor<T> xt = x, dyt = dy;
    axpy(t, tx, xt);
    axpy(t, tdy, dyt);
    net.zero_grad();
    y = net.forward(xt);
    dx = net.backward(dyt);
    dparams = net.gradients();
  };
  tensor<T> y_up, dx_up, dp_up, y_down, dx_down, dp_down, y, dx, dp;
  at(h, y_up, dx_up, dp_up);
  at(-h, y_down, dx_down, dp_down);
  const auto difference = [&](tensor<T> up, const tensor<T>& down) {
    axpy(-1.0, down, up);
    scale(up, 1 / (2 * h));
    return up;
  };
  at(0, y, dx, dp);
  const tensor<T> ty = net.forward_tangent(tx);
  net.zero_grad();
  const tensor<T> tdx = net.backward_tangent(dy, tdy);
  const double e_y = relative_error(ty, difference(y_up, y_down));
  const double e_dx = relative_error(tdx, difference(dx_up, dx_down));
  const double e_dp = relative_error(net.gradients(), difference(dp_up, dp_down));
  BOOST_TEST_MESSAGE("tangent errors: output " << e_y << ", input gradient " << e_dx << ", parameters " << e_dp);
  return std::max({e_y, e_dx, e_dp});
}

equalized_dense<T> fc(std::size_t units, std::string name = {}) {
  return equalized_dense<T>({.units = units, .lr_mult = 0.5, .act = activation::lrelu(), .name = std::move(name)});
}
equalized_conv2d<T> conv(std::size_t filters, std::size_t down = 1, std::string name = {}) {
  return equalized_conv2d<T>({.filters = filters, .kernel = 3, .down = down, .act = activation::lrelu(),
                              .name = std::move(name)});
}
synthesis_layer<T> styled(std::size_t filters, std::size_t up, std::size_t resolution, std::string name) {
  return with_name(synthesis_layer<T>({.filters = filters, .up = up, .resolution = resolution}), std::move(name));
}
template <class Chain>
test::styled_probe<Chain> probed(Chain chain) {
  test::styled_probe<Chain> p(std::move(chain), 3);
  p.mode = noise_mode::constant;  // the same noise in every pass of the checks
  return p;
}
constexpr double tol = 1e-5;
}  // namespace

BOOST_AUTO_TEST_SUITE(combinators)

BOOST_AUTO_TEST_CASE(residual_reads_the_preactivated_or_the_raw_input) {
  using pre = inlined<sequential<batch_norm<T>, relu<T>>>;
  using block = residual<pre, conv2d<T>, choice<conv2d<T>, max_pool<T>, identity<T>>>;
  const auto make = [](choice<conv2d<T>, max_pool<T>, identity<T>> shortcut, std::size_t stride, shortcut_input from) {
    return block(pre(batch_norm<T>(), relu<T>()), conv2d<T>({.filters = 3, .stride = stride}), std::move(shortcut), from);
  };
  BOOST_TEST(gradient_error(make(conv2d<T>({.filters = 3, .kernel = 1, .stride = 2}), 2, shortcut_input::preactivated),
                            {2, 2, 6, 6}) < tol);
  BOOST_TEST(gradient_error(make(max_pool<T>(1, 2), 2, shortcut_input::raw), {2, 3, 6, 6}) < tol);
  BOOST_TEST(gradient_error(make(identity<T>(), 1, shortcut_input::raw), {2, 3, 5, 4}) < tol);
  // Identity parts are read in place, not run: the same sums.
  using in_place = residual<identity<T>, conv2d<T>, identity<T>>;
  BOOST_TEST(gradient_error(in_place({}, conv2d<T>({.filters = 3}), {}, shortcut_input::raw), {2, 3, 5, 4}) < tol);
  using in_place_pre = residual<identity<T>, conv2d<T>, conv2d<T>>;
  BOOST_TEST(gradient_error(in_place_pre({}, conv2d<T>({.filters = 3}), conv2d<T>({.filters = 3, .kernel = 1, .name = "p"}),
                                         shortcut_input::preactivated),
                            {2, 2, 5, 4}) < tol);
  network mismatched(make(identity<T>(), 1, shortcut_input::raw));
  BOOST_CHECK_THROW(mismatched.setup({2, 2, 5, 4}), std::exception);
}

// Each styled part reads its own w: the gradient of every ws channel is nonzero (a chain that fed
// one w to both layers would leave a channel unread, and its gradient zero), and the gradients
// and tangents match central differences.
BOOST_AUTO_TEST_CASE(styled_chain_gives_each_part_its_ws) {
  auto chain = styled_chain(styled(2, 2, 8, "conv0"), styled(3, 1, 8, "conv1"));
  BOOST_TEST(chain.num_ws() == 2u);
  {
    network net(probed(chain));
    randomize(net, {2, 3, 4, 4}, 8);
    net.zero_grad();
    net.forward(normal_tensor({2, 3, 4, 4}, 9));
    net.backward(normal_tensor(net.output_shape(), 10));
    const auto& slot = *std::find_if(net.slots().begin(), net.slots().end(), [](auto& s) { return s.name == "ws"; });
    const std::size_t w_dim = slot.shape.h;
    for (std::size_t n = 0; n < slot.shape.n; ++n)
      for (std::size_t k = 0; k < slot.shape.c; ++k) {
        double norm = 0;
        for (std::size_t j = 0; j < w_dim; ++j) norm += std::fabs((*slot.grad)[(n * slot.shape.c + k) * w_dim + j]);
        BOOST_TEST(norm > 0, "sample " << n << ", w " << k << " has no gradient");
      }
  }
  BOOST_TEST(gradient_error(probed(chain), {2, 3, 4, 4}) < tol);
  BOOST_TEST(tangent_error(probed(chain), {2, 3, 4, 4}) < tol);
  // A part of no ws (the learned const) reads only the batch size and takes none of the chain's ws.
  auto from_const = styled_chain(learned_const<T>(2, 4), styled(3, 1, 4, "conv1"));
  BOOST_TEST(from_const.num_ws() == 1u);
  BOOST_TEST(gradient_error(probed(from_const), {2, 1, 1, 1}) < tol);
  BOOST_TEST(tangent_error(probed(from_const), {2, 1, 1, 1}) < tol);
  network net(probed(from_const));
  net.setup({2, 1, 1, 1});
  std::vector<std::string> names;
  for (auto& slot : net.slots()) names.push_back(slot.name);
  BOOST_TEST(std::count(names.begin(), names.end(), "const") == 1);
  BOOST_TEST(std::count(names.begin(), names.end(), "conv1.affine.weight") == 1);
}

BOOST_AUTO_TEST_CASE(chains_and_branches_carry_the_tangent_contract) {
  BOOST_TEST(tangent_error(sequential(fc(4), fc(3), equalized_dense<T>({.units = 2})), {3, 5, 1, 1}) < tol);
  BOOST_TEST(tangent_error(repeated(std::vector{conv(3), conv(2, 2)}), {2, 2, 8, 8}) < tol);
  BOOST_TEST(tangent_error(sum_of(inlined(sequential(conv(3, 1, "conv0"), conv(3, 2, "conv1"))),
                                  equalized_conv2d<T>({.filters = 3, .kernel = 1, .down = 2, .bias = false, .name = "skip"})),
                           {2, 2, 8, 8}) < tol);
  BOOST_TEST(tangent_error(sequential(choice<equalized_conv2d<T>, identity<T>>(conv(2)),
                                      choice<equalized_conv2d<T>, identity<T>>(identity<T>()), fc(2)),
                           {2, 3, 4, 4}) < tol);
  static_assert(tangent_layer<sequential<equalized_dense<T>, identity<T>>>);
  static_assert(!tangent_layer<sequential<equalized_dense<T>, relu<T>>>);
}

BOOST_AUTO_TEST_CASE(inlined_parts_keep_their_parents_scope) {
  auto block = with_name(sum_of(inlined(sequential(conv(2, 1, "conv0"), conv(2, 1, "conv1"))),
                                equalized_conv2d<T>({.filters = 2, .kernel = 1, .bias = false, .name = "skip"})),
                         "b8");
  network net(sequential(std::move(block), fc(1, "out")));
  net.setup({1, 2, 4, 4});
  std::vector<std::string> names;
  for (const auto& s : net.slots()) names.push_back(s.name);
  const std::vector<std::string> expected{"b8.conv0.weight", "b8.conv0.bias", "b8.conv1.weight",
                                          "b8.conv1.bias",   "b8.skip.weight", "out.weight", "out.bias"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(parts_are_found_by_name_and_type) {
  auto net = sequential(with_name(zero_pad<T>(1), "pad"), conv2d<T>({.filters = 2, .name = "first"}),
                        conv2d<T>({.filters = 5, .name = "second"}));
  BOOST_TEST(net.find<conv2d<T>>("second").options().filters == 5u);
  BOOST_TEST(net.find<zero_pad<T>>("pad").name == "pad");
  BOOST_CHECK_THROW(net.find<conv2d<T>>("pad"), std::exception);
  BOOST_CHECK_THROW(net.find<conv2d<T>>("third"), std::exception);
}

BOOST_AUTO_TEST_CASE(an_empty_chain_is_the_identity) {
  network net(sequential(fc(3), repeated<equalized_dense<T>>()));
  BOOST_TEST(net.setup({2, 4, 1, 1}) == (shape4{2, 3, 1, 1}));
  BOOST_TEST(tangent_error(sequential(fc(3), repeated<equalized_dense<T>>()), {2, 4, 1, 1}) < tol);
}

// A relu after batch norm or conv runs in its predecessor's buffer; wrapping it in a chain of its
// own stops the sharing (a chain is not an in-place layer), so both must give the same numbers.
BOOST_AUTO_TEST_CASE(in_place_activations_give_the_numbers_of_separate_buffers) {
  using lone_relu = sequential<relu<T>>;
  using lone_leaky = sequential<leaky_relu<T>>;
  static_assert(in_place_layer<relu<T>> && !in_place_layer<lone_relu> && backward_without_output<batch_norm<T>>);
  auto shared = sequential(conv2d<T>({.filters = 4}), batch_norm<T>(), relu<T>(), conv2d<T>({.filters = 3}),
                           leaky_relu<T>(0.2), conv2d<T>({.filters = 2}));
  auto separate = sequential(conv2d<T>({.filters = 4}), batch_norm<T>(), lone_relu(relu<T>()),
                             conv2d<T>({.filters = 3}), lone_leaky(leaky_relu<T>(0.2)), conv2d<T>({.filters = 2}));
  BOOST_TEST(gradient_error(shared, {2, 3, 5, 5}) < tol);
  network a(std::move(shared));
  network b(std::move(separate));
  randomize(a, {2, 3, 5, 5}, 4);
  randomize(b, {2, 3, 5, 5}, 4);
  const auto x = normal_tensor({2, 3, 5, 5}, 5);
  const tensor<T> ya = a.forward(x), yb = b.forward(x);
  BOOST_TEST(relative_error(ya, yb) == 0.0);
  const auto dy = normal_tensor(ya.shape(), 6);
  a.zero_grad(), b.zero_grad();
  BOOST_TEST(relative_error(a.backward(dy), b.backward(dy)) == 0.0);
  BOOST_TEST(relative_error(a.gradients(), b.gradients()) == 0.0);
  BOOST_CHECK_THROW(leaky_relu<T>(-0.1), std::exception);  // its output would lose the input's sign
}

// Gradients (and a projection shortcut's output) are lent by the pool for one pass and given back:
// the pool holds them between passes, a pass allocates nothing once the pool has settled, and a
// lent buffer's old contents never reach a result (every backward pass writes every element of dx).
BOOST_AUTO_TEST_CASE(a_pass_borrows_its_gradients_from_the_pool) {
  using pre = inlined<sequential<batch_norm<T>, relu<T>>>;
  using block = residual<pre, sequential<conv2d<T>, batch_norm<T>, relu<T>, conv2d<T>>, identity<T>>;
  using projected = residual<pre, sequential<conv2d<T>, batch_norm<T>, relu<T>, conv2d<T>>, conv2d<T>>;
  const auto make_block = [](std::size_t width) {
    return block(pre(batch_norm<T>(), relu<T>()),
                 sequential(conv2d<T>({.filters = width}), batch_norm<T>(), relu<T>(), conv2d<T>({.filters = 3})),
                 identity<T>(), shortcut_input::raw);
  };
  const auto make_projection = [] {
    return projected(pre(batch_norm<T>(), relu<T>()),
                     sequential(conv2d<T>({.filters = 2}), batch_norm<T>(), relu<T>(), conv2d<T>({.filters = 4})),
                     conv2d<T>({.filters = 4, .kernel = 1, .name = "shortcut"}), shortcut_input::preactivated);
  };
  const auto make = [&] {
    return sequential(zero_pad<T>(1), conv2d<T>({.filters = 3, .padding = padding_mode::valid}), max_pool<T>(2, 1),
                      repeated<block>({make_block(2), make_block(5)}), make_projection(),
                      concat(conv2d<T>({.filters = 2, .kernel = 1}), avg_pool<T>(3, 1, padding_mode::same)));
  };
  const shape4 in{2, 3, 6, 6};
  BOOST_TEST(gradient_error(make(), in) < 1e-4);  // eight layers deep: central differences lose a digit
  auto& pool = buffer_pool<T, cpu>::of_this_thread();
  network net(make());
  randomize(net, in, 7);
  const auto x = normal_tensor(in, 8), dy = normal_tensor(net.output_shape(), 9);
  const auto pass = [&] {
    net.forward(x);
    net.zero_grad();
    const tensor<T> dx = net.backward(dy);
    return std::pair(dx, tensor<T>(net.gradients()));
  };
  const auto [dx1, g1] = pass();
  pass();
  const std::size_t held = pool.free_elements();
  BOOST_TEST(held > 0u);
  std::vector<tensor<T>> junk;  // every free block, filled with junk and given back
  for (const std::size_t size : pool.free_blocks()) {
    junk.push_back(pool.take({size, 1, 1, 1}));
    junk.back().fill(1e6);
  }
  BOOST_TEST(pool.free_elements() == 0u);
  for (auto& t : junk) pool.give_back(t);
  BOOST_TEST(pool.free_elements() == held);
  const auto [dx3, g3] = pass();
  BOOST_TEST(relative_error(dx3, dx1) == 0.0);
  BOOST_TEST(relative_error(g3, g1) == 0.0);
  BOOST_TEST(pool.free_elements() == held);
  pool.release();
  BOOST_TEST(pool.free_blocks().empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_combinators
