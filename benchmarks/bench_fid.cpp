// Feature extraction for FID: images per second through InceptionV3 (pytorch-fid's network at
// 299 x 299; random weights cost the same as real ones) and random-conv-v1, on the CPU and, when
// built with CUDA and a GPU is present, on the GPU; plus the cost of preparing one 1024 x 1024 image
// (the paper's resolution) with each resize. CPU rates are printed beside an SGEMM rate measured in
// turn with them, since the host is shared and noisy.
//   bench_fid [--batch 2] [--reps 1] [--gpu-batch 32] [--json FILE]
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "acne/models/inception_v3.hpp"
#include "bench_common.hpp"

#ifdef ACNE_WITH_CUDA
#include "acne/backend/cuda.hpp"
#endif

using namespace acne;

namespace {

template <class D>
std::unique_ptr<metrics::feature_extractor> inception_extractor() {
  network<inception_v3<float, D>> net(make_fid_inception_v3<float, D>(2048));
  net.setup({1, 3, 299, 299}, 1);
  return std::make_unique<metrics::network_extractor<inception_v3<float, D>>>(std::move(net), "inception-v3-fid",
                                                                              299, true);
}

tensor<float> test_batch(std::size_t n, std::size_t size) {
  tensor<float> x({n, 3, size, size});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 2001) / 1000.0f - 1.0f;
  return x;
}

struct row {
  std::string name;
  std::size_t batch;
  double cpu_images_per_s = 0, sgemm = 0, gpu_images_per_s = 0;
  bool gpu = false;
};

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_fid [--batch 2] [--reps 1] [--gpu-batch 32] [--json FILE]\n";
    return 0;
  }
  const auto batch = std::size_t(a.number("--batch", 2)), gpu_batch = std::size_t(a.number("--gpu-batch", 32));
  const int reps = int(a.number("--reps", 1));
  std::string gpu_skip;
#ifdef ACNE_WITH_CUDA
  if (!cuda_available()) gpu_skip = "skipped: built with CUDA but no GPU is present";
#else
  gpu_skip = "skipped: built without CUDA (ACNE_WITH_CUDA off)";
#endif
  std::cout << "bench_fid: CPU batch " << batch << ", best of " << reps << " calls after one warm-up, float32, "
            << bench::today() << "\n"
            << bench::threads_summary() << "\n";
  if (!gpu_skip.empty()) std::cout << "GPU: " << gpu_skip << "\n";
  bench::sgemm_probe probe;

  std::vector<row> rows;
  std::vector<float> features;
  const auto measure = [&](const std::string& name, metrics::feature_extractor& cpu_extractor,
                           metrics::feature_extractor* gpu_extractor) {
    std::cerr << "  " << name << "...\n";
    const auto x = test_batch(batch, cpu_extractor.input_size());
    const auto t = bench::time_against_sgemm([&] { cpu_extractor.extract(x, features); }, probe, reps);
    row r{name, batch, double(batch) / t.f.best, t.sgemm_gflops};
    if (gpu_extractor) {
      const auto xg = test_batch(gpu_batch, gpu_extractor->input_size());
      const auto tg = bench::time_calls([&] { gpu_extractor->extract(xg, features); }, std::max(reps, 3), 1);
      r.gpu = true;
      r.gpu_images_per_s = double(gpu_batch) / tg.best;
    }
    rows.push_back(r);
  };

  {
    auto on_cpu = inception_extractor<acne::cpu>();
    std::unique_ptr<metrics::feature_extractor> on_gpu;
#ifdef ACNE_WITH_CUDA
    if (gpu_skip.empty()) on_gpu = inception_extractor<acne::cuda>();
#endif
    measure("inception-v3-fid 2048-d @299", *on_cpu, on_gpu.get());
  }
  {
    auto on_cpu = metrics::make_random_conv_extractor<acne::cpu>();
    std::unique_ptr<metrics::feature_extractor> on_gpu;
#ifdef ACNE_WITH_CUDA
    if (gpu_skip.empty()) on_gpu = metrics::make_random_conv_extractor<acne::cuda>();
#endif
    measure("random-conv-v1 256-d @128", *on_cpu, on_gpu.get());
  }

  bench::table out({"extractor", "CPU batch", "CPU img/s", "SGEMM GF/s", "GPU img/s", "GPU/CPU"});
  nlohmann::json j = nlohmann::json::array();
  for (const auto& r : rows) {
    out.row({r.name, std::to_string(r.batch), bench::fixed(r.cpu_images_per_s, 2), bench::fixed(r.sgemm),
             r.gpu ? bench::fixed(r.gpu_images_per_s, 1) : "skipped",
             r.gpu ? bench::fixed(r.gpu_images_per_s / r.cpu_images_per_s, 1) : "-"});
    j.push_back({{"extractor", r.name}, {"cpu_batch", r.batch}, {"cpu_images_per_s", r.cpu_images_per_s},
                 {"sgemm_gflops", r.sgemm}, {"gpu_images_per_s", r.gpu ? nlohmann::json(r.gpu_images_per_s) : nlohmann::json(nullptr)},
                 {"gpu_batch", gpu_batch}});
  }
  std::cout << '\n';
  out.print(std::cout);

  // Preparing one 1024 x 1024 8-bit image: RGB floats, resize to 299, scale to [-1, 1].
  cv::Mat image(1024, 1024, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
  std::vector<float> prepared(3 * 299 * 299);
  std::cout << "\npreparing one 1024x1024 image for 299x299 input (single thread):\n";
  nlohmann::json prep;
  for (const auto r : {metrics::fid_resize::bilinear, metrics::fid_resize::bicubic}) {
    const auto t = bench::time_calls([&] { metrics::prepare_image(image, 299, r, prepared.data()); }, 3);
    std::cout << "  " << metrics::fid_resize_name(r) << ": " << bench::fixed(t.best * 1e3, 1) << " ms\n";
    prep[metrics::fid_resize_name(r)] = {{"ms", t.best * 1e3}};
  }
  const std::string json = a.value("--json", "");
  if (!json.empty()) std::ofstream(json) << nlohmann::json{{"extractors", j}, {"prepare_1024", prep}}.dump(2) << "\n";
  return 0;
}
