// What the buffer pool keeps idle, and when it lets go (tensor/buffer_pool.hpp, tensor/memory.hpp):
// a large allocation that would hold more than the most ever held frees idle blocks of that many
// bytes first, one below that peak frees none; a chain lends its outputs to the pool once its
// backward pass is past them, takes them back in the next forward pass, and refuses a second
// backward pass without one.
#include <boost/test/unit_test.hpp>

#include <cstddef>

#include "acne/error.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/network.hpp"
#include "acne/tensor/buffer_pool.hpp"

namespace test_tensor_buffer_pool {

using namespace acne;

namespace {
constexpr std::size_t mib = std::size_t(1) << 20;
// A block of `bytes` that the pool has never seen: large blocks are mapped, not touched, so even
// one the size of the peak costs no resident memory.
shape4 floats(std::size_t bytes) { return {bytes / sizeof(float), 1, 1, 1}; }
}  // namespace

BOOST_AUTO_TEST_SUITE(buffer_pool_suite)

BOOST_AUTO_TEST_CASE(an_allocation_above_the_peak_frees_idle_blocks_first) {
  buffer_pool<double, cpu>::of_this_thread().release();  // the only idle blocks are this test's
  auto& pool = buffer_pool<float, cpu>::of_this_thread();
  pool.release();
  tensor<float> a = pool.take(floats(4 * mib)), b = pool.take(floats(4 * mib));
  pool.give_back(a);
  pool.give_back(b);
  BOOST_TEST(pool.free_elements() * sizeof(float) == 8 * mib);

  // Reaches 3 MiB over the peak: one idle 4 MiB block goes, the other stays, and the peak holds.
  const std::size_t peak = idle_memory::peak<cpu>(), room = peak - idle_memory::held<cpu>();
  {
    const tensor<float> over(floats(room + 3 * mib));
    BOOST_TEST(pool.free_elements() * sizeof(float) == 4 * mib);
    BOOST_TEST(idle_memory::peak<cpu>() == peak);
    BOOST_TEST(idle_memory::held<cpu>() == peak - mib);
  }
  // Below the peak now: the idle block stays.
  const tensor<float> below(floats(2 * mib));
  BOOST_TEST(pool.free_elements() * sizeof(float) == 4 * mib);
  pool.release();
  BOOST_TEST(pool.free_elements() == 0u);
}

BOOST_AUTO_TEST_CASE(small_allocations_leave_the_pool_alone) {
  auto& pool = buffer_pool<float, cpu>::of_this_thread();
  pool.release();
  tensor<float> a = pool.take(floats(2 * mib));
  pool.give_back(a);
  const std::size_t room = idle_memory::peak<cpu>() - idle_memory::held<cpu>();
  const tensor<float> big(floats(room));  // exactly at the peak
  const std::size_t held = idle_memory::held<cpu>();
  for (int i = 0; i < 64; ++i) tensor<float> small(floats(idle_memory::large - 64));
  BOOST_TEST(pool.free_elements() * sizeof(float) == 2 * mib);
  BOOST_TEST(idle_memory::held<cpu>() == held);
  pool.release();
}

BOOST_AUTO_TEST_CASE(a_chain_lends_its_outputs_between_backward_and_forward) {
  using chain = sequential<conv2d<float>, batch_norm<float>, relu<float>, conv2d<float>>;
  network net(chain(conv2d<float>({.filters = 8}), batch_norm<float>(), relu<float>(), conv2d<float>({.filters = 2})));
  const shape4 in{2, 3, 16, 16};
  net.setup(in, 3);
  tensor<float> x(in), dy({2, 2, 16, 16});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) - 3;
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = float(i % 5) - 2;

  auto& pool = buffer_pool<float, cpu>::of_this_thread();
  pool.release();
  const auto pass = [&] {
    net.forward(x);
    net.zero_grad();
    return tensor<float>(net.backward(dy));
  };
  const tensor<float> dx1 = pass();
  // Two outputs of 2 x 8 x 16 x 16 are lent, the conv's and batch norm's (relu's in place on it),
  // beside the gradients of the same shape.
  const std::size_t lent = 2 * (2 * 8 * 16 * 16);
  BOOST_TEST(pool.free_elements() >= lent);
  BOOST_CHECK_THROW(net.backward(dy), error);

  const std::size_t idle = pool.free_elements();
  net.forward(x);
  BOOST_TEST(pool.free_elements() == idle - lent);  // taken back, not allocated anew
  net.zero_grad();
  const tensor<float> dx2 = net.backward(dy);
  for (std::size_t i = 0; i < dx1.size(); ++i) BOOST_TEST(dx2[i] == dx1[i]);
  pool.release();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_tensor_buffer_pool
