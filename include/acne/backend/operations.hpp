#pragma once
// The list of backend operations: everything a layer, a loss or an optimizer asks of a device.
// A backend is a set of free functions of these names and signatures for tensor<T, D>, found by
// argument-dependent lookup; backend/cpu.hpp and backend/cuda.hpp each check at compile time that
// theirs is complete, so a missing or mistyped twin is a compile error that names the operation,
// not a link error. Shapes are checked by each operation (acne::error naming it).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "acne/backend/activation.hpp"
#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/op_types.hpp"
#include "acne/backend/upfirdn_geometry.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

template <class T, class D>
concept elementwise_operations = requires(tensor<T, D>& y, const tensor<T, D>& x, T a, std::size_t k, bool flag,
                                          const activation& act, double rate, std::uint64_t seed) {
  fill(y, a);                               // y = a
  copy(x, y);                               // y = x (sizes agree)
  axpy(a, x, y);                            // y += a x
  axpby(a, x, a, y);                        // y = a x + b y
  scale(y, a);                              // y *= a
  { sum(x) } -> std::same_as<double>;       // in double
  { dot(x, x) } -> std::same_as<double>;    // in double
  add_channel_bias(y, x, a);                // y[n, c] += gain * bias[c]
  channel_bias_grad(x, y, a);               // db[c] += gain * sum of dy[:, c]
  activation_forward(act, x, y);
  activation_backward(act, x, x, x, y);     // dx from x, y, dy
  copy_channels(x, y, k, flag);             // x into channels [k, k + C) of y, or added there
  slice_channels(x, y, k);                  // channels [k, k + C) of x into y
  matmul(x, flag, x, flag, y, a, a);        // c = alpha op(a) op(b) + beta c, rows are samples
  dropout_forward(x, y, rate, seed);
  dropout_backward(x, y, rate, seed);
  fill_normal(y, seed, a);                  // counter-based normal stream: the same draw on every device
};

template <class T, class D>
concept dnn_operations = requires(tensor<T, D>& y, const tensor<T, D>& x, const window& g, T beta, double v,
                                  pool_kind kind, std::size_t k) {
  conv2d_forward(x, x, y, g);               // y = x * w
  conv2d_backward_data(x, x, y, g);         // dx from dy and w
  conv2d_backward_filter(x, x, y, g, beta); // dw = dw(x, dy) + beta dw
  pool_forward(kind, x, y, g);
  pool_backward(kind, x, x, y, g);          // dx from x and dy
  zero_pad_forward(x, y, k, k);             // x at row, column offsets of a zeroed y
  zero_pad_backward(x, y, k, k);            // dx: the window of dy that held x
  batch_norm_forward_train(x, x, x, y, y, y, y, y, v, v);  // x, gamma, beta -> y, mean, invstd, running stats
  batch_norm_forward_inference(x, x, x, y, x, x, v);
  batch_norm_backward(x, x, x, x, x, y, y, y);             // -> dx, dgamma, dbeta
};

template <class T, class D>
concept training_operations = requires(tensor<T, D>& y, const tensor<T, D>& x, const std::vector<int>& labels,
                                       bool flag, double v) {
  { softmax_cross_entropy(x, labels, y, y) } -> std::same_as<double>;  // probs and dlogits too
  { logistic_loss(x, flag, v, y) } -> std::same_as<logistic_result>;   // StyleGAN2's softplus losses
  adam_update(y, x, y, y, v, v, v, v, v, v);
  sgd_update(y, x, y, v, v, flag);
};

// StyleGAN2's operations, with the tangents (forward-mode derivatives) its exact R1 and path-length
// gradients need.
template <class T, class D>
concept stylegan_operations = requires(tensor<T, D>& y, const tensor<T, D>& x, const upfirdn_params& p, T beta,
                                       double eps, std::size_t k) {
  upfirdn2d_forward(x, y, p);
  upfirdn2d_backward(x, y, p);
  scale_planes(x, x, y);                    // y[n, c] = x[n, c] * s[n, c]
  plane_dot(x, x, y, beta);                 // ds[n, c] = <x[n, c], dy[n, c]> + beta ds
  demodulation_forward(x, x, y, eps);
  demodulation_backward(x, x, x, x, y, y);
  demodulation_tangent(x, x, x, x, y);
  demodulation_backward_tangent(x, x, x, x, x, x, x, y, y);
  transpose_filters(x, y);                  // [O, I, kh, kw] -> [I, O, kh, kw]
  add_noise(y, x, x);
  noise_strength_grad(x, x, y);
  normalize_2nd_moment_forward(x, y, y, eps);
  normalize_2nd_moment_backward(x, x, x, y);
  minibatch_stddev_forward(x, y, k, k);
  minibatch_stddev_backward(x, x, y, k, k);
  minibatch_stddev_tangent(x, x, y, k, k);
  minibatch_stddev_backward_tangent(x, x, x, x, y, k, k);
};

// The restoration network's operations (DFDNet): resizing as PyTorch's F.interpolate does it, windows
// of one sample's planes, elementwise products, and a dictionary's inner products.
template <class T, class D>
concept restoration_operations = requires(tensor<T, D>& y, const tensor<T, D>& x, std::size_t k, bool flag) {
  resize_bilinear_forward(x, y);            // to y's height and width, align_corners = False
  resize_bilinear_backward(x, y);           // dx (shaped) from dy
  resize_nearest_forward(x, y);
  take_window(x, k, k, k, y);               // y[0] = x[n] at (top, left)
  put_window(x, y, k, k, k, flag);          // y[n] at (top, left) = x[0], or += x[0]
  multiply(x, x, y);                        // y = a * b
  plane_products(x, x, y);                  // q[k, c] = <a[k, c], x[0, c]>
};

template <class T, class D>
concept backend_operations = elementwise_operations<T, D> && dnn_operations<T, D> && training_operations<T, D> &&
                             stylegan_operations<T, D> && restoration_operations<T, D>;

}  // namespace acne
