// The audit's neighbour search with its products on the GPU finds what the CPU search finds, in both
// distances, with blocks that do not divide the set sizes. (The suite's global fixture skips it
// without a GPU.)
#include <boost/test/unit_test.hpp>

#include <random>
#include <vector>

#include "acne/backend/cuda.hpp"
#include "acne/metrics/nearest_neighbours.hpp"

namespace test_cuda_nearest_neighbours_on_gpu {

BOOST_AUTO_TEST_SUITE(nearest_neighbours_on_gpu)

BOOST_AUTO_TEST_CASE(gpu_products_give_the_cpu_neighbours) {
  namespace m = acne::metrics;
  const std::size_t nq = 300, nr = 170, d = 64;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> q(nq * d), r(nr * d);
  for (auto& v : q) v = u(rng);
  for (auto& v : r) v = u(rng);
  for (const auto kind : {m::distance_kind::euclidean, m::distance_kind::cosine}) {
    const m::neighbour_options o{.k = 5, .kind = kind, .block = 128};
    const auto cpu = m::nearest_neighbours<acne::cpu>(q, r, d, o), gpu = m::nearest_neighbours<acne::cuda>(q, r, d, o);
    BOOST_TEST(gpu.index == cpu.index, boost::test_tools::per_element());
    BOOST_TEST(gpu.distance == cpu.distance, boost::test_tools::tolerance(1e-4) << boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cuda_nearest_neighbours_on_gpu
