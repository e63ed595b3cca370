// Negative data augmentation in StyleGAN2 training: D's Dmain gradient with negatives against
// central differences of the Dmain loss in double, the negatives' share of that loss against D's
// own logits, and a trainer that reads its negatives from its options and says so.
#include <cmath>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/train/gan_trainer.hpp"
#include "acne/train/stylegan2_loss.hpp"
#include "support/gan_test_util.hpp"
#include "support/stylegan_test_util.hpp"

namespace test_train_negative_data {

using namespace acne;
using namespace acne::train;
using acne_stylegan_test::random_tensor;
using acne_stylegan_test::randomize_parameters;
using T = double;

namespace {

stylegan2::config tiny() {
  stylegan2::config c;
  c.resolution = 8;
  c.z_dim = 6, c.w_dim = 5, c.mapping_layers = 2;
  c.channel_base = 24, c.channel_max = 5;
  c.mbstd_group = 2;
  return c;
}

double mean_softplus(const tensor<T>& logits) {
  double s = 0;
  for (T x : logits) s += std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
  return s / double(logits.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(negative_data)

BOOST_AUTO_TEST_CASE(dmain_gradient_includes_the_negatives) {
  gan_options o;
  o.config = tiny();
  o.style_mixing_prob = 0;
  o.negative_weight = 0.7;
  network<stylegan2::generator<T>> g{stylegan2::generator<T>(o.config, {.style_mixing_prob = 0})};
  network<stylegan2::discriminator<T>> d{stylegan2::discriminator<T>(o.config)};
  g.setup({1, o.config.z_dim, 1, 1}, 1);
  d.setup({1, 3, 8, 8}, 2);
  randomize_parameters(d, 3, 0.5);
  const auto z = random_tensor({2, o.config.z_dim, 1, 1}, 4);
  const auto real = random_tensor({2, 3, 8, 8}, 5, 0.5), negative = random_tensor({2, 3, 8, 8}, 6, 0.5);
  const gan_phase dmain{"Dmain", false, true, false, 1, 1.0, 2};

  // The Dmain loss of one round, as the loss reports it (its gradient goes into D, then dropped).
  const auto loss_of = [&](const tensor<T>* neg) {
    stylegan2_loss<T, cpu> loss(g, d, o);
    d.zero_grad();
    loss.accumulate(dmain, 0, 0, z, real, neg);
    return loss.sums.d;
  };
  const double without = loss_of(nullptr);
  const tensor<T> gradient_without = d.gradients();
  const double with = loss_of(&negative);
  const tensor<T> gradient = d.gradients();

  // The negatives join as fakes: their share is the weight times softplus of D's logits.
  const double share = o.negative_weight * mean_softplus(d.forward(negative));
  BOOST_TEST(share > 0.1);
  BOOST_TEST(with - without == share, boost::test_tools::tolerance(1e-10));

  // Central differences of the whole loss over a sample of D's parameters; the negatives move them.
  auto& p = d.parameters();
  double worst = 0, largest = 0, moved = 0;
  for (std::size_t i = 0; i < p.size(); i += 7) {
    const double saved = p[i], h = 1e-6 * std::max(1.0, std::fabs(saved));
    p[i] = saved + h;
    const double up = loss_of(&negative);
    p[i] = saved - h;
    const double down = loss_of(&negative);
    p[i] = saved;
    const double numeric = (up - down) / (2 * h);
    worst = std::max(worst, std::fabs(numeric - gradient[i]));
    largest = std::max(largest, std::fabs(numeric));
    moved = std::max(moved, std::fabs(gradient[i] - gradient_without[i]));
  }
  BOOST_TEST_MESSAGE("  Dmain with negatives: largest derivative " << largest << ", worst error " << worst / largest
                                                                   << ", largest change from the negatives " << moved);
  BOOST_TEST(worst / largest < 1e-6);
  BOOST_TEST(moved > 1e-3 * largest);
}

BOOST_AUTO_TEST_CASE(trainer_reads_its_negatives_from_the_options) {
  acne_gan_test::scratch_dir dir("gan-negatives");
  acne_gan_test::phantom_source data(4, 16);
  auto o = acne_gan_test::tiny_options(dir.path());
  o.negative_weight = 2;
  BOOST_CHECK_THROW(o.validate(), acne::error);  // a weight without negatives
  o.negatives = phantom_dataset_description(std::vector<std::string>{"healthy", "moderate"}, 3, 11);
  o.validate();
  o.negative_weight = -1;
  BOOST_CHECK_THROW(o.validate(), acne::error);
  o.negative_weight = 2;
  BOOST_TEST(gan_options::from_json(o.to_json()).to_json() == o.to_json());

  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);
  t.train();
  BOOST_TEST(log.str().find("6 negative images (weight 2)") != std::string::npos, log.str());
  BOOST_TEST(t.phase_counts().at("Dmain") == 4u);

  // The same run without negatives trains D differently from the first minibatch on.
  auto plain = o;
  plain.negative_weight = 0;
  plain.out_dir = (dir.path() / "plain").string();
  std::ostringstream plain_log;
  gan_trainer<float> u(plain, data.source(), plain_log);
  u.train();
  BOOST_TEST(plain_log.str().find("negative") == std::string::npos);
  double difference = 0;
  for (std::size_t i = 0; i < t.D_net().parameters().size(); ++i)
    difference = std::max(difference, double(std::fabs(t.D_net().parameters()[i] - u.D_net().parameters()[i])));
  BOOST_TEST(difference > 1e-4);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_negative_data
