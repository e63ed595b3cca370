// Losses on CUDA (backend/cuda/loss.hpp), the CPU formulas term by term.
#include <vector>

#include "acne/backend/cuda/loss.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

double softmax_cross_entropy(const tensor<float, cuda>& logits, const std::vector<int>& labels,
                             tensor<float, cuda>& probs, tensor<float, cuda>& dlogits) {
  const std::size_t n = logits.shape().n, k = logits.shape().sample_size();
  ACNE_CHECK(labels.size() == n, "softmax_cross_entropy: " << labels.size() << " labels for " << n << " samples");
  for (int label : labels)
    ACNE_CHECK(label >= 0 && std::size_t(label) < k, "label " << label << " outside [0, " << k << ")");
  probs.resize(logits.shape());
  dlogits.resize(logits.shape());
  if (n == 0) return 0;
  device_buffer<int> label_buf(n);
  device_buffer<double> loss_buf(n);
  ACNE_CUDA(cudaMemcpy(label_buf.get(), labels.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  const float* z_all = logits.data();
  float *p_all = probs.data(), *d_all = dlogits.data();
  const int* lab = label_buf.get();
  double* losses = loss_buf.get();
  // One thread per sample: K is a handful of classes.
  for_each_index(n, [=] __device__(std::size_t i) {
    const float* z = z_all + i * k;
    float* p = p_all + i * k;
    float* d = d_all + i * k;
    float zmax = z[0];
    for (std::size_t j = 1; j < k; ++j) zmax = z[j] > zmax ? z[j] : zmax;
    double total = 0;
    for (std::size_t j = 0; j < k; ++j) total += exp(double(z[j] - zmax));
    for (std::size_t j = 0; j < k; ++j) {
      p[j] = float(exp(double(z[j] - zmax)) / total);
      d[j] = (p[j] - float(j == std::size_t(lab[i]))) / float(n);
    }
    losses[i] = -(double(z[lab[i]] - zmax) - log(total));
  });
  std::vector<double> host(n);
  ACNE_CUDA(cudaMemcpy(host.data(), losses, n * sizeof(double), cudaMemcpyDeviceToHost));
  double loss = 0;
  for (double l : host) loss += l;
  return loss / double(n);
}

logistic_result logistic_loss(const tensor<float, cuda>& logits, bool real, double gain, tensor<float, cuda>& dlogits) {
  const std::size_t n = logits.size();
  dlogits.resize(logits.shape());
  if (n == 0) return {};
  device_buffer<double> terms(2 * n);  // loss and logit of each sample, summed on the host
  const float* x_all = logits.data();
  float* d_all = dlogits.data();
  double* out = terms.get();
  const double count = double(n), sign = real ? -1.0 : 1.0;
  for_each_index(n, [=] __device__(std::size_t i) {
    const double x = double(x_all[i]), s = sign * x;  // loss softplus(s), gradient sign * sigmoid(s)
    out[i] = fmax(s, 0.0) + log1p(exp(-fabs(s)));
    out[n + i] = x;
    const double sig = s >= 0 ? 1 / (1 + exp(-s)) : exp(s) / (1 + exp(s));
    d_all[i] = float(sign * sig / count * gain);
  });
  std::vector<double> host(2 * n);
  ACNE_CUDA(cudaMemcpy(host.data(), out, 2 * n * sizeof(double), cudaMemcpyDeviceToHost));
  logistic_result r;
  for (std::size_t i = 0; i < n; ++i) r.loss += host[i] / count, r.mean_logit += host[n + i] / count;
  return r;
}

}  // namespace acne
