// StyleGAN2's four training phases on the GPU against the official implementation's gradients:
// the same fixtures and bound as tests/models/test_stylegan2_official_parity.cpp, so a whole G and D, both
// regularisers' tangent passes included, run on the CUDA backend. (The suite's global fixture
// skips it without a GPU.)
#include "acne/backend/cuda.hpp"
#include "support/stylegan_official_steps.hpp"

namespace test_cuda_stylegan_on_gpu {

BOOST_AUTO_TEST_SUITE(stylegan_on_gpu)

BOOST_AUTO_TEST_CASE(phases_at_32px_match_the_official_gradients) {
  acne_test::check_official_phases<acne::cuda>("official_32");
}
BOOST_AUTO_TEST_CASE(phases_at_64px_match_the_official_gradients) {
  acne_test::check_official_phases<acne::cuda>("official_64");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cuda_stylegan_on_gpu
