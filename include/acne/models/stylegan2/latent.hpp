#pragma once
// Operations on ws tensors [N, num_ws, w_dim, 1] for inference: the same w at every layer,
// interpolation in W, and style mixing at a cutoff layer. Feed the result to
// generator::synthesis().forward(ws, img, ctx).
#include "acne/backend.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne::stylegan2 {

// ws[n, i] = w[n] for every layer i; w holds N rows of w_dim.
template <class T, class D>
void broadcast_w(const tensor<T, D>& w, std::size_t num_ws, tensor<T, D>& ws) {
  const std::size_t n = w.shape().n, wd = w.shape().sample_size();
  ws.resize({n, num_ws, wd, 1});
  for (std::size_t i = 0; i < num_ws; ++i) copy_channels(w.reshaped({n, 1, wd, 1}), ws, i);
}

// out = (1 - t) a + t b.
template <class T, class D>
void interpolate_ws(const tensor<T, D>& a, const tensor<T, D>& b, double t, tensor<T, D>& out) {
  check_shape("interpolate_ws", a.shape(), b.shape());
  out = b;
  axpby(T(1 - t), a, T(t), out);
}

// out = a, except layers [cutoff, num_ws) which come from b (coarse styles of a, fine of b).
template <class T, class D>
void mix_styles(const tensor<T, D>& a, const tensor<T, D>& b, std::size_t cutoff, tensor<T, D>& out) {
  check_shape("mix_styles", a.shape(), b.shape());
  const auto& s = a.shape();
  out = a;
  tensor<T, D> layer({s.n, 1, s.h, 1});
  for (std::size_t i = cutoff; i < s.c; ++i) {
    slice_channels(b, layer, i);
    copy_channels(layer, out, i);
  }
}

}  // namespace acne::stylegan2
