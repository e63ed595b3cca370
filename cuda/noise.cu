// StyleGAN2's noise inputs on CUDA, following backend/cpu/noise.hpp.
#include <cmath>

#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/noise.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

void fill_normal(tensor<float, cuda>& t, std::uint64_t seed, float stddev) {
  float* p = t.data();
  for_each_index(t.size(),
                 [=] __device__(std::size_t i) { p[i] = float(cuda_backend::hash_normal(seed, i)) * stddev; });
}

void add_noise(tensor<float, cuda>& y, const tensor<float, cuda>& noise, const tensor<float, cuda>& strength) {
  const shape4& s = y.shape();
  const shape4& ns = noise.shape();
  ACNE_CHECK(ns.c == 1 && ns.h == s.h && ns.w == s.w && (ns.n == s.n || ns.n == 1) && strength.size() == 1,
             "add_noise: noise " << ns << " for activations " << s);
  const float *z = noise.data(), *k = strength.data();
  float* out = y.data();
  const std::size_t plane = s.plane(), channels = s.c;
  const bool shared = ns.n == 1;
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const std::size_t sample = shared ? 0 : i / (channels * plane);
    out[i] += k[0] * z[sample * plane + i % plane];
  });
}

void noise_strength_grad(const tensor<float, cuda>& dy, const tensor<float, cuda>& noise,
                         tensor<float, cuda>& dstrength) {
  const shape4& s = dy.shape();
  const shape4& ns = noise.shape();
  ACNE_CHECK(ns.c == 1 && ns.h == s.h && ns.w == s.w && (ns.n == s.n || ns.n == 1) && dstrength.size() == 1,
             "noise_strength_grad: noise " << ns << " for gradients " << s);
  const float *g = dy.data(), *z = noise.data();
  const std::size_t plane = s.plane(), channels = s.c;
  const bool shared = ns.n == 1;
  const double acc = device_sum(dy.size(), [=] __device__(std::size_t i) {
    const std::size_t sample = shared ? 0 : i / (channels * plane);
    return double(g[i]) * double(z[sample * plane + i % plane]);
  });
  float* out = dstrength.data();
  for_each_index(1, [=] __device__(std::size_t) { out[0] += float(acc); });
}

}  // namespace acne
