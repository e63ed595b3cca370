#pragma once
// 2-D transposed convolution (Keras Conv2DTranspose, PyTorch ConvTranspose2d). It is the adjoint of
// the convolution that maps its output back to its input, so it runs on the backend's convolution
// entry points with the roles swapped: forward = conv2d_backward_data, input gradient =
// conv2d_forward, weight gradient = conv2d_backward_filter(dy, x). Every device that has those
// three has this layer, with no kernels of its own.
//
// The weight is [in_channels, filters, kh, kw], PyTorch's ConvTranspose2d layout: that is exactly the
// weight of the adjoint convolution ([its Cout, its Cin, kh, kw]), so no transposed copy is needed
// (modulated_conv2d keeps [filters, in, kh, kw] and pays transpose_filters each step), and
// PyTorch checkpoints load as they are. Keras stores (kh, kw, filters, in_channels).
//
// Output size per axis, extent e = dilation * (kernel - 1) + 1:
//   same       in * stride, as Keras. The crop of the full (in - 1) * stride + e output is TF's:
//              the odd pixel comes off the bottom/right, so for k = 3, stride 2 it is PyTorch's
//              padding = 1, output_padding = 1 shifted by one pixel.
//   valid      (in - 1) * stride + e, nothing cropped (PyTorch padding = 0). Keras pads this to
//              in * stride when the kernel is smaller than the stride.
//   explicit_  (in - 1) * stride + e - 2 * pad + output_padding, PyTorch's padding/output_padding.
#include "acne/backend/conv_geometry.hpp"
#include "acne/backend.hpp"
#include "acne/layers/gained_weight.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

struct conv2d_transpose_options {
  std::size_t filters = 1;
  std::size_t kernel = 3;
  std::size_t kernel_h = 0, kernel_w = 0;  // non-zero: a rectangular kernel
  std::size_t stride = 1;                  // Keras' and PyTorch's default; 2 is the usual upsampler
  padding_mode padding = padding_mode::same;
  std::size_t pad = 0;             // explicit_ only: cropped from every side
  std::size_t output_padding = 0;  // explicit_ only: added at the bottom/right, < stride
  std::size_t dilation = 1;
  bool bias = true;
  double weight_gain = 1.0;  // equalised learning rate, as conv2d
  double bias_gain = 1.0;
  double lr_mult = 1.0;
  initializer weight_init = initializer::glorot_uniform();
  initializer bias_init = initializer::zeros();
  std::string name;
};

template <class T, class D = cpu>
class conv2d_transpose : public layer_base<T, D> {
public:
  explicit conv2d_transpose(const conv2d_transpose_options& o = {}) : opt_(o) {
    this->name = o.name;
    ACNE_CHECK(o.stride >= 1 && o.dilation >= 1 && kernel_h() >= 1 && kernel_w() >= 1,
               where() << ": stride, dilation and kernel must be at least 1");
    ACNE_CHECK(o.padding == padding_mode::explicit_ || (o.pad == 0 && o.output_padding == 0),
               where() << ": pad and output_padding need padding_mode::explicit_");
    ACNE_CHECK(o.output_padding < o.stride,
               where() << ": output_padding " << o.output_padding << " must be below the stride " << o.stride);
  }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    in_channels_ = in.c;
    const std::size_t kh = kernel_h(), kw = kernel_w();
    // Fans as Keras and PyTorch count them for this layer (fan_in = filters * kh * kw), so their
    // initialisers draw from the same distributions here.
    const std::size_t fan_in = opt_.filters * kh * kw, fan_out = in.c * kh * kw;
    reg.add("weight", {in.c, opt_.filters, kh, kw}, opt_.weight_init, fan_in, fan_out, &weight_, &dweight_,
            opt_.lr_mult);
    if (opt_.bias)
      reg.add("bias", {opt_.filters, 1, 1, 1}, opt_.bias_init, fan_in, fan_out, &bias_, &dbias_, opt_.lr_mult);
    return output_shape(in);
  }

  shape4 output_shape(const shape4& in) const {
    return {in.n, opt_.filters, out_size(in.h, kernel_h(), in), out_size(in.w, kernel_w(), in)};
  }

  // The window of the adjoint convolution, which runs over this layer's output.
  window geometry(const shape4& in) const {
    const shape4 out = output_shape(in);
    window g{kernel_h(), kernel_w(), opt_.stride, opt_.stride, opt_.dilation, opt_.dilation};
    if (opt_.padding == padding_mode::same) {
      g = resolve_padding(g, padding_mode::same, out.h, out.w);
    } else if (opt_.padding == padding_mode::explicit_) {
      // output_padding rows at the bottom/right are rows the bottom padding no longer covers.
      const std::size_t low = opt_.pad, high = opt_.pad > opt_.output_padding ? opt_.pad - opt_.output_padding : 0;
      g.pad_top = g.pad_left = low;
      g.pad_bottom = g.pad_right = high;
    }
    // Holds by construction; a broken case would otherwise corrupt memory in the CPU backend.
    ACNE_CHECK(g.out_h(out.h) == in.h && g.out_w(out.w) == in.w,
               where() << ": output " << out << " does not map back to input " << in);
    return g;
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    ACNE_CHECK(x.shape().c == in_channels_, where() << ": input " << x.shape() << " has " << x.shape().c
                                                    << " channels, weights " << weight_.shape() << " expect "
                                                    << in_channels_);
    const window g = geometry(x.shape());
    y.resize(output_shape(x.shape()));
    conv2d_backward_data(x, gained(weight_, opt_.weight_gain, scaled_), y, g);
    if (opt_.bias) add_channel_bias(y, bias_, T(opt_.bias_gain));
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    ACNE_CHECK(dy.shape() == output_shape(x.shape()), where() << ": output gradient " << dy.shape() << " for input "
                                                              << x.shape() << ", expected "
                                                              << output_shape(x.shape()));
    const window g = geometry(x.shape());
    if (opt_.bias) channel_bias_grad(dy, dbias_, T(opt_.bias_gain));
    // The adjoint convolution reads dy and produces x, so dy is its input and x its output gradient.
    add_gained_gradient(dweight_, opt_.weight_gain, scratch_,
                        [&](tensor<T, D>& out, T beta) { conv2d_backward_filter(dy, x, out, g, beta); });
    if (dx) {
      dx->resize(x.shape());
      conv2d_forward(dy, gained(weight_, opt_.weight_gain, scaled_), *dx, g);
    }
  }

  const conv2d_transpose_options& options() const { return opt_; }
  std::size_t kernel_h() const { return opt_.kernel_h ? opt_.kernel_h : opt_.kernel; }
  std::size_t kernel_w() const { return opt_.kernel_w ? opt_.kernel_w : opt_.kernel; }
  tensor<T, D>& weight() { return weight_; }
  tensor<T, D>& bias() { return bias_; }

private:
  std::string where() const { return "conv2d_transpose '" + this->name + "'"; }

  std::size_t out_size(std::size_t in, std::size_t k, const shape4& s) const {
    ACNE_CHECK(in >= 1, where() << ": empty input " << s);
    const std::size_t full = (in - 1) * opt_.stride + opt_.dilation * (k - 1) + 1;
    if (opt_.padding == padding_mode::same) return in * opt_.stride;
    if (opt_.padding == padding_mode::valid) return full;
    ACNE_CHECK(full + opt_.output_padding > 2 * opt_.pad,
               where() << ": padding " << opt_.pad << " leaves no output for input " << s);
    return full + opt_.output_padding - 2 * opt_.pad;
  }

  conv2d_transpose_options opt_;
  std::size_t in_channels_ = 0;
  tensor<T, D> weight_, dweight_, bias_, dbias_, scaled_, scratch_;
};

}  // namespace acne
