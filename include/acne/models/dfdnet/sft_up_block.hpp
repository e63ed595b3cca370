#pragma once
// DFDNet's StyledUpBlock: spatial feature transform (Wang et al. 2018) of the decoder's features by
// the dictionary-updated VGG features of the same scale, then 2x bilinear upsampling:
//   a = LReLU(LReLU(sn_conv(blur(x))))        "conv1.1", blur [1,2,1] x [1,2,1] / 16, padding 1
//   m = a * scale(s) + shift(s)              "ScaleModel1.{0,2}", "ShiftModel1.{0,2}" (+ sigmoid)
//   y = LReLU(sn_conv(upsample2x(m)))          "convup.1"
// A conditioned layer (layers/layer.hpp): x and the condition s, backward adding dL/ds.
#include "acne/backend.hpp"
#include "acne/layers/resize.hpp"
#include "acne/layers/stylegan/upfirdn2d.hpp"
#include "acne/models/dfdnet/blocks.hpp"

namespace acne::dfdnet {

template <class T, class D = cpu>
class sft_up_block : public layer_base<T, D> {
  using lrelu = leaky_relu<T, D>;
  using conv1_path = sequential<upfirdn2d_layer<T, D>, conv2d<T, D>, lrelu, lrelu>;
  using shift_path = sequential<conv2d<T, D>, lrelu, conv2d<T, D>, sigmoid_layer<T, D>>;
  using up_path = sequential<upsample_bilinear<T, D>, conv2d<T, D>, lrelu>;

public:
  sft_up_block() = default;
  explicit sft_up_block(std::size_t out_channels)
      : conv1_(with_name(conv1_path(blur(), sn_conv<T, D>(out_channels), lrelu(0.2), lrelu(0.2)), "conv1")),
        scale_(with_name(conv_lrelu_conv<T, D>(sn_conv<T, D>(out_channels), lrelu(0.2), sn_conv<T, D>(out_channels)),
                         "ScaleModel1")),
        shift_(with_name(shift_path(sn_conv<T, D>(out_channels), lrelu(0.2), sn_conv<T, D>(out_channels),
                                    sigmoid_layer<T, D>()),
                         "ShiftModel1")),
        up_(with_name(up_path(upsample_bilinear<T, D>(2), sn_conv<T, D>(out_channels), lrelu(0.2)), "convup")) {}

  shape4 setup(const shape4& x, const shape4& s, parameter_registry<T, D>& reg) {
    const shape4 a = setup_child(conv1_, x, reg, 0);
    const shape4 sc = setup_child(scale_, s, reg, 1);
    const shape4 sh = setup_child(shift_, s, reg, 2);
    ACNE_CHECK(a == sc && a == sh, "sft block '" << this->name << "': features " << a << " and condition " << sc
                                                 << " differ in size");
    return setup_child(up_, a, reg, 3);
  }

  void forward(const tensor<T, D>& x, const tensor<T, D>& s, tensor<T, D>& y, context& ctx) {
    conv1_.forward(x, a_, ctx);
    scale_.forward(s, scale_out_, ctx);
    shift_.forward(s, shift_out_, ctx);
    m_.resize(a_.shape());
    multiply(a_, scale_out_, m_);
    axpy(T(1), shift_out_, m_);
    up_.forward(m_, y, ctx);
  }

  // Adds parameter gradients and dL/ds into ds (shaped like s); overwrites dx when not null.
  void backward(const tensor<T, D>& x, const tensor<T, D>& s, const tensor<T, D>& y, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>& ds, context& ctx) {
    check_shape("sft_up_block::backward (ds)", s.shape(), ds.shape());
    up_.backward(m_, y, dy, &dm_, ctx);
    da_.resize(a_.shape()), dscale_.resize(a_.shape());
    multiply(dm_, scale_out_, da_);
    multiply(dm_, a_, dscale_);
    conv1_.backward(x, a_, da_, dx, ctx);
    scale_.backward(s, scale_out_, dscale_, &dbranch_, ctx);
    axpy(T(1), dbranch_, ds);
    shift_.backward(s, shift_out_, dm_, &dbranch_, ctx);
    axpy(T(1), dbranch_, ds);
  }

private:
  // The official Blur: a depthwise [1,2,1] x [1,2,1] / 16 filter with padding 1 (symmetric, so
  // convolution and correlation agree).
  static upfirdn2d_layer<T, D> blur() {
    upfirdn_params p;
    p.filter = fir_filter::outer({1, 2, 1});
    p.pad_x0 = p.pad_x1 = p.pad_y0 = p.pad_y1 = 1;
    return upfirdn2d_layer<T, D>(p);
  }

  conv1_path conv1_;
  conv_lrelu_conv<T, D> scale_;
  shift_path shift_;
  up_path up_;
  tensor<T, D> a_, scale_out_, shift_out_, m_, dm_, da_, dscale_, dbranch_;
};

static_assert(conditioned_layer<sft_up_block<float>>);

}  // namespace acne::dfdnet
