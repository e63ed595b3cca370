#pragma once
// StyleGAN2's minibatch standard deviation. The batch is split as sample n = g * M + m into G groups
// (M = N / G): the samples sharing m form a group, and for each group and each of F feature
// channels the statistic is the mean over (C/F, H, W) of sqrt(biased variance over the group + 1e-8).
// It is appended to every sample of the group as F constant channels.
#include <cmath>
#include <vector>

#include "acne/tensor/tensor.hpp"

namespace acne {

namespace cpu_backend {
struct mbstd_geometry {
  std::size_t groups, members, features, per_feature;  // G, M, F, (C/F) * H * W
  mbstd_geometry(const shape4& s, std::size_t group_size, std::size_t features) : features(features) {
    groups = std::min(group_size, s.n);
    ACNE_CHECK(groups > 0 && s.n % groups == 0,
               "minibatch stddev: batch " << s.n << " is not a multiple of the group size " << groups);
    ACNE_CHECK(features > 0 && s.c % features == 0,
               "minibatch stddev: " << s.c << " channels do not split into " << features << " features");
    members = s.n / groups;
    per_feature = s.c / features * s.plane();
  }
  // Offset of element e of feature f of sample (g, m) in the input.
  std::size_t at(const shape4& s, std::size_t g, std::size_t m, std::size_t f, std::size_t e) const {
    return (g * members + m) * s.sample_size() + f * per_feature + e;
  }
};
constexpr double mbstd_eps = 1e-8;

// The group's mean and standard deviation at element e of feature f of member m, with their
// derivatives along tx.
struct group_moments {
  double mean, tmean, sd, tsd;
};
template <class T>
group_moments moments_along(const tensor<T, cpu>& x, const tensor<T, cpu>& tx, const mbstd_geometry& geo,
                            std::size_t m, std::size_t f, std::size_t e) {
  const auto& s = x.shape();
  const double G = double(geo.groups);
  double mean = 0, tmean = 0;
  for (std::size_t g = 0; g < geo.groups; ++g) {
    mean += x[geo.at(s, g, m, f, e)];
    tmean += tx[geo.at(s, g, m, f, e)];
  }
  mean /= G, tmean /= G;
  double var = 0, tvar = 0;
  for (std::size_t g = 0; g < geo.groups; ++g) {
    const std::size_t i = geo.at(s, g, m, f, e);
    const double d = x[i] - mean;
    var += d * d;
    tvar += 2 * d * (tx[i] - tmean);
  }
  const double sd = std::sqrt(var / G + mbstd_eps);
  return {mean, tmean, sd, tvar / G / (2 * sd)};
}
}  // namespace cpu_backend

// y [N, C + F, H, W] = x with the F statistic channels appended.
template <class T>
void minibatch_stddev_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, std::size_t group_size, std::size_t features) {
  const auto& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_forward", shape4{s.n, s.c + features, s.h, s.w}, y.shape());
  for (std::size_t n = 0; n < s.n; ++n)
    std::copy(x.data() + n * s.sample_size(), x.data() + (n + 1) * s.sample_size(), y.data() + n * y.shape().sample_size());
  const double G = double(geo.groups);
  for (std::size_t m = 0; m < geo.members; ++m)
    for (std::size_t f = 0; f < features; ++f) {
      double stat = 0;
      for (std::size_t e = 0; e < geo.per_feature; ++e) {
        double mean = 0, var = 0;
        for (std::size_t g = 0; g < geo.groups; ++g) mean += x[geo.at(s, g, m, f, e)];
        mean /= G;
        for (std::size_t g = 0; g < geo.groups; ++g) {
          const double d = x[geo.at(s, g, m, f, e)] - mean;
          var += d * d;
        }
        stat += std::sqrt(var / G + cpu_backend::mbstd_eps);
      }
      stat /= double(geo.per_feature);
      for (std::size_t g = 0; g < geo.groups; ++g) {
        T* out = y.data() + ((g * geo.members + m) * (s.c + features) + s.c + f) * s.plane();
        std::fill(out, out + s.plane(), T(stat));
      }
    }
}

// dx from dy [N, C + F, H, W]; overwrites dx.
template <class T>
void minibatch_stddev_backward(const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& dx,
                               std::size_t group_size, std::size_t features) {
  const auto& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_backward", shape4{s.n, s.c + features, s.h, s.w}, dy.shape());
  check_shape("minibatch_stddev_backward", s, dx.shape());
  for (std::size_t n = 0; n < s.n; ++n)
    std::copy(dy.data() + n * dy.shape().sample_size(), dy.data() + n * dy.shape().sample_size() + s.sample_size(),
              dx.data() + n * s.sample_size());
  const double G = double(geo.groups);
  for (std::size_t m = 0; m < geo.members; ++m)
    for (std::size_t f = 0; f < features; ++f) {
      double dstat = 0;  // the statistic is broadcast to every pixel of every group member
      for (std::size_t g = 0; g < geo.groups; ++g) {
        const T* gy = dy.data() + ((g * geo.members + m) * (s.c + features) + s.c + f) * s.plane();
        for (std::size_t i = 0; i < s.plane(); ++i) dstat += gy[i];
      }
      const double k = dstat / double(geo.per_feature);
      for (std::size_t e = 0; e < geo.per_feature; ++e) {
        double mean = 0, var = 0;
        for (std::size_t g = 0; g < geo.groups; ++g) mean += x[geo.at(s, g, m, f, e)];
        mean /= G;
        for (std::size_t g = 0; g < geo.groups; ++g) {
          const double d = x[geo.at(s, g, m, f, e)] - mean;
          var += d * d;
        }
        const double sd = std::sqrt(var / G + cpu_backend::mbstd_eps);
        // d sd / d x_g = (x_g - mean) / (G sd): the mean's own derivative sums to zero over the group.
        for (std::size_t g = 0; g < geo.groups; ++g) {
          const std::size_t i = geo.at(s, g, m, f, e);
          dx[i] += T(k * (x[i] - mean) / (G * sd));
        }
      }
    }
}

// The directional derivative of the statistic channels along tx (x fixed): ty [N, C + F, H, W] =
// tx with the statistics' derivative appended.
template <class T>
void minibatch_stddev_tangent(const tensor<T, cpu>& x, const tensor<T, cpu>& tx, tensor<T, cpu>& ty,
                              std::size_t group_size, std::size_t features) {
  const auto& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_tangent", s, tx.shape());
  check_shape("minibatch_stddev_tangent", shape4{s.n, s.c + features, s.h, s.w}, ty.shape());
  for (std::size_t n = 0; n < s.n; ++n)
    std::copy(tx.data() + n * s.sample_size(), tx.data() + (n + 1) * s.sample_size(), ty.data() + n * ty.shape().sample_size());
  for (std::size_t m = 0; m < geo.members; ++m)
    for (std::size_t f = 0; f < features; ++f) {
      double stat = 0;
      for (std::size_t e = 0; e < geo.per_feature; ++e) stat += cpu_backend::moments_along(x, tx, geo, m, f, e).tsd;
      stat /= double(geo.per_feature);
      for (std::size_t g = 0; g < geo.groups; ++g) {
        T* out = ty.data() + ((g * geo.members + m) * (s.c + features) + s.c + f) * s.plane();
        std::fill(out, out + s.plane(), T(stat));
      }
    }
}

// The directional derivative of minibatch_stddev_backward along (tx, tdy) at (x, dy): overwrites tdx.
// With k the summed statistic gradient, the backward is dx_g = k d_g / (G sd) (d_g = x_g - mean), so
// its derivative is (k' d_g + k d'_g) / (G sd) - k d_g sd' / (G sd^2), sd' = sum_g d_g d'_g / (G sd).
template <class T>
void minibatch_stddev_backward_tangent(const tensor<T, cpu>& x, const tensor<T, cpu>& tx, const tensor<T, cpu>& dy,
                                       const tensor<T, cpu>& tdy, tensor<T, cpu>& tdx, std::size_t group_size,
                                       std::size_t features) {
  const auto& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  const shape4 out{s.n, s.c + features, s.h, s.w};
  check_shape("minibatch_stddev_backward_tangent", out, dy.shape());
  check_shape("minibatch_stddev_backward_tangent", out, tdy.shape());
  check_shape("minibatch_stddev_backward_tangent", s, tx.shape());
  check_shape("minibatch_stddev_backward_tangent", s, tdx.shape());
  for (std::size_t n = 0; n < s.n; ++n)
    std::copy(tdy.data() + n * out.sample_size(), tdy.data() + n * out.sample_size() + s.sample_size(),
              tdx.data() + n * s.sample_size());
  const double G = double(geo.groups);
  for (std::size_t m = 0; m < geo.members; ++m)
    for (std::size_t f = 0; f < features; ++f) {
      double dstat = 0, tdstat = 0;
      for (std::size_t g = 0; g < geo.groups; ++g) {
        const std::size_t o = ((g * geo.members + m) * out.c + s.c + f) * s.plane();
        for (std::size_t i = 0; i < s.plane(); ++i) dstat += dy[o + i], tdstat += tdy[o + i];
      }
      const double k = dstat / double(geo.per_feature), tk = tdstat / double(geo.per_feature);
      for (std::size_t e = 0; e < geo.per_feature; ++e) {
        const auto [mean, tmean, sd, tsd] = cpu_backend::moments_along(x, tx, geo, m, f, e);
        for (std::size_t g = 0; g < geo.groups; ++g) {
          const std::size_t i = geo.at(s, g, m, f, e);
          const double d = x[i] - mean, td = tx[i] - tmean;
          tdx[i] += T((tk * d + k * td) / (G * sd) - k * d * tsd / (G * sd * sd));
        }
      }
    }
}

}  // namespace acne
