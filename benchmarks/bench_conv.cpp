// Convolution backends on ResNet50V2 and StyleGAN2 layer shapes: the direct loops, im2col + BLAS (the
// portable path), oneDNN where the build has it, and cuDNN, forward and both backwards. Each CPU pass
// is timed in turn with an SGEMM of the library that path multiplies with (OpenBLAS for im2col,
// oneDNN's for oneDNN) and divided by its rate, so the figures survive a noisy, shared machine.
//   bench_conv [--batch 16] [--reps 3] [--quick] [--no-naive] [--only TEXT] [--json FILE]
//              [--chunk-elements N] [--min-columns N]  (how the CPU path cuts its work, for tuning)
//              [--back-to-back]  (the calls of a pass one after another, SGEMM measured before them)
//              [--direct]  (oneDNN's direct kernels only, no Winograd)
#include <cmath>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "acne/backend/cpu.hpp"
#include "acne/backend/cpu/conv_naive.hpp"
#include "bench_common.hpp"

#ifdef ACNE_WITH_CUDA
#include <cuda_runtime_api.h>

#include "acne/backend/cuda.hpp"
#include "acne/backend/cuda/transfer.hpp"
#endif

using namespace acne;

namespace {

struct conv_case {
  const char* family;
  const char* name;
  std::size_t cin, cout, size, k, stride;
  bool large;  // left out by --quick
};

const conv_case cases[] = {
    {"resnet50v2", "7x7/2 3->64 @224 (stem)", 3, 64, 224, 7, 2, false},
    {"resnet50v2", "1x1 256->64 @56", 256, 64, 56, 1, 1, false},
    {"resnet50v2", "1x1 64->256 @56", 64, 256, 56, 1, 1, true},
    {"resnet50v2", "3x3 64->64 @56", 64, 64, 56, 3, 1, false},
    {"resnet50v2", "3x3/2 64->64 @56", 64, 64, 56, 3, 2, true},
    {"resnet50v2", "3x3 128->128 @28", 128, 128, 28, 3, 1, false},
    {"resnet50v2", "3x3 256->256 @14", 256, 256, 14, 3, 1, false},
    {"resnet50v2", "3x3 512->512 @7", 512, 512, 7, 3, 1, true},
    {"stylegan2", "3x3 512->512 @8", 512, 512, 8, 3, 1, false},
    {"stylegan2", "3x3 512->512 @16", 512, 512, 16, 3, 1, false},
    {"stylegan2", "3x3 512->512 @32", 512, 512, 32, 3, 1, true},
    {"stylegan2", "3x3 256->256 @64", 256, 256, 64, 3, 1, true},
    {"stylegan2", "3x3 128->128 @128", 128, 128, 128, 3, 1, true},
};

// The shapes the CPU target is stated for.
bool in_target(const conv_case& c) { return c.k == 3 && c.cin >= 64 && c.cout >= 64; }

// The direct loops run at well under 1 GFLOP/s; above this per image they would dominate the run.
constexpr double naive_flop_budget = 0.5e9;

const char* pass_names[] = {"forward", "backward-data", "backward-filter"};

tensor<float> random_tensor(shape4 s, std::mt19937& gen) {
  std::uniform_real_distribution<float> d(-1, 1);
  tensor<float> t(s);
  for (auto& v : t) v = d(gen);
  return t;
}

// One problem: the tensors of every pass, on the host.
struct problem {
  window g;
  tensor<float> x, w, y, dy, dx, dw;
  problem(const conv_case& c, std::size_t batch, std::mt19937& gen) {
    g = resolve_padding({c.k, c.k, c.stride, c.stride}, padding_mode::same, c.size, c.size);
    const shape4 ys{batch, c.cout, g.out_h(c.size), g.out_w(c.size)};
    x = random_tensor({batch, c.cin, c.size, c.size}, gen);
    w = random_tensor({c.cout, c.cin, c.k, c.k}, gen);
    dy = random_tensor(ys, gen);
    y = tensor<float>(ys);
    dx = tensor<float>(x.shape());
    dw = tensor<float>(w.shape());
  }
  double flops() const {
    return 2.0 * double(y.size()) * double(x.shape().c * g.kh * g.kw);
  }
  std::function<void()> pass(int p) {
    if (p == 0) return [this] { conv2d_forward(x, w, y, g); };
    if (p == 1) return [this] { conv2d_backward_data(dy, w, dx, g); };
    return [this] { conv2d_backward_filter(x, dy, dw, g, 0.0f); };
  }
  std::function<void()> naive_pass(int p) {
    if (p == 0) return [this] { naive::conv2d_forward(x, w, y, g); };
    if (p == 1) return [this] { naive::conv2d_backward_data(dy, w, dx, g); };
    return [this] { naive::conv2d_backward_filter(x, dy, dw, g); };
  }
};

#ifdef ACNE_WITH_CUDA
// Device copies of a problem; each timed call ends with a device-wide synchronisation.
struct device_problem {
  window g;
  tensor<float, acne::cuda> x, w, y, dy, dx, dw;
  explicit device_problem(const problem& h)
      : g(h.g), x(to_device(h.x)), w(to_device(h.w)), y(h.y.shape()), dy(to_device(h.dy)), dx(h.x.shape()),
        dw(h.w.shape()) {}
  std::function<void()> pass(int p) {
    if (p == 0) return [this] { conv2d_forward(x, w, y, g); cudaDeviceSynchronize(); };
    if (p == 1) return [this] { conv2d_backward_data(dy, w, dx, g); cudaDeviceSynchronize(); };
    return [this] { conv2d_backward_filter(x, dy, dw, g, 0.0f); cudaDeviceSynchronize(); };
  }
};
#endif

std::string gpu_status() {
#ifdef ACNE_WITH_CUDA
  return cuda_available() ? "" : "skipped: built with CUDA but no GPU is present";
#else
  return "skipped: built without CUDA (ACNE_WITH_CUDA off)";
#endif
}

struct target_row {
  double ratio;
  std::string shape;
  std::size_t stride;
};

// Min (and where), median and count over the rows of one pass, optionally stride 1 only.
struct spread {
  double min = 0, median = 0;
  std::string worst;
  std::size_t shapes = 0;
};
spread summarise(const std::vector<target_row>& rows, bool stride1_only) {
  std::vector<double> v;
  spread s;
  for (const auto& r : rows) {
    if (stride1_only && r.stride != 1) continue;
    if (v.empty() || r.ratio < s.min) {
      s.min = r.ratio;
      s.worst = r.shape;
    }
    v.push_back(r.ratio);
  }
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  s.shapes = v.size();
  return s;
}

struct result {
  double gflops = 0, seconds = 0;
  bool ran = false;
};

// Runs the CPU backend on oneDNN or on its portable path for one scope (SGEMM probe included).
struct cpu_path {
#ifdef ACNE_WITH_ONEDNN
  explicit cpu_path(bool onednn) { cpu_backend::onednn::enabled = onednn; }
  ~cpu_path() { cpu_backend::onednn::enabled = true; }
#else
  explicit cpu_path(bool) {}
#endif
};
template <class F>
auto on_path(bool onednn, F&& f) {
  const cpu_path scope(onednn);
  return f();
}
constexpr bool have_onednn =
#ifdef ACNE_WITH_ONEDNN
    true;
#else
    false;
#endif

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help") || a.flag("-h")) {
    std::cout << "bench_conv [--batch N] [--reps N] [--quick] [--no-naive] [--only TEXT] [--json FILE] "
                 "[--chunk-elements N] [--min-columns N] [--back-to-back] [--direct]\n";
    return 0;
  }
  const bool quick = a.flag("--quick");
  const std::size_t batch = std::size_t(a.number("--batch", 16));
  const int reps = int(a.number("--reps", quick ? 2 : 3));
  const bool run_naive = !quick && !a.flag("--no-naive");
  const std::string only = a.value("--only", "");
  const std::string json_path = a.value("--json", "");
  const bool back_to_back = a.flag("--back-to-back");
  const std::string gpu_skip = gpu_status();
  cpu_backend::chunk_elements = std::size_t(a.number("--chunk-elements", long(cpu_backend::chunk_elements)));
  cpu_backend::min_chunk_columns = std::size_t(a.number("--min-columns", long(cpu_backend::min_chunk_columns)));
  std::string onednn_algorithm;
#ifdef ACNE_WITH_ONEDNN
  cpu_backend::onednn::winograd = !a.flag("--direct");
  onednn_algorithm = cpu_backend::onednn::winograd ? "Winograd where oneDNN picks it (3x3, stride 1, large enough work), direct "
                                                     "otherwise"
                                                   : "direct kernels only (--direct)";
#endif

  std::cout << "bench_conv: batch " << batch << ", best of " << reps << " calls, float32, " << bench::today()
            << ", CPU items of " << cpu_backend::chunk_elements << " column elements, >= "
            << cpu_backend::min_chunk_columns << " columns\n"
            << bench::threads_summary() << "\n";
  bench::sgemm_probe probe;
  // Calls back to back, with no SGEMM between them, is how benchmarks/peer.py times both libraries:
  // the SGEMM between calls leaves the caches cold for the next one.
  const auto timed = [&](auto&& f) {
    return back_to_back ? bench::time_back_to_back(f, probe, reps) : bench::time_against_sgemm(f, probe, reps);
  };
  const double threaded_start = probe.threaded_gflops();
  const double sgemm_start = on_path(false, [&] { return probe.gflops(); });
  const double onednn_sgemm_start = have_onednn ? probe.gflops() : 0;
  std::cout << "SGEMM 2048^3: OpenBLAS " << bench::fixed(sgemm_start) << " GFLOP/s on the OpenMP threads ("
            << bench::fixed(threaded_start) << " on OpenBLAS's own threads), oneDNN "
            << (have_onednn ? bench::fixed(onednn_sgemm_start) + " GFLOP/s" : "not in this build")
            << (back_to_back ? "; each CPU pass is timed back to back and divided by an SGEMM rate measured before it"
                             : "; each CPU pass is timed in turn with its library's SGEMM and divided by the best SGEMM "
                               "rate of its own run")
            << " (columns SGEMM and oneDNN SGEMM)\n"
            << "naive: direct loops on 1 image, per-image rate (extrapolated to the batch), only where one image "
            << "costs <= " << naive_flop_budget * 1e-9 << " GFLOP\n";
  if (!onednn_algorithm.empty()) std::cout << "oneDNN algorithm: " << onednn_algorithm << "\n";
  if (!gpu_skip.empty()) std::cout << "cuDNN: " << gpu_skip << "\n";
  std::cout << '\n';

  bench::table out({"shape", "pass", "GFLOP", "SGEMM", "naive 1img", "naive/SGEMM", "im2col ms", "im2col GF/s",
                    "im2col/SGEMM", "oneDNN SGEMM", "oneDNN ms", "oneDNN/SGEMM", "oneDNN/im2col", "cuDNN GF/s",
                    "cuDNN/im2col"});
  nlohmann::json rows = nlohmann::json::array();
  std::vector<target_row> target[3];
  std::mt19937 gen(7);

  for (const auto& c : cases) {
    const std::string label = std::string(c.family) + " " + c.name;
    if ((quick && c.large) || (!only.empty() && label.find(only) == std::string::npos)) continue;
    std::cerr << "  " << label << "...\n";
    problem p(c, batch, gen);
    std::optional<problem> one;
    if (run_naive && p.flops() / double(batch) <= naive_flop_budget) one.emplace(c, 1, gen);
#ifdef ACNE_WITH_CUDA
    std::optional<device_problem> dev;
    if (gpu_skip.empty()) dev.emplace(p);
#endif
    for (int pass = 0; pass < 3; ++pass) {
      result cpu, naive, gpu, dnn;
      const auto t = on_path(false, [&] { return timed(p.pass(pass)); });
      const double sgemm = t.sgemm_gflops;
      cpu = {bench::gflops(p.flops(), t.f.best), t.f.best, true};
      double dnn_sgemm = 0;
      if (have_onednn) {
        const auto td = timed(p.pass(pass));
        dnn = {bench::gflops(p.flops(), td.f.best), td.f.best, true};
        dnn_sgemm = td.sgemm_gflops;
      }
      if (one) {
        const auto tn = bench::time_calls(one->naive_pass(pass), 1, 0);
        naive = {bench::gflops(one->flops(), tn.best), tn.best * double(batch), true};
      }
#ifdef ACNE_WITH_CUDA
      if (dev) {
        const auto tg = bench::time_calls(dev->pass(pass), std::max(reps, 5), 2);
        gpu = {bench::gflops(p.flops(), tg.best), tg.best, true};
      }
#endif
      const double ratio = cpu.gflops / sgemm;
      if (in_target(c)) target[pass].push_back({ratio, label, c.stride});
      out.row({label, pass_names[pass], bench::fixed(p.flops() * 1e-9, 2), bench::fixed(sgemm),
               naive.ran ? bench::fixed(naive.gflops, 2) : "-",
               naive.ran ? bench::fixed(naive.gflops / sgemm, 4) : "-", bench::fixed(cpu.seconds * 1e3, 1),
               bench::fixed(cpu.gflops), bench::fixed(ratio, 2), dnn.ran ? bench::fixed(dnn_sgemm) : "-",
               dnn.ran ? bench::fixed(dnn.seconds * 1e3, 1) : "not built",
               dnn.ran ? bench::fixed(dnn.gflops / dnn_sgemm, 2) : "-",
               dnn.ran ? bench::fixed(cpu.seconds / dnn.seconds, 2) : "-", gpu.ran ? bench::fixed(gpu.gflops) : "skipped", gpu.ran ? bench::fixed(gpu.gflops / cpu.gflops, 1) : "-"});
      nlohmann::json r{{"family", c.family},
                       {"shape", c.name},
                       {"cin", c.cin},
                       {"cout", c.cout},
                       {"size", c.size},
                       {"kernel", c.k},
                       {"stride", c.stride},
                       {"pass", pass_names[pass]},
                       {"gflop", p.flops() * 1e-9},
                       {"sgemm_gflops", sgemm},
                       {"in_target", in_target(c)},
                       {"im2col", {{"seconds", cpu.seconds}, {"gflops", cpu.gflops}, {"ratio_to_sgemm", ratio}}}};
      if (dnn.ran)
        r["onednn"] = {{"seconds", dnn.seconds},
                       {"gflops", dnn.gflops},
                       {"sgemm_gflops", dnn_sgemm},
                       {"ratio_to_sgemm", dnn.gflops / dnn_sgemm},
                       {"speedup_over_im2col", cpu.seconds / dnn.seconds}};
      if (naive.ran)
        r["naive"] = {{"images", 1},
                      {"seconds_extrapolated", naive.seconds},
                      {"gflops", naive.gflops},
                      {"ratio_to_sgemm", naive.gflops / sgemm}};
      if (gpu.ran)
        r["cudnn"] = {{"seconds", gpu.seconds}, {"gflops", gpu.gflops}, {"speedup_over_im2col", gpu.gflops / cpu.gflops}};
      else
        r["cudnn"] = {{"skipped", gpu_skip}};
      rows.push_back(r);
    }
  }
  out.print(std::cout);

  const double sgemm_end = on_path(false, [&] { return probe.gflops(); });
  const double threaded_end = probe.threaded_gflops();
  std::cout << "\nSGEMM 2048^3 at the end: " << bench::fixed(sgemm_end) << " GFLOP/s on the OpenMP threads (start "
            << bench::fixed(sgemm_start) << "), " << bench::fixed(threaded_end) << " on OpenBLAS's own threads (start "
            << bench::fixed(threaded_start) << ")\n";
  nlohmann::json summary;
  for (int pass = 0; pass < 3; ++pass)
    for (bool stride1 : {false, true}) {
      const spread s = summarise(target[pass], stride1);
      if (s.shapes == 0) continue;
      std::cout << "3x3, >= 64 channels" << (stride1 ? ", stride 1 only" : "") << ", " << pass_names[pass]
                << ": im2col/SGEMM min " << bench::fixed(s.min, 2) << " (" << s.worst << "), median "
                << bench::fixed(s.median, 2) << " over " << s.shapes << " shapes\n";
      summary[pass_names[pass]][stride1 ? "stride_1" : "all"] = {
          {"min", s.min}, {"worst", s.worst}, {"median", s.median}, {"shapes", s.shapes}};
    }
  const spread fwd = summarise(target[0], false);
  std::string verdict;
  if (fwd.shapes == 0) verdict = "not evaluated (no 3x3 shape with >= 64 channels was run)";
  else if (batch != 16) verdict = "not evaluated (the target is stated at batch 16)";
  else
    verdict = std::string(fwd.min >= 0.60 ? "MET" : "NOT MET") + " (forward min " + bench::fixed(fwd.min, 2) + " on " +
              fwd.worst + ", median " + bench::fixed(fwd.median, 2) + ")";
  std::cout << "target: CPU im2col path >= 60% of SGEMM on 3x3 convolutions with >= 64 channels at batch 16: "
            << verdict << "\n";
  summary["target"] = verdict;

  if (!json_path.empty()) {
    nlohmann::json doc{{"benchmark", "bench_conv"},
                       {"date", bench::today()},
                       {"batch", batch},
                       {"reps", reps},
                       {"cpu_chunk_elements", cpu_backend::chunk_elements},
                       {"cpu_min_chunk_columns", cpu_backend::min_chunk_columns},
                       {"threads", bench::threads_summary()},
                       {"sgemm_gflops", {{"start", sgemm_start}, {"end", sgemm_end}}},
                       {"sgemm_gflops_openblas_threads", {{"start", threaded_start}, {"end", threaded_end}}},
                       {"cudnn", gpu_skip.empty() ? "ran" : gpu_skip},
                       {"results", rows},
                       {"summary", summary}};
    std::ofstream(json_path) << doc.dump(2) << '\n';
    std::cout << "wrote " << json_path << "\n";
  }
  return 0;
}
