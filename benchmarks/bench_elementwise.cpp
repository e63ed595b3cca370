// The CPU backend's elementwise kernels and reductions as xtensor expressions (the backend's own
// where it uses them, the candidates below where it kept its loop) against the loops, in one run:
//   bench_elementwise [--reps 7] [--quick]
// Each op runs at 4k, 1M and 16M floats (--quick: no 16M) on 1 and 2 OpenMP threads; the loop
// and the xtensor version alternate, best of `reps` samples each, and the table prints
// xtensor time / loop time (<= 1.05 keeps the expression). Built twice: bench_elementwise_xsimd
// is the same source with XTENSOR_USE_XSIMD.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xoperation.hpp>

#include "acne/backend/cpu/elementwise.hpp"
#include "acne/backend/cpu/noise.hpp"
#include "acne/tensor/xtensor.hpp"
#include "bench_common.hpp"

using namespace acne;

// The loops as they were before the xtensor rewrite: the reference every ratio divides by.
namespace loop {
using cpu_backend::parallel_threshold;

template <class T>
void copy(const tensor<T, cpu>& src, tensor<T, cpu>& dst) { std::copy(src.begin(), src.end(), dst.begin()); }
template <class T>
void axpy(T alpha, const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  const T* a = x.data();
  T* b = y.data();
  const long n = static_cast<long>(x.size());
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) b[i] += alpha * a[i];
}
template <class T>
void axpby(T a, const tensor<T, cpu>& x, T b, tensor<T, cpu>& y) {
  const T* p = x.data();
  T* q = y.data();
  const long n = static_cast<long>(x.size());
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) q[i] = a * p[i] + b * q[i];
}
template <class T>
void scale(tensor<T, cpu>& t, T alpha) {
  T* p = t.data();
  const long n = static_cast<long>(t.size());
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) p[i] *= alpha;
}
template <class T>
double sum(const tensor<T, cpu>& t) {
  double s = 0;
  for (T v : t) s += v;
  return s;
}
template <class T>
double dot(const tensor<T, cpu>& a, const tensor<T, cpu>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double(a[i]) * double(b[i]);
  return s;
}
template <class T>
void add_channel_bias(tensor<T, cpu>& y, const tensor<T, cpu>& bias, T gain) {
  const auto& s = y.shape();
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if(y.size() > parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(s.n * s.c); ++nc) {
    const T b = gain * bias[nc % s.c];
    T* row = y.data() + nc * p;
    for (std::size_t i = 0; i < p; ++i) row[i] += b;
  }
}
template <class T>
void channel_bias_grad(const tensor<T, cpu>& dy, tensor<T, cpu>& db, T gain) {
  const auto& s = dy.shape();
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if(dy.size() > parallel_threshold)
  for (long c = 0; c < static_cast<long>(s.c); ++c) {
    double acc = 0;
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* row = dy.data() + (n * s.c + c) * p;
      for (std::size_t i = 0; i < p; ++i) acc += row[i];
    }
    db[c] += T(gain * acc);
  }
}
template <class T>
void activation_forward(const activation& act, const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  const long n = static_cast<long>(x.size());
  const T* a = x.data();
  T* b = y.data();
#pragma omp parallel for schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) b[i] = act.apply(a[i]);
}
template <class T>
void activation_backward(const activation& act, const tensor<T, cpu>& x, const tensor<T, cpu>& y,
                         const tensor<T, cpu>& dy, tensor<T, cpu>& dx) {
  const long n = static_cast<long>(x.size());
#pragma omp parallel for schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) dx.data()[i] = dy.data()[i] * act.derivative(x.data()[i], y.data()[i]);
}
template <class T>
void copy_channels(const tensor<T, cpu>& src, tensor<T, cpu>& dst, std::size_t offset, bool accumulate) {
  const auto& s = src.shape();
  const auto& d = dst.shape();
  for (std::size_t n = 0; n < s.n; ++n) {
    const T* a = src.data() + n * s.sample_size();
    T* b = dst.data() + (n * d.c + offset) * d.plane();
    if (accumulate) for (std::size_t i = 0; i < s.sample_size(); ++i) b[i] += a[i];
    else std::copy(a, a + s.sample_size(), b);
  }
}
template <class T>
void adam_update(tensor<T, cpu>& p, const tensor<T, cpu>& g, tensor<T, cpu>& m, tensor<T, cpu>& v, double lr,
                 double beta1, double beta2, double eps, double c1, double c2) {
  const long n = static_cast<long>(p.size());
  T *pp = p.data(), *mm = m.data(), *vv = v.data();
  const T* gg = g.data();
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) {
    mm[i] = T(beta1) * mm[i] + T(1 - beta1) * gg[i];
    vv[i] = T(beta2) * vv[i] + T(1 - beta2) * gg[i] * gg[i];
    pp[i] -= T(lr) * (mm[i] / T(c1)) / (std::sqrt(vv[i] / T(c2)) + T(eps));
  }
}
template <class T>
void sgd_update(tensor<T, cpu>& p, const tensor<T, cpu>& g, tensor<T, cpu>& buf, double lr, double momentum,
                bool nesterov) {
  const long n = static_cast<long>(p.size());
  T *pp = p.data(), *bb = buf.data();
  const T* gg = g.data();
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > parallel_threshold)
  for (long i = 0; i < n; ++i) {
    bb[i] = T(momentum) * bb[i] + gg[i];
    pp[i] -= T(lr) * (nesterov ? gg[i] + T(momentum) * bb[i] : bb[i]);
  }
}
}  // namespace loop

// The xtensor versions the backend does not use, because they lost to the loops: kept here so
// that the verdict stays reproducible.
namespace candidate {
using acne::as_xtensor_flat;
using cpu_backend::parallel_chunks;

template <class T>
void copy(const tensor<T, cpu>& src, tensor<T, cpu>& dst) {
  parallel_chunks(src.size(), [&](std::size_t first, std::size_t count) {
    auto d = as_xtensor_flat(dst.data() + first, count);
    xt::noalias(d) = as_xtensor_flat(src.data() + first, count);
  });
}
template <class T>
void axpy(T alpha, const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  parallel_chunks(x.size(), [&](std::size_t first, std::size_t count) {
    auto b = as_xtensor_flat(y.data() + first, count);
    xt::noalias(b) += alpha * as_xtensor_flat(x.data() + first, count);
  });
}
template <class T>
void axpby(T a, const tensor<T, cpu>& x, T b, tensor<T, cpu>& y) {
  parallel_chunks(x.size(), [&](std::size_t first, std::size_t count) {
    auto q = as_xtensor_flat(y.data() + first, count);
    xt::noalias(q) = a * as_xtensor_flat(x.data() + first, count) + b * q;
  });
}
template <class T>
void scale(tensor<T, cpu>& t, T alpha) {
  parallel_chunks(t.size(), [&](std::size_t first, std::size_t count) {
    auto p = as_xtensor_flat(t.data() + first, count);
    xt::noalias(p) *= alpha;
  });
}
template <class T>
double sum(const tensor<T, cpu>& t) {
  return xt::sum<double>(as_xtensor_flat(t.data(), t.size()), xt::evaluation_strategy::immediate)();
}
template <class T>
double dot(const tensor<T, cpu>& a, const tensor<T, cpu>& b) {
  const auto x = xt::cast<double>(as_xtensor_flat(a.data(), a.size()));
  const auto y = xt::cast<double>(as_xtensor_flat(b.data(), b.size()));
  return xt::sum<double>(x * y)();
}
template <class T>
void channel_bias_grad(const tensor<T, cpu>& dy, tensor<T, cpu>& db, T gain) {
  const auto& s = dy.shape();
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if(dy.size() > cpu_backend::parallel_threshold)
  for (long c = 0; c < static_cast<long>(s.c); ++c) {
    double acc = 0;
    for (std::size_t n = 0; n < s.n; ++n)
      acc += xt::sum<double>(as_xtensor_flat(dy.data() + (n * s.c + c) * p, p), xt::evaluation_strategy::immediate)();
    db[c] += T(gain * acc);
  }
}
// The tanh and sigmoid slopes (the backend's expression covers the other kinds).
template <class T>
void activation_backward(const activation& act, const tensor<T, cpu>& x, const tensor<T, cpu>& y,
                         const tensor<T, cpu>& dy, tensor<T, cpu>& dx) {
  const T gain = T(act.gain), c = T(act.clamp);
  parallel_chunks(x.size(), [&](std::size_t first, std::size_t count) {
    const auto b = as_xtensor_flat(y.data() + first, count);
    const auto g = as_xtensor_flat(dy.data() + first, count);
    auto d = as_xtensor_flat(dx.data() + first, count);
    auto store = [&](auto&& slope) {
      if (act.clamp > 0) xt::noalias(d) = xt::where(xt::abs(b) >= c, T(0), g * slope);
      else xt::noalias(d) = g * slope;
    };
    if (act.kind == activation_kind::tanh) store((T(1) - (b / gain) * (b / gain)) * gain);
    else store(((b / gain) * (T(1) - b / gain)) * gain);
  });
}
// One statement per state tensor, block by block so that the later statements find m and v in L1.
template <class F>
void blocked(std::size_t n, F&& f) {
  constexpr std::size_t block = 1024;
  parallel_chunks(n, [&](std::size_t first, std::size_t count) {
    for (std::size_t i = first; i < first + count; i += block) f(i, std::min(block, first + count - i));
  });
}
template <class T>
void adam_update(tensor<T, cpu>& p, const tensor<T, cpu>& g, tensor<T, cpu>& m, tensor<T, cpu>& v, double lr,
                 double beta1, double beta2, double eps, double c1, double c2) {
  blocked(p.size(), [&](std::size_t first, std::size_t count) {
    auto pp = as_xtensor_flat(p.data() + first, count);
    auto mm = as_xtensor_flat(m.data() + first, count);
    auto vv = as_xtensor_flat(v.data() + first, count);
    const auto gg = as_xtensor_flat(g.data() + first, count);
    xt::noalias(mm) = T(beta1) * mm + T(1 - beta1) * gg;
    xt::noalias(vv) = T(beta2) * vv + T(1 - beta2) * gg * gg;
    xt::noalias(pp) -= T(lr) * (mm / T(c1)) / (xt::sqrt(vv / T(c2)) + T(eps));
  });
}
template <class T>
void sgd_update(tensor<T, cpu>& p, const tensor<T, cpu>& g, tensor<T, cpu>& buf, double lr, double momentum,
                bool nesterov) {
  blocked(p.size(), [&](std::size_t first, std::size_t count) {
    auto pp = as_xtensor_flat(p.data() + first, count);
    auto bb = as_xtensor_flat(buf.data() + first, count);
    const auto gg = as_xtensor_flat(g.data() + first, count);
    xt::noalias(bb) = T(momentum) * bb + gg;
    if (nesterov) xt::noalias(pp) -= T(lr) * (gg + T(momentum) * bb);
    else xt::noalias(pp) -= T(lr) * bb;
  });
}
}  // namespace candidate

namespace {

volatile double sink;  // keeps the reductions from being optimised away

struct op_case {
  std::string name;
  std::function<void()> loop, xt;
};

// Seconds per call, best of `reps` samples of `inner` calls, the two versions alternating so that
// both see the same neighbours.
std::pair<double, double> time_pair(const op_case& op, int reps, int inner) {
  auto sample = [inner](const std::function<void()>& f) {
    const auto start = bench::clock::now();
    for (int i = 0; i < inner; ++i) f();
    return std::chrono::duration<double>(bench::clock::now() - start).count() / inner;
  };
  op.loop(), op.xt();
  double best_loop = 1e30, best_xt = 1e30;
  for (int r = 0; r < reps; ++r) {
    best_loop = std::min(best_loop, sample(op.loop));
    best_xt = std::min(best_xt, sample(op.xt));
  }
  return {best_loop, best_xt};
}

// Tensors of `n` floats: planes of 32 x 32 (conv feature maps), and [n/256, 256, 1, 1] (dense layers).
shape4 conv_shape(std::size_t n) { return {std::max<std::size_t>(1, n / (64 * 1024)), std::min<std::size_t>(64, n / 1024), 32, 32}; }
shape4 dense_shape(std::size_t n) { return {n / 256, 256, 1, 1}; }

struct buffers {
  tensor<float> x, y, dy, dx, m, v, bias, db, x1, y1, bias1, db1;
  explicit buffers(std::size_t n)
      : x(conv_shape(n)), y(conv_shape(n)), dy(conv_shape(n)), dx(conv_shape(n)), m(conv_shape(n)),
        v(conv_shape(n)), bias({conv_shape(n).c, 1, 1, 1}), db({conv_shape(n).c, 1, 1, 1}), x1(dense_shape(n)),
        y1(dense_shape(n)), bias1({256, 1, 1, 1}), db1({256, 1, 1, 1}) {
    fill_normal(x, 1), fill_normal(y, 2), fill_normal(dy, 3), fill_normal(bias, 4), fill_normal(x1, 5), fill_normal(bias1, 7);
    fill_normal(m, 6, 0.1f);
    fill(v, 0.01f);
  }
};

std::vector<op_case> cases(buffers& b) {
  static volatile float one = 1.0f;  // a factor the compiler cannot fold away
  const float unit = one;
  const activation lrelu = activation::lrelu(), clamped{activation_kind::lrelu, 0.2, std::sqrt(2.0), 256.0};
  std::vector<op_case> ops = {
      {"copy", [&] { loop::copy(b.x, b.y); }, [&] { candidate::copy(b.x, b.y); }},
      {"axpy", [&] { loop::axpy(1e-7f, b.x, b.y); }, [&] { candidate::axpy(1e-7f, b.x, b.y); }},
      {"axpby", [&] { loop::axpby(0.5f, b.x, 0.5f, b.y); }, [&] { candidate::axpby(0.5f, b.x, 0.5f, b.y); }},
      {"scale", [&, unit] { loop::scale(b.y, unit); }, [&, unit] { candidate::scale(b.y, unit); }},
      {"sum", [&] { sink = loop::sum(b.x); }, [&] { sink = candidate::sum(b.x); }},
      {"dot", [&] { sink = loop::dot(b.x, b.dy); },
       [&] { sink = candidate::dot(b.x, b.dy); }},
      {"add_channel_bias 32x32", [&] { loop::add_channel_bias(b.y, b.bias, 1e-7f); },
       [&] { add_channel_bias(b.y, b.bias, 1e-7f); }},
      {"add_channel_bias 1x1", [&] { loop::add_channel_bias(b.y1, b.bias1, 1e-7f); },
       [&] { add_channel_bias(b.y1, b.bias1, 1e-7f); }},
      {"channel_bias_grad 32x32", [&] { loop::channel_bias_grad(b.dy, b.db, 1.0f); },
       [&] { candidate::channel_bias_grad(b.dy, b.db, 1.0f); }},
      {"channel_bias_grad 1x1", [&] { loop::channel_bias_grad(b.x1, b.db1, 1.0f); },
       [&] { candidate::channel_bias_grad(b.x1, b.db1, 1.0f); }},
      {"copy_channels accumulate", [&] { loop::copy_channels(b.x, b.y, 0, true); },
       [&] { copy_channels(b.x, b.y, 0, true); }},
      {"adam_update", [&] { loop::adam_update(b.y, b.dy, b.m, b.v, 1e-9, 0.9, 0.999, 1e-8, 0.5, 0.5); },
       [&] { candidate::adam_update(b.y, b.dy, b.m, b.v, 1e-9, 0.9, 0.999, 1e-8, 0.5, 0.5); }},
      {"sgd_update", [&] { loop::sgd_update(b.y, b.dy, b.m, 1e-9, 0.9, false); },
       [&] { candidate::sgd_update(b.y, b.dy, b.m, 1e-9, 0.9, false); }},
  };
  const std::pair<const char*, activation> acts[] = {{"relu", activation::relu()},
                                                     {"lrelu", lrelu},
                                                     {"lrelu clamp", clamped},
                                                     {"tanh", activation::tanh()},
                                                     {"sigmoid", activation::sigmoid()}};
  for (const auto& [name, act] : acts)
    ops.push_back({std::string("activation_forward ") + name, [&, act] { loop::activation_forward(act, b.x, b.y); },
                   [&, act] { activation_forward(act, b.x, b.y); }});
  for (const auto& [name, act] : acts)
    ops.push_back({std::string("activation_backward ") + name,
                   [&, act] { loop::activation_backward(act, b.x, b.y, b.dy, b.dx); },
                   [&, act] {
                     if (act.kind == activation_kind::tanh || act.kind == activation_kind::sigmoid)
                       candidate::activation_backward(act, b.x, b.y, b.dy, b.dx);
                     else
                       activation_backward(act, b.x, b.y, b.dy, b.dx);
                   }});
  return ops;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_elementwise [--reps 7] [--quick]\n";
    return 0;
  }
  const int reps = int(a.number("--reps", 7));
  std::vector<std::size_t> sizes = {std::size_t(1) << 12, std::size_t(1) << 20};
  if (!a.flag("--quick")) sizes.push_back(std::size_t(1) << 24);
  const int thread_counts[] = {1, 2};
#ifdef XTENSOR_USE_XSIMD
  const char* simd = "with XTENSOR_USE_XSIMD";
#else
  const char* simd = "without xsimd";
#endif
  std::cout << "CPU elementwise kernels: xtensor (" << simd << ") time / loop time, best of " << reps << ", "
            << bench::today() << "\n" << bench::threads_summary() << "\n\n";

  std::vector<std::string> header = {"op"};
  std::vector<std::vector<std::string>> ratio_rows, time_rows;
  for (std::size_t n : sizes) {
    buffers b(n);
    auto ops = cases(b);
    ratio_rows.resize(ops.size()), time_rows.resize(ops.size());
    for (int threads : thread_counts) {
#ifdef _OPENMP
      omp_set_num_threads(threads);
#endif
      const std::string col = (n >= (1u << 20) ? std::to_string(n >> 20) + "M" : std::to_string(n >> 10) + "k") +
                              "/" + std::to_string(threads) + "t";
      header.push_back(col);
      // Enough calls per sample that a 4k-element op is not timed by the clock's resolution.
      const int inner = int(std::max<std::size_t>(1, (std::size_t(1) << 22) / n));
      for (std::size_t i = 0; i < ops.size(); ++i) {
        const auto [tl, tx] = time_pair(ops[i], reps, inner);
        if (ratio_rows[i].empty()) ratio_rows[i].push_back(ops[i].name), time_rows[i].push_back(ops[i].name);
        ratio_rows[i].push_back(bench::fixed(tx / tl, 2));
        time_rows[i].push_back(bench::fixed(tl * 1e6, 1));
      }
    }
  }
  bench::table ratios(header), times(header);
  for (auto& r : ratio_rows) ratios.row(r);
  for (auto& r : time_rows) times.row(r);
  std::cout << "xtensor / loop (elements/threads):\n";
  ratios.print(std::cout);
  std::cout << "\nloop, microseconds per call:\n";
  times.print(std::cout);
  return 0;
}
