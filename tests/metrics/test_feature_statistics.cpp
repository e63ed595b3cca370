#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "acne/io/report.hpp"
#include "acne/metrics/feature_statistics.hpp"
#include "support/scratch_dir.hpp"

namespace test_metrics_feature_statistics {

namespace m = acne::metrics;
namespace fs = std::filesystem;

namespace {

// n x d row-major samples: per-column offsets far from zero (1000 + j) and scales (1 + j/4),
// which makes a naive sum-of-squares covariance lose digits; columns are correlated through a
// shared factor so the covariance is not diagonal.
std::vector<double> random_features(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(n * d);
  for (std::size_t r = 0; r < n; ++r) {
    const double shared = normal(rng);
    for (std::size_t j = 0; j < d; ++j)
      x[r * d + j] = 1000.0 + double(j) + (1.0 + double(j) / 4.0) * normal(rng) + 0.5 * shared;
  }
  return x;
}

// One-shot two-pass reference in long double, as numpy's mean and np.cov(x, rowvar=False) (ddof 1).
void reference_moments(const std::vector<double>& x, std::size_t d, std::vector<double>& mean,
                       std::vector<double>& cov) {
  const std::size_t n = x.size() / d;
  mean.assign(d, 0.0);
  cov.assign(d * d, 0.0);
  for (std::size_t j = 0; j < d; ++j) {
    long double s = 0;
    for (std::size_t r = 0; r < n; ++r) s += x[r * d + j];
    mean[j] = double(s / n);
  }
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = 0; b < d; ++b) {
      long double s = 0;
      for (std::size_t r = 0; r < n; ++r) s += ((long double)x[r * d + a] - mean[a]) * ((long double)x[r * d + b] - mean[b]);
      cov[a * d + b] = double(s / (n - 1));
    }
}

// One folder for this file's tests, removed at exit.
const fs::path& scratch() {
  static const acne::test::scratch_dir dir("metrics");
  return dir.path();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feature_statistics)

BOOST_AUTO_TEST_CASE(streaming_equals_one_shot_on_uneven_batches) {
  const std::size_t n = 157, d = 7;
  const auto x = random_features(n, d, 11);
  std::vector<double> mean, cov;
  reference_moments(x, d, mean, cov);

  m::feature_statistics stats(d, "test-extractor");
  const std::size_t batches[] = {1, 13, 50, 0, 2, 91};  // sums to 157
  std::size_t offset = 0;
  for (std::size_t rows : batches) {
    stats.add(std::span<const double>(x.data() + offset * d, rows * d), d);
    offset += rows;
  }
  BOOST_REQUIRE(offset == n);
  BOOST_TEST(stats.count() == n);
  const auto got_cov = stats.covariance();
  for (std::size_t j = 0; j < d; ++j) BOOST_TEST(stats.mean()[j] == mean[j], boost::test_tools::tolerance(1e-13));
  for (std::size_t i = 0; i < d * d; ++i)
    BOOST_TEST(got_cov[i] == cov[i], boost::test_tools::tolerance(1e-10));
  // Symmetric exactly, and a sanity check of the reference itself: var(column 0) ~ 1 + 0.25 = 1.25.
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = 0; b < d; ++b) BOOST_TEST(got_cov[a * d + b] == got_cov[b * d + a]);
  BOOST_TEST(std::abs(cov[0] - 1.25) < 0.4);
}

BOOST_AUTO_TEST_CASE(float_batches_and_merge) {
  const std::size_t n = 120, d = 5;
  const auto xd = random_features(n, d, 12);
  std::vector<float> xf(xd.begin(), xd.end());
  const std::vector<double> rounded(xf.begin(), xf.end());  // the values the float path actually sees
  std::vector<double> mean, cov;
  reference_moments(rounded, d, mean, cov);

  m::feature_statistics first(d), second(d, "inception");
  first.add(std::span<const float>(xf.data(), 70 * d));
  second.add(std::span<const float>(xf.data() + 70 * d, 50 * d));
  first.merge(second);
  BOOST_TEST(first.count() == n);
  BOOST_TEST(first.extractor() == "inception");
  const auto got = first.covariance();
  for (std::size_t i = 0; i < d * d; ++i) BOOST_TEST(got[i] == cov[i], boost::test_tools::tolerance(1e-10));
  for (std::size_t j = 0; j < d; ++j) BOOST_TEST(first.mean()[j] == mean[j], boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(errors) {
  m::feature_statistics stats(4);
  const std::vector<double> one_row{1, 2, 3, 4};
  stats.add(one_row);
  BOOST_CHECK_THROW(stats.covariance(), acne::error);                   // fewer than 2 samples
  BOOST_CHECK_THROW(stats.save(scratch() / "one.stats"), acne::error);
  const std::vector<double> six(6, 1.0);
  BOOST_CHECK_THROW(stats.add(six), acne::error);                       // 6 is not a multiple of 4
  const std::vector<double> eight(8, 1.0);
  BOOST_CHECK_THROW(stats.add(eight, 2), acne::error);                  // rows of 2 into dims 4
  BOOST_CHECK_THROW(stats.merge(m::feature_statistics(3)), acne::error);
  BOOST_CHECK_THROW(m::feature_statistics(4, "a").merge(m::feature_statistics(4, "b")), acne::error);
  const std::vector<double> bad{1, 2, NAN, 4};
  BOOST_CHECK_THROW(stats.add(bad), acne::error);
  BOOST_CHECK_THROW(m::feature_statistics(0), acne::error);
}

BOOST_AUTO_TEST_CASE(save_load_round_trip) {
  const std::size_t n = 40, d = 6;
  const auto x = random_features(n, d, 13);
  m::feature_statistics stats(d, "inception-v3-pool3");
  stats.add(x);
  const fs::path path = scratch() / "round_trip.stats.safetensors";
  stats.save(path);
  const auto loaded = m::feature_statistics::load(path);
  BOOST_TEST(loaded.dims() == d);
  BOOST_TEST(loaded.count() == n);
  BOOST_TEST(loaded.extractor() == "inception-v3-pool3");
  BOOST_TEST(loaded.mean() == stats.mean(), boost::test_tools::per_element());  // stored bit for bit
  const auto a = stats.covariance(), b = loaded.covariance();
  for (std::size_t i = 0; i < d * d; ++i) BOOST_TEST(a[i] == b[i], boost::test_tools::tolerance(1e-15));
  // The file is what the header comment documents: u64 header length, JSON with mu/sigma F64.
  const std::string bytes = acne::io::read_text_file(path);
  std::uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  BOOST_TEST(header % 8 == 0u);
  BOOST_TEST(bytes.size() == 8 + header + 8 * (d + d * d));
  const auto json = nlohmann::json::parse(bytes.substr(8, header));
  BOOST_TEST(json.at("sigma").at("shape").dump() == "[6,6]");
  BOOST_TEST(json.at("__metadata__").at("count").get<std::string>() == "40");
}

BOOST_AUTO_TEST_CASE(corrupt_files_are_rejected) {
  const std::size_t d = 3;
  m::feature_statistics stats(d, "x");
  stats.add(random_features(10, d, 14));
  const fs::path good = scratch() / "good.stats";
  stats.save(good);
  const std::string bytes = acne::io::read_text_file(good);
  auto write = [](const fs::path& p, const std::string& content) {
    std::ofstream(p, std::ios::binary) << content;
    return p;
  };
  const fs::path dir = scratch();
  BOOST_CHECK_THROW(m::feature_statistics::load(dir / "missing.stats"), acne::error);
  BOOST_CHECK_THROW(m::feature_statistics::load(write(dir / "short.stats", "abc")), acne::error);
  BOOST_CHECK_THROW(m::feature_statistics::load(write(dir / "truncated.stats", bytes.substr(0, bytes.size() - 8))),
                    acne::error);
  BOOST_CHECK_THROW(m::feature_statistics::load(write(dir / "extra.stats", bytes + "12345678")), acne::error);
  std::string huge_header = bytes;
  huge_header[7] = '\x7f';  // header length ~ 2^63
  BOOST_CHECK_THROW(m::feature_statistics::load(write(dir / "huge.stats", huge_header)), acne::error);
  std::string broken_json = bytes;
  broken_json[8] = '[';  // '{' -> '['
  BOOST_CHECK_THROW(m::feature_statistics::load(write(dir / "json.stats", broken_json)), acne::error);
  std::string other_format = bytes;
  const auto at = other_format.find("acne.feature_statistics");
  BOOST_REQUIRE(at != std::string::npos);
  other_format[at] = 'b';
  BOOST_CHECK_THROW(m::feature_statistics::load(write(dir / "format.stats", other_format)), acne::error);
  // Sanity: the untouched bytes load.
  BOOST_CHECK_NO_THROW(m::feature_statistics::load(write(dir / "copy.stats", bytes)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_feature_statistics
