// DFDNet restoration (face/restore.hpp): seconds to restore one aligned 512 x 512 face with the
// full-size generator (VGG19 taps, the 16 dictionary matchings, the decoder) on each device, and
// faces aligned per second (dlib detection and landmarks, DFDNet's similarity warp) on the CPU.
// The weights are the generator's initial ones and the dictionaries random (the time does not
// depend on their values; it does on their size, --atoms, which the official release fixes).
//   bench_restore [--atoms 64] [--reps 3] [--device cpu|cuda|all] [--photo PNG] [--json FILE]
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/face/detector.hpp"
#include "acne/face/dfdnet_alignment.hpp"
#include "acne/io/image.hpp"
#include "acne/models/dfdnet/generator.hpp"
#include "acne/network.hpp"
#include "bench_common.hpp"

#ifdef ACNE_WITH_CUDA
#include <cuda_runtime_api.h>

#include "acne/backend/cuda.hpp"
#endif

using namespace acne;

namespace {

struct result {
  std::string device;
  bench::timing restore;
  std::size_t parameters = 0;
};

template <class D>
result measure(std::size_t atoms, int reps, const char* device) {
  network<dfdnet::generator<float, D>> net{dfdnet::generator<float, D>()};
  net.setup({1, 3, 512, 512}, 1);
  std::mt19937_64 gen(2);
  std::normal_distribution<float> normal;
  dfdnet::component_dictionaries<float, D> dicts;
  const std::array<std::size_t, 4> channels{128, 256, 512, 512};
  for (std::size_t i = 0; i < 4; ++i)
    for (dfdnet::face_part p : dfdnet::face_parts_in_order) {
      const std::size_t s = dfdnet::atom_side(p, dfdnet::feature_sides[i]);
      tensor<float> a({atoms, channels[i], s, s});
      for (auto& v : a) v = normal(gen);
      dicts.at(p, i) = dfdnet::component_dictionary<float, D>(a);
    }
  net.layer().set_dictionaries(&dicts);
  // The part boxes of an average face on DFDNet's template.
  net.layer().set_boxes({dfdnet::face_boxes{dfdnet::part_box{131, 169, 229, 267}, dfdnet::part_box{275, 164, 377, 266},
                                            dfdnet::part_box{224, 284, 285, 345}, dfdnet::part_box{194, 308, 318, 432}}});
  tensor<float> host({1, 3, 512, 512});
  std::uniform_real_distribution<float> pixel(-1, 1);
  for (auto& v : host) v = pixel(gen);
  tensor<float, D> x(host.shape());
  memory<D>::from_host(x.data(), host.data(), host.bytes());
  net.forward(x);  // spectral norm's first power-iteration step
  net.eval();
  result r{device, {}, net.parameter_count()};
  r.restore = bench::time_calls(
      [&] {
        const auto& y = net.forward(x);
        std::vector<float> back(8);
        memory<D>::to_host(back.data(), y.data(), back.size() * sizeof(float));  // waits for the device
      },
      reps);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_restore [--atoms 64] [--reps 3] [--device cpu|cuda|all] [--photo PNG] [--json FILE]\n";
    return 0;
  }
  const auto atoms = std::size_t(a.number("--atoms", 64));
  const int reps = int(a.number("--reps", 3));
  const std::string device = a.value("--device", "all");
  const std::filesystem::path photo =
      a.value("--photo", "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png");
  std::cout << "bench_restore: DFDNet at 512 x 512, " << atoms << " atoms per dictionary, median of " << reps
            << " after one warm-up, " << bench::today() << "\n"
            << bench::threads_summary() << "\n";
  std::vector<result> results;
  if (device == "cpu" || device == "all") results.push_back(measure<cpu>(atoms, reps, "cpu"));
#ifdef ACNE_WITH_CUDA
  if ((device == "cuda" || device == "all") && cuda_available()) results.push_back(measure<cuda>(atoms, reps, "cuda"));
  else if (device == "cuda") std::cerr << "bench_restore: no CUDA device\n";
#else
  if (device == "cuda") std::cerr << "bench_restore: built without CUDA\n";
#endif
  if (results.empty()) return 2;

  double aligned_per_second = 0;
  std::cout << std::flush;  // before the image reader's warnings on stderr
  if (std::filesystem::exists(photo) && std::filesystem::exists(face::default_landmark_model)) {
    face::face_detector detector;
    const cv::Mat image = io::read_image(photo);
    const auto t = bench::time_calls([&] { face::dfdnet_align(image, detector.detect(image).at(0)); }, reps);
    aligned_per_second = 1.0 / t.median;
  }

  std::cout << "\n";
  bench::table t({"device", "restore s/face", "faces/s"});
  for (const auto& r : results)
    t.row({r.device, bench::fixed(r.restore.median, 3), bench::fixed(1.0 / r.restore.median, 2)});
  t.print(std::cout);
  if (aligned_per_second > 0)
    std::cout << "\nalignment (detection, 68 landmarks, warp) of " << photo.filename().string() << ": "
              << bench::fixed(aligned_per_second, 1) << " faces/s on the CPU\n";
  if (const auto json = a.value("--json", ""); !json.empty()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : results) j.push_back({{"device", r.device}, {"restore_seconds", r.restore.median}});
    std::ofstream(json) << nlohmann::json{{"atoms", atoms}, {"restore", j}, {"aligned_per_second", aligned_per_second}}.dump(2)
                        << "\n";
  }
  return 0;
}
