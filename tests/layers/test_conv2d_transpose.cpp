// conv2d_transpose: the backward pass against central finite differences in double precision, the
// forward pass against a scatter written here (each input pixel times the kernel, added into the
// output), which shares nothing with the convolution entry points the layer runs on, and shapes,
// parameters and errors. One layer type, conv2d_transpose<double>, keeps the instantiations few.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "acne/gradcheck.hpp"
#include "acne/layers/conv2d_transpose.hpp"

namespace test_layers_conv2d_transpose {

using namespace acne;
using T = double;
using tconv = conv2d_transpose<T>;

namespace {

struct config {
  conv2d_transpose_options opt;
  shape4 in;
};

std::string describe(const config& c) {
  const auto& o = c.opt;
  const char* mode = o.padding == padding_mode::same ? "same" : o.padding == padding_mode::valid ? "valid" : "explicit";
  std::ostringstream s;
  s << "input " << c.in << " filters " << o.filters << " kernel " << (o.kernel_h ? o.kernel_h : o.kernel) << "x"
    << (o.kernel_w ? o.kernel_w : o.kernel) << " stride " << o.stride << " dilation " << o.dilation << " " << mode
    << " pad " << o.pad << " output_padding " << o.output_padding << " bias " << o.bias << " gains " << o.weight_gain
    << "/" << o.bias_gain;
  return s.str();
}

conv2d_transpose_options opts(std::size_t stride, padding_mode mode, std::size_t kh, std::size_t kw, bool bias) {
  conv2d_transpose_options o;
  o.stride = stride;
  o.padding = mode;
  o.kernel_h = kh;
  o.kernel_w = kw;
  o.bias = bias;
  return o;
}

// Every padding mode with strides 1 to 3, kernels smaller than, equal to and larger than the
// stride, rectangular kernels, dilation and gains; the sizes are drawn from a fixed seed, with
// batch > 1 and never-square inputs.
std::vector<config> configs() {
  std::vector<conv2d_transpose_options> table = {
      opts(1, padding_mode::same, 3, 3, true),  opts(1, padding_mode::valid, 2, 3, false),
      opts(2, padding_mode::same, 3, 3, true),  opts(2, padding_mode::same, 4, 4, false),
      opts(2, padding_mode::valid, 3, 2, true), opts(2, padding_mode::same, 1, 1, true),
      opts(3, padding_mode::valid, 2, 2, false)};
  auto upsampler = opts(2, padding_mode::explicit_, 3, 3, true);  // PyTorch's padding=1, output_padding=1
  upsampler.pad = upsampler.output_padding = 1;
  auto wide = opts(3, padding_mode::explicit_, 5, 4, false);
  wide.pad = wide.output_padding = 2;
  auto equalised = opts(2, padding_mode::same, 3, 3, true);
  equalised.dilation = 2;
  equalised.weight_gain = 0.3;
  equalised.bias_gain = 0.5;
  table.insert(table.end(), {upsampler, wide, equalised});

  std::mt19937_64 gen(2024);
  auto draw = [&](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(gen); };
  std::vector<config> out;
  for (auto o : table) {
    o.filters = draw(1, 3);
    const std::size_t h = draw(1, 5);
    std::size_t w = draw(1, 5);
    if (w == h) w = h % 5 + 1;
    out.push_back({o, {draw(2, 3), draw(1, 3), h, w}});
  }
  return out;
}

tensor<T> random_tensor(const shape4& s, std::mt19937_64& gen) {
  std::normal_distribution<double> d;
  tensor<T> t(s);
  for (auto& v : t) v = d(gen);
  return t;
}

// A set-up network whose parameters are drawn from N(0, 1), so biases are not zero.
void setup_random(network<tconv>& net, const shape4& in, std::uint64_t seed) {
  net.setup(in, seed);
  std::mt19937_64 gen(seed + 11);
  std::normal_distribution<double> d;
  for (auto& s : net.slots())
    for (auto& v : *s.value) v = d(gen);
}

// How much of the full (in - 1) * stride + extent output each padding mode crops from the top/left,
// derived from the mode's definition rather than from the layer's window.
std::ptrdiff_t crop_before(const conv2d_transpose_options& o, std::size_t kernel) {
  const auto extent = std::ptrdiff_t(o.dilation * (kernel - 1) + 1), stride = std::ptrdiff_t(o.stride);
  if (o.padding == padding_mode::same) return std::max<std::ptrdiff_t>(extent - stride, 0) / 2;
  if (o.padding == padding_mode::explicit_) return std::ptrdiff_t(o.pad);
  return 0;
}

// y[n, co, i*s + ki*d - top, j*s + kj*d - left] += x[n, ci, i, j] * w[ci, co, ki, kj] * gain, then
// the bias, on an output of shape `out`.
tensor<T> scatter(const tensor<T>& x, const tensor<T>& w, const tensor<T>* b, const conv2d_transpose_options& o,
                  const shape4& out) {
  tensor<T> y(out);
  y.fill(0);
  const auto& xs = x.shape();
  const auto& ws = w.shape();
  const std::ptrdiff_t top = crop_before(o, ws.h), left = crop_before(o, ws.w);
  const auto s = std::ptrdiff_t(o.stride), d = std::ptrdiff_t(o.dilation);
  for (std::size_t n = 0; n < xs.n; ++n)
    for (std::size_t ci = 0; ci < xs.c; ++ci)
      for (std::size_t i = 0; i < xs.h; ++i)
        for (std::size_t j = 0; j < xs.w; ++j)
          for (std::size_t co = 0; co < ws.c; ++co)
            for (std::size_t ki = 0; ki < ws.h; ++ki)
              for (std::size_t kj = 0; kj < ws.w; ++kj) {
                const std::ptrdiff_t r = std::ptrdiff_t(i) * s + std::ptrdiff_t(ki) * d - top;
                const std::ptrdiff_t c = std::ptrdiff_t(j) * s + std::ptrdiff_t(kj) * d - left;
                if (r < 0 || c < 0 || r >= std::ptrdiff_t(out.h) || c >= std::ptrdiff_t(out.w)) continue;
                y(n, co, std::size_t(r), std::size_t(c)) += x(n, ci, i, j) * w(ci, co, ki, kj) * o.weight_gain;
              }
  if (b)
    for (std::size_t n = 0; n < out.n; ++n)
      for (std::size_t co = 0; co < out.c; ++co)
        for (std::size_t r = 0; r < out.h; ++r)
          for (std::size_t c = 0; c < out.w; ++c) y(n, co, r, c) += (*b)[co] * o.bias_gain;
  return y;
}

double max_abs_diff(const tensor<T>& a, const tensor<T>& b) {
  BOOST_REQUIRE_MESSAGE(a.shape() == b.shape(), "shapes differ: " << a.shape() << " and " << b.shape());
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

bool names_layer(const acne::error& e) {
  return std::string(e.what()).find("conv2d_transpose 'up'") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conv2d_transpose_layer)

BOOST_AUTO_TEST_CASE(output_shapes_follow_keras_and_pytorch) {
  const shape4 in{2, 3, 5, 7};
  auto shape_of = [&](conv2d_transpose_options o) {
    o.filters = 4;
    network<tconv> net{tconv(o)};
    const shape4 s = net.setup(in);
    BOOST_TEST(s == net.layer().output_shape(in));
    return s;
  };
  BOOST_TEST(shape_of(opts(2, padding_mode::same, 3, 3, true)) == (shape4{2, 4, 10, 14}));   // in * stride
  BOOST_TEST(shape_of(opts(2, padding_mode::valid, 3, 3, true)) == (shape4{2, 4, 11, 15}));  // (in-1)*s + k
  BOOST_TEST(shape_of(opts(2, padding_mode::valid, 1, 1, true)) == (shape4{2, 4, 9, 13}));
  BOOST_TEST(shape_of(opts(3, padding_mode::same, 2, 5, true)) == (shape4{2, 4, 15, 21}));
  BOOST_TEST(shape_of(opts(1, padding_mode::valid, 2, 4, true)) == (shape4{2, 4, 6, 10}));
  auto torch = opts(2, padding_mode::explicit_, 3, 3, true);
  torch.pad = torch.output_padding = 1;
  BOOST_TEST(shape_of(torch) == (shape4{2, 4, 10, 14}));  // (in-1)*s - 2p + k + output_padding
  auto dilated = opts(2, padding_mode::valid, 3, 3, true);
  dilated.dilation = 2;
  BOOST_TEST(shape_of(dilated) == (shape4{2, 4, 13, 17}));
}

BOOST_AUTO_TEST_CASE(parameters_names_layout_and_count) {
  auto o = opts(2, padding_mode::same, 3, 2, true);
  o.filters = 5;
  network<tconv> with_bias{tconv(o)};
  with_bias.setup({1, 3, 4, 4});
  BOOST_REQUIRE(with_bias.slots().size() == 2u);
  BOOST_TEST(with_bias.slots()[0].name == "weight");
  BOOST_TEST(with_bias.slots()[0].shape == (shape4{3, 5, 3, 2}));  // [in, filters, kh, kw]
  BOOST_TEST(with_bias.slots()[1].name == "bias");
  BOOST_TEST(with_bias.slots()[1].shape == (shape4{5, 1, 1, 1}));
  BOOST_TEST(with_bias.parameter_count() == 3u * 5 * 3 * 2 + 5);  // Keras' and PyTorch's count
  BOOST_TEST(with_bias.trainable_parameter_count() == with_bias.parameter_count());

  o.bias = false;
  o.name = "up";
  network<tconv> named{tconv(o)};
  named.setup({1, 3, 4, 4});
  BOOST_REQUIRE(named.slots().size() == 1u);
  BOOST_TEST(named.slots()[0].name == "up.weight");
  BOOST_TEST(named.parameter_count() == 3u * 5 * 3 * 2);
}

BOOST_AUTO_TEST_CASE(hand_computed_values_pin_the_crop) {
  // x = [1 2] (one row), a 3x3 kernel whose rows are all [1 10 100], stride 2: every row of the full
  // 3x5 output is [1 10 102 20 200]. "same" keeps the top-left 2x4 (TF crops the bottom/right),
  // PyTorch's padding=1, output_padding=1 the bottom-right 2x4.
  const double row[] = {1, 10, 100};
  auto make = [&](const conv2d_transpose_options& o) {
    auto net = std::make_unique<network<tconv>>(tconv(o));
    net->setup({1, 1, 1, 2});
    for (std::size_t a = 0; a < 3; ++a) std::copy(row, row + 3, net->layer().weight().data() + 3 * a);
    if (o.bias) net->layer().bias()[0] = 0.5;
    return net;
  };
  tensor<T> x({1, 1, 1, 2});
  x[0] = 1;
  x[1] = 2;
  auto run = [&](const conv2d_transpose_options& o) {
    const auto net = make(o);
    const tensor<T>& y = net->forward(x);
    return std::vector<double>(y.begin(), y.end());
  };
  BOOST_TEST(run(opts(2, padding_mode::same, 3, 3, false)) == (std::vector<double>{1, 10, 102, 20, 1, 10, 102, 20}),
             boost::test_tools::per_element());
  BOOST_TEST(run(opts(2, padding_mode::valid, 3, 3, true)) ==
                 (std::vector<double>{1.5, 10.5, 102.5, 20.5, 200.5, 1.5, 10.5, 102.5, 20.5, 200.5, 1.5, 10.5,
                                      102.5, 20.5, 200.5}),
             boost::test_tools::per_element());
  auto torch = opts(2, padding_mode::explicit_, 3, 3, false);
  torch.pad = torch.output_padding = 1;
  BOOST_TEST(run(torch) == (std::vector<double>{10, 102, 20, 200, 10, 102, 20, 200}), boost::test_tools::per_element());

  // Backward of "same" with dy = 1: dx[i] sums the kept taps input i reached (two kernel rows),
  // dw[a][b] the inputs tap (a, b) reached (none for the cropped third row), db the output size.
  auto net = make(opts(2, padding_mode::same, 3, 3, true));
  net->forward(x);
  net->zero_grad();
  tensor<T> dy({1, 1, 2, 4});
  dy.fill(1);
  const tensor<T> dx = net->backward(dy);
  BOOST_TEST(dx[0] == 222.0);
  BOOST_TEST(dx[1] == 22.0);
  const tensor<T>& g = net->gradients();  // dw row-major, then db
  BOOST_TEST(std::vector<double>(g.begin(), g.end()) == (std::vector<double>{3, 3, 1, 3, 3, 1, 0, 0, 0, 8}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(forward_matches_a_direct_scatter) {
  std::uint64_t seed = 100;
  for (const auto& c : configs()) {
    BOOST_TEST_CONTEXT(describe(c)) {
      network<tconv> net{tconv(c.opt)};
      setup_random(net, c.in, ++seed);
      std::mt19937_64 gen(seed);
      const tensor<T> x = random_tensor(c.in, gen);
      const tensor<T>& y = net.forward(x);
      const tensor<T> ref = scatter(x, net.layer().weight(), c.opt.bias ? &net.layer().bias() : nullptr, c.opt,
                                    net.output_shape());
      BOOST_TEST(max_abs_diff(y, ref) < 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(gradients_match_central_differences) {
  std::uint64_t seed = 200;
  double worst = 0;
  for (const auto& c : configs()) {
    BOOST_TEST_CONTEXT(describe(c)) {
      network<tconv> net{tconv(c.opt)};
      setup_random(net, c.in, ++seed);
      std::mt19937_64 gen(seed);
      const gradcheck_result r = check_gradients(net, random_tensor(c.in, gen));
      BOOST_TEST_MESSAGE(describe(c) << ": inputs " << r.inputs_checked << " params " << r.params_checked
                                     << " worst " << r.worst());
      BOOST_TEST(r.inputs_checked > 0u);
      BOOST_TEST(r.params_checked > 0u);
      BOOST_TEST(r.worst() < 1e-5);
      worst = std::max(worst, r.worst());
    }
  }
  BOOST_TEST_MESSAGE("conv2d_transpose: worst relative gradient error " << worst);
}

BOOST_AUTO_TEST_CASE(errors_name_the_layer_and_shapes) {
  auto o = opts(2, padding_mode::same, 3, 3, true);
  o.name = "up";
  o.filters = 2;
  network<tconv> net{tconv(o)};
  net.setup({1, 3, 4, 4});
  BOOST_CHECK_EXCEPTION(net.forward(tensor<T>({1, 2, 4, 4})), acne::error, [](const acne::error& e) {
    return names_layer(e) && std::string(e.what()).find("[1,2,4,4]") != std::string::npos;
  });
  context ctx;
  tensor<T> x({1, 3, 4, 4}), y, dx;
  net.layer().forward(x, y, ctx);
  BOOST_CHECK_EXCEPTION(net.layer().backward(x, y, tensor<T>({1, 2, 4, 4}), &dx, ctx), acne::error, names_layer);

  auto bad = o;
  bad.padding = padding_mode::explicit_;
  bad.output_padding = 2;  // not below the stride
  BOOST_CHECK_EXCEPTION(tconv{bad}, acne::error, names_layer);
  bad.output_padding = 0;
  bad.pad = 3;  // crops more than the full output of a 1x1 input
  BOOST_CHECK_EXCEPTION(tconv{bad}.output_shape({1, 3, 1, 1}), acne::error, names_layer);
  auto stray = o;
  stray.pad = 1;  // pad without explicit_ padding would be silently ignored
  BOOST_CHECK_EXCEPTION(tconv{stray}, acne::error, names_layer);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_conv2d_transpose
