// upfirdn2d against a direct transcription of the reference's steps (zero insertion, zero padding
// or cropping, true convolution with the FIR, decimation), its adjoint, and its gradients.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "acne/layers/stylegan/upfirdn2d.hpp"
#include "support/stylegan_test_util.hpp"

using namespace acne;
using namespace acne_stylegan_test;

namespace {
// The reference's steps, one at a time, on a single plane.
std::vector<double> reference_plane(const std::vector<double>& x, std::size_t h, std::size_t w, const upfirdn_params& p,
                                    std::size_t& oh, std::size_t& ow) {
  const std::size_t uh = h * p.up, uw = w * p.up;
  std::vector<double> up(uh * uw, 0.0);
  for (std::size_t i = 0; i < h; ++i)
    for (std::size_t j = 0; j < w; ++j) up[i * p.up * uw + j * p.up] = x[i * w + j];
  const long ph = long(uh) + p.pad_y0 + p.pad_y1, pw = long(uw) + p.pad_x0 + p.pad_x1;
  std::vector<double> padded(std::size_t(ph * pw), 0.0);
  for (long i = 0; i < ph; ++i)
    for (long j = 0; j < pw; ++j) {
      const long si = i - p.pad_y0, sj = j - p.pad_x0;
      if (si >= 0 && si < long(uh) && sj >= 0 && sj < long(uw)) padded[i * pw + j] = up[si * uw + sj];
    }
  const std::size_t fh = p.filter.h, fw = p.filter.w;
  const std::size_t ch = std::size_t(ph) - fh + 1, cw = std::size_t(pw) - fw + 1;
  std::vector<double> conv(ch * cw, 0.0);
  for (std::size_t i = 0; i < ch; ++i)
    for (std::size_t j = 0; j < cw; ++j) {
      double acc = 0;
      for (std::size_t a = 0; a < fh; ++a)
        for (std::size_t b = 0; b < fw; ++b) {
          // true convolution unless flip_filter (then correlation)
          const double f = p.flip_filter ? p.filter.at(a, b) : p.filter.at(fh - 1 - a, fw - 1 - b);
          acc += padded[(i + a) * pw + j + b] * f;
        }
      conv[i * cw + j] = acc * p.gain;
    }
  oh = (ch - 1) / p.down + 1, ow = (cw - 1) / p.down + 1;
  std::vector<double> out(oh * ow);
  for (std::size_t i = 0; i < oh; ++i)
    for (std::size_t j = 0; j < ow; ++j) out[i * ow + j] = conv[i * p.down * cw + j * p.down];
  return out;
}

upfirdn_params asymmetric(std::size_t up, std::size_t down, int px0, int px1, int py0, int py1, bool flip) {
  upfirdn_params p;
  p.up = up, p.down = down, p.pad_x0 = px0, p.pad_x1 = px1, p.pad_y0 = py0, p.pad_y1 = py1, p.flip_filter = flip;
  p.gain = 1.7;
  p.filter.h = 3, p.filter.w = 2;
  const double taps[] = {0.1, -0.4, 0.9, 0.3, -0.2, 0.6};
  for (int i = 0; i < 6; ++i) p.filter.taps[i] = taps[i];
  return p;
}

std::vector<upfirdn_params> cases() {
  const auto f = fir_filter::stylegan2();
  auto blur = upfirdn_params{};
  blur.filter = f, blur.pad_x0 = blur.pad_x1 = blur.pad_y0 = blur.pad_y1 = 2;
  return {upsample2d(f), downsample2d(f), blur,
          asymmetric(2, 1, 1, 0, 0, 2, false), asymmetric(1, 2, 0, 1, 2, 0, true),
          asymmetric(3, 2, -1, 2, 1, -1, false), asymmetric(2, 3, 2, 2, -1, 0, true)};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_upfirdn2d)

BOOST_AUTO_TEST_CASE(filter_is_normalised_outer_product) {
  const auto f = fir_filter::stylegan2();
  BOOST_TEST(f.h == 4u);
  BOOST_TEST(f.w == 4u);
  const double k[] = {1, 3, 3, 1};
  double total = 0;
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) {
      BOOST_TEST(f.at(i, j) == k[i] * k[j] / 64.0, boost::test_tools::tolerance(1e-15));
      total += f.at(i, j);
    }
  BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(matches_reference_steps) {
  const shape4 in{2, 3, 5, 6};
  const auto x = random_tensor(in, 3);
  for (const auto& p : cases()) {
    tensor<T> y({in.n, in.c, p.out_h(in.h), p.out_w(in.w)});
    upfirdn2d_forward(x, y, p);
    double worst = 0;
    for (std::size_t nc = 0; nc < in.n * in.c; ++nc) {
      std::vector<double> plane(x.data() + nc * in.plane(), x.data() + (nc + 1) * in.plane());
      std::size_t oh = 0, ow = 0;
      const auto ref = reference_plane(plane, in.h, in.w, p, oh, ow);
      BOOST_TEST_REQUIRE(oh == y.shape().h);
      BOOST_TEST_REQUIRE(ow == y.shape().w);
      for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(ref[i] - y[nc * oh * ow + i]));
    }
    BOOST_TEST(worst < 1e-13, "up " << p.up << " down " << p.down << ": worst difference " << worst);
  }
}

BOOST_AUTO_TEST_CASE(resampling_sizes_and_mean) {
  const auto f = fir_filter::stylegan2();
  const tensor<T> ones({1, 1, 8, 8}, 1.0);
  tensor<T> up({1, 1, 16, 16}), down({1, 1, 4, 4});
  upfirdn2d_forward(ones, up, upsample2d(f));
  upfirdn2d_forward(ones, down, downsample2d(f));
  // Away from the zero padding a constant image stays constant: gain 4 undoes the zero insertion.
  for (std::size_t i = 2; i < 14; ++i)
    for (std::size_t j = 2; j < 14; ++j) BOOST_TEST(up(0, 0, i, j) == 1.0, boost::test_tools::tolerance(1e-14));
  for (std::size_t i = 1; i < 3; ++i)
    for (std::size_t j = 1; j < 3; ++j) BOOST_TEST(down(0, 0, i, j) == 1.0, boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(backward_is_the_adjoint) {
  const shape4 in{2, 2, 5, 4};
  for (const auto& p : cases()) {
    const auto x = random_tensor(in, 5);
    const auto g = random_tensor({in.n, in.c, p.out_h(in.h), p.out_w(in.w)}, 6);
    tensor<T> y(g.shape()), dx(in);
    upfirdn2d_forward(x, y, p);
    upfirdn2d_backward(g, dx, p);
    const double lhs = dot(y, g), rhs = dot(x, dx);
    BOOST_TEST(lhs == rhs, boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(gradients) {
  for (const auto& p : cases()) {
    network<upfirdn2d_layer<T>> net{upfirdn2d_layer<T>(p)};
    const shape4 in{2, 2, 6, 5};
    net.setup(in);
    BOOST_TEST(gradcheck(net, random_tensor(in, 9)).worst() < tol);
  }
}

BOOST_AUTO_TEST_SUITE_END()
