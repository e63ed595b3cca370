#pragma once
// Bilinear upsampling by an integer factor, as PyTorch's nn.Upsample(scale_factor, mode="bilinear",
// align_corners=False) computes it (edges replicated, not zero-padded as an FIR filter would).
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class upsample_bilinear : public layer_base<T, D> {
public:
  explicit upsample_bilinear(std::size_t factor = 2) : factor_(factor) {
    ACNE_CHECK(factor >= 1, "upsample_bilinear: factor " << factor);
  }

  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return output_shape(in); }
  shape4 output_shape(const shape4& in) const { return {in.n, in.c, in.h * factor_, in.w * factor_}; }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize(output_shape(x.shape()));
    resize_bilinear_forward(x, y);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    resize_bilinear_backward(dy, *dx);
  }

private:
  std::size_t factor_;
};

}  // namespace acne
