// StyleGAN2's logistic loss as a backend op: the loss, the mean logit and the scaled gradient
// against the closed forms, stable for logits far from 0.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "acne/backend/cpu.hpp"

namespace test_backend_logistic_loss {

using namespace acne;

BOOST_AUTO_TEST_SUITE(logistic_loss_op)

BOOST_AUTO_TEST_CASE(loss_gradient_and_score_for_real_and_fake) {
  const std::vector<double> x = {-3.0, -0.25, 0.0, 1.5, 40.0, -800.0};
  tensor<double> logits({x.size(), 1, 1, 1}), grad;
  for (std::size_t i = 0; i < x.size(); ++i) logits[i] = x[i];
  const double n = double(x.size()), gain = 4;
  for (bool real : {true, false}) {
    const auto r = logistic_loss(logits, real, gain, grad);
    double loss = 0, mean = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double s = real ? -x[i] : x[i];  // softplus(s) = log(1 + e^s); for s = 800 it is s itself
      loss += (s > 30 ? s : std::log1p(std::exp(s))) / n;
      mean += x[i] / n;
      const double sigmoid = 1 / (1 + std::exp(-s));
      BOOST_TEST(grad[i] == (real ? -1 : 1) * sigmoid / n * gain, boost::test_tools::tolerance(1e-12));
    }
    BOOST_TEST(r.loss == loss, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(r.mean_logit == mean, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(std::isfinite(r.loss));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_backend_logistic_loss
