// DFDNet on the GPU: the restoration operations against the CPU's, and a reduced generator restoring
// the same face on both devices from the same weights and dictionaries. (The suite's global fixture
// skips it without a GPU.)
#include <boost/test/unit_test.hpp>

#include <random>

#include "acne/backend/cuda.hpp"
#include "acne/models/dfdnet/generator.hpp"
#include "acne/network.hpp"

namespace test_cuda_dfdnet_on_gpu {

using namespace acne;
using namespace acne::dfdnet;

namespace {
tensor<float> random_tensor(shape4 s, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> d;
  tensor<float> t(s);
  for (auto& v : t) v = d(gen);
  return t;
}
void require_close(const tensor<float>& a, const tensor<float, cuda>& b, double tol) {
  const tensor<float> h = to_host(b);
  BOOST_TEST_REQUIRE(h.shape() == a.shape());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(h[i] - a[i])));
  BOOST_TEST(worst < tol);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_on_gpu)

BOOST_AUTO_TEST_CASE(resampling_operations_agree) {
  const auto x = random_tensor({2, 3, 7, 9}, 1);
  for (const shape4 to : {shape4{2, 3, 14, 18}, shape4{2, 3, 4, 5}, shape4{2, 3, 11, 3}}) {
    tensor<float> y(to);
    tensor<float, cuda> gy(to);
    resize_bilinear_forward(x, y);
    resize_bilinear_forward(to_device(x), gy);
    require_close(y, gy, 1e-6);
    const auto g = random_tensor(to, 2);
    tensor<float> dx(x.shape());
    tensor<float, cuda> gdx(x.shape());
    resize_bilinear_backward(g, dx);
    resize_bilinear_backward(to_device(g), gdx);
    require_close(dx, gdx, 1e-5);
    resize_nearest_forward(x, y);
    resize_nearest_forward(to_device(x), gy);
    require_close(y, gy, 0);
  }
  tensor<float> w({1, 3, 3, 4});
  tensor<float, cuda> gw({1, 3, 3, 4});
  take_window(x, 1, 2, 3, w);
  take_window(to_device(x), 1, 2, 3, gw);
  require_close(w, gw, 0);
  tensor<float> y = x;
  tensor<float, cuda> gy = to_device(x);
  put_window(w, y, 0, 4, 5, true);
  put_window(gw, gy, 0, 4, 5, true);
  require_close(y, gy, 1e-6);
  const auto a = random_tensor({5, 3, 3, 4}, 3);
  tensor<float> q({5, 3, 1, 1});
  tensor<float, cuda> gq({5, 3, 1, 1});
  plane_products(a, w, q);
  plane_products(to_device(a), gw, gq);
  require_close(q, gq, 1e-5);
}

BOOST_AUTO_TEST_CASE(reduced_generator_restores_the_same_face) {
  constexpr std::size_t divisor = 16;
  network<generator<float>> cpu_net{generator<float>({.width_divisor = divisor})};
  network<generator<float, cuda>> gpu_net{generator<float, cuda>({.width_divisor = divisor})};
  cpu_net.setup({1, 3, 512, 512}, 4);
  gpu_net.setup({1, 3, 512, 512}, 4);
  component_dictionaries<float> cd;
  component_dictionaries<float, cuda> gd;
  const std::array<std::size_t, 4> channels{128, 256, 512, 512};
  for (std::size_t i = 0; i < 4; ++i)
    for (face_part p : face_parts_in_order) {
      const std::size_t s = atom_side(p, feature_sides[i]);
      const auto atoms = random_tensor({3, channels[i] / divisor, s, s}, 10 + i);
      cd.at(p, i) = component_dictionary<float>(atoms);
      gd.at(p, i) = component_dictionary<float, cuda>(atoms);
    }
  const face_boxes boxes{part_box{150, 200, 240, 290}, part_box{280, 205, 365, 290}, part_box{215, 300, 290, 330},
                         part_box{180, 370, 340, 440}};
  cpu_net.layer().set_dictionaries(&cd), gpu_net.layer().set_dictionaries(&gd);
  cpu_net.layer().set_boxes({boxes}), gpu_net.layer().set_boxes({boxes});
  const auto x = random_tensor({1, 3, 512, 512}, 5);
  cpu_net.forward(x);
  gpu_net.forward(to_device(x));  // the same power-iteration step on both
  cpu_net.eval(), gpu_net.eval();
  const auto& y = cpu_net.forward(x);
  const auto& gy = gpu_net.forward(to_device(x));
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t i = 0; i < 4; ++i)
      BOOST_TEST(gpu_net.layer().choices()[0][p][i].atom == cpu_net.layer().choices()[0][p][i].atom);
  require_close(y, gy, 1e-3);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cuda_dfdnet_on_gpu
