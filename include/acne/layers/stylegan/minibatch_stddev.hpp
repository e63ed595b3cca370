#pragma once
// Minibatch standard deviation layer (the discriminator epilogue's first step): appends `features`
// channels that tell the discriminator how varied each group of samples is, which counters mode
// collapse. Groups of min(group_size, N) samples; see backend/cpu/minibatch_stddev.hpp.
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class minibatch_stddev : public layer_base<T, D> {
public:
  explicit minibatch_stddev(std::size_t group_size = 4, std::size_t features = 1) : group_(group_size), features_(features) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return {in.n, in.c + features_, in.h, in.w}; }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    const auto& s = x.shape();
    y.resize({s.n, s.c + features_, s.h, s.w});
    minibatch_stddev_forward(x, y, group_, features_);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    minibatch_stddev_backward(x, dy, *dx, group_, features_);
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty, context&) {
    ty.resize(y.shape());
    minibatch_stddev_tangent(x, tx, ty, group_, features_);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context&) {
    if (!tdx) return;
    tdx->resize(x.shape());
    minibatch_stddev_backward_tangent(x, tx, dy, tdy, *tdx, group_, features_);
  }

private:
  std::size_t group_, features_;
};

}  // namespace acne
