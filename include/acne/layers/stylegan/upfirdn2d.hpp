#pragma once
// upfirdn2d as a layer: StyleGAN2's FIR resampling (blur, 2x upsampling, 2x downsampling).
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class upfirdn2d_layer : public layer_base<T, D> {
public:
  explicit upfirdn2d_layer(const upfirdn_params& p = {}) : p_(p) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return output_shape(in); }
  shape4 output_shape(const shape4& in) const { return {in.n, in.c, p_.out_h(in.h), p_.out_w(in.w)}; }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize(output_shape(x.shape()));
    upfirdn2d_forward(x, y, p_);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    upfirdn2d_backward(dy, *dx, p_);
  }

  const upfirdn_params& params() const { return p_; }

private:
  upfirdn_params p_;
};

}  // namespace acne
