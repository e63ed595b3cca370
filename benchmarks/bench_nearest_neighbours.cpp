// The anonymity audit's search: every synthetic feature vector's nearest real ones, exact, by blocked
// products (metrics/nearest_neighbours.hpp). The default is the audit of a large release: 50,000
// synthetic against 2,000 real images and their 2,000 mirror images at 2,048 features (Inception
// pool3), for the nearest and for the 100 nearest rows (the 50 nearest real images of the near-copy
// calibration); the product rate is printed beside the machine's SGEMM rate, measured in turn.
//   bench_nearest_neighbours [--synthetic 50000] [--real 2000] [--dims 2048] [--reps 1] [--json FILE]
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/metrics/nearest_neighbours.hpp"
#include "bench_common.hpp"

using namespace acne;

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_nearest_neighbours [--synthetic 50000] [--real 2000] [--dims 2048] [--reps 1] [--json FILE]\n";
    return 0;
  }
  const auto synthetic = std::size_t(a.number("--synthetic", 50000)), real = std::size_t(a.number("--real", 2000)),
             dims = std::size_t(a.number("--dims", 2048));
  const int reps = int(a.number("--reps", 1));
  std::cout << "bench_nearest_neighbours: " << synthetic << " synthetic x " << real << " real (+ " << real
            << " mirrored) at " << dims << " features, best of " << reps << " after one warm-up, " << bench::today()
            << "\n"
            << bench::threads_summary() << "\n";
  // Non-negative features, as post-ReLU pool3 features are.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> queries(synthetic * dims), references(2 * real * dims);
  for (auto& v : queries) v = u(rng);
  for (auto& v : references) v = u(rng);
  bench::sgemm_probe probe;

  struct config {
    std::string name;
    metrics::neighbour_options options;
  };
  const std::vector<config> configs{
      {"nearest, euclidean", {.k = 1}},
      {"nearest, cosine", {.k = 1, .kind = metrics::distance_kind::cosine}},
      {"100 nearest rows, euclidean (near-copy calibration)", {.k = 100}},
  };
  bench::table out({"search", "seconds", "GF/s", "SGEMM GF/s", "GF/s / SGEMM"});
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : configs) {
    std::cerr << "  " << c.name << "...\n";
    const auto t = bench::time_against_sgemm([&] { metrics::nearest_neighbours(queries, references, dims, c.options); },
                                             probe, reps);
    const double flops = 2.0 * double(synthetic) * double(2 * real) * double(dims), rate = bench::gflops(flops, t.f.best);
    out.row({c.name, bench::fixed(t.f.best, 2), bench::fixed(rate), bench::fixed(t.sgemm_gflops),
             bench::fixed(rate / t.sgemm_gflops, 2)});
    j.push_back({{"search", c.name}, {"seconds", t.f.best}, {"gflops", rate}, {"sgemm_gflops", t.sgemm_gflops}});
  }
  std::cout << '\n';
  out.print(std::cout);
  const std::string json = a.value("--json", "");
  if (!json.empty())
    std::ofstream(json) << nlohmann::json{{"synthetic", synthetic}, {"real", real}, {"dims", dims}, {"searches", j}}.dump(2) << "\n";
  return 0;
}
