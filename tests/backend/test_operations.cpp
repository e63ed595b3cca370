// The list of backend operations is a compile-time contract: the CPU backend meets it for float and
// double, and a device that lacks one operation does not.
#include <boost/test/unit_test.hpp>

#include "acne/backend/cpu.hpp"

namespace test_backend_operations {

namespace acne_test_device {

// A device whose backend has every elementwise operation but one (fill_normal).
struct partial {};
using t = acne::tensor<float, partial>;
void fill(t&, float);
void copy(const t&, t&);
void axpy(float, const t&, t&);
void axpby(float, const t&, float, t&);
void scale(t&, float);
double sum(const t&);
double dot(const t&, const t&);
void add_channel_bias(t&, const t&, float);
void channel_bias_grad(const t&, t&, float);
void activation_forward(const acne::activation&, const t&, t&);
void activation_backward(const acne::activation&, const t&, const t&, const t&, t&);
void copy_channels(const t&, t&, std::size_t, bool = false);
void slice_channels(const t&, t&, std::size_t);
void matmul(const t&, bool, const t&, bool, t&, float = 1, float = 0);
void dropout_forward(const t&, t&, double, std::uint64_t);
void dropout_backward(const t&, t&, double, std::uint64_t);

// The same, complete.
struct complete {};
using u = acne::tensor<float, complete>;
void fill(u&, float);
void copy(const u&, u&);
void axpy(float, const u&, u&);
void axpby(float, const u&, float, u&);
void scale(u&, float);
double sum(const u&);
double dot(const u&, const u&);
void add_channel_bias(u&, const u&, float);
void channel_bias_grad(const u&, u&, float);
void activation_forward(const acne::activation&, const u&, u&);
void activation_backward(const acne::activation&, const u&, const u&, const u&, u&);
void copy_channels(const u&, u&, std::size_t, bool = false);
void slice_channels(const u&, u&, std::size_t);
void matmul(const u&, bool, const u&, bool, u&, float = 1, float = 0);
void dropout_forward(const u&, u&, double, std::uint64_t);
void dropout_backward(const u&, u&, double, std::uint64_t);
void fill_normal(u&, std::uint64_t, float = 1);

}  // namespace acne_test_device

BOOST_AUTO_TEST_SUITE(backend_operations)

BOOST_AUTO_TEST_CASE(the_cpu_backend_has_every_operation) {
  BOOST_TEST((acne::backend_operations<float, acne::cpu>));
  BOOST_TEST((acne::backend_operations<double, acne::cpu>));
}

BOOST_AUTO_TEST_CASE(a_missing_operation_is_seen_at_compile_time) {
  BOOST_TEST(!(acne::elementwise_operations<float, acne_test_device::partial>));
  BOOST_TEST((acne::elementwise_operations<float, acne_test_device::complete>));
  BOOST_TEST(!(acne::dnn_operations<float, acne_test_device::complete>));  // it has no convolution
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_backend_operations
