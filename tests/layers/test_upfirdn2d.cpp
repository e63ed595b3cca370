// upfirdn2d against a direct transcription of the reference's steps (zero insertion, zero padding
// or cropping, true convolution with the FIR, decimation), its adjoint, and its gradients; the
// CPU backend's planned path against the plain gather it replaced, in float and double.
#include <boost/test/unit_test.hpp>

#include <boost/mpl/list.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "acne/layers/stylegan/upfirdn2d.hpp"
#include "support/stylegan_test_util.hpp"

namespace test_layers_upfirdn2d {

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

// An outer product of two unrelated kernels, so neither symmetry nor equal factors hide a mix-up
// of x and y.
upfirdn_params outer(std::vector<double> col, std::vector<double> row, std::size_t up, std::size_t down, int px0,
                     int px1, int py0, int py1, bool flip) {
  upfirdn_params p;
  p.up = up, p.down = down, p.pad_x0 = px0, p.pad_x1 = px1, p.pad_y0 = py0, p.pad_y1 = py1, p.flip_filter = flip;
  p.gain = 0.8;
  p.filter.h = col.size(), p.filter.w = row.size();
  for (std::size_t a = 0; a < col.size(); ++a)
    for (std::size_t b = 0; b < row.size(); ++b) p.filter.taps[a * row.size() + b] = col[a] * row[b];
  return p;
}

// The planned path's cases: the ones above, StyleGAN2's blurs around its resampling convolutions,
// separable filters of every shape and a dense 4x4 one, up and down by 1 to 3, negative pads.
std::vector<upfirdn_params> planned_cases() {
  auto all = cases();
  const auto f = fir_filter::stylegan2();
  upfirdn_params after_transpose, before_stride;  // modulated_conv2d up = 2, equalized_conv2d down = 2
  after_transpose.filter = before_stride.filter = f;
  after_transpose.gain = 4;
  after_transpose.pad_x0 = after_transpose.pad_x1 = after_transpose.pad_y0 = after_transpose.pad_y1 = 1;
  before_stride.pad_x0 = before_stride.pad_x1 = before_stride.pad_y0 = before_stride.pad_y1 = 2;
  all.insert(all.end(), {after_transpose, before_stride,
                         outer({0.2, -0.5, 1.1}, {0.7, 0.1, -0.3, 0.4, 0.9}, 2, 1, 2, 1, -1, 3, false),
                         outer({0.2, -0.5, 1.1}, {0.7, 0.1, -0.3, 0.4, 0.9}, 1, 2, -1, 2, 3, 0, true),
                         outer({0.6, -0.1, 0.3, 0.8}, {1.0}, 2, 2, 0, 0, 2, 1, false),
                         outer({1.0}, {0.6, -0.1, 0.3, 0.8, 0.5, -0.2, 0.4}, 3, 1, 3, 3, 0, 0, false),
                         asymmetric(1, 1, -1, -1, 1, 1, false)});
  auto dense = upsample2d(f);
  for (std::size_t i = 0; i < 16; ++i) dense.filter.taps[i] = std::sin(1.0 + 0.7 * double(i));
  dense.down = 2;
  all.push_back(dense);
  return all;
}

// Odd sizes throughout, and one shape large enough for the OpenMP team.
const shape4 planned_shapes[] = {{2, 3, 7, 5}, {1, 1, 6, 9}, {2, 40, 33, 31}};

bool fits(const upfirdn_params& p, const shape4& s) {
  return long(s.h * p.up) + p.pad_y0 + p.pad_y1 >= long(p.filter.h) &&
         long(s.w * p.up) + p.pad_x0 + p.pad_x1 >= long(p.filter.w);
}

template <class U>
tensor<U> random_of(shape4 s, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  tensor<U> x(s);
  for (auto& v : x) v = U(d(gen));
  return x;
}

double max_abs(const auto& t) {
  double m = 0;
  for (auto v : t) m = std::max(m, std::fabs(double(v)));
  return m;
}

// What rounding alone can account for between two orders of summation in U: a few ulps of the
// largest sum of absolute terms, gain * sum |taps| * max |input|.
template <class U>
double rounding_bound(const upfirdn_params& p, double largest_input) {
  double taps = 0;
  for (std::size_t i = 0; i < p.filter.h * p.filter.w; ++i) taps += std::fabs(p.filter.taps[i]);
  return 64 * std::numeric_limits<U>::epsilon() * std::fabs(p.gain) * taps * largest_input;
}

using precisions = boost::mpl::list<float, double>;
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
  for (const auto& p : cases())
    for (bool planned : {true, false}) {
      tensor<T> y({in.n, in.c, p.out_h(in.h), p.out_w(in.w)});
      if (planned) upfirdn2d_forward(x, y, p);
      else cpu_backend::upfirdn2d_reference_forward(x, y, p);
      double worst = 0;
      for (std::size_t nc = 0; nc < in.n * in.c; ++nc) {
        std::vector<double> plane(x.data() + nc * in.plane(), x.data() + (nc + 1) * in.plane());
        std::size_t oh = 0, ow = 0;
        const auto ref = reference_plane(plane, in.h, in.w, p, oh, ow);
        BOOST_TEST_REQUIRE(oh == y.shape().h);
        BOOST_TEST_REQUIRE(ow == y.shape().w);
        for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(ref[i] - y[nc * oh * ow + i]));
      }
      BOOST_TEST(worst < 1e-13, (planned ? "planned" : "gather") << ", up " << p.up << " down " << p.down
                                                                  << ": worst difference " << worst);
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

BOOST_AUTO_TEST_CASE(separable_filters_are_factored) {
  std::array<double, fir_filter::max_taps> col{}, row{};
  std::size_t separable = 0, dense = 0;
  for (const auto& p : planned_cases()) {
    // Rank one, told apart without factoring: every 2x2 minor vanishes.
    double largest = 0, worst_minor = 0;
    for (std::size_t a = 0; a < p.filter.h; ++a)
      for (std::size_t b = 0; b < p.filter.w; ++b) {
        largest = std::max(largest, std::fabs(p.tap(a, b)));
        for (std::size_t c = a + 1; c < p.filter.h; ++c)
          for (std::size_t d = b + 1; d < p.filter.w; ++d)
            worst_minor = std::max(worst_minor, std::fabs(p.tap(a, b) * p.tap(c, d) - p.tap(a, d) * p.tap(c, b)));
      }
    const bool expected = worst_minor <= 1e-12 * largest * largest;
    BOOST_TEST_REQUIRE(p.separable(col, row) == expected, p.filter.h << "x" << p.filter.w << " filter");
    ++(expected ? separable : dense);
    if (!expected) continue;
    for (std::size_t a = 0; a < p.filter.h; ++a)
      for (std::size_t b = 0; b < p.filter.w; ++b)
        BOOST_TEST(col[a] * row[b] == p.tap(a, b), boost::test_tools::tolerance(1e-14));
  }
  // Both of the planned path's branches are exercised by the tests below.
  BOOST_TEST(separable >= 6u);
  BOOST_TEST(dense >= 3u);
  // One tap off by a millionth of the largest makes [1,3,3,1] x [1,3,3,1] two-dimensional.
  auto p = upsample2d(fir_filter::stylegan2());
  p.filter.taps[6] += 1e-6 * p.filter.taps[5];
  BOOST_TEST(!p.separable(col, row));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(planned_path_matches_gather, U, precisions) {
  std::uint64_t seed = 20;
  for (const auto& in : planned_shapes)
    for (const auto& p : planned_cases()) {
      if (!fits(p, in)) continue;
      const shape4 out{in.n, in.c, p.out_h(in.h), p.out_w(in.w)};
      const auto x = random_of<U>(in, ++seed), g = random_of<U>(out, ++seed);
      tensor<U> y(out), y_ref(out), dx(in), dx_ref(in);
      upfirdn2d_forward(x, y, p);
      cpu_backend::upfirdn2d_reference_forward(x, y_ref, p);
      upfirdn2d_backward(g, dx, p);
      cpu_backend::upfirdn2d_reference_backward(g, dx_ref, p);
      double fwd = 0, bwd = 0;
      for (std::size_t i = 0; i < y.size(); ++i) fwd = std::max(fwd, std::fabs(double(y[i]) - double(y_ref[i])));
      for (std::size_t i = 0; i < dx.size(); ++i) bwd = std::max(bwd, std::fabs(double(dx[i]) - double(dx_ref[i])));
      const std::string what = std::to_string(p.filter.h) + "x" + std::to_string(p.filter.w) + " up " +
                               std::to_string(p.up) + " down " + std::to_string(p.down) + " on " +
                               std::to_string(in.h) + "x" + std::to_string(in.w);
      BOOST_TEST(max_abs(y_ref) > 0, what);  // a case cropped to nothing would prove nothing
      BOOST_TEST(fwd <= rounding_bound<U>(p, max_abs(x)), what << ": forward off by " << fwd);
      BOOST_TEST(bwd <= rounding_bound<U>(p, max_abs(g)), what << ": backward off by " << bwd);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(planned_backward_is_the_adjoint, U, precisions) {
  std::uint64_t seed = 40;
  for (const auto& in : planned_shapes)
    for (const auto& p : planned_cases()) {
      if (!fits(p, in)) continue;
      const shape4 out{in.n, in.c, p.out_h(in.h), p.out_w(in.w)};
      const auto x = random_of<U>(in, ++seed), g = random_of<U>(out, ++seed);
      tensor<U> y(out), dx(in);
      upfirdn2d_forward(x, y, p);
      upfirdn2d_backward(g, dx, p);
      // <y, g> and <x, dx> summed in double; each term carries the rounding of its own y or dx.
      double lhs = 0, rhs = 0, magnitude = 0;
      for (std::size_t i = 0; i < y.size(); ++i) lhs += double(y[i]) * double(g[i]);
      for (std::size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * double(dx[i]);
      for (std::size_t i = 0; i < y.size(); ++i) magnitude += std::fabs(double(y[i]) * double(g[i]));
      for (std::size_t i = 0; i < x.size(); ++i) magnitude += std::fabs(double(x[i]) * double(dx[i]));
      BOOST_TEST(std::fabs(lhs - rhs) <= 64 * std::numeric_limits<U>::epsilon() * magnitude,
                 p.filter.h << "x" << p.filter.w << " up " << p.up << " down " << p.down << ": " << lhs << " vs "
                            << rhs);
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_upfirdn2d
