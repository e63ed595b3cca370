#pragma once
// Spectral normalisation of a weight (Miyato et al. 2018), as PyTorch's torch.nn.utils.spectral_norm
// does it: the layer uses W / sigma, sigma = u^T W v with W read as [out, in * kh * kw]. A training
// forward first takes one power-iteration step, v = normalise(W^T u), u = normalise(W v), with u
// and v held constant by the gradient (PyTorch runs the step without autograd); an inference
// forward uses u and v as stored, as PyTorch does in eval mode, so a loaded checkpoint computes
// exactly what it computed when it was saved. Stored as PyTorch names it: weight_orig (trained),
// weight_u [out] and weight_v [in * kh * kw] (saved state).
#include <algorithm>
#include <cmath>

#include "acne/backend.hpp"
#include "acne/layers/parameters.hpp"

namespace acne {

struct spectral_norm {
  double eps = 1e-12;  // PyTorch's floor on the norms of u and v
};

template <class T, class D>
class spectral_normalizer {
public:
  explicit spectral_normalizer(const spectral_norm& o = {}) : opt_(o) {}

  // Declares weight_u and weight_v in the current scope for a weight of this shape.
  void setup(const shape4& weight_shape, parameter_registry<T, D>& reg) {
    reg.add_state("weight_u", {weight_shape.n, 1, 1, 1}, initializer::normal(0, 1), &u_);
    reg.add_state("weight_v", {weight_shape.sample_size(), 1, 1, 1}, initializer::normal(0, 1), &v_);
  }

  // W / sigma, after a power-iteration step when training.
  const tensor<T, D>& normalized(const tensor<T, D>& w, bool training) {
    if (training) {
      matmul(w, true, u_, false, v_);
      normalize(v_);
      matmul(w, false, v_, false, u_);
      normalize(u_);
    }
    wv_.resize(u_.shape());
    matmul(w, false, v_, false, wv_);
    sigma_ = dot(u_, wv_);
    ACNE_CHECK(sigma_ > 0 && std::isfinite(sigma_),
               "spectral norm: sigma = u^T W v is " << sigma_ << " (u and v do not come from this weight)");
    w_sn_ = w;
    scale(w_sn_, T(1.0 / sigma_));
    return w_sn_;
  }

  // dW += dL/dW given g = dL/d(W / sigma): g / sigma - (<g, W> / sigma^2) u v^T.
  void add_gradient(const tensor<T, D>& g, const tensor<T, D>& w, tensor<T, D>& dw) const {
    const double gw = dot(g, w);
    axpy(T(1.0 / sigma_), g, dw);
    matmul(u_, false, v_, true, dw, T(-gw / (sigma_ * sigma_)), T(1));
  }

  // The weight the last forward used.
  const tensor<T, D>& last() const { return w_sn_; }
  double sigma() const { return sigma_; }

private:
  void normalize(tensor<T, D>& x) const { scale(x, T(1.0 / std::max(std::sqrt(dot(x, x)), opt_.eps))); }

  spectral_norm opt_;
  tensor<T, D> u_, v_, wv_, w_sn_;
  double sigma_ = 1.0;
};

}  // namespace acne
