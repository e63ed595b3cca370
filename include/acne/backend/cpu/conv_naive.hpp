#pragma once
// Direct convolution loops: slow, obviously correct, and the reference the fast paths are tested against.
#include "acne/backend/conv_geometry.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne::naive {

template <class T, class F>
void for_each_tap(const shape4& xs, const shape4& ys, const window& g, F&& f) {
  for (std::size_t n = 0; n < xs.n; ++n)
    for (std::size_t o = 0; o < ys.c; ++o)
      for (std::size_t oy = 0; oy < ys.h; ++oy)
        for (std::size_t ox = 0; ox < ys.w; ++ox)
          for (std::size_t c = 0; c < xs.c; ++c)
            for (std::size_t i = 0; i < g.kh; ++i)
              for (std::size_t j = 0; j < g.kw; ++j) {
                const long y = long(oy * g.stride_h + i * g.dilation_h) - long(g.pad_top);
                const long x = long(ox * g.stride_w + j * g.dilation_w) - long(g.pad_left);
                if (y >= 0 && y < long(xs.h) && x >= 0 && x < long(xs.w)) f(n, o, oy, ox, c, i, j, y, x);
              }
}

template <class T>
void conv2d_forward(const tensor<T, cpu>& x, const tensor<T, cpu>& w, tensor<T, cpu>& y, const window& g) {
  y.zero();
  for_each_tap<T>(x.shape(), y.shape(), g, [&](auto n, auto o, auto oy, auto ox, auto c, auto i, auto j, auto iy, auto ix) {
    y(n, o, oy, ox) += w(o, c, i, j) * x(n, c, iy, ix);
  });
}

template <class T>
void conv2d_backward_data(const tensor<T, cpu>& dy, const tensor<T, cpu>& w, tensor<T, cpu>& dx, const window& g) {
  dx.zero();
  for_each_tap<T>(dx.shape(), dy.shape(), g, [&](auto n, auto o, auto oy, auto ox, auto c, auto i, auto j, auto iy, auto ix) {
    dx(n, c, iy, ix) += w(o, c, i, j) * dy(n, o, oy, ox);
  });
}

template <class T>
void conv2d_backward_filter(const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& dw, const window& g) {
  dw.zero();
  for_each_tap<T>(x.shape(), dy.shape(), g, [&](auto n, auto o, auto oy, auto ox, auto c, auto i, auto j, auto iy, auto ix) {
    dw(o, c, i, j) += x(n, c, iy, ix) * dy(n, o, oy, ox);
  });
}

}  // namespace acne::naive
