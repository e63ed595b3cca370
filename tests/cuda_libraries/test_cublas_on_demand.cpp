// A CUDA build opens cuBLAS when the first GPU product needs it (backend/cuda/cublas.hpp), so its
// programs do not carry the library's 150 MiB when they run on the CPU. Opening it needs no GPU, so
// this suite runs on every machine of a CUDA build. The process's mappings are read before main(),
// when every linked library is loaded, and again after the entry points are asked for.
#include <boost/test/unit_test.hpp>

#include <string>

#include "support/mapped_libraries.hpp"
#include "acne/backend/cuda/cublas.hpp"

namespace test_cuda_libraries_cublas_on_demand {

bool cublas_mapped() { return acne::test::library_mapped("libcublas"); }

const bool mapped_before_main = cublas_mapped();

BOOST_AUTO_TEST_CASE(cublas_is_opened_when_first_asked_for) {
  BOOST_TEST(!mapped_before_main, "libcublas was linked: every CPU run of a CUDA build maps it");
  const auto& api = acne::cuda_backend::cublas_library();
  BOOST_TEST(cublas_mapped());
  BOOST_TEST(api.create != nullptr);
  BOOST_TEST(api.destroy != nullptr);
  BOOST_TEST(api.set_math_mode != nullptr);
  BOOST_TEST(api.sgemm != nullptr);
  BOOST_TEST_REQUIRE(api.status_string != nullptr);
  BOOST_TEST(std::string(api.status_string(CUBLAS_STATUS_NOT_INITIALIZED)).find("not initialized") != std::string::npos);
  BOOST_TEST(&acne::cuda_backend::cublas_library() == &api);
}

}  // namespace test_cuda_libraries_cublas_on_demand
