// Optimizer updates on CUDA (backend/cuda/optim.hpp), the CPU formulas term by term.
#include "acne/backend/cuda/optim.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

void adam_update(tensor<float, cuda>& p, const tensor<float, cuda>& g, tensor<float, cuda>& m, tensor<float, cuda>& v,
                 double lr, double beta1, double beta2, double eps, double c1, double c2) {
  ACNE_CHECK(g.size() == p.size() && m.size() == p.size() && v.size() == p.size(),
             "adam_update: parameters " << p.shape() << ", gradients " << g.shape() << ", moments " << m.shape()
                                        << " and " << v.shape());
  const float b1 = float(beta1), rest1 = float(1 - beta1), b2 = float(beta2), rest2 = float(1 - beta2);
  const float rate = float(lr), bias1 = float(c1), bias2 = float(c2), epsilon = float(eps);
  float *pp = p.data(), *mm = m.data(), *vv = v.data();
  const float* gg = g.data();
  for_each_index(p.size(), [=] __device__(std::size_t i) {
    mm[i] = b1 * mm[i] + rest1 * gg[i];
    vv[i] = b2 * vv[i] + rest2 * gg[i] * gg[i];
    pp[i] -= rate * (mm[i] / bias1) / (sqrtf(vv[i] / bias2) + epsilon);
  });
}

void sgd_update(tensor<float, cuda>& p, const tensor<float, cuda>& g, tensor<float, cuda>& buf, double lr,
                double momentum, bool nesterov) {
  ACNE_CHECK(g.size() == p.size() && buf.size() == p.size(),
             "sgd_update: parameters " << p.shape() << ", gradients " << g.shape() << ", momentum " << buf.shape());
  const float rate = float(lr), mu = float(momentum);
  float *pp = p.data(), *bb = buf.data();
  const float* gg = g.data();
  for_each_index(p.size(), [=] __device__(std::size_t i) {
    bb[i] = mu * bb[i] + gg[i];
    pp[i] -= rate * (nesterov ? gg[i] + mu * bb[i] : bb[i]);
  });
}

}  // namespace acne
