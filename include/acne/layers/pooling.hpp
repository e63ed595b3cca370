#pragma once
// Max / average pooling with Keras padding rules, and global average pooling to [N, C, 1, 1].
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class pool2d : public layer_base<T, D> {
public:
  pool2d(pool_kind kind, std::size_t size, std::size_t stride, padding_mode padding = padding_mode::valid)
      : kind_(kind), size_(size), stride_(stride), padding_(padding) {}
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return output_shape(in); }
  window geometry(const shape4& in) const {
    return resolve_padding(window{size_, size_, stride_, stride_}, padding_, in.h, in.w);
  }
  shape4 output_shape(const shape4& in) const {
    const window g = geometry(in);
    return {in.n, in.c, g.out_h(in.h), g.out_w(in.w)};
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize(output_shape(x.shape()));
    pool_forward(kind_, x, y, geometry(x.shape()));
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    pool_backward(kind_, x, dy, *dx, geometry(x.shape()));
  }
private:
  pool_kind kind_;
  std::size_t size_, stride_;
  padding_mode padding_;
};

template <class T, class D = cpu>
struct max_pool : pool2d<T, D> {
  max_pool(std::size_t size, std::size_t stride, padding_mode p = padding_mode::valid)
      : pool2d<T, D>(pool_kind::max, size, stride, p) {}
};
template <class T, class D = cpu>
struct avg_pool : pool2d<T, D> {
  avg_pool(std::size_t size, std::size_t stride, padding_mode p = padding_mode::valid)
      : pool2d<T, D>(pool_kind::average, size, stride, p) {}
};

template <class T, class D = cpu>
class global_avg_pool : public layer_base<T, D> {
public:
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return {in.n, in.c, 1, 1}; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize({x.shape().n, x.shape().c, 1, 1});
    pool_forward(pool_kind::average, x, y, window{x.shape().h, x.shape().w, 1, 1});
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    pool_backward(pool_kind::average, x, dy, *dx, window{x.shape().h, x.shape().w, 1, 1});
  }
};

}  // namespace acne
