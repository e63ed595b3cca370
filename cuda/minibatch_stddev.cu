// Minibatch standard deviation and its tangents on CUDA, following
// backend/cpu/minibatch_stddev.hpp (double accumulators included).
#include <cmath>

#include "acne/backend/cpu/minibatch_stddev.hpp"
#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/minibatch_stddev.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

void minibatch_stddev_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t group_size,
                              std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_forward", shape4{s.n, s.c + features, s.h, s.w}, y.shape());
  copy_channels(x, y, 0);
  const float* in = x.data();
  float* out = y.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps;
  // Block (m, f): the statistic over elements e of feature f, then its broadcast to the group.
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double stat = 0;
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x) {
      double mean = 0, var = 0;
      for (std::size_t g = 0; g < groups; ++g) mean += in[(g * members + m) * sample + f * per_feature + e];
      mean /= double(groups);
      for (std::size_t g = 0; g < groups; ++g) {
        const double d = in[(g * members + m) * sample + f * per_feature + e] - mean;
        var += d * d;
      }
      stat += sqrt(var / double(groups) + eps);
    }
    const float value = float(block_sum(stat) / double(per_feature));
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane;
      out[((g * members + m) * (channels + features) + channels + f) * plane + j % plane] = value;
    }
  });
}

void minibatch_stddev_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& dx,
                               std::size_t group_size, std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_backward", shape4{s.n, s.c + features, s.h, s.w}, dy.shape());
  check_shape("minibatch_stddev_backward", s, dx.shape());
  slice_channels(dy, dx, 0);
  const float *in = x.data(), *grad = dy.data();
  float* out = dx.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps;
  // Block (m, f) owns the elements of feature f of group member m in every group: no races.
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double dstat = 0;  // the statistic is broadcast to every pixel of every group member
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane;
      dstat += grad[((g * members + m) * (channels + features) + channels + f) * plane + j % plane];
    }
    const double k = block_sum(dstat) / double(per_feature), G = double(groups);
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x) {
      double mean = 0, var = 0;
      for (std::size_t g = 0; g < groups; ++g) mean += in[(g * members + m) * sample + f * per_feature + e];
      mean /= G;
      for (std::size_t g = 0; g < groups; ++g) {
        const double d = in[(g * members + m) * sample + f * per_feature + e] - mean;
        var += d * d;
      }
      const double sd = sqrt(var / G + eps);
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t i = (g * members + m) * sample + f * per_feature + e;
        out[i] += float(k * (in[i] - mean) / (G * sd));
      }
    }
  });
}

namespace {
// The group's mean and standard deviation at one element, with their derivatives along tin
// (cpu_backend::moments_along on the device); `at` is the element's offset in group member 0 and
// `stride` the distance between group members.
struct device_moments {
  double mean, tmean, sd, tsd;
};
__device__ inline device_moments moments_along(const float* in, const float* tin, std::size_t at, std::size_t stride,
                                               std::size_t groups, double eps) {
  const double G = double(groups);
  double mean = 0, tmean = 0;
  for (std::size_t g = 0; g < groups; ++g) mean += in[at + g * stride], tmean += tin[at + g * stride];
  mean /= G, tmean /= G;
  double var = 0, tvar = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const double d = in[at + g * stride] - mean;
    var += d * d;
    tvar += 2 * d * (tin[at + g * stride] - tmean);
  }
  const double sd = sqrt(var / G + eps);
  return {mean, tmean, sd, tvar / G / (2 * sd)};
}
}  // namespace

void minibatch_stddev_tangent(const tensor<float, cuda>& x, const tensor<float, cuda>& tx, tensor<float, cuda>& ty,
                              std::size_t group_size, std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_tangent", s, tx.shape());
  check_shape("minibatch_stddev_tangent", shape4{s.n, s.c + features, s.h, s.w}, ty.shape());
  copy_channels(tx, ty, 0);
  const float *in = x.data(), *tin = tx.data();
  float* out = ty.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps;
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double stat = 0;
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x)
      stat += moments_along(in, tin, m * sample + f * per_feature + e, members * sample, groups, eps).tsd;
    const float value = float(block_sum(stat) / double(per_feature));
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane;
      out[((g * members + m) * (channels + features) + channels + f) * plane + j % plane] = value;
    }
  });
}

void minibatch_stddev_backward_tangent(const tensor<float, cuda>& x, const tensor<float, cuda>& tx,
                                       const tensor<float, cuda>& dy, const tensor<float, cuda>& tdy,
                                       tensor<float, cuda>& tdx, std::size_t group_size, std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  const shape4 outs{s.n, s.c + features, s.h, s.w};
  check_shape("minibatch_stddev_backward_tangent", outs, dy.shape());
  check_shape("minibatch_stddev_backward_tangent", outs, tdy.shape());
  check_shape("minibatch_stddev_backward_tangent", s, tx.shape());
  check_shape("minibatch_stddev_backward_tangent", s, tdx.shape());
  slice_channels(tdy, tdx, 0);
  const float *in = x.data(), *tin = tx.data(), *grad = dy.data(), *tgrad = tdy.data();
  float* out = tdx.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps, G = double(groups);
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double dstat = 0, tdstat = 0;
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane, o = ((g * members + m) * (channels + features) + channels + f) * plane + j % plane;
      dstat += grad[o], tdstat += tgrad[o];
    }
    const double k = block_sum(dstat) / double(per_feature);
    const double tk = block_sum(tdstat) / double(per_feature);
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x) {
      const device_moments mo = moments_along(in, tin, m * sample + f * per_feature + e, members * sample, groups, eps);
      const double mean = mo.mean, tmean = mo.tmean, sd = mo.sd, tsd = mo.tsd;
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t i = (g * members + m) * sample + f * per_feature + e;
        const double d = in[i] - mean, td = tin[i] - tmean;
        out[i] += float((tk * d + k * td) / (G * sd) - k * d * tsd / (G * sd * sd));
      }
    }
  });
}

}  // namespace acne
