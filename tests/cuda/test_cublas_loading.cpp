// On a GPU, the first product opens cuBLAS and computes through it (backend/cuda/cublas.hpp; the
// opening itself, without a GPU, is tested in tests/cuda_libraries/). The process's mappings are
// read before main(), when every linked library is loaded, and again after the first product.
#include <boost/test/unit_test.hpp>

#include <string>

#include "support/mapped_libraries.hpp"
#include "acne/backend/cuda.hpp"

namespace test_cuda_cublas_loading {

using namespace acne;

bool cublas_mapped() { return acne::test::library_mapped("libcublas"); }

const bool mapped_before_main = cublas_mapped();

BOOST_AUTO_TEST_CASE(cublas_is_opened_by_the_first_product) {
  BOOST_TEST(!mapped_before_main, "libcublas was linked: every CPU run of a CUDA build maps it");
  tensor<float, cuda> a({1, 2, 3, 1}), b({1, 3, 1, 1}), c({1, 2, 1, 1});
  fill(a, 1.0f);
  fill(b, 2.0f);
  matmul(a, false, b, false, c, 1.0f, 0.0f);
  BOOST_TEST(cublas_mapped());
  tensor<float, cpu> host({1, 2, 1, 1});
  memory<cuda>::to_host(host.data(), c.data(), c.bytes());
  BOOST_TEST(host[0] == 6.0f);
  BOOST_TEST(host[1] == 6.0f);
}

}  // namespace test_cuda_cublas_loading
