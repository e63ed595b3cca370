#pragma once
// StyleGAN2's modulated convolution: per sample n the weight w[o,i,:,:] is scaled by the style
// s[n,i] and, with demodulation, every output channel of that weight is renormalised by
// d[n,o] = 1/sqrt(sum_{i,kh,kw} (w s)^2 + 1e-8). Computed as (conv(x * s, w)) * d, which equals the
// per-sample-weight convolution exactly and keeps one batched convolution with a shared weight.
// With up = 2 the convolution is transposed with stride 2 and followed by the FIR blur (gain 4),
// as in the reference. A conditioned layer (layers/layer.hpp) whose condition is the styles,
// [N, in_channels, 1, 1]; the synthesis layers and ToRGB compute them and wrap it.
#include <cmath>

#include "acne/backend/conv_geometry.hpp"
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

struct modulated_conv2d_options {
  std::size_t filters = 1;
  std::size_t kernel = 3;
  std::size_t up = 1;  // 1 or 2
  bool demodulate = true;
  // Constant factor on the weight. The reference leaves demodulated layers unscaled (the factor
  // would cancel, up to the 1e-8) and gives ToRGB 1/sqrt(fan_in).
  double weight_gain = 1.0;
  fir_filter filter = fir_filter::stylegan2();
};

template <class T, class D = cpu>
class modulated_conv2d : public layer_base<T, D> {
public:
  static constexpr double demod_eps = 1e-8;

  explicit modulated_conv2d(const modulated_conv2d_options& o = {}) : opt_(o) {
    ACNE_CHECK(o.up == 1 || o.up == 2, "modulated_conv2d: up must be 1 or 2, not " << o.up);
    const std::size_t k = o.kernel;
    if (o.up == 1) {
      window_ = {k, k, 1, 1, 1, 1, k / 2, k / 2, k / 2, k / 2};
      return;
    }
    // Padding of the reference's conv2d_resample for up = 2: the transposed convolution runs
    // unpadded, the FIR takes what is left of the "same" padding.
    const int p = int(k / 2), fw = int(o.filter.w), fh = int(o.filter.h), kk = int(k);
    fir_.filter = o.filter;
    fir_.gain = 4;
    fir_.pad_x0 = p + (fw + 1) / 2 - (kk - 1), fir_.pad_x1 = p + (fw - 2) / 2 - (kk - 2);
    fir_.pad_y0 = p + (fh + 1) / 2 - (kk - 1), fir_.pad_y1 = p + (fh - 2) / 2 - (kk - 2);
    ACNE_CHECK(fir_.pad_x0 >= 0 && fir_.pad_x1 >= 0, "modulated_conv2d: up = 2 supports kernels up to 5, not " << k);
    window_ = {k, k, 2, 2, 1, 1, 0, 0, 0, 0};
  }

  // Declares "weight" [filters, in, k, k] ~ N(0, 1) in the registry's current scope.
  shape4 setup(const shape4& x, const shape4& styles, parameter_registry<T, D>& reg) {
    ACNE_CHECK(styles.n == x.n && styles.sample_size() == x.c,
               "modulated_conv2d: styles " << styles << " for input " << x << " (one style per input channel)");
    const std::size_t in_channels = x.c;
    in_channels_ = in_channels;
    const std::size_t k = opt_.kernel;
    reg.add("weight", {opt_.filters, in_channels, k, k}, initializer::normal(0, 1), in_channels * k * k,
            opt_.filters * k * k, &weight_, &dweight_);
    return output_shape(x);
  }

  shape4 output_shape(const shape4& in) const {
    if (opt_.up == 1) return {in.n, opt_.filters, window_.out_h(in.h), window_.out_w(in.w)};
    const std::size_t th = (in.h - 1) * 2 + opt_.kernel, tw = (in.w - 1) * 2 + opt_.kernel;
    return {in.n, opt_.filters, fir_.out_h(th), fir_.out_w(tw)};
  }

  // y = modconv(x, styles); styles hold N * in_channels values.
  void forward(const tensor<T, D>& x, const tensor<T, D>& styles, tensor<T, D>& y, context&) {
    const auto& s = x.shape();
    ACNE_CHECK(s.c == in_channels_ && styles.size() == s.n * s.c,
               "modulated_conv2d: input " << s << " and styles " << styles.shape() << " for " << in_channels_
                                          << " input channels");
    weff_ = weight_;
    if (opt_.weight_gain != 1.0) scale(weff_, T(opt_.weight_gain));
    xs_.resize(s);
    scale_planes(x, styles, xs_);
    tensor<T, D>& out = opt_.demodulate ? u_ : y;
    out.resize(output_shape(s));
    if (opt_.up == 1) {
      conv2d_forward(xs_, weff_, out, window_);
    } else {
      wt_.resize({in_channels_, opt_.filters, opt_.kernel, opt_.kernel});
      transpose_filters(weff_, wt_);
      t_.resize({s.n, opt_.filters, (s.h - 1) * 2 + opt_.kernel, (s.w - 1) * 2 + opt_.kernel});
      conv2d_backward_data(xs_, wt_, t_, window_);  // the transposed convolution
      upfirdn2d_forward(t_, out, fir_);
    }
    if (!opt_.demodulate) return;
    d_.resize({s.n, opt_.filters, 1, 1});
    demodulation_forward(weff_, styles, d_, demod_eps);
    y.resize(u_.shape());
    scale_planes(u_, d_, y);
  }

  // Adds dL/dweight (unless ctx.parameter_gradients is false) and dL/dstyles into dstyles (shaped
  // like styles); overwrites dx when not null.
  void backward(const tensor<T, D>& x, const tensor<T, D>& styles, const tensor<T, D>&, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>& dstyles, context& ctx) {
    check_shape("modulated_conv2d::backward (dstyles)", styles.shape(), dstyles.shape());
    const bool param_grads = ctx.parameter_gradients;
    const auto& s = x.shape();
    dweff_.resize(weight_.shape());
    const tensor<T, D>* du = &dy;
    if (opt_.demodulate) {
      dd_.resize(d_.shape());
      plane_dot(u_, dy, dd_, T(0));
      du_.resize(dy.shape());
      scale_planes(dy, d_, du_);
      du = &du_;
    }
    dxs_.resize(s);
    if (opt_.up == 2) {
      dt_.resize(t_.shape());
      upfirdn2d_backward(*du, dt_, fir_);
    }
    if (param_grads) filter_gradient(xs_, *du, dt_, dweff_, T(0));
    else dweff_.zero();  // the demodulation's share still goes through it
    data_gradient(*du, dt_, dxs_);
    plane_dot(x, dxs_, dstyles, T(1));
    if (opt_.demodulate) demodulation_backward(weff_, styles, d_, dd_, dstyles, dweff_);
    if (param_grads) axpy(T(opt_.weight_gain), dweff_, dweight_);
    if (!dx) return;
    dx->resize(s);
    scale_planes(dxs_, styles, *dx);
  }

  // The derivative of forward along (tx, tstyles): xs = x * s, u = conv(xs), y = u * d(s) give
  // txs = tx * s + x * ts, tu = conv(txs), ty = tu * d + u * td.
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& styles, const tensor<T, D>&, const tensor<T, D>& tx,
                       const tensor<T, D>& tstyles, tensor<T, D>& ty, context&) {
    const auto& s = x.shape();
    check_shape("modulated_conv2d::forward_tangent", s, tx.shape());
    txs_.resize(s), tmp_.resize(s);
    scale_planes(tx, styles, txs_);
    scale_planes(x, tstyles, tmp_);
    axpy(T(1), tmp_, txs_);
    tensor<T, D>& tu = opt_.demodulate ? tu_ : ty;
    tu.resize(output_shape(s));
    if (opt_.up == 1) {
      conv2d_forward(txs_, weff_, tu, window_);
    } else {
      tt_.resize(t_.shape());
      conv2d_backward_data(txs_, wt_, tt_, window_);
      upfirdn2d_forward(tt_, tu, fir_);
    }
    if (!opt_.demodulate) return;
    td_.resize(d_.shape());
    demodulation_tangent(weff_, styles, tstyles, d_, td_);
    ty.resize(u_.shape());
    scale_planes(tu_, d_, ty);
    tmp_.resize(u_.shape());
    scale_planes(u_, td_, tmp_);
    axpy(T(1), tmp_, ty);
  }

  // The derivative of backward along (tx, tstyles, tdy), after backward and forward_tangent: adds
  // that of dL/dweight and that of dL/dstyles into tdstyles, overwrites tdx when not null.
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& styles, const tensor<T, D>&, const tensor<T, D>& tx,
                        const tensor<T, D>& tstyles, const tensor<T, D>& dy, const tensor<T, D>& tdy, tensor<T, D>* tdx,
                        tensor<T, D>& tdstyles, context&) {
    check_shape("modulated_conv2d::backward_tangent (tdstyles)", styles.shape(), tdstyles.shape());
    const auto& s = x.shape();
    const tensor<T, D>* du = &dy;
    const tensor<T, D>* tdu = &tdy;
    if (opt_.demodulate) {
      tdd_.resize(d_.shape());
      plane_dot(tu_, dy, tdd_, T(0));
      plane_dot(u_, tdy, tdd_, T(1));
      tdu_.resize(dy.shape()), tmp_.resize(dy.shape());
      scale_planes(tdy, d_, tdu_);
      scale_planes(dy, td_, tmp_);
      axpy(T(1), tmp_, tdu_);
      du = &du_, tdu = &tdu_;
    }
    if (opt_.up == 2) {
      tdt_.resize(t_.shape());
      upfirdn2d_backward(*tdu, tdt_, fir_);
    }
    tdweff_.resize(weight_.shape());
    filter_gradient(xs_, *tdu, tdt_, tdweff_, T(0));
    filter_gradient(txs_, *du, dt_, tdweff_, T(1));
    tdxs_.resize(s);
    data_gradient(*tdu, tdt_, tdxs_);
    plane_dot(tx, dxs_, tdstyles, T(1));
    plane_dot(x, tdxs_, tdstyles, T(1));
    if (opt_.demodulate) demodulation_backward_tangent(weff_, styles, tstyles, d_, td_, dd_, tdd_, tdstyles, tdweff_);
    axpy(T(opt_.weight_gain), tdweff_, dweight_);
    if (!tdx) return;
    tdx->resize(s), tmp_.resize(s);
    scale_planes(tdxs_, styles, *tdx);
    scale_planes(dxs_, tstyles, tmp_);
    axpy(T(1), tmp_, *tdx);
  }

  const modulated_conv2d_options& options() const { return opt_; }
  tensor<T, D>& weight() { return weight_; }

private:
  // The weight gradient of the convolution (into `out`, beta 0, or added, beta 1) for its input xs
  // and output gradient du; with up = 2, dt = fir^T(du) is the transposed convolution's.
  void filter_gradient(const tensor<T, D>& xs, const tensor<T, D>& du, const tensor<T, D>& dt, tensor<T, D>& out, T beta) {
    if (opt_.up == 1) return conv2d_backward_filter(xs, du, out, window_, beta);
    dwt_.resize(wt_.shape());
    conv2d_backward_filter(dt, xs, dwt_, window_, T(0));
    if (beta == T(0)) return transpose_filters(dwt_, out);
    scratch_.resize(out.shape());
    transpose_filters(dwt_, scratch_);
    axpy(T(1), scratch_, out);
  }
  // dL/dxs for du (up = 1) or dt (up = 2).
  void data_gradient(const tensor<T, D>& du, const tensor<T, D>& dt, tensor<T, D>& dxs) {
    if (opt_.up == 1) return conv2d_backward_data(du, weff_, dxs, window_);
    conv2d_forward(dt, wt_, dxs, window_);
  }

  modulated_conv2d_options opt_;
  window window_;
  upfirdn_params fir_;
  std::size_t in_channels_ = 0;
  tensor<T, D> weight_, dweight_, weff_, dweff_, wt_, dwt_, scratch_;
  tensor<T, D> xs_, dxs_, t_, dt_, u_, du_, d_, dd_;
  tensor<T, D> txs_, tdxs_, tt_, tdt_, tu_, tdu_, td_, tdd_, tdweff_, tmp_;
};

static_assert(conditioned_tangent_layer<modulated_conv2d<float>>);

}  // namespace acne
