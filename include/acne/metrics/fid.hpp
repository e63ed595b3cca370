#pragma once
// Frechet distance between two Gaussians (Heusel et al. 2017), the core of FID:
//   d^2 = |mu1 - mu2|^2 + tr(s1) + tr(s2) - 2 tr sqrt(s1 s2).
//
// frechet_distance (default, symmetric eigen path): s1 s2 is similar to the symmetric PSD matrix
// M = sqrt(s1) s2 sqrt(s1), so tr sqrt(s1 s2) = sum_i sqrt(lambda_i(M)). Two LAPACK dsyevd calls
// (the first with eigenvectors, which give sqrt(s1)) and two matrix products;
// eigenvalues that come out slightly negative through rounding are clamped to 0, and the result
// records whether any was significantly negative (inputs that are not covariance matrices).
//
// frechet_distance_iterative (cross-check, the pytorch-fid recipe): sqrtm(s1 s2) of the
// non-symmetric product by the scaled Denman-Beavers iteration; if that fails (singular product,
// non-finite values or no convergence) eps*I is added to both covariances and it is retried, as
// pytorch-fid does when scipy's sqrtm is not finite. The trace of the square root is then used.
//
// compute_fid() takes two feature_statistics and returns a report naming the extractor, the
// dimension and the image counts, with a warning when a count is below the dimension (the
// covariance is then singular and the FID is biased and unstable).
//
// Accuracy: with full-rank covariances both paths agree to ~1e-10 relative. With singular ones the
// square root amplifies rounding: a zero eigenvalue computed as 1e-16 * lambda_max contributes
// ~1e-8 sqrt(lambda_max) to tr sqrt, and the iterative path's eps*I retry shifts the result by
// O(sqrt(eps)) per zero eigenvalue (as in pytorch-fid).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/metrics/feature_statistics.hpp"
#include "acne/metrics/linalg.hpp"

namespace acne::metrics {

struct frechet_options {
  // An eigenvalue below -negative_tolerance * (largest |eigenvalue|) counts as significantly negative.
  double negative_tolerance = 1e-8;
  // Inputs whose asymmetry max|s - s^T| exceeds this times max|s| are rejected.
  double symmetry_tolerance = 1e-6;
  // Iterative path: pytorch-fid's offset for the retry, iteration cap and convergence tolerance.
  double eps = 1e-6;
  int max_iterations = 100;
  double tolerance = 1e-13;
  // Eigen path: skip an eigendecomposition when its matrix is exactly diagonal (O(d^2) check;
  // the diagonal then holds the eigenvalues). Turn off to force the dense path.
  bool detect_diagonal = true;
};

struct frechet_result {
  double distance = 0.0;       // the Frechet distance (FID when the inputs are Inception statistics)
  double mean_term = 0.0;      // |mu1 - mu2|^2
  double trace_sigma1 = 0.0;   // tr s1
  double trace_sigma2 = 0.0;   // tr s2
  double trace_sqrt = 0.0;     // tr sqrt(s1 s2)
  std::string method;          // "eigen" or "denman-beavers"
  // eigen path: eigenvalues of s1 and of sqrt(s1) s2 sqrt(s1) clamped to 0, and the most negative one
  // relative to the largest magnitude of its matrix (0 when none was negative).
  std::size_t clamped_eigenvalues = 0;
  double most_negative_relative = 0.0;
  bool significant_negative = false;
  // iterative path: iterations of the last attempt, whether the eps*I retry was needed.
  int iterations = 0;
  bool used_offset = false;

  nlohmann::json to_json() const {
    return {{"distance", distance},           {"mean_term", mean_term},
            {"trace_sigma1", trace_sigma1},   {"trace_sigma2", trace_sigma2},
            {"trace_sqrt", trace_sqrt},       {"method", method},
            {"clamped_eigenvalues", clamped_eigenvalues}, {"most_negative_relative", most_negative_relative},
            {"significant_negative", significant_negative}, {"iterations", iterations},
            {"used_offset", used_offset}};
  }
};

namespace detail {

// Checks shapes and finiteness; returns the symmetrised copy of `sigma`.
inline std::vector<double> checked_covariance(std::span<const double> sigma, std::size_t d, const char* name,
                                              double symmetry_tolerance) {
  ACNE_CHECK(sigma.size() == d * d, "frechet distance: " << name << " has " << sigma.size()
                                                         << " values, expected " << d << "x" << d);
  std::vector<double> s(sigma.begin(), sigma.end());
  ACNE_CHECK(linalg::all_finite(s), "frechet distance: " << name << " holds NaN or infinite values");
  double largest = 0.0, asymmetry = 0.0;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = 0; i < d; ++i) {
      largest = std::max(largest, std::abs(s[j * d + i]));
      asymmetry = std::max(asymmetry, std::abs(s[j * d + i] - s[i * d + j]));
    }
  ACNE_CHECK(asymmetry <= symmetry_tolerance * largest,
             "frechet distance: " << name << " is not symmetric (max |s - s^T| = " << asymmetry << ")");
  linalg::symmetrize(s, d);
  return s;
}

inline frechet_result frechet_common(std::span<const double> mu1, std::span<const double> mu2,
                                     const std::vector<double>& s1, const std::vector<double>& s2) {
  const std::size_t d = mu1.size();
  frechet_result r;
  for (std::size_t i = 0; i < d; ++i) {
    ACNE_CHECK(std::isfinite(mu1[i]) && std::isfinite(mu2[i]), "frechet distance: non-finite mean at " << i);
    const double diff = mu1[i] - mu2[i];
    r.mean_term += diff * diff;
  }
  r.trace_sigma1 = linalg::trace(s1, d);
  r.trace_sigma2 = linalg::trace(s2, d);
  return r;
}

inline void check_means(std::span<const double> mu1, std::span<const double> mu2) {
  ACNE_CHECK(!mu1.empty(), "frechet distance: empty mean vector");
  ACNE_CHECK(mu1.size() == mu2.size(),
             "frechet distance: mean dimensions differ (" << mu1.size() << " vs " << mu2.size() << ")");
}

// Clamps negative eigenvalues to zero in place and updates the bookkeeping in `r`.
inline void clamp_eigenvalues(std::vector<double>& values, frechet_result& r, double tolerance) {
  double largest = 0.0;
  for (double v : values) largest = std::max(largest, std::abs(v));
  for (double& v : values) {
    if (v >= 0.0) continue;
    ++r.clamped_eigenvalues;
    const double relative = largest > 0.0 ? v / largest : -1.0;
    r.most_negative_relative = std::min(r.most_negative_relative, relative);
    if (relative < -tolerance) r.significant_negative = true;
    v = 0.0;
  }
}

// Principal square root of a (non-symmetric) matrix with positive real spectrum by the Denman-Beavers
// iteration with determinant scaling (Higham, Functions of Matrices, 6.3). Column-major n x n.
// Returns false on a singular iterate, non-finite values or no convergence.
inline bool sqrtm_denman_beavers(const std::vector<double>& a, std::size_t n, std::vector<double>& root,
                                 int max_iterations, double tolerance, int& iterations) {
  std::vector<double> y = a, z = linalg::identity(n);
  bool scaling = true;
  double previous_change = std::numeric_limits<double>::infinity();
  for (iterations = 1; iterations <= max_iterations; ++iterations) {
    std::vector<double> y_inv = y, z_inv = z;
    double log_det_y = 0.0, log_det_z = 0.0;
    if (!linalg::invert(y_inv, n, &log_det_y) || !linalg::invert(z_inv, n, &log_det_z)) return false;
    const double mu = scaling ? std::exp(-(log_det_y + log_det_z) / (2.0 * double(n))) : 1.0;
    if (!std::isfinite(mu) || mu == 0.0) return false;
    double change = 0.0, norm = 0.0;
    for (std::size_t i = 0; i < n * n; ++i) {
      const double y_next = 0.5 * (mu * y[i] + z_inv[i] / mu);
      const double z_next = 0.5 * (mu * z[i] + y_inv[i] / mu);
      change += (y_next - y[i]) * (y_next - y[i]);
      norm += y_next * y_next;
      y[i] = y_next;
      z[i] = z_next;
    }
    if (!std::isfinite(change) || !std::isfinite(norm)) return false;
    const double relative = norm > 0.0 ? std::sqrt(change / norm) : 0.0;
    if (relative < 1e-2) scaling = false;  // scaling only helps far from convergence
    if (relative <= tolerance) break;
    // Quadratic convergence has stopped at the attainable accuracy: further steps only add rounding.
    if (!scaling && relative < 1e-8 && relative > 0.5 * previous_change) break;
    previous_change = relative;
  }
  if (iterations > max_iterations) return false;
  root = std::move(y);
  return linalg::all_finite(root);
}

}  // namespace detail

// Eigen path (default). mu: d values; sigma: d x d (symmetric, so row/column order does not matter).
inline frechet_result frechet_distance(std::span<const double> mu1, std::span<const double> sigma1,
                                       std::span<const double> mu2, std::span<const double> sigma2,
                                       const frechet_options& options = {}) {
  const linalg::blas_own_threads blas;
  detail::check_means(mu1, mu2);
  const std::size_t d = mu1.size();
  const auto s1 = detail::checked_covariance(sigma1, d, "sigma1", options.symmetry_tolerance);
  const auto s2 = detail::checked_covariance(sigma2, d, "sigma2", options.symmetry_tolerance);
  frechet_result r = detail::frechet_common(mu1, mu2, s1, s2);
  r.method = "eigen";

  // s1 = V D V^T, sqrt(s1) = V D^1/2 V^T, so M = sqrt(s1) s2 sqrt(s1) = V (D^1/2 V^T s2 V D^1/2) V^T:
  // M has the eigenvalues of D^1/2 (V^T s2 V) D^1/2, which saves forming sqrt(s1).
  const bool diagonal1 = options.detect_diagonal && linalg::is_diagonal(s1, d);
  linalg::symmetric_eigen e1;
  std::vector<double> m;
  if (diagonal1) {  // V = I
    e1.values = linalg::diagonal(s1, d);
    detail::clamp_eigenvalues(e1.values, r, options.negative_tolerance);
    m = s2;
  } else {
    e1 = linalg::eigen_symmetric(s1, d, true);
    detail::clamp_eigenvalues(e1.values, r, options.negative_tolerance);
    std::vector<double> t(d * d, 0.0);
    m.assign(d * d, 0.0);
    linalg::gemm(false, false, d, d, d, 1.0, s2.data(), d, e1.vectors.data(), d, 0.0, t.data(), d);  // s2 V
    linalg::gemm(true, false, d, d, d, 1.0, e1.vectors.data(), d, t.data(), d, 0.0, m.data(), d);     // V^T s2 V
  }
  for (std::size_t j = 0; j < d; ++j) {
    const double sj = std::sqrt(e1.values[j]);
    for (std::size_t i = 0; i < d; ++i) m[j * d + i] *= std::sqrt(e1.values[i]) * sj;
  }
  linalg::symmetrize(m, d);
  std::vector<double> eigenvalues = options.detect_diagonal && linalg::is_diagonal(m, d)
                                        ? linalg::diagonal(m, d)
                                        : linalg::eigen_symmetric(std::move(m), d, false).values;
  detail::clamp_eigenvalues(eigenvalues, r, options.negative_tolerance);
  for (double v : eigenvalues) r.trace_sqrt += std::sqrt(v);

  r.distance = r.mean_term + r.trace_sigma1 + r.trace_sigma2 - 2.0 * r.trace_sqrt;
  return r;
}

// Iterative path (pytorch-fid's recipe with Denman-Beavers in place of scipy.linalg.sqrtm).
inline frechet_result frechet_distance_iterative(std::span<const double> mu1, std::span<const double> sigma1,
                                                 std::span<const double> mu2, std::span<const double> sigma2,
                                                 const frechet_options& options = {}) {
  const linalg::blas_own_threads blas;
  detail::check_means(mu1, mu2);
  const std::size_t d = mu1.size();
  auto s1 = detail::checked_covariance(sigma1, d, "sigma1", options.symmetry_tolerance);
  auto s2 = detail::checked_covariance(sigma2, d, "sigma2", options.symmetry_tolerance);
  frechet_result r = detail::frechet_common(mu1, mu2, s1, s2);
  r.method = "denman-beavers";

  std::vector<double> root;
  bool ok = detail::sqrtm_denman_beavers(linalg::multiply(s1, s2, d), d, root, options.max_iterations,
                                         options.tolerance, r.iterations);
  if (!ok) {
    // pytorch-fid: "fid calculation produces singular product; adding eps to diagonal of cov estimates"
    for (std::size_t i = 0; i < d; ++i) {
      s1[i * d + i] += options.eps;
      s2[i * d + i] += options.eps;
    }
    r.used_offset = true;
    ok = detail::sqrtm_denman_beavers(linalg::multiply(s1, s2, d), d, root, options.max_iterations,
                                      options.tolerance, r.iterations);
    ACNE_CHECK(ok, "frechet_distance_iterative: sqrtm(sigma1 sigma2) did not converge even with eps = "
                       << options.eps << " added to the diagonals");
  }
  r.trace_sqrt = linalg::trace(root, d);
  r.distance = r.mean_term + r.trace_sigma1 + r.trace_sigma2 - 2.0 * r.trace_sqrt;
  return r;
}

struct fid_report {
  std::string extractor;     // feature extractor both statistics came from
  std::size_t dims = 0;      // feature dimension
  std::size_t images1 = 0;   // images (feature vectors) behind the first statistics
  std::size_t images2 = 0;   // ... and the second
  double fid = 0.0;
  // A count below the dimension leaves that covariance singular: FID is then biased and unstable.
  bool few_images_warning = false;
  frechet_result details;

  // Human-readable warnings, empty when there is nothing to report.
  std::string warning() const {
    std::string text;
    if (few_images_warning)
      text = "fewer images (" + std::to_string(std::min(images1, images2)) + ") than feature dimensions (" +
             std::to_string(dims) + "): singular covariance, FID is biased and unstable";
    if (details.significant_negative)
      text += std::string(text.empty() ? "" : "; ") +
              "significantly negative eigenvalues were clamped to 0: the statistics are not valid covariances";
    return text;
  }
  nlohmann::json to_json() const {
    return {{"fid", fid},         {"extractor", extractor}, {"dims", dims},
            {"images1", images1}, {"images2", images2},     {"few_images_warning", few_images_warning},
            {"warning", warning()}, {"details", details.to_json()}};
  }
};

enum class fid_method {
  eigen,          // frechet_distance: symmetric eigendecompositions (default, robust)
  denman_beavers  // frechet_distance_iterative: pytorch-fid's sqrtm(s1 s2) recipe, as a cross-check
};

// FID between two sets of feature statistics from the same extractor.
inline fid_report compute_fid(const feature_statistics& first, const feature_statistics& second,
                              const frechet_options& options = {}, fid_method method = fid_method::eigen) {
  ACNE_CHECK(first.dims() == second.dims(),
             "compute_fid: feature dimensions differ (" << first.dims() << " vs " << second.dims() << ")");
  ACNE_CHECK(first.extractor().empty() || second.extractor().empty() || first.extractor() == second.extractor(),
             "compute_fid: statistics come from different feature extractors ('" << first.extractor() << "' vs '"
                                                                                  << second.extractor() << "')");
  fid_report report;
  report.extractor = first.extractor().empty() ? second.extractor() : first.extractor();
  report.dims = first.dims();
  report.images1 = first.count();
  report.images2 = second.count();
  report.few_images_warning = report.images1 < report.dims || report.images2 < report.dims;
  const auto s1 = first.covariance(), s2 = second.covariance();
  report.details = method == fid_method::denman_beavers ? frechet_distance_iterative(first.mean(), s1, second.mean(), s2, options)
                             : frechet_distance(first.mean(), s1, second.mean(), s2, options);
  report.fid = report.details.distance;
  return report;
}

}  // namespace acne::metrics
