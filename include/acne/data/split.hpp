#pragma once
// Deterministic stratified train/validation split: each class is shuffled with a seed and its first
// round(fraction * n_class) samples go to validation, so class proportions are kept in both parts.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <vector>

#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::data {

struct split_indices {
  std::vector<std::size_t> train;       // ascending sample indices
  std::vector<std::size_t> validation;  // ascending sample indices
};

// labels[i] is the class of sample i. Default: 80 % train, 20 % validation (the paper's split).
inline split_indices stratified_split(std::span<const int> labels, double validation_fraction = 0.2,
                                      std::uint64_t seed = 0) {
  ACNE_CHECK(validation_fraction >= 0.0 && validation_fraction <= 1.0,
             "stratified_split: validation fraction " << validation_fraction << " outside [0, 1]");
  std::map<int, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  std::vector<bool> is_validation(labels.size(), false);
  for (auto& [label, members] : by_class) {
    std::mt19937_64 rng(mix_seed(seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(label))));
    shuffle(members, rng);
    const auto n_val = static_cast<std::size_t>(std::llround(validation_fraction * static_cast<double>(members.size())));
    for (std::size_t j = 0; j < n_val && j < members.size(); ++j) is_validation[members[j]] = true;
  }
  split_indices out;
  for (std::size_t i = 0; i < labels.size(); ++i) (is_validation[i] ? out.validation : out.train).push_back(i);
  return out;
}

inline split_indices stratified_split(const std::vector<int>& labels, double validation_fraction = 0.2,
                                      std::uint64_t seed = 0) {
  return stratified_split(std::span<const int>(labels), validation_fraction, seed);
}

}  // namespace acne::data
