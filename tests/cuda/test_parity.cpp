// The CUDA backend against the CPU backend: every op on random inputs, then a whole small network
// trained for a few Adam steps on both devices. Without a usable GPU the suite exits with 77, which
// CTest reports as skipped.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "acne/backend/cpu.hpp"
#include "acne/backend/cpu/minibatch_stddev.hpp"
#include "acne/backend/cpu/modulation.hpp"
#include "acne/backend/cpu/noise.hpp"
#include "acne/backend/cpu/normalize.hpp"
#include "acne/backend/cpu/upfirdn2d.hpp"
#include "acne/backend/cuda.hpp"
#include "acne/device_choice.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/conv2d_transpose.hpp"
#include "acne/layers/dense.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/network.hpp"
#include "acne/optim/adam.hpp"

namespace test_cuda_parity {

using namespace acne;
using host_tensor = tensor<float, cpu>;
using device_tensor = tensor<float, cuda>;

namespace {

struct require_cuda {
  require_cuda() {
    if (!cuda_available()) {
      std::cout << "no CUDA device: CUDA tests skipped" << std::endl;
      std::exit(77);
    }
  }
};

host_tensor random_host(const shape4& s, std::mt19937_64& gen, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> d(lo, hi);
  host_tensor t(s);
  for (auto& v : t) v = float(d(gen));
  return t;
}

// Largest |actual - expected|, relative to the larger of 1 and the largest |expected|.
double parity_error(const host_tensor& expected, const device_tensor& actual) {
  BOOST_REQUIRE_MESSAGE(expected.shape() == actual.shape(),
                        "shapes differ: " << expected.shape() << " and " << actual.shape());
  const host_tensor a = to_host(actual);
  double diff = 0, scale = 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(double(a[i]) - double(expected[i])));
    scale = std::max(scale, std::fabs(double(expected[i])));
  }
  return diff / scale;
}

constexpr double tol = 1e-4;

#define CHECK_CLOSE_TENSORS(expected, actual)   \
  BOOST_TEST(parity_error(expected, actual) < tol, \
             #actual " differs from the CPU by " << parity_error(expected, actual))

window conv_window(std::size_t k, std::size_t stride, std::size_t dilation, padding_mode mode, const shape4& x) {
  return resolve_padding({k, k, stride, stride, dilation, dilation}, mode, x.h, x.w);
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(require_cuda);

BOOST_AUTO_TEST_SUITE(cuda_parity)

BOOST_AUTO_TEST_CASE(memory_copies_views_and_transfers) {
  std::mt19937_64 gen(1);
  const host_tensor h = random_host({3, 2, 4, 5}, gen);
  device_tensor d = to_device(h);
  BOOST_TEST(parity_error(h, d) == 0.0);

  device_tensor deep = d;  // a copy owns its own buffer
  scale(deep, 2.0f);
  BOOST_TEST(parity_error(h, d) == 0.0);

  device_tensor second = d.sample(1);  // a view writes through to its parent
  fill(second, 7.0f);
  host_tensor expected = h;
  for (std::size_t i = 0; i < h.shape().sample_size(); ++i) expected[h.shape().sample_size() + i] = 7.0f;
  BOOST_TEST(parity_error(expected, d) == 0.0);

  device_tensor other(h.shape());
  copy(d, other);
  BOOST_TEST(parity_error(expected, other) == 0.0);
  other.zero();
  BOOST_TEST(parity_error(host_tensor(h.shape()), other) == 0.0);
  BOOST_TEST(parity_error(host_tensor({2, 2, 1, 1}), device_tensor({2, 2, 1, 1})) == 0.0);  // allocations are zeroed
}

BOOST_AUTO_TEST_CASE(errors_name_the_failed_call) {
  BOOST_CHECK_EXCEPTION(memory<cuda>::allocate(std::size_t(1) << 60), acne::error, [](const acne::error& e) {
    const std::string what = e.what();
    return what.find("cudaMalloc") != std::string::npos && what.find(".cu:") != std::string::npos;
  });
  // The failure is not left behind for the next kernel launch to report.
  device_tensor t({4, 1, 1, 1});
  BOOST_CHECK_NO_THROW(fill(t, 1.0f));
  BOOST_TEST(sum(t) == 4.0);
}

BOOST_AUTO_TEST_CASE(blas_like_ops_and_reductions) {
  std::mt19937_64 gen(2);
  const shape4 s{3, 4, 5, 6};
  host_tensor x = random_host(s, gen), y = random_host(s, gen);
  device_tensor dx = to_device(x), dy = to_device(y);

  axpy(0.7f, x, y);
  axpy(0.7f, dx, dy);
  CHECK_CLOSE_TENSORS(y, dy);
  axpby(-1.5f, x, 0.25f, y);
  axpby(-1.5f, dx, 0.25f, dy);
  CHECK_CLOSE_TENSORS(y, dy);
  scale(y, 3.0f);
  scale(dy, 3.0f);
  CHECK_CLOSE_TENSORS(y, dy);

  BOOST_TEST(std::fabs(sum(x) - sum(dx)) < 1e-4 * (1 + std::fabs(sum(x))));
  BOOST_TEST(std::fabs(dot(x, y) - dot(dx, dy)) < 1e-4 * (1 + std::fabs(dot(x, y))));
  // A size that spans many blocks and a partial last block.
  host_tensor big = random_host({1000003, 1, 1, 1}, gen, 0, 1);
  BOOST_TEST(std::fabs(sum(big) - sum(to_device(big))) < 1e-6 * sum(big));
}

BOOST_AUTO_TEST_CASE(channel_bias_and_channel_copies) {
  std::mt19937_64 gen(3);
  const shape4 s{3, 5, 4, 3};
  host_tensor y = random_host(s, gen), bias = random_host({5, 1, 1, 1}, gen);
  device_tensor dy = to_device(y), dbias = to_device(bias);
  add_channel_bias(y, bias, 0.5f);
  add_channel_bias(dy, dbias, 0.5f);
  CHECK_CLOSE_TENSORS(y, dy);

  host_tensor db = random_host({5, 1, 1, 1}, gen);  // accumulated into, not overwritten
  device_tensor ddb = to_device(db);
  channel_bias_grad(y, db, 1.5f);
  channel_bias_grad(dy, ddb, 1.5f);
  CHECK_CLOSE_TENSORS(db, ddb);

  host_tensor part = random_host({3, 2, 4, 3}, gen);
  device_tensor dpart = to_device(part);
  copy_channels(part, y, 2);
  copy_channels(dpart, dy, 2);
  CHECK_CLOSE_TENSORS(y, dy);
  copy_channels(part, y, 3, true);
  copy_channels(dpart, dy, 3, true);
  CHECK_CLOSE_TENSORS(y, dy);

  host_tensor slice({3, 3, 4, 3});
  device_tensor dslice(slice.shape());
  slice_channels(y, slice, 1);
  slice_channels(dy, dslice, 1);
  CHECK_CLOSE_TENSORS(slice, dslice);
}

BOOST_AUTO_TEST_CASE(activations_forward_and_backward) {
  std::mt19937_64 gen(4);
  const shape4 s{2, 3, 7, 5};
  const host_tensor x = random_host(s, gen, -3, 3), g = random_host(s, gen);
  activation clamped = activation::lrelu(0.2, std::sqrt(2.0));
  clamped.clamp = 1.5;
  for (const activation& act : {activation::linear(), activation::relu(), activation::lrelu(), activation::tanh(),
                                activation::sigmoid(), clamped}) {
    BOOST_TEST_CONTEXT("activation kind " << int(act.kind) << " clamp " << act.clamp) {
      host_tensor y(s), dx(s);
      device_tensor dx_d(s), y_d(s);
      const device_tensor x_d = to_device(x), g_d = to_device(g);
      activation_forward(act, x, y);
      activation_forward(act, x_d, y_d);
      CHECK_CLOSE_TENSORS(y, y_d);
      activation_backward(act, x, y, g, dx);
      activation_backward(act, x_d, y_d, g_d, dx_d);
      CHECK_CLOSE_TENSORS(dx, dx_d);
    }
  }
}

BOOST_AUTO_TEST_CASE(matmul_every_transposition) {
  std::mt19937_64 gen(5);
  const std::size_t m = 7, k = 5, n = 4;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      BOOST_TEST_CONTEXT("trans_a " << ta << " trans_b " << tb) {
        const host_tensor a = random_host(ta ? shape4{k, m, 1, 1} : shape4{m, k, 1, 1}, gen);
        const host_tensor b = random_host(tb ? shape4{n, k, 1, 1} : shape4{k, n, 1, 1}, gen);
        host_tensor c = random_host({m, n, 1, 1}, gen);
        device_tensor c_d = to_device(c);
        matmul(a, ta, b, tb, c, 0.5f, 0.75f);
        matmul(to_device(a), ta, to_device(b), tb, c_d, 0.5f, 0.75f);
        CHECK_CLOSE_TENSORS(c, c_d);
      }
    }
}

BOOST_AUTO_TEST_CASE(dropout_masks_are_identical) {
  std::mt19937_64 gen(6);
  const host_tensor x = random_host({4, 3, 9, 9}, gen, 0.5, 1.5);  // no zeros: a zero output is a dropped unit
  host_tensor y(x.shape()), dx(x.shape());
  device_tensor y_d(x.shape()), dx_d(x.shape());
  dropout_forward(x, y, 0.3, 1234);
  dropout_forward(to_device(x), y_d, 0.3, 1234);
  const host_tensor y_h = to_host(y_d);
  std::size_t mismatched = 0, dropped = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    mismatched += (y[i] == 0.0f) != (y_h[i] == 0.0f);
    dropped += y[i] == 0.0f;
  }
  BOOST_TEST(mismatched == 0u);
  BOOST_TEST(dropped > 0u);
  CHECK_CLOSE_TENSORS(y, y_d);
  dropout_backward(x, dx, 0.3, 99);
  dropout_backward(to_device(x), dx_d, 0.3, 99);
  CHECK_CLOSE_TENSORS(dx, dx_d);
}

BOOST_AUTO_TEST_CASE(convolutions_including_asymmetric_same_padding) {
  std::mt19937_64 gen(7);
  struct config { shape4 x; std::size_t cout, k, stride, dilation; padding_mode pad; std::size_t explicit_pad = 0; };
  const config configs[] = {
      {{2, 3, 9, 8}, 4, 3, 1, 1, padding_mode::same},    // symmetric same
      {{3, 2, 8, 8}, 5, 3, 2, 1, padding_mode::same},    // even input, stride 2: pad top 0, bottom 1
      {{2, 3, 10, 7}, 3, 4, 1, 1, padding_mode::same},   // even kernel: asymmetric at stride 1
      {{2, 4, 7, 7}, 3, 1, 1, 1, padding_mode::valid},
      {{1, 2, 12, 10}, 2, 5, 2, 1, padding_mode::valid},
      {{2, 3, 9, 9}, 2, 3, 1, 2, padding_mode::same},    // dilation
      {{2, 3, 8, 8}, 2, 3, 2, 2, padding_mode::same},    // dilation, stride 2, asymmetric
      {{2, 2, 6, 6}, 3, 5, 1, 1, padding_mode::explicit_, 1},
  };
  for (const auto& c : configs) {
    BOOST_TEST_CONTEXT("input " << c.x << " k " << c.k << " stride " << c.stride << " dilation " << c.dilation) {
      window g = conv_window(c.k, c.stride, c.dilation, c.pad, c.x);
      if (c.pad == padding_mode::explicit_) g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = c.explicit_pad;
      const shape4 ys{c.x.n, c.cout, g.out_h(c.x.h), g.out_w(c.x.w)};
      const host_tensor x = random_host(c.x, gen), w = random_host({c.cout, c.x.c, c.k, c.k}, gen);
      const host_tensor dy = random_host(ys, gen);
      const device_tensor x_d = to_device(x), w_d = to_device(w), dy_d = to_device(dy);

      host_tensor y(ys);
      device_tensor y_d(ys);
      conv2d_forward(x, w, y, g);
      conv2d_forward(x_d, w_d, y_d, g);
      CHECK_CLOSE_TENSORS(y, y_d);

      host_tensor dx(c.x);
      device_tensor dx_d(c.x);
      conv2d_backward_data(dy, w, dx, g);
      conv2d_backward_data(dy_d, w_d, dx_d, g);
      CHECK_CLOSE_TENSORS(dx, dx_d);

      host_tensor dw = random_host(w.shape(), gen);
      device_tensor dw_d = to_device(dw);
      conv2d_backward_filter(x, dy, dw, g, 1.0f);  // accumulates
      conv2d_backward_filter(x_d, dy_d, dw_d, g, 1.0f);
      CHECK_CLOSE_TENSORS(dw, dw_d);
      conv2d_backward_filter(x, dy, dw, g, 0.0f);  // overwrites
      conv2d_backward_filter(x_d, dy_d, dw_d, g, 0.0f);
      CHECK_CLOSE_TENSORS(dw, dw_d);
    }
  }
}

BOOST_AUTO_TEST_CASE(convolutions_on_misaligned_views) {
  // A network's parameters are views into one flat buffer, so weights (and gradients) can start at
  // any float; the inputs and outputs here are such views too.
  std::mt19937_64 gen(18);
  const shape4 xs{2, 3, 8, 8}, ws{4, 3, 3, 3};
  for (padding_mode mode : {padding_mode::same, padding_mode::valid}) {
    BOOST_TEST_CONTEXT("stride 2, " << (mode == padding_mode::same ? "same" : "valid")) {
      const window g = conv_window(3, 2, 1, mode, xs);
      const shape4 ys{xs.n, ws.n, g.out_h(xs.h), g.out_w(xs.w)};
      const host_tensor x = random_host(xs, gen), w = random_host(ws, gen), dy = random_host(ys, gen);
      host_tensor y(ys), dx(xs), dw = random_host(ws, gen);
      device_tensor pool_d({xs.size() + ws.size() + ys.size() * 2 + xs.size() + ws.size() + 8, 1, 1, 1});
      std::size_t offset = 1;
      auto place = [&](const host_tensor& h) {
        device_tensor v = pool_d.view(h.shape(), offset);
        offset += h.size() + 1;
        memory<cuda>::from_host(v.data(), h.data(), h.bytes());
        return v;
      };
      device_tensor x_d = place(x), w_d = place(w), dy_d = place(dy), y_d = place(y), dx_d = place(dx),
                    dw_d = place(dw);
      conv2d_forward(x, w, y, g);
      conv2d_forward(x_d, w_d, y_d, g);
      CHECK_CLOSE_TENSORS(y, y_d);
      conv2d_backward_data(dy, w, dx, g);
      conv2d_backward_data(dy_d, w_d, dx_d, g);
      CHECK_CLOSE_TENSORS(dx, dx_d);
      conv2d_backward_filter(x, dy, dw, g, 1.0f);
      conv2d_backward_filter(x_d, dy_d, dw_d, g, 1.0f);
      CHECK_CLOSE_TENSORS(dw, dw_d);
    }
  }
}

BOOST_AUTO_TEST_CASE(pooling_with_tf_padding_rules) {
  std::mt19937_64 gen(8);
  const shape4 xs{2, 3, 8, 7};
  window empty_rows{2, 2, 2, 2};  // explicit pads as wide as the window: whole windows in the padding
  empty_rows.pad_top = 2;
  empty_rows.pad_left = 1;
  const window windows[] = {
      conv_window(3, 2, 1, padding_mode::same, xs),   // asymmetric
      conv_window(3, 1, 1, padding_mode::same, xs),
      conv_window(2, 2, 1, padding_mode::valid, xs),
      window{xs.h, xs.w, 1, 1},                        // global average
      empty_rows,
  };
  const host_tensor x = random_host(xs, gen);
  const device_tensor x_d = to_device(x);
  for (pool_kind kind : {pool_kind::max, pool_kind::average})
    for (const window& g : windows) {
      BOOST_TEST_CONTEXT("kind " << int(kind) << " window " << g.kh << "x" << g.kw << " stride " << g.stride_h
                                 << " pads " << g.pad_top << "," << g.pad_bottom << "," << g.pad_left << ","
                                 << g.pad_right) {
        const shape4 ys{xs.n, xs.c, g.out_h(xs.h), g.out_w(xs.w)};
        host_tensor y(ys), dx(xs);
        device_tensor y_d(ys), dx_d(xs);
        pool_forward(kind, x, y, g);
        pool_forward(kind, x_d, y_d, g);
        CHECK_CLOSE_TENSORS(y, y_d);
        const host_tensor dy = random_host(ys, gen);
        pool_backward(kind, x, dy, dx, g);
        pool_backward(kind, x_d, to_device(dy), dx_d, g);
        CHECK_CLOSE_TENSORS(dx, dx_d);
      }
    }
}

BOOST_AUTO_TEST_CASE(zero_padding_and_its_adjoint) {
  std::mt19937_64 gen(12);
  const shape4 xs{2, 3, 5, 4}, ys{2, 3, 9, 5};  // 1 row above, 3 below; no column left, 1 right
  const host_tensor x = random_host(xs, gen), dy = random_host(ys, gen);
  host_tensor y(ys), dx(xs);
  device_tensor y_d(ys), dx_d(xs);
  zero_pad_forward(x, y, 1, 0);
  zero_pad_forward(to_device(x), y_d, 1, 0);
  CHECK_CLOSE_TENSORS(y, y_d);
  zero_pad_backward(dy, dx, 1, 0);
  zero_pad_backward(to_device(dy), dx_d, 1, 0);
  CHECK_CLOSE_TENSORS(dx, dx_d);
}

BOOST_AUTO_TEST_CASE(batch_norm_train_inference_backward) {
  std::mt19937_64 gen(9);
  const shape4 xs{4, 3, 5, 6}, cs{3, 1, 1, 1};
  const host_tensor x = random_host(xs, gen, -2, 3), gamma = random_host(cs, gen, 0.5, 1.5);
  const host_tensor beta = random_host(cs, gen);
  host_tensor rm = random_host(cs, gen), rv = random_host(cs, gen, 0.5, 2), y(xs), mean(cs), invstd(cs);
  device_tensor rm_d = to_device(rm), rv_d = to_device(rv), y_d(xs), mean_d(cs), invstd_d(cs);
  const device_tensor x_d = to_device(x), gamma_d = to_device(gamma), beta_d = to_device(beta);

  batch_norm_forward_train(x, gamma, beta, y, mean, invstd, rm, rv, 0.9, 1e-3);
  batch_norm_forward_train(x_d, gamma_d, beta_d, y_d, mean_d, invstd_d, rm_d, rv_d, 0.9, 1e-3);
  CHECK_CLOSE_TENSORS(y, y_d);
  CHECK_CLOSE_TENSORS(mean, mean_d);
  CHECK_CLOSE_TENSORS(invstd, invstd_d);
  CHECK_CLOSE_TENSORS(rm, rm_d);
  CHECK_CLOSE_TENSORS(rv, rv_d);

  batch_norm_forward_inference(x, gamma, beta, y, rm, rv, 1e-3);
  batch_norm_forward_inference(x_d, gamma_d, beta_d, y_d, rm_d, rv_d, 1e-3);
  CHECK_CLOSE_TENSORS(y, y_d);

  const host_tensor dy = random_host(xs, gen);
  host_tensor dx(xs), dgamma = random_host(cs, gen), dbeta = random_host(cs, gen);
  device_tensor dx_d(xs), dgamma_d = to_device(dgamma), dbeta_d = to_device(dbeta);
  batch_norm_backward(x, dy, gamma, mean, invstd, dx, dgamma, dbeta);
  batch_norm_backward(x_d, to_device(dy), gamma_d, mean_d, invstd_d, dx_d, dgamma_d, dbeta_d);
  CHECK_CLOSE_TENSORS(dx, dx_d);
  CHECK_CLOSE_TENSORS(dgamma, dgamma_d);
  CHECK_CLOSE_TENSORS(dbeta, dbeta_d);
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_loss_and_gradient) {
  std::mt19937_64 gen(10);
  const host_tensor logits = random_host({6, 4, 1, 1}, gen, -4, 4);
  const std::vector<int> labels{0, 3, 1, 2, 3, 0};
  host_tensor probs, dlogits;
  device_tensor probs_d, dlogits_d;
  const double loss = softmax_cross_entropy(logits, labels, probs, dlogits);
  const double loss_d = softmax_cross_entropy(to_device(logits), labels, probs_d, dlogits_d);
  BOOST_TEST(std::fabs(loss - loss_d) < 1e-5 * (1 + loss));
  CHECK_CLOSE_TENSORS(probs, probs_d);
  CHECK_CLOSE_TENSORS(dlogits, dlogits_d);
  BOOST_CHECK_THROW(softmax_cross_entropy(to_device(logits), std::vector<int>{0, 1, 2, 3, 4, 0}, probs_d, dlogits_d),
                    acne::error);
}

BOOST_AUTO_TEST_CASE(logistic_loss_and_gradient) {
  std::mt19937_64 gen(18);
  const host_tensor logits = random_host({7, 1, 1, 1}, gen, -30, 30);
  for (bool real : {true, false}) {
    host_tensor g;
    device_tensor g_d;
    const auto r = logistic_loss(logits, real, 16.0, g);
    const auto r_d = logistic_loss(to_device(logits), real, 16.0, g_d);
    BOOST_TEST(std::fabs(r.loss - r_d.loss) < 1e-6 * (1 + r.loss));
    BOOST_TEST(std::fabs(r.mean_logit - r_d.mean_logit) < 1e-6 * (1 + std::fabs(r.mean_logit)));
    CHECK_CLOSE_TENSORS(g, g_d);
  }
}

BOOST_AUTO_TEST_CASE(adam_and_sgd_steps) {
  std::mt19937_64 gen(11);
  const shape4 s{50, 3, 1, 1};
  host_tensor p = random_host(s, gen), m(s), v(s), buf(s), p2 = p, p3 = p, buf3(s);
  device_tensor p_d = to_device(p), m_d(s), v_d(s), p2_d = to_device(p2), buf_d(s), p3_d = to_device(p3), buf3_d(s);
  for (int t = 1; t <= 4; ++t) {
    const host_tensor g = random_host(s, gen);
    const device_tensor g_d = to_device(g);
    const double c1 = 1 - std::pow(0.9, t), c2 = 1 - std::pow(0.999, t);
    adam_update(p, g, m, v, 0.01, 0.9, 0.999, 1e-8, c1, c2);
    adam_update(p_d, g_d, m_d, v_d, 0.01, 0.9, 0.999, 1e-8, c1, c2);
    sgd_update(p2, g, buf, 0.05, 0.9, false);
    sgd_update(p2_d, g_d, buf_d, 0.05, 0.9, false);
    sgd_update(p3, g, buf3, 0.05, 0.9, true);
    sgd_update(p3_d, g_d, buf3_d, 0.05, 0.9, true);
  }
  CHECK_CLOSE_TENSORS(p, p_d);
  CHECK_CLOSE_TENSORS(m, m_d);
  CHECK_CLOSE_TENSORS(v, v_d);
  CHECK_CLOSE_TENSORS(p2, p2_d);
  CHECK_CLOSE_TENSORS(buf, buf_d);
  CHECK_CLOSE_TENSORS(p3, p3_d);
}

BOOST_AUTO_TEST_CASE(upfirdn2d_resampling_and_cropping) {
  std::mt19937_64 gen(13);
  fir_filter lopsided;  // not symmetric, so flipping matters
  lopsided.h = 2;
  lopsided.w = 3;
  const double taps[] = {0.1, 0.5, -0.2, 0.3, 0.05, 0.25};
  std::copy(std::begin(taps), std::end(taps), lopsided.taps.begin());
  upfirdn_params custom;
  custom.up = 2;
  custom.filter = lopsided;
  custom.pad_y0 = 2, custom.pad_y1 = 0, custom.pad_x0 = 1, custom.pad_x1 = -1;  // -1 crops a column
  custom.gain = 1.5;
  upfirdn_params flipped = custom;
  flipped.flip_filter = true;
  upfirdn_params both = downsample2d(fir_filter::stylegan2());
  both.up = 2;
  both.pad_y0 = both.pad_x0 = 2;
  const upfirdn_params params[] = {upsample2d(fir_filter::stylegan2()), downsample2d(fir_filter::stylegan2()),
                                   custom, flipped, both};
  const shape4 xs{2, 3, 8, 6};
  const host_tensor x = random_host(xs, gen);
  for (const upfirdn_params& p : params) {
    BOOST_TEST_CONTEXT("up " << p.up << " down " << p.down << " pads " << p.pad_y0 << "," << p.pad_y1 << ","
                              << p.pad_x0 << "," << p.pad_x1 << " flip " << p.flip_filter) {
      const shape4 ys{xs.n, xs.c, p.out_h(xs.h), p.out_w(xs.w)};
      host_tensor y(ys), dx(xs);
      device_tensor y_d(ys), dx_d(xs);
      upfirdn2d_forward(x, y, p);
      upfirdn2d_forward(to_device(x), y_d, p);
      CHECK_CLOSE_TENSORS(y, y_d);
      const host_tensor dy = random_host(ys, gen);
      upfirdn2d_backward(dy, dx, p);
      upfirdn2d_backward(to_device(dy), dx_d, p);
      CHECK_CLOSE_TENSORS(dx, dx_d);
    }
  }
}

BOOST_AUTO_TEST_CASE(modulation_kernels) {
  std::mt19937_64 gen(14);
  const shape4 xs{3, 4, 5, 5}, ws{6, 4, 3, 3};
  const host_tensor x = random_host(xs, gen), styles = random_host({3, 4, 1, 1}, gen, 0.5, 1.5);
  const host_tensor w = random_host(ws, gen), dy = random_host(xs, gen);
  const device_tensor x_d = to_device(x), styles_d = to_device(styles), w_d = to_device(w), dy_d = to_device(dy);

  host_tensor y(xs);
  device_tensor y_d(xs);
  scale_planes(x, styles, y);
  scale_planes(x_d, styles_d, y_d);
  CHECK_CLOSE_TENSORS(y, y_d);
  device_tensor in_place = x_d;  // y may be x
  scale_planes(in_place, styles_d, in_place);
  CHECK_CLOSE_TENSORS(y, in_place);

  host_tensor ds = random_host(styles.shape(), gen);
  device_tensor ds_d = to_device(ds);
  plane_dot(x, dy, ds, 0.5f);
  plane_dot(x_d, dy_d, ds_d, 0.5f);
  CHECK_CLOSE_TENSORS(ds, ds_d);
  plane_dot(x, dy, ds, 0.0f);
  plane_dot(x_d, dy_d, ds_d, 0.0f);
  CHECK_CLOSE_TENSORS(ds, ds_d);

  host_tensor d({3, 6, 1, 1});
  device_tensor d_d(d.shape());
  demodulation_forward(w, styles, d, 1e-8);
  demodulation_forward(w_d, styles_d, d_d, 1e-8);
  CHECK_CLOSE_TENSORS(d, d_d);
  const host_tensor dd = random_host(d.shape(), gen);
  host_tensor dw = random_host(ws, gen);
  device_tensor dw_d = to_device(dw);
  demodulation_backward(w, styles, d, dd, ds, dw);
  demodulation_backward(w_d, styles_d, d_d, to_device(dd), ds_d, dw_d);
  CHECK_CLOSE_TENSORS(ds, ds_d);
  CHECK_CLOSE_TENSORS(dw, dw_d);

  // The tangents the path-length regulariser runs.
  const host_tensor ts = random_host(styles.shape(), gen), tdd = random_host(d.shape(), gen);
  host_tensor td(d.shape());
  device_tensor td_d(d.shape());
  demodulation_tangent(w, styles, ts, d, td);
  demodulation_tangent(w_d, styles_d, to_device(ts), d_d, td_d);
  CHECK_CLOSE_TENSORS(td, td_d);
  host_tensor tds = random_host(styles.shape(), gen), tdw = random_host(ws, gen);
  device_tensor tds_d = to_device(tds), tdw_d = to_device(tdw);
  demodulation_backward_tangent(w, styles, ts, d, td, dd, tdd, tds, tdw);
  demodulation_backward_tangent(w_d, styles_d, to_device(ts), d_d, td_d, to_device(dd), to_device(tdd), tds_d, tdw_d);
  CHECK_CLOSE_TENSORS(tds, tds_d);
  CHECK_CLOSE_TENSORS(tdw, tdw_d);

  host_tensor wt({4, 6, 3, 3});
  device_tensor wt_d(wt.shape());
  transpose_filters(w, wt);
  transpose_filters(w_d, wt_d);
  BOOST_TEST(parity_error(wt, wt_d) == 0.0);
}

BOOST_AUTO_TEST_CASE(noise_stream_injection_and_strength_gradient) {
  std::mt19937_64 gen(15);
  host_tensor noise({3, 1, 6, 5}), shared({1, 1, 6, 5});
  device_tensor noise_d(noise.shape()), shared_d(shared.shape());
  fill_normal(noise, 77, 0.5f);
  fill_normal(noise_d, 77, 0.5f);
  BOOST_TEST(parity_error(noise, noise_d) < 1e-6);  // the same stream, not merely the same distribution
  fill_normal(shared, 78);
  fill_normal(shared_d, 78);
  BOOST_TEST(parity_error(shared, shared_d) < 1e-6);

  const host_tensor strength({1, 1, 1, 1}, 0.3f);
  const device_tensor strength_d = to_device(strength);
  for (bool per_sample : {true, false}) {
    BOOST_TEST_CONTEXT("per-sample noise " << per_sample) {
      const host_tensor& z = per_sample ? noise : shared;
      const device_tensor& z_d = per_sample ? noise_d : shared_d;
      host_tensor y = random_host({3, 4, 6, 5}, gen);
      device_tensor y_d = to_device(y);
      add_noise(y, z, strength);
      add_noise(y_d, z_d, strength_d);
      CHECK_CLOSE_TENSORS(y, y_d);
      host_tensor ds({1, 1, 1, 1}, 0.25f);
      device_tensor ds_d = to_device(ds);
      noise_strength_grad(y, z, ds);
      noise_strength_grad(y_d, z_d, ds_d);
      CHECK_CLOSE_TENSORS(ds, ds_d);
    }
  }
}

BOOST_AUTO_TEST_CASE(normalize_2nd_moment_forward_backward) {
  std::mt19937_64 gen(16);
  const shape4 s{5, 300, 1, 1};  // more features than one block has threads
  const host_tensor x = random_host(s, gen, -2, 2), dy = random_host(s, gen);
  host_tensor y(s), r({5, 1, 1, 1}), dx(s);
  device_tensor y_d(s), r_d(r.shape()), dx_d(s);
  normalize_2nd_moment_forward(x, y, r, 1e-8);
  normalize_2nd_moment_forward(to_device(x), y_d, r_d, 1e-8);
  CHECK_CLOSE_TENSORS(y, y_d);
  CHECK_CLOSE_TENSORS(r, r_d);
  normalize_2nd_moment_backward(x, r, dy, dx);
  normalize_2nd_moment_backward(to_device(x), r_d, to_device(dy), dx_d);
  CHECK_CLOSE_TENSORS(dx, dx_d);
}

BOOST_AUTO_TEST_CASE(minibatch_stddev_forward_backward) {
  std::mt19937_64 gen(17);
  struct config { shape4 x; std::size_t group, features; };
  const config configs[] = {{{8, 4, 3, 3}, 4, 1}, {{6, 4, 2, 3}, 2, 2}, {{3, 2, 4, 4}, 4, 1}};  // last: group > N
  for (const auto& c : configs) {
    BOOST_TEST_CONTEXT("input " << c.x << " group " << c.group << " features " << c.features) {
      const shape4 ys{c.x.n, c.x.c + c.features, c.x.h, c.x.w};
      const host_tensor x = random_host(c.x, gen), dy = random_host(ys, gen);
      host_tensor y(ys), dx(c.x);
      device_tensor y_d(ys), dx_d(c.x);
      minibatch_stddev_forward(x, y, c.group, c.features);
      minibatch_stddev_forward(to_device(x), y_d, c.group, c.features);
      CHECK_CLOSE_TENSORS(y, y_d);
      minibatch_stddev_backward(x, dy, dx, c.group, c.features);
      minibatch_stddev_backward(to_device(x), to_device(dy), dx_d, c.group, c.features);
      CHECK_CLOSE_TENSORS(dx, dx_d);
      // The tangents the R1 regulariser runs (layers/layer.hpp's second-order extension).
      const host_tensor tx = random_host(c.x, gen), tdy = random_host(ys, gen);
      host_tensor ty(ys), tdx(c.x);
      device_tensor ty_d(ys), tdx_d(c.x);
      minibatch_stddev_tangent(x, tx, ty, c.group, c.features);
      minibatch_stddev_tangent(to_device(x), to_device(tx), ty_d, c.group, c.features);
      CHECK_CLOSE_TENSORS(ty, ty_d);
      minibatch_stddev_backward_tangent(x, tx, dy, tdy, tdx, c.group, c.features);
      minibatch_stddev_backward_tangent(to_device(x), to_device(tx), to_device(dy), to_device(tdy), tdx_d, c.group,
                                        c.features);
      CHECK_CLOSE_TENSORS(tdx, tdx_d);
    }
  }
}

namespace {
// conv (stride 2, "same" on an even input: asymmetric) + BN + ReLU + max pool + dense. The conv has
// no bias: before batch norm its gradient is zero up to rounding, and Adam would amplify that noise.
template <class D>
using small_net = sequential<conv2d<float, D>, batch_norm<float, D>, relu<float, D>, max_pool<float, D>,
                             dense<float, D>>;

template <class D>
network<small_net<D>> make_small_net(const shape4& in) {
  conv2d_options conv;
  conv.filters = 4;
  conv.stride = 2;
  conv.bias = false;
  dense_options fc;
  fc.units = 3;
  network<small_net<D>> net(small_net<D>(conv2d<float, D>(conv), batch_norm<float, D>(), relu<float, D>(),
                                         max_pool<float, D>(2, 2, padding_mode::same), dense<float, D>(fc)));
  net.setup(in, 42);
  return net;
}
}  // namespace

BOOST_AUTO_TEST_CASE(small_network_forward_backward_and_adam) {
  std::mt19937_64 gen(12);
  const shape4 in{4, 3, 10, 10};
  auto cpu_net = make_small_net<cpu>(in);
  auto gpu_net = make_small_net<cuda>(in);
  CHECK_CLOSE_TENSORS(cpu_net.parameters(), gpu_net.parameters());  // same seed, same initial values
  BOOST_TEST(cpu_net.output_shape() == (shape4{4, 3, 1, 1}));

  const host_tensor x = random_host(in, gen);
  const device_tensor x_d = to_device(x);
  const std::vector<int> labels{0, 2, 1, 2};
  adam<float, cpu> cpu_opt(0.01);
  adam<float, cuda> gpu_opt(0.01);
  host_tensor probs, dlogits;
  device_tensor probs_d, dlogits_d;
  for (int step = 0; step < 3; ++step) {
    BOOST_TEST_CONTEXT("step " << step) {
      cpu_net.zero_grad();
      gpu_net.zero_grad();
      const host_tensor& y = cpu_net.forward(x);
      const device_tensor& y_d = gpu_net.forward(x_d);
      CHECK_CLOSE_TENSORS(y, y_d);
      const double loss = softmax_cross_entropy(y, labels, probs, dlogits);
      const double loss_d = softmax_cross_entropy(y_d, labels, probs_d, dlogits_d);
      BOOST_TEST(std::fabs(loss - loss_d) < tol * (1 + loss));
      const host_tensor& dx = cpu_net.backward(dlogits);
      const device_tensor& dx_d = gpu_net.backward(dlogits_d);
      CHECK_CLOSE_TENSORS(dx, dx_d);
      CHECK_CLOSE_TENSORS(cpu_net.gradients(), gpu_net.gradients());
      cpu_opt.step(cpu_net);
      gpu_opt.step(gpu_net);
      CHECK_CLOSE_TENSORS(cpu_net.parameters(), gpu_net.parameters());  // running statistics included
    }
  }
  cpu_net.eval();
  gpu_net.eval();
  const host_tensor& y = cpu_net.forward(x);
  const device_tensor& y_d = gpu_net.forward(x_d);
  CHECK_CLOSE_TENSORS(y, y_d);
}

BOOST_AUTO_TEST_CASE(conv2d_transpose_layer_forward_backward) {
  // The layer runs on cuDNN's backward-data (forward), forward (input gradient) and backward-filter
  // (weight gradient, input and output gradient swapped). Stride 2 "same" with an odd kernel crops
  // one side more than the other, which cuDNN cannot pad; a kernel below the stride leaves output
  // pixels no input reaches.
  std::mt19937_64 gen(18);
  struct config {
    shape4 in;
    std::size_t filters, kernel, stride;
    padding_mode padding;
    std::size_t pad, output_padding;
    double weight_gain;
  };
  const config configs[] = {{{3, 4, 5, 6}, 3, 3, 2, padding_mode::same, 0, 0, 1.0},
                            {{2, 3, 4, 3}, 2, 4, 2, padding_mode::same, 0, 0, 1.0},
                            {{2, 3, 3, 5}, 4, 3, 2, padding_mode::valid, 0, 0, 1.0},
                            {{2, 2, 4, 4}, 3, 3, 2, padding_mode::explicit_, 1, 1, 0.5},
                            {{2, 5, 3, 4}, 2, 1, 2, padding_mode::same, 0, 0, 1.0},
                            {{2, 3, 5, 5}, 2, 3, 1, padding_mode::same, 0, 0, 1.0}};
  for (const auto& c : configs) {
    BOOST_TEST_CONTEXT("input " << c.in << " filters " << c.filters << " kernel " << c.kernel << " stride "
                                << c.stride << " pad " << c.pad << "/" << c.output_padding) {
      conv2d_transpose_options o;
      o.filters = c.filters;
      o.kernel = c.kernel;
      o.stride = c.stride;
      o.padding = c.padding;
      o.pad = c.pad;
      o.output_padding = c.output_padding;
      o.weight_gain = c.weight_gain;
      network<conv2d_transpose<float, cpu>> cpu_net{conv2d_transpose<float, cpu>(o)};
      network<conv2d_transpose<float, cuda>> gpu_net{conv2d_transpose<float, cuda>(o)};
      cpu_net.setup(c.in, 5);
      gpu_net.setup(c.in, 5);
      const host_tensor params = random_host(cpu_net.parameters().shape(), gen);  // a non-zero bias too
      copy(params, cpu_net.parameters());
      copy(to_device(params), gpu_net.parameters());

      const host_tensor x = random_host(c.in, gen);
      const host_tensor& y = cpu_net.forward(x);
      const device_tensor& y_d = gpu_net.forward(to_device(x));
      CHECK_CLOSE_TENSORS(y, y_d);
      const host_tensor dy = random_host(y.shape(), gen);
      const device_tensor dy_d = to_device(dy);
      cpu_net.zero_grad();
      gpu_net.zero_grad();
      cpu_net.backward(dy);
      gpu_net.backward(dy_d);
      const host_tensor& dx = cpu_net.backward(dy);  // a second pass: parameter gradients accumulate
      const device_tensor& dx_d = gpu_net.backward(dy_d);
      CHECK_CLOSE_TENSORS(dx, dx_d);
      CHECK_CLOSE_TENSORS(cpu_net.gradients(), gpu_net.gradients());
    }
  }
}

// With a GPU present, a program that names no device runs on it, and says so.
BOOST_AUTO_TEST_CASE(device_choice_prefers_the_gpu) {
  BOOST_TEST(resolve_device("") == "cuda");
  BOOST_TEST(resolve_device("cuda") == "cuda");
  BOOST_TEST(resolve_device("cpu") == "cpu");
  std::ostringstream log;
  const std::string ran = on_device("", log, [](auto d) { return std::string(decltype(d)::name); });
  BOOST_TEST(ran == "cuda");
  BOOST_TEST(log.str() == "device: cuda\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cuda_parity
