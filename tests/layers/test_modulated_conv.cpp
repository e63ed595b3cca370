// Modulated convolution against explicit per-sample weights, and the gradients of the modulated
// convolution, the synthesis layer and ToRGB with respect to input, styles / w and parameters.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "acne/layers/stylegan/synthesis_layer.hpp"
#include "acne/layers/stylegan/to_rgb.hpp"
#include "support/styled_probe.hpp"
#include "support/stylegan_test_util.hpp"

namespace test_layers_modulated_conv {

using namespace acne;
using namespace acne_stylegan_test;

namespace {
// Layer adapters: the second input (styles or w) is a parameter, so the gradient check covers it.
class modconv_probe : public layer_base<T, cpu> {
public:
  explicit modconv_probe(modulated_conv2d_options o) : conv_(o) {}
  shape4 setup(const shape4& in, parameter_registry<T, cpu>& reg) {
    reg.add("styles", {in.n, in.c, 1, 1}, initializer::normal(0, 1), 1, 1, &s_, &ds_);
    return conv_.setup(in, {in.n, in.c, 1, 1}, reg);
  }
  void forward(const tensor<T>& x, tensor<T>& y, context& ctx) { conv_.forward(x, s_, y, ctx); }
  void backward(const tensor<T>& x, const tensor<T>& y, const tensor<T>& dy, tensor<T>* dx, context& ctx) {
    conv_.backward(x, s_, y, dy, dx, ds_, ctx);
  }
  modulated_conv2d<T>& conv() { return conv_; }
  tensor<T>& styles() { return s_; }

private:
  modulated_conv2d<T> conv_;
  tensor<T> s_, ds_;
};

template <class Inner>
using w_probe = acne::test::styled_probe<Inner>;

// Direct definition: per sample n, w'[o,i] = gain w[o,i] s[n,i], demodulated per o; then a
// "same" correlation (up = 1) or a stride-2 transposed convolution followed by the FIR (up = 2).
tensor<T> per_sample_reference(const tensor<T>& x, const tensor<T>& s, const tensor<T>& w, const modulated_conv2d_options& o) {
  const auto& xs = x.shape();
  const std::size_t out = w.shape().n, k = o.kernel, in = xs.c;
  const std::size_t th = o.up == 1 ? xs.h : (xs.h - 1) * 2 + k, tw = o.up == 1 ? xs.w : (xs.w - 1) * 2 + k;
  tensor<T> t({xs.n, out, th, tw}, 0.0);
  for (std::size_t n = 0; n < xs.n; ++n)
    for (std::size_t oc = 0; oc < out; ++oc) {
      std::vector<double> wn(in * k * k);
      double norm = 0;
      for (std::size_t i = 0; i < in; ++i)
        for (std::size_t j = 0; j < k * k; ++j) {
          wn[i * k * k + j] = o.weight_gain * w[(oc * in + i) * k * k + j] * s[n * in + i];
          norm += wn[i * k * k + j] * wn[i * k * k + j];
        }
      if (o.demodulate)
        for (auto& v : wn) v /= std::sqrt(norm + 1e-8);
      for (std::size_t i = 0; i < in; ++i)
        for (std::size_t p = 0; p < xs.h; ++p)
          for (std::size_t q = 0; q < xs.w; ++q)
            for (std::size_t a = 0; a < k; ++a)
              for (std::size_t b = 0; b < k; ++b) {
                const double wv = wn[(i * k + a) * k + b];
                if (o.up == 2) {
                  t(n, oc, 2 * p + a, 2 * q + b) += x(n, i, p, q) * wv;
                } else {
                  const long r = long(p) + long(a) - long(k / 2), c = long(q) + long(b) - long(k / 2);
                  if (r >= 0 && r < long(xs.h) && c >= 0 && c < long(xs.w)) t(n, oc, p, q) += x(n, i, r, c) * wv;
                }
              }
    }
  if (o.up == 1) return t;
  upfirdn_params p;  // the reference's padding for a 3x3 up-convolution: 1 on each side after the transposed conv
  p.filter = fir_filter::stylegan2(), p.gain = 4, p.pad_x0 = p.pad_x1 = p.pad_y0 = p.pad_y1 = 1;
  tensor<T> y({xs.n, out, p.out_h(th), p.out_w(tw)});
  upfirdn2d_forward(t, y, p);
  return y;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_modulated_conv)

BOOST_AUTO_TEST_CASE(equals_per_sample_weights) {
  const shape4 in{3, 4, 5, 5};
  const std::vector<modulated_conv2d_options> cases = {
      {.filters = 3, .kernel = 3, .up = 1, .demodulate = true},
      {.filters = 3, .kernel = 3, .up = 1, .demodulate = false, .weight_gain = 0.3},
      {.filters = 2, .kernel = 1, .up = 1, .demodulate = false, .weight_gain = 0.5},
      {.filters = 3, .kernel = 3, .up = 2, .demodulate = true},
      {.filters = 2, .kernel = 3, .up = 2, .demodulate = false}};
  for (const auto& o : cases) {
    network<modconv_probe> net{modconv_probe(o)};
    net.setup(in, 4);
    const auto x = random_tensor(in, 5);
    const auto& y = net.forward(x);
    auto& probe = net.layer();
    const auto ref = per_sample_reference(x, probe.styles(), probe.conv().weight(), o);
    BOOST_TEST_REQUIRE(ref.shape() == y.shape());
    double worst = 0;
    for (std::size_t i = 0; i < y.size(); ++i) worst = std::max(worst, std::fabs(ref[i] - y[i]));
    BOOST_TEST(worst < 1e-12, "up " << o.up << " demod " << o.demodulate << ": worst " << worst);
    if (o.up == 2) BOOST_TEST(y.shape().h == 2 * in.h);
  }
}

BOOST_AUTO_TEST_CASE(demodulated_output_channels_have_unit_weight_norm) {
  // With demodulation, scaling a sample's styles by a constant leaves its output unchanged, up to
  // the 1e-8 inside the square root (a relative 1e-8 / sum(w s)^2, about 1e-10 here).
  const shape4 in{2, 3, 4, 4};
  network<modconv_probe> net{modconv_probe({.filters = 2, .kernel = 3})};
  net.setup(in, 8);
  const auto x = random_tensor(in, 9);
  const tensor<T> y0 = net.forward(x);
  scale(net.layer().styles(), 7.0);
  const tensor<T> y1 = net.forward(x);
  for (std::size_t i = 0; i < y0.size(); ++i) BOOST_TEST(y0[i] == y1[i], boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(gradients_with_and_without_demodulation_and_up) {
  const std::vector<modulated_conv2d_options> cases = {
      {.filters = 3, .kernel = 3, .up = 1, .demodulate = true},
      {.filters = 3, .kernel = 3, .up = 1, .demodulate = false, .weight_gain = 0.4},
      {.filters = 2, .kernel = 1, .up = 1, .demodulate = false, .weight_gain = 0.5},
      {.filters = 2, .kernel = 3, .up = 2, .demodulate = true},
      {.filters = 2, .kernel = 3, .up = 2, .demodulate = false}};
  for (const auto& o : cases) {
    network<modconv_probe> net{modconv_probe(o)};
    const shape4 in{2, 3, 4, 4};
    net.setup(in, 11);
    BOOST_TEST(gradcheck(net, random_tensor(in, 12)).worst() < tol);
  }
}

BOOST_AUTO_TEST_CASE(synthesis_layer_gradients) {
  using probe = w_probe<synthesis_layer<T>>;
  for (std::size_t up : {1, 2}) {
    const shape4 in{2, 3, 4, 4};
    network<probe> net{probe(synthesis_layer<T>({.filters = 2, .up = up, .resolution = 4 * up}), 5)};
    net.setup(in, 21);
    randomize_parameters(net, 22, 0.7);  // noise strength and bias away from 0
    BOOST_TEST(gradcheck(net, random_tensor(in, 23)).worst() < tol);
    net.layer().mode = noise_mode::constant;
    BOOST_TEST(gradcheck(net, random_tensor(in, 24)).worst() < tol);
  }
}

BOOST_AUTO_TEST_CASE(synthesis_layer_with_clamp_gradients) {
  using probe = w_probe<synthesis_layer<T>>;
  const shape4 in{2, 3, 4, 4};
  network<probe> net{probe(synthesis_layer<T>({.filters = 2, .resolution = 4, .conv_clamp = 0.8}), 4)};
  net.setup(in, 31);
  randomize_parameters(net, 32, 0.7);
  const auto x = random_tensor(in, 33);
  const auto& y = net.forward(x);
  std::size_t clamped = 0;
  for (double v : y) {
    BOOST_TEST(std::fabs(v) <= 0.8 + 1e-15);
    clamped += std::fabs(v) == 0.8;
  }
  BOOST_TEST(clamped > 0u);
  BOOST_TEST(gradcheck(net, x).worst() < tol);
}

BOOST_AUTO_TEST_CASE(to_rgb_gradients) {
  using probe = w_probe<to_rgb<T>>;
  const shape4 in{3, 4, 4, 4};
  network<probe> net{probe(to_rgb<T>(3), 5)};
  net.setup(in, 41);
  randomize_parameters(net, 42);
  BOOST_TEST(gradcheck(net, random_tensor(in, 43)).worst() < tol);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_modulated_conv
