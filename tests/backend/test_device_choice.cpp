// Run-time device choice in a build without the CUDA backend (this suite does not link acne::cuda):
// the CPU is chosen and said, and asking for CUDA is an error rather than a quiet CPU run.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

#include "acne/device_choice.hpp"

namespace test_backend_device_choice {

BOOST_AUTO_TEST_SUITE(device_choice)

BOOST_AUTO_TEST_CASE(without_cuda_the_cpu_is_chosen_and_cuda_refused) {
  BOOST_TEST(acne::resolve_device("") == "cpu");
  BOOST_TEST(acne::resolve_device("cpu") == "cpu");
  BOOST_CHECK_EXCEPTION(acne::resolve_device("cuda"), acne::device_unavailable, [](const acne::error& e) {
    return std::string(e.what()).find("built without CUDA") != std::string::npos;
  });
  BOOST_CHECK_EXCEPTION(acne::resolve_device("gpu"), acne::device_unavailable, [](const acne::error& e) {
    return std::string(e.what()).find("unknown device 'gpu'") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(on_device_says_where_it_runs) {
  std::ostringstream log;
  const std::string ran = acne::on_device("", log, [](auto d) { return std::string(decltype(d)::name); });
  BOOST_TEST(ran == "cpu");
  // The CPU line names its kernels, and warns on the next line when they are slower than the CPU.
  const std::string warning = acne::cpu_backend::kernels_warning();
  BOOST_TEST(log.str() == "device: cpu (" + acne::cpu_backend::kernels_summary() + ")\n" +
                              (warning.empty() ? "" : warning + "\n"));
  BOOST_TEST(acne::cpu_backend::kernels_summary().find("OpenBLAS core ") != std::string::npos);
  BOOST_TEST(acne::cpu_backend::kernels_summary().find(", own loops " + acne::cpu_backend::loop_isa()) !=
             std::string::npos);
#ifdef ACNE_WITH_ONEDNN
  BOOST_TEST(acne::cpu_backend::kernels_summary().find("oneDNN ") == 0u);
#endif
  BOOST_CHECK_THROW(acne::on_device("cuda", log, [](auto) { return 0; }), acne::device_unavailable);
}

BOOST_AUTO_TEST_CASE(old_blas_kernels_are_warned_about_with_the_fix) {
  using acne::cpu_backend::kernels_warning;
  const std::string w = kernels_warning("Prescott", "SkylakeX");
  BOOST_TEST(w.find("generic 'Prescott' kernels") != std::string::npos);
  BOOST_TEST(w.find("AVX-512") != std::string::npos);
  BOOST_TEST(w.find("OPENBLAS_CORETYPE=SkylakeX") != std::string::npos);
  BOOST_TEST(kernels_warning("Nehalem", "Haswell").find("AVX2") != std::string::npos);
  BOOST_TEST(kernels_warning("Cooperlake", "SkylakeX").empty());  // a core OpenBLAS knows
  BOOST_TEST(kernels_warning("Zen", "Haswell").empty());
  BOOST_TEST(kernels_warning("Prescott", "").empty());  // the CPU has nothing better to offer
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_backend_device_choice
