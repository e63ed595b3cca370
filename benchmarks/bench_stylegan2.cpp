// StyleGAN2 (config F) throughput: generator images/s and training kimg/s at 64, 256 and 1024 px, on
// the CPU and, when built with CUDA and a GPU is present, with cuDNN, side by side.
//   bench_stylegan2 [--res 64,256,1024] [--batch 4] [--reps 1] [--cpu-train-res 64] [--warmup] [--json FILE]
//                   [--channel-base 32768] [--channel-max 512] [--mapping-layers 8]
// The last three shrink config F for every network of the run (the peer benchmark trains at
// channel base 4096, max 128, 2 mapping layers); --cpu-train-res "" trains nothing on the CPU.
// Training is the full loop of acne/train/gan_trainer.hpp on one minibatch of `batch` images in one
// round; its time is amortised as the reference schedules the phases: Gmain + Dmain every minibatch,
// Greg every 4th, Dreg every 16th (each phase timed on its own). Quick by default: on the CPU the
// generator runs one warm-up and `reps` timed passes (1024 px: batch 1), and training, a minute or
// more per minibatch of config F, is timed on its first minibatch (--warmup adds one before) and only
// at --cpu-train-res (e.g. 64,256 for both). With a GPU every resolution trains, after a warm-up,
// over at least 3 minibatches. CPU figures come with the SGEMM rate of the same process, so that runs
// on different (or busy) machines can be compared.
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "acne/train/gan_trainer.hpp"
#include "bench_common.hpp"

#ifdef ACNE_WITH_CUDA
#include "acne/backend/cuda.hpp"
#endif

using namespace acne;

namespace {

std::vector<std::size_t> size_list(const std::string& text) {
  std::vector<std::size_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(std::stoul(item));
  return out;
}

// Random 8-bit images: the content does not change the work.
data::sample_source noise_images(std::size_t count, std::size_t res) {
  auto images = std::make_shared<std::vector<cv::Mat>>();
  cv::RNG rng(7);
  for (std::size_t i = 0; i < count; ++i) {
    cv::Mat m(static_cast<int>(res), static_cast<int>(res), CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    images->push_back(m);
  }
  return {count, [](std::size_t) { return 0; }, [images](std::size_t i) { return images->at(i); }};
}

template <class D>
void sync(const tensor<float, D>& t) {
  float one = 0;
  if (t.size() > 0) memory<D>::to_host(&one, t.data(), sizeof one);  // waits for the queued work
}

// Images per second of the generator's forward pass (mapping + synthesis, random noise).
// Config F at a resolution, with the run's --channel-base, --channel-max and --mapping-layers.
struct shape_flags {
  std::size_t channel_base = 32768, channel_max = 512, mapping_layers = 8;
  stylegan2::config at(std::size_t res) const {
    auto c = stylegan2::config::config_f(res);
    c.channel_base = channel_base, c.channel_max = channel_max, c.mapping_layers = mapping_layers;
    c.validate();
    return c;
  }
};

template <class D>
double generator_images_per_second(const stylegan2::config& c, std::size_t batch, int reps) {
  network<stylegan2::generator<float, D>> g{stylegan2::generator<float, D>(c)};
  g.setup({1, c.z_dim, 1, 1}, 1);
  g.eval();
  tensor<float, D> z({batch, c.z_dim, 1, 1});
  fill_normal(z, 3);
  const auto t = bench::time_calls([&] { sync(g.forward(z)); }, reps);
  return double(batch) / t.best;
}

struct train_rate {
  double kimg_per_s = 0;
  std::map<std::string, double> phase_seconds;  // per run of the phase
};

// One minibatch of `batch` images per step, regularisation phases in every step (timed apart and
// amortised over their intervals 4 and 16).
template <class D>
train_rate training_rate(const stylegan2::config& c, std::size_t batch, int reps, bool warmup) {
  const std::size_t res = c.resolution;
  train::gan_options o;
  o.config = c;
  o.batch = o.batch_gpu = batch;
  o.g_reg_interval = o.d_reg_interval = 1;
  o.mirror = false;
  std::ostringstream quiet;
  train::gan_trainer<float, D> t(o, noise_images(batch, res), quiet);
  if (warmup) {
    t.step();  // allocations, first-call set-up
    t.phase_seconds().clear();
  }
  for (int i = 0; i < reps; ++i) t.step();
  sync(t.G().parameters());
  train_rate r;
  for (const auto& [name, s] : t.phase_seconds()) r.phase_seconds[name] = s / reps;
  const double minibatch = r.phase_seconds["Gmain"] + r.phase_seconds["Dmain"] + r.phase_seconds["Greg"] / 4 +
                           r.phase_seconds["Dreg"] / 16;
  r.kimg_per_s = double(batch) / minibatch / 1000;
  return r;
}

std::string rate(std::optional<double> v, int precision) { return v ? bench::fixed(*v, precision) : "-"; }
std::string ratio(std::optional<double> gpu, std::optional<double> cpu) {
  return gpu && cpu && *cpu > 0 ? bench::fixed(*gpu / *cpu, 1) + "x" : "-";
}

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_stylegan2 [--res 64,256,1024] [--batch 4] [--reps 1] [--cpu-train-res 64] [--warmup] "
                 "[--json FILE] [--channel-base 32768] [--channel-max 512] [--mapping-layers 8]\n";
    return 0;
  }
  const auto resolutions = size_list(a.value("--res", "64,256,1024"));
  const auto cpu_train = size_list(a.value("--cpu-train-res", "64"));
  const auto batch = std::size_t(a.number("--batch", 4));
  const int reps = int(a.number("--reps", 1));
  const shape_flags shape{std::size_t(a.number("--channel-base", 32768)), std::size_t(a.number("--channel-max", 512)),
                          std::size_t(a.number("--mapping-layers", 8))};
  bool gpu = false;
#ifdef ACNE_WITH_CUDA
  gpu = cuda_available();
#endif
  bench::sgemm_probe probe;
  const double sgemm = probe.gflops(3);
  std::cout << "StyleGAN2 config F (channel base " << shape.channel_base << ", max " << shape.channel_max << ", "
            << shape.mapping_layers << " mapping layers), " << bench::today() << "; " << bench::threads_summary() << "; CPU SGEMM "
            << bench::fixed(sgemm, 1) << " GFLOP/s" << (gpu ? "" : "; no GPU: CUDA columns empty") << "\n\n";

  bench::table table({"resolution", "measure", "CPU", "cuDNN", "cuDNN/CPU"});
  nlohmann::json report = {{"sgemm_gflops", sgemm}, {"batch", batch}, {"results", nlohmann::json::array()}};
  for (const auto res : resolutions) {
    const std::size_t g_batch = res >= 1024 ? 1 : batch;
    std::optional<double> cpu_g, gpu_g, cpu_t, gpu_t;
    cpu_g = generator_images_per_second<cpu>(shape.at(res), g_batch, reps);
    const bool train_cpu = std::find(cpu_train.begin(), cpu_train.end(), res) != cpu_train.end();
    std::map<std::string, double> cpu_phases, gpu_phases;
    if (train_cpu) {
      const auto r = training_rate<cpu>(shape.at(res), batch, reps, a.flag("--warmup"));
      cpu_t = r.kimg_per_s, cpu_phases = r.phase_seconds;
    }
#ifdef ACNE_WITH_CUDA
    if (gpu) {
      gpu_g = generator_images_per_second<cuda>(shape.at(res), g_batch, std::max(reps, 3));
      const auto r = training_rate<cuda>(shape.at(res), batch, std::max(reps, 3), true);
      gpu_t = r.kimg_per_s, gpu_phases = r.phase_seconds;
    }
#endif
    const std::string px = std::to_string(res) + " px";
    table.row({px, "G forward img/s (batch " + std::to_string(g_batch) + ")", rate(cpu_g, 2), rate(gpu_g, 1), ratio(gpu_g, cpu_g)});
    table.row({px, "training kimg/s (batch " + std::to_string(batch) + ")", rate(cpu_t, 5), rate(gpu_t, 4), ratio(gpu_t, cpu_t)});
    table.row({px, "  = sec/kimg", cpu_t ? bench::fixed(1 / *cpu_t, 0) : "-", gpu_t ? bench::fixed(1 / *gpu_t, 1) : "-", ""});
    nlohmann::json entry = {{"resolution", res}, {"g_batch", g_batch}};
    const auto put = [&](const char* key, std::optional<double> v) { entry[key] = v ? nlohmann::json(*v) : nlohmann::json(); };
    put("cpu_g_images_per_s", cpu_g), put("cuda_g_images_per_s", gpu_g);
    put("cpu_train_kimg_per_s", cpu_t), put("cuda_train_kimg_per_s", gpu_t);
    entry["cpu_phase_seconds"] = cpu_phases;
    entry["cuda_phase_seconds"] = gpu_phases;
    report["results"].push_back(entry);
    std::cout << "  " << px << " done" << std::endl;
  }
  std::cout << "\n";
  table.print(std::cout);
  std::cout << "\nTraining: Gmain + Dmain + Greg/4 + Dreg/16 per minibatch (phases timed apart); see --json for them.\n";
  const std::string json = a.value("--json", "");
  if (!json.empty()) std::ofstream(json) << report.dump(2) << "\n";
  return 0;
}
