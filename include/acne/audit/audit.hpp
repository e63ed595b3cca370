#pragma once
// The anonymity audit of a synthetic image set against the real images its generator saw (and,
// when given, real test images it did not see), in one or more spaces (pixels, a feature extractor,
// a classifier's features). In every space:
//   - each synthetic image's nearest real image (an image and its mirror image count as one real
//     image, for generators trained with x-flips), the near-copy scores (metrics/memorization.hpp);
//   - authenticity (Alaa et al. 2022) of the synthetic set, and of the test set as the yardstick;
//   - the data-copying test C_T (Meehan et al. 2020) when test images are given;
//   - in feature spaces (cosine), FID against the real set and MiFID's memorisation distance.
// The set passes when, in every space, no image is a near-copy (in the spaces whose flags decide),
// C_T >= c_t_limit, and authenticity reaches its bar (a share of the test set's, or min_authenticity
// without a test set).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "acne/audit/image_set.hpp"
#include "acne/instances.hpp"
#include "acne/metrics/data_copying.hpp"
#include "acne/metrics/fid.hpp"
#include "acne/metrics/memorization.hpp"

namespace acne::audit {

struct space {
  std::unique_ptr<metrics::feature_extractor> extractor;
  metrics::distance_kind kind = metrics::distance_kind::euclidean;
  // Whether this space's near-copy flags make an image a near-copy. A weight-free stand-in such as
  // random-conv-v1 (colour and texture statistics) scores every image, but its flags alone do not
  // decide: of 400 synthetic severe faces it flagged one whose nearest real face is another face
  // entirely (pixels put it at a calibrated distance of 0.74).
  bool decides_near_copies = true;
};

struct audit_options {
  metrics::near_copy_options near_copy{};
  metrics::data_copying_options copying{};
  bool mirrors = true;                 // a mirrored real image is a real image
  double c_t_limit = -3;               // C_T below it: copying
  double min_authenticity_share = 0.5; // synthetic authenticity >= this x the test set's
  double min_authenticity = 0.25;      // without a test set
  metrics::fid_pipeline_options features{};
  std::ostream* log = nullptr;
};

struct image_match {
  std::size_t real = 0;  // index into the real set
  bool mirrored = false; // the nearest was that image's mirror
  metrics::near_copy_score score{};
};

struct space_audit {
  std::string name;      // the extractor's name
  std::string distance;  // "euclidean" or "cosine"
  std::vector<image_match> synthetic;  // one per synthetic image
  std::vector<double> test_nearest;    // each test image's distance to its nearest real image
  double authenticity = 0;
  std::optional<double> test_authenticity;
  std::optional<metrics::data_copying_result> copying;
  std::optional<double> fid, mifid_distance, mifid;
  double calibrated_threshold = 0, ratio_threshold = 0;  // this space's near-copy thresholds
  bool decides_near_copies = true;
  double seconds = 0;

  std::size_t flagged() const {
    std::size_t n = 0;
    for (const auto& m : synthetic) n += m.score.flagged;
    return n;
  }
};

struct audit_result {
  image_set synthetic, real, test;
  std::vector<space_audit> spaces;
  std::vector<bool> flagged;          // per synthetic image: a near-copy in some space
  std::vector<std::string> failures;  // the criteria not met, in words
  double seconds = 0;

  bool passed() const { return failures.empty(); }
  std::size_t flagged_count() const { return std::size_t(std::count(flagged.begin(), flagged.end(), true)); }
};

namespace detail {

inline constexpr double null_quantile = 0.01;

inline const char* distance_name(metrics::distance_kind k) {
  return k == metrics::distance_kind::cosine ? "cosine" : "euclidean";
}

// Each row's group: image i and its mirror n + i are one real image.
inline std::vector<std::size_t> real_groups(std::size_t images, bool mirrors) {
  std::vector<std::size_t> g(mirrors ? 2 * images : images);
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = i % images;
  return g;
}

// The nearest of each query's neighbours.
inline metrics::neighbours first_of(const metrics::neighbours& all) {
  metrics::neighbours first{1, {}, {}};
  for (std::size_t q = 0; q < all.queries(); ++q) {
    first.index.push_back(all.index[q * all.k]);
    first.distance.push_back(all.distance[q * all.k]);
  }
  return first;
}

// The near-copy thresholds of one space: the fixed ones, lowered where distinct real faces already
// score below them (to half the 1st percentile of the real images' own scores), so that a space in
// which every face sits close to every other does not call fresh faces copies.
inline metrics::near_copy_options space_thresholds(const std::vector<metrics::near_copy_score>& real,
                                                   metrics::near_copy_options o) {
  const auto lowered = [&](double threshold, auto score) {
    std::vector<double> v;
    for (const auto& r : real) v.push_back(score(r));
    if (v.empty()) return threshold;
    const auto at = v.begin() + std::ptrdiff_t(double(v.size() - 1) * null_quantile);
    std::nth_element(v.begin(), at, v.end());
    return std::min(threshold, 0.5 * *at);
  };
  o.calibrated_threshold = lowered(o.calibrated_threshold, [](const auto& r) { return r.calibrated; });
  o.ratio_threshold = lowered(o.ratio_threshold, [](const auto& r) { return r.ratio; });
  return o;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline void judge(const space_audit& s, const audit_options& o, std::vector<std::string>& failures) {
  const auto fail = [&](const auto&... what) {
    std::ostringstream why;
    (why << ... << what);
    failures.push_back(s.name + ": " + why.str());
  };
  if (const auto n = s.flagged(); n && s.decides_near_copies)
    fail(n, " of ", s.synthetic.size(), " synthetic images are near-copies of real ones");
  // C_T is undefined (NaN) when no cell holds enough synthetic images to count.
  if (s.copying && std::isfinite(s.copying->c_t) && s.copying->c_t < o.c_t_limit) fail("C_T ", s.copying->c_t, " < ", o.c_t_limit, " (data copying)");
  if (s.test_authenticity && s.authenticity < o.min_authenticity_share * *s.test_authenticity)
    fail("authenticity ", s.authenticity, " < ", o.min_authenticity_share, " x the test images' ", *s.test_authenticity);
  if (!s.test_authenticity && s.authenticity < o.min_authenticity)
    fail("authenticity ", s.authenticity, " < ", o.min_authenticity);
}

}  // namespace detail

// One space: the features of every set, then every statistic; the neighbour searches run on D (the
// data-copying test's small per-cell searches on the CPU).
template <class D = cpu>
space_audit audit_space(space& sp, const image_set& synthetic, const image_set& real, const image_set& test,
                               const audit_options& o) {
  using namespace metrics;
  const auto start = std::chrono::steady_clock::now();
  auto& e = *sp.extractor;
  const bool cosine = sp.kind == distance_kind::cosine;
  space_audit s;
  s.name = e.name();
  s.decides_near_copies = sp.decides_near_copies;
  s.distance = detail::distance_name(sp.kind);
  if (o.log) *o.log << "audit: " << e.name() << " features of " << real.size() << " real" << (o.mirrors ? " (and mirrored)" : "")
                    << ", " << synthetic.size() << " synthetic and " << test.size() << " test images" << std::endl;
  // Raw features for FID; unit rows for every distance of a cosine space.
  const auto raw_real = set_features(e, real, o.mirrors, false, o.features);
  const auto raw_synthetic = set_features(e, synthetic, false, false, o.features);
  const auto unit = [&](const feature_rows& f) { return cosine ? feature_rows{f.dims, metrics::unit_rows(f.rows, f.dims)} : f; };
  const auto real_rows = unit(raw_real), synthetic_rows = unit(raw_synthetic);
  const auto test_rows = test.empty() ? feature_rows{e.dims(), {}} : set_features(e, test, false, cosine, o.features);
  const std::size_t n = real.size(), dims = e.dims();
  const auto groups = detail::real_groups(n, o.mirrors);

  // Each real image's nearest other real images: the yardstick of authenticity, and the scores of
  // faces known to be distinct, which set how low a near-copy's scores must be in this space.
  const std::span<const float> originals(real_rows.rows.data(), n * dims);
  std::vector<std::size_t> own(n);
  for (std::size_t i = 0; i < n; ++i) own[i] = i;
  const std::size_t k_null = std::min(o.near_copy.calibration, n - 1);
  const auto real_nn = nearest_groups(
      nearest_neighbours<D>(originals, real_rows.rows, dims,
                         {.k = std::min(groups.size() - (o.mirrors ? 2 : 1), o.mirrors ? 2 * k_null : k_null),
                          .kind = sp.kind, .query_groups = own, .reference_groups = groups}),
      groups, k_null);
  const auto thresholds = detail::space_thresholds(near_copy_scores(real_nn, o.near_copy), o.near_copy);
  s.calibrated_threshold = thresholds.calibrated_threshold;
  s.ratio_threshold = thresholds.ratio_threshold;

  // Synthetic -> nearest real images.
  const std::size_t k = std::min(o.near_copy.calibration, n);
  const auto rows = nearest_neighbours<D>(synthetic_rows.rows, real_rows.rows, dims,
                                       {.k = std::min(groups.size(), o.mirrors ? 2 * k : k), .kind = sp.kind});
  const auto nearest = nearest_groups(rows, groups, k);
  const auto scores = near_copy_scores(nearest, thresholds);
  for (std::size_t i = 0; i < scores.size(); ++i)
    s.synthetic.push_back({nearest.index[i * k], rows.index[i * rows.k] >= n, scores[i]});
  s.authenticity = authenticity(detail::first_of(nearest), detail::first_of(real_nn));

  if (!test.empty()) {
    const auto test_near = nearest_groups(
        nearest_neighbours<D>(test_rows.rows, real_rows.rows, dims, {.k = std::min<std::size_t>(groups.size(), 2), .kind = sp.kind}),
        groups, 1);
    s.test_nearest = test_near.distance;
    s.test_authenticity = authenticity(test_near, detail::first_of(real_nn));
    const std::span<const float> mirrored = o.mirrors ? std::span<const float>(real_rows.rows).subspan(n * dims)
                                                      : std::span<const float>();
    s.copying = data_copying_test(originals, mirrored, test_rows.rows, synthetic_rows.rows, dims, o.copying);
  }
  if (cosine) {
    feature_statistics a(dims, e.name()), b(dims, e.name());
    a.add(std::span<const float>(raw_real.rows.data(), n * dims), dims);
    b.add(std::span<const float>(raw_synthetic.rows), dims);
    if (a.count() >= 2 && b.count() >= 2) s.fid = compute_fid(b, a).fid;
    std::vector<double> nearest_cosine;
    for (const auto& m : s.synthetic) nearest_cosine.push_back(m.score.nearest);
    s.mifid_distance = mifid_memorization_distance(nearest_cosine);
    if (s.fid) s.mifid = mifid(*s.fid, *s.mifid_distance);
  }
  s.seconds = detail::seconds_since(start);
  return s;
}

// Audits `synthetic` against `real` (and `test`, which may be empty) in every space.
template <class D = cpu>
audit_result run_audit(const image_set& synthetic, const image_set& real, const image_set& test,
                              std::vector<space>& spaces, const audit_options& o = {}) {
  ACNE_CHECK(!synthetic.empty(), "audit: no synthetic images below '" << synthetic.root.string() << "'");
  ACNE_CHECK(real.size() >= 3, "audit: " << real.size() << " real images below '" << real.root.string()
                                         << "'; the audit needs at least 3");
  const auto start = std::chrono::steady_clock::now();
  audit_result r{synthetic, real, test, {}, std::vector<bool>(synthetic.size(), false), {}, 0};
  for (auto& sp : spaces) {
    r.spaces.push_back(audit_space<D>(sp, synthetic, real, test, o));
    const auto& s = r.spaces.back();
    for (std::size_t i = 0; i < s.synthetic.size(); ++i)
      if (s.decides_near_copies && s.synthetic[i].score.flagged) r.flagged[i] = true;
    detail::judge(s, o, r.failures);
  }
  r.seconds = detail::seconds_since(start);
  return r;
}
#define ACNE_RUN_AUDIT(D)                                                                          \
  audit_result run_audit<D>(const image_set&, const image_set&, const image_set&, std::vector<space>&, \
                            const audit_options&)
ACNE_EXTERN_INSTANCES(ACNE_RUN_AUDIT)

}  // namespace acne::audit
