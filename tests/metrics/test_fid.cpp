#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "acne/metrics/feature_statistics.hpp"
#include "acne/metrics/fid.hpp"

namespace test_metrics_fid {

namespace m = acne::metrics;

namespace {

using matrix = std::vector<double>;  // n x n, row-major (all matrices here are symmetric)

// Random SPD matrix: B B^T / n + shift I with B n x n standard normal.
matrix random_spd(std::size_t n, double shift, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  matrix b(n * n), s(n * n, 0.0);
  for (double& v : b) v = normal(rng);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::size_t k = 0; k < n; ++k) sum += b[i * n + k] * b[j * n + k];
      s[i * n + j] = sum / double(n) + (i == j ? shift : 0.0);
    }
  return s;
}

// Direct dense reference, independent of BLAS/LAPACK: with s1 = L L^T (Cholesky),
// s1 s2 = L (L^T s2 L) L^-1 is similar to the SPD matrix C = L^T s2 L, so
// tr sqrt(s1 s2) = sum sqrt(eig(C)); eigenvalues by the cyclic Jacobi method.
double reference_trace_sqrt(const matrix& s1, const matrix& s2, std::size_t n) {
  matrix l(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double diag = s1[j * n + j];
    for (std::size_t k = 0; k < j; ++k) diag -= l[j * n + k] * l[j * n + k];
    l[j * n + j] = std::sqrt(diag);
    for (std::size_t i = j + 1; i < n; ++i) {
      double v = s1[i * n + j];
      for (std::size_t k = 0; k < j; ++k) v -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = v / l[j * n + j];
    }
  }
  matrix t(n * n, 0.0), c(n * n, 0.0);  // t = s2 L, c = L^T t
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) t[i * n + j] += s2[i * n + k] * l[k * n + j];
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) c[i * n + j] += l[k * n + i] * t[k * n + j];
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) off += c[p * n + q] * c[p * n + q];
    if (off < 1e-30) break;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        const double apq = c[p * n + q];
        if (std::abs(apq) < 1e-300) continue;
        const double theta = (c[q * n + q] - c[p * n + p]) / (2 * apq);
        const double tt = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double cs = 1 / std::sqrt(tt * tt + 1), sn = tt * cs;
        for (std::size_t k = 0; k < n; ++k) {  // columns p, q
          const double ckp = c[k * n + p], ckq = c[k * n + q];
          c[k * n + p] = cs * ckp - sn * ckq;
          c[k * n + q] = sn * ckp + cs * ckq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p, q
          const double cpk = c[p * n + k], cqk = c[q * n + k];
          c[p * n + k] = cs * cpk - sn * cqk;
          c[q * n + k] = sn * cpk + cs * cqk;
        }
      }
  }
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::sqrt(std::max(c[i * n + i], 0.0));
  return sum;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fid)

namespace {
// pytorch-fid's test: mu1 = 0, mu2 = 1, sigma1 = sigma2 = I in d dimensions:
// |mu1-mu2|^2 = d, tr s1 + tr s2 = 2d, tr sqrt(I I) = d  ->  FID = d + 2d - 2d = d.
void check_reference_case(std::size_t d, bool dense, bool iterative) {
  BOOST_TEST_CONTEXT("d = " << d << (dense ? ", dense" : ", diagonal shortcut")) {
    const std::vector<double> mu1(d, 0.0), mu2(d, 1.0);
    std::vector<double> eye(d * d, 0.0);
    for (std::size_t i = 0; i < d; ++i) eye[i * d + i] = 1.0;
    m::frechet_options options;
    options.detect_diagonal = !dense;
    const auto r = m::frechet_distance(mu1, eye, mu2, eye, options);
    BOOST_TEST(r.distance == double(d), boost::test_tools::tolerance(1e-10));
    BOOST_TEST(r.trace_sqrt == double(d), boost::test_tools::tolerance(1e-10));
    BOOST_TEST(r.mean_term == double(d));
    BOOST_TEST(!r.significant_negative);
    if (iterative) {
      const auto it = m::frechet_distance_iterative(mu1, eye, mu2, eye, options);
      BOOST_TEST(it.distance == double(d), boost::test_tools::tolerance(1e-10));
      BOOST_TEST(!it.used_offset);
    }
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(pytorch_fid_reference_case) {
  check_reference_case(2048, false, false);  // the published case, through the O(d^2) diagonal shortcut
  check_reference_case(8, true, true);        // every path, small
  check_reference_case(256, true, true);      // every path, dense LAPACK/BLAS at a moderate size
}

// The published case through the dense path: ~70 GFLOP (several seconds on two cores), so it
// is off by default; run with --run_test=fid/pytorch_fid_reference_case_dense_2048.
BOOST_AUTO_TEST_CASE(pytorch_fid_reference_case_dense_2048, *boost::unit_test::disabled()) {
  check_reference_case(2048, true, true);
}

BOOST_AUTO_TEST_CASE(commuting_diagonal_covariances) {
  // For diagonal s1 = diag(a), s2 = diag(b): tr sqrt(s1 s2) = sum sqrt(a_i b_i), so
  // FID = sum (mu1_i - mu2_i)^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
  const std::size_t d = 16;
  std::vector<double> mu1(d), mu2(d), s1(d * d, 0.0), s2(d * d, 0.0);
  double expected = 0;
  for (std::size_t i = 0; i < d; ++i) {
    mu1[i] = 0.1 * double(i);
    mu2[i] = 0.3 - 0.05 * double(i);
    const double a = 1.0 + double(i), b = 4.0 / (1.0 + double(i));
    s1[i * d + i] = a;
    s2[i * d + i] = b;
    expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + (std::sqrt(a) - std::sqrt(b)) * (std::sqrt(a) - std::sqrt(b));
  }
  BOOST_TEST(m::frechet_distance(mu1, s1, mu2, s2).distance == expected, boost::test_tools::tolerance(1e-12));
  m::frechet_options dense;
  dense.detect_diagonal = false;
  BOOST_TEST(m::frechet_distance(mu1, s1, mu2, s2, dense).distance == expected, boost::test_tools::tolerance(1e-11));
  BOOST_TEST(m::frechet_distance_iterative(mu1, s1, mu2, s2).distance == expected, boost::test_tools::tolerance(1e-10));
}

BOOST_AUTO_TEST_CASE(eigen_iterative_and_dense_reference_agree) {
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> normal;
  for (std::size_t d : {16u, 40u, 64u}) {
    BOOST_TEST_CONTEXT("d = " << d) {
      // Shift 0.01 gives condition numbers in the hundreds to thousands.
      const auto s1 = random_spd(d, 0.01, rng), s2 = random_spd(d, 0.5, rng);
      std::vector<double> mu1(d), mu2(d);
      for (auto& v : mu1) v = normal(rng);
      for (auto& v : mu2) v = normal(rng);
      const double reference = reference_trace_sqrt(s1, s2, d);
      const auto eig = m::frechet_distance(mu1, s1, mu2, s2);
      const auto iter = m::frechet_distance_iterative(mu1, s1, mu2, s2);
      BOOST_TEST(eig.trace_sqrt == reference, boost::test_tools::tolerance(1e-10));
      BOOST_TEST(iter.trace_sqrt == reference, boost::test_tools::tolerance(1e-9));
      BOOST_TEST(eig.distance == iter.distance, boost::test_tools::tolerance(1e-9));
      BOOST_TEST(!iter.used_offset);
      BOOST_TEST(iter.iterations < 40);
      BOOST_TEST(!eig.significant_negative);
      // Swapping the arguments leaves the distance unchanged: tr sqrt(s1 s2) = tr sqrt(s2 s1).
      BOOST_TEST(m::frechet_distance(mu2, s2, mu1, s1).distance == eig.distance, boost::test_tools::tolerance(1e-10));
    }
  }
}

BOOST_AUTO_TEST_CASE(set_against_itself_is_zero) {
  const std::size_t n = 300, d = 24;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<double> x(n * d);
  for (auto& v : x) v = 3.0 + 2.0 * normal(rng);
  m::feature_statistics stats(d, "toy");
  stats.add(x);
  const auto report = m::compute_fid(stats, stats);
  // Exact arithmetic gives 0; the traces are ~ 4 d = 96, so 1e-9 leaves room for rounding only.
  BOOST_TEST(std::abs(report.fid) < 1e-9);
  BOOST_TEST(std::abs(m::compute_fid(stats, stats, {}, m::fid_method::denman_beavers).fid) < 1e-9);
  BOOST_TEST(!report.few_images_warning);
  BOOST_TEST(report.extractor == "toy");
  BOOST_TEST(report.images1 == n);
  BOOST_TEST(report.dims == d);
}

BOOST_AUTO_TEST_CASE(few_images_give_a_warning_and_a_finite_fid) {
  // 10 vectors in 32 dimensions: both covariances have rank <= 9.
  const std::size_t d = 32;
  std::mt19937_64 rng(8);
  std::normal_distribution<double> normal;
  std::vector<double> a(10 * d), b(10 * d);
  for (auto& v : a) v = normal(rng);
  for (auto& v : b) v = normal(rng) + 0.5;
  m::feature_statistics sa(d), sb(d);
  sa.add(a);
  sb.add(b);
  const auto eig = m::compute_fid(sa, sb);
  BOOST_TEST(eig.few_images_warning);
  BOOST_TEST(!eig.warning().empty());
  BOOST_TEST(std::isfinite(eig.fid));
  BOOST_TEST(eig.fid > 0.0);
  BOOST_TEST(!eig.details.significant_negative);  // rounding-level negatives only
  const auto json = eig.to_json();
  BOOST_TEST(json.at("few_images_warning").get<bool>());
  // The iterative path agrees to the accuracy the singular product allows: its eps*I retry or
  // the singular square root itself costs O(sqrt(eps)) per zero eigenvalue.
  const auto iter = m::compute_fid(sa, sb, {}, m::fid_method::denman_beavers);
  BOOST_TEST(iter.details.used_offset);  // s1 s2 is singular: pytorch-fid's retry path
  BOOST_TEST(std::abs(iter.fid - eig.fid) < 1e-3 * eig.fid);
}

BOOST_AUTO_TEST_CASE(negative_eigenvalues_are_flagged) {
  // sigma1 = diag(1, -1) is no covariance: the eigen path clamps -1 and flags it.
  const std::vector<double> mu{0, 0}, s1{1, 0, 0, -1}, s2{1, 0, 0, 1};
  const auto r = m::frechet_distance(mu, s1, mu, s2);
  BOOST_TEST(r.significant_negative);
  BOOST_TEST(r.clamped_eigenvalues >= 1u);
  BOOST_TEST(r.most_negative_relative == -1.0, boost::test_tools::tolerance(1e-12));
  m::fid_report report;
  report.details = r;
  BOOST_TEST(report.warning().find("negative eigenvalues") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(shape_errors) {
  const std::vector<double> mu2{0, 0}, mu3{0, 0, 0}, s2{1, 0, 0, 1}, asym{1, 0.5, 0, 1};
  BOOST_CHECK_THROW(m::frechet_distance(mu2, s2, mu3, s2), acne::error);
  BOOST_CHECK_THROW(m::frechet_distance(mu3, s2, mu3, s2), acne::error);
  BOOST_CHECK_THROW(m::frechet_distance(mu2, asym, mu2, s2), acne::error);
  m::feature_statistics a(2, "inception"), b(3, "inception"), c(2, "vgg");
  const std::vector<double> rows{1, 2, 3, 4, 5, 7};
  a.add(rows);
  c.add(rows);
  BOOST_CHECK_THROW(m::compute_fid(a, b), acne::error);
  BOOST_CHECK_THROW(m::compute_fid(a, c), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_fid
