// StyleGAN2's four training phases against the official implementation, on the CPU: 32 px with
// 2 mapping layers; 64 px with 8 mapping layers, conv_clamp 1 (reached by about 7% of the clamped
// outputs) and minibatch-stddev groups of 2. See support/stylegan_official_steps.hpp.
#include "support/stylegan_official_steps.hpp"

namespace test_models_stylegan2_official_parity {

BOOST_AUTO_TEST_SUITE(stylegan_official_parity)

BOOST_AUTO_TEST_CASE(phases_at_32px_two_mapping_layers) { acne_test::check_official_phases("official_32"); }
BOOST_AUTO_TEST_CASE(phases_at_64px_clamped_groups_of_two) { acne_test::check_official_phases("official_64"); }

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_stylegan2_official_parity
