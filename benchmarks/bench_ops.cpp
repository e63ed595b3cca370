// The CPU backend's own kernels (everything but convolution and GEMM) one by one, at the shapes the
// pipeline runs them, forward and forward + backward:
//   bench_ops [--reps 5] [--only TEXT] [--json FILE]
// benchmarks/peer.py runs the same ops in PyTorch (StyleGAN2's through the official upfirdn2d and
// bias_act) and prints acne time / PyTorch time per op.
#include <cmath>
#include <deque>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/backend/cpu/batch_norm.hpp"
#include "acne/backend/cpu/elementwise.hpp"
#include "acne/backend/cpu/modulation.hpp"
#include "acne/backend/cpu/noise.hpp"
#include "acne/backend/cpu/pool.hpp"
#include "acne/backend/cpu/upfirdn2d.hpp"
#include "bench_common.hpp"

using namespace acne;

namespace {

// One op: its forward call and the backward call that follows it; the labels are the ones
// peer.py matches.
struct op_case {
  std::string label;
  std::function<void()> forward, backward;
};

tensor<float> normal(shape4 s, std::uint64_t seed, float scale = 1.0f) {
  tensor<float> t(s);
  fill_normal(t, seed, scale);
  return t;
}

// StyleGAN2's blur: [1,3,3,1] outer product, as modulated_conv2d (up 2, after the transposed
// convolution: pad 1, gain 4) and equalized_conv2d's skip (down 2, pad 1) configure it.
upfirdn_params blur(std::size_t down, int pad, double gain) {
  upfirdn_params p;
  p.down = down, p.gain = gain, p.filter = fir_filter::stylegan2();
  p.pad_x0 = p.pad_x1 = p.pad_y0 = p.pad_y1 = pad;
  return p;
}

// The tensors every op reads and writes live as long as the program (a deque keeps references
// stable as it grows), so the closures can hold references.
struct workspace {
  std::deque<tensor<float>> t;
  tensor<float>& add(tensor<float> v) { return t.emplace_back(std::move(v)); }
};

void add_upfirdn(std::vector<op_case>& ops, workspace& w, const std::string& label, shape4 in, upfirdn_params p) {
  auto& x = w.add(normal(in, 1));
  auto& y = w.add(tensor<float>({in.n, in.c, p.out_h(in.h), p.out_w(in.w)}));
  auto& dy = w.add(normal(y.shape(), 2));
  auto& dx = w.add(tensor<float>(in));
  ops.push_back({label, [&x, &y, p] { upfirdn2d_forward(x, y, p); }, [&dy, &dx, p] { upfirdn2d_backward(dy, dx, p); }});
}

// Only the cases --only names are built: the tensors of all of them fill about 800 MB.
std::vector<op_case> cases(workspace& w, const std::string& only) {
  std::vector<op_case> ops;
  const auto wanted = [&](std::initializer_list<const char*> labels) {
    for (const char* l : labels)
      if (std::string(l).find(only) != std::string::npos) return true;
    return false;
  };
  if (wanted({"upfirdn2d up-block blur [8,128,65,65]"}))
    add_upfirdn(ops, w, "upfirdn2d up-block blur [8,128,65,65]", {8, 128, 65, 65}, blur(1, 1, 4.0));
  if (wanted({"upfirdn2d downsample [8,128,64,64]"}))
    add_upfirdn(ops, w, "upfirdn2d downsample [8,128,64,64]", {8, 128, 64, 64}, blur(2, 1, 1.0));
  // StyleGAN2's bias + leaky relu * sqrt(2) after every convolution, into a buffer of its own.
  if (wanted({"bias + lrelu [8,128,64,64]"})) {
    const shape4 s{8, 128, 64, 64};
    auto &pre = w.add(normal(s, 3)), &y = w.add(tensor<float>(s)), &dy = w.add(normal(s, 4));
    auto &dpre = w.add(tensor<float>(s)), &b = w.add(normal({128, 1, 1, 1}, 5, 1e-4f));
    auto& db = w.add(tensor<float>({128, 1, 1, 1}));
    const activation act = activation::lrelu();
    ops.push_back({"bias + lrelu [8,128,64,64]",
                   [&, act] {
                     add_channel_bias(pre, b, 1.0f);
                     activation_forward(act, pre, y);
                   },
                   [&, act] {
                     activation_backward(act, pre, y, dy, dpre);
                     channel_bias_grad(dpre, db, 1.0f);
                   }});
  }
  // ResNet50V2's relu after batch norm, at its first stage.
  if (wanted({"relu [16,256,56,56]", "batch norm, training [16,256,56,56]"})) {
    const shape4 s{16, 256, 56, 56};
    auto &x = w.add(normal(s, 6)), &y = w.add(tensor<float>(s)), &dy = w.add(normal(s, 7));
    auto& dx = w.add(tensor<float>(s));
    ops.push_back({"relu [16,256,56,56]", [&] { activation_forward(activation::relu(), x, y); },
                   [&] { activation_backward(activation::relu(), x, y, dy, dx); }});
    auto &g = w.add(normal({256, 1, 1, 1}, 8)), &beta = w.add(normal({256, 1, 1, 1}, 9));
    auto &mean = w.add(tensor<float>({256, 1, 1, 1})), &invstd = w.add(tensor<float>({256, 1, 1, 1}));
    auto &rm = w.add(tensor<float>({256, 1, 1, 1})), &rv = w.add(tensor<float>({256, 1, 1, 1}));
    auto &dg = w.add(tensor<float>({256, 1, 1, 1})), &dbeta = w.add(tensor<float>({256, 1, 1, 1}));
    fill(rv, 1.0f);
    ops.push_back({"batch norm, training [16,256,56,56]",
                   [&] { batch_norm_forward_train(x, g, beta, y, mean, invstd, rm, rv, 0.99, 1e-3); },
                   [&] { batch_norm_backward(x, dy, g, mean, invstd, dx, dg, dbeta); }});
  }
  // ResNet50V2's stem: zero padding by 1, then max pooling 3x3 / 2 (Keras's layout).
  if (wanted({"zero pad 1 [16,64,112,112]", "max pool 3x3/2 [16,64,114,114]"})) {
    const shape4 s{16, 64, 112, 112}, padded{16, 64, 114, 114};
    auto &x = w.add(normal(s, 10)), &xp = w.add(tensor<float>(padded)), &dxp = w.add(normal(padded, 11));
    auto& dx = w.add(tensor<float>(s));
    ops.push_back({"zero pad 1 [16,64,112,112]", [&] { zero_pad_forward(x, xp, 1, 1); },
                   [&] { zero_pad_backward(dxp, dx, 1, 1); }});
    const window g{.kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2};
    auto& y = w.add(tensor<float>({16, 64, g.out_h(114), g.out_w(114)}));
    auto& dy = w.add(normal(y.shape(), 12));
    auto& dpool = w.add(tensor<float>(padded));
    fill_normal(xp, 13);
    ops.push_back({"max pool 3x3/2 [16,64,114,114]", [&, g] { pool_forward(pool_kind::max, xp, y, g); },
                   [&, g] { pool_backward(pool_kind::max, xp, dy, dpool, g); }});
  }
  // The modulated convolution's input scaling by the styles, and its adjoint (dx and ds).
  if (wanted({"style scaling [8,256,64,64]"})) {
    const shape4 s{8, 256, 64, 64};
    auto &x = w.add(normal(s, 14)), &y = w.add(tensor<float>(s)), &dy = w.add(normal(s, 15));
    auto &dx = w.add(tensor<float>(s)), &st = w.add(normal({8, 256, 1, 1}, 16));
    auto& ds = w.add(tensor<float>({8, 256, 1, 1}));
    ops.push_back({"style scaling [8,256,64,64]", [&] { scale_planes(x, st, y); },
                   [&] {
                     scale_planes(dy, st, dx);
                     plane_dot(x, dy, ds, 0.0f);
                   }});
  }
  // Demodulation coefficients of a 512 -> 512 3x3 weight for a batch of 8 styles.
  if (wanted({"demodulation 512x512x3x3, batch 8"})) {
    auto &wt = w.add(normal({512, 512, 3, 3}, 17, 0.05f)), &st = w.add(normal({8, 512, 1, 1}, 18));
    auto &d = w.add(tensor<float>({8, 512, 1, 1})), &dd = w.add(normal({8, 512, 1, 1}, 19));
    auto &ds = w.add(tensor<float>({8, 512, 1, 1})), &dw = w.add(tensor<float>(wt.shape()));
    ops.push_back({"demodulation 512x512x3x3, batch 8", [&] { demodulation_forward(wt, st, d, 1e-8); },
                   [&] { demodulation_backward(wt, st, d, dd, ds, dw); }});
  }
  return ops;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_ops [--reps 5] [--only TEXT] [--json FILE]\n";
    return 0;
  }
  const int reps = int(a.number("--reps", 5));
  const std::string only = a.value("--only", ""), json_path = a.value("--json", "");
  std::cout << "CPU backend ops, best of " << reps << " after a warm-up, " << bench::today() << "\n"
            << bench::threads_summary() << "\n\n";
  workspace w;
  bench::table out({"op", "forward ms", "fwd+bwd ms"});
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& op : cases(w, only)) {
    if (!only.empty() && op.label.find(only) == std::string::npos) continue;
    const double f = bench::time_calls(op.forward, reps).best;
    const double fb = bench::time_calls([&] { op.forward(), op.backward(); }, reps).best;
    out.row({op.label, bench::fixed(f * 1e3, 2), bench::fixed(fb * 1e3, 2)});
    rows.push_back({{"op", op.label}, {"forward_seconds", f}, {"forward_backward_seconds", fb}});
  }
  if (rows.empty()) {
    std::cerr << "bench_ops: no op matches --only '" << only << "'\n";
    return 2;
  }
  out.print(std::cout);
  if (!json_path.empty()) {
    std::ofstream(json_path) << nlohmann::json{{"benchmark", "bench_ops"}, {"reps", reps},
                                               {"kernels", cpu_backend::kernels_summary()}, {"results", rows}}
                                    .dump(2)
                             << '\n';
    std::cout << "wrote " << json_path << "\n";
  }
  return 0;
}
