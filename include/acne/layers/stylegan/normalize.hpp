#pragma once
// normalize_2nd_moment as a layer: scales each sample to unit mean square, the mapping network's
// first step (so the length of z carries no information).
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class normalize_2nd_moment : public layer_base<T, D> {
public:
  explicit normalize_2nd_moment(double eps = 1e-8) : eps_(eps) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return in; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize(x.shape());
    r_.resize({x.shape().n, 1, 1, 1});
    normalize_2nd_moment_forward(x, y, r_, eps_);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    normalize_2nd_moment_backward(x, r_, dy, *dx);
  }

private:
  double eps_;
  tensor<T, D> r_;
};

}  // namespace acne
