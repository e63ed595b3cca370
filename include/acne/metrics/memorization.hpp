#pragma once
// Per-image and per-set measures of memorisation, computed from nearest neighbours among real
// images where an image and its mirror image count as one (a group):
//   - near-copy flag: a synthetic image is flagged when its calibrated distance, the distance to its
//     nearest real image over the mean distance to its `calibration` (50) nearest real images (the
//     form of Carlini et al. 2023, "Extracting training data from diffusion models", section 5), is
//     below `calibrated_threshold` (1/3), or when its nearest real image is less than a third as far
//     as the second nearest (ratio_threshold, the test of a match that stands out from its runner-up);
//   - the memorisation distance of MiFID (Bai et al. 2021, "On training sample memorization: lessons
//     from benchmarking generative modeling with a large-scale competition"): the mean over synthetic
//     images of the cosine distance to the nearest real image, d; MiFID = FID / d when d < 0.1, FID
//     otherwise. Cosine distance is 1 - cos; the competition's scorer takes 1 - |cos|, the same for the
//     non-negative (post-ReLU) features every extractor of acne gives.
#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "acne/error.hpp"
#include "acne/metrics/nearest_neighbours.hpp"

namespace acne::metrics {

// The k nearest groups of each query, from neighbours found among rows (k_rows of them per query,
// nearest first) and the group of each row: the nearest row of a group speaks for it.
inline neighbours nearest_groups(const neighbours& rows, std::span<const std::size_t> group, std::size_t k) {
  neighbours out{k, {}, {}};
  for (std::size_t q = 0; q < rows.queries(); ++q) {
    std::vector<std::size_t> seen;
    for (std::size_t j = 0; j < rows.k && seen.size() < k; ++j) {
      const std::size_t g = group[rows.index[q * rows.k + j]];
      if (std::find(seen.begin(), seen.end(), g) != seen.end()) continue;
      seen.push_back(g);
      out.index.push_back(g);
      out.distance.push_back(rows.distance[q * rows.k + j]);
    }
    ACNE_CHECK(seen.size() == k, "nearest_groups: query " << q << " reaches " << seen.size() << " groups in its "
                                                          << rows.k << " nearest rows, " << k << " asked");
  }
  return out;
}

struct near_copy_options {
  std::size_t calibration = 50;       // real images whose mean distance calibrates the nearest one
  double calibrated_threshold = 1.0 / 3;
  double ratio_threshold = 1.0 / 3;   // nearest over second nearest
};

struct near_copy_score {
  double nearest = 0, second = 0;
  double calibrated = 0;  // nearest / mean of the `calibration` nearest
  double ratio = 0;       // nearest / second
  bool flagged = false;
};

// `groups` holds each query's nearest real images (groups), at least min(2, ...) of them; the
// calibration uses as many as it holds, up to options.calibration.
inline std::vector<near_copy_score> near_copy_scores(const neighbours& groups, const near_copy_options& o = {}) {
  ACNE_CHECK(groups.k >= 2, "near_copy_scores: needs the two nearest real images of each image, got " << groups.k);
  const std::size_t calibration = std::min(groups.k, std::max<std::size_t>(o.calibration, 2));
  std::vector<near_copy_score> out(groups.queries());
  for (std::size_t q = 0; q < out.size(); ++q) {
    auto& s = out[q];
    s.nearest = groups.distance[q * groups.k];
    s.second = groups.distance[q * groups.k + 1];
    double mean = 0;
    for (std::size_t j = 0; j < calibration; ++j) mean += groups.distance[q * groups.k + j];
    mean /= double(calibration);
    // An image equal to all its neighbours (mean 0) is a copy of each.
    s.calibrated = mean > 0 ? s.nearest / mean : 0;
    s.ratio = s.second > 0 ? s.nearest / s.second : (s.nearest > 0 ? 1 : 0);
    s.flagged = s.calibrated < o.calibrated_threshold || s.ratio < o.ratio_threshold;
  }
  return out;
}

inline constexpr double mifid_threshold = 0.1;

// d of MiFID from each synthetic image's cosine distance to its nearest real image.
inline double mifid_memorization_distance(std::span<const double> nearest_cosine) {
  ACNE_CHECK(!nearest_cosine.empty(), "mifid_memorization_distance: no synthetic images");
  double sum = 0;
  for (const double d : nearest_cosine) sum += d;
  return sum / double(nearest_cosine.size());
}

inline double mifid(double fid, double memorization_distance) {
  return memorization_distance < mifid_threshold ? fid / std::max(memorization_distance, 1e-15) : fid;
}

}  // namespace acne::metrics
