// The training loop's bookkeeping: lazy-regularisation phases, intervals, gains and the mb_ratio
// corrections of lr and betas; the G EMA; Freeze-D; options that survive a JSON round trip.
#include <cmath>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/train/gan_trainer.hpp"
#include "support/gan_test_util.hpp"

namespace test_train_gan_bookkeeping {

using namespace acne;
using namespace acne::train;
using namespace acne_gan_test;

BOOST_AUTO_TEST_SUITE(gan_bookkeeping)

BOOST_AUTO_TEST_CASE(defaults_are_the_papers_table_1) {
  const gan_options o;
  BOOST_TEST(o.g_lr == 0.002);
  BOOST_TEST(o.d_lr == 0.002);
  BOOST_TEST(o.batch == 32u);
  BOOST_TEST(o.batch_gpu == 4u);
  BOOST_TEST(o.rounds() == 8u);
  BOOST_TEST(o.seed == 1000u);
  BOOST_TEST(o.image_snapshot_ticks == 10u);
  BOOST_TEST(o.network_snapshot_ticks == 10u);
  BOOST_TEST(o.total_kimg == 25000);
  BOOST_TEST(o.mirror);
  BOOST_TEST(o.kimg_per_tick == 4);
  BOOST_TEST(o.beta1 == 0);
  BOOST_TEST(o.beta2 == 0.99);
  BOOST_TEST(o.eps == 1e-8);
  BOOST_TEST(o.d_reg_interval == 16u);
  BOOST_TEST(o.g_reg_interval == 4u);
  BOOST_TEST(o.pl_weight == 2);
  BOOST_TEST(o.pl_decay == 0.01);
  BOOST_TEST(o.pl_batch_shrink == 2u);
  BOOST_TEST(o.style_mixing_prob == 0.9);
  BOOST_TEST(o.ema_kimg == 10);
}

BOOST_AUTO_TEST_CASE(mb_ratio_corrects_lr_and_betas) {
  BOOST_TEST(mb_ratio(16) == 16.0 / 17.0);
  BOOST_TEST(mb_ratio(4) == 0.8);
  BOOST_TEST(mb_ratio(0) == 1.0);
  BOOST_TEST(lazy_lr(0.002, 16) == 0.002 * 16 / 17, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(lazy_beta(0.99, 4) == std::pow(0.99, 0.8), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(lazy_beta(0.0, 16) == 0.0);
}

BOOST_AUTO_TEST_CASE(phases_follow_the_reference) {
  gan_options o;
  auto p = make_phases(o);
  BOOST_REQUIRE(p.size() == 4u);
  BOOST_TEST(p[0].name == "Gmain");
  BOOST_TEST(p[1].name == "Greg");
  BOOST_TEST(p[1].interval == 4u);
  BOOST_TEST(p[1].gain == 4.0);
  BOOST_TEST(p[2].name == "Dmain");
  BOOST_TEST(p[2].gain == 1.0);
  BOOST_TEST(p[3].name == "Dreg");
  BOOST_TEST(p[3].interval == 16u);
  BOOST_TEST(p[3].gain == 16.0);
  o.g_reg_interval = 0;  // no lazy regularisation: one phase regularises every step at gain 1
  o.r1_gamma = 0;        // no R1: no Dreg phase
  p = make_phases(o);
  BOOST_REQUIRE(p.size() == 2u);
  BOOST_TEST(p[0].name == "Gboth");
  BOOST_TEST((p[0].main && p[0].reg && p[0].gain == 1.0));
  BOOST_TEST(p[1].name == "Dmain");
}

// The optimizers a trainer builds, and how often each phase runs and steps them.
BOOST_AUTO_TEST_CASE(trainer_runs_phases_at_their_intervals) {
  scratch_dir dir("gan-bookkeeping");
  phantom_source data(4, 16);
  auto o = tiny_options(dir.path());
  o.g_reg_interval = 4;
  o.d_reg_interval = 16;
  o.g_lr = 0.003;
  o.d_lr = 0.001;
  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);
  BOOST_TEST(t.G_opt().learning_rate() == 0.003 * 0.8, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(t.D_opt().learning_rate() == 0.001 * 16 / 17, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(t.G_opt().policy().beta1 == 0.0);
  BOOST_TEST(t.G_opt().policy().beta2 == std::pow(0.99, 0.8), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(t.D_opt().policy().beta2 == std::pow(0.99, 16.0 / 17.0), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(t.D_opt().policy().eps == 1e-8);
  for (int i = 0; i < 17; ++i) t.step();
  // Minibatches 0..16: Greg at 0, 4, 8, 12, 16; Dreg at 0 and 16.
  BOOST_TEST(t.phase_counts().at("Gmain") == 17u);
  BOOST_TEST(t.phase_counts().at("Greg") == 5u);
  BOOST_TEST(t.phase_counts().at("Dmain") == 17u);
  BOOST_TEST(t.phase_counts().at("Dreg") == 2u);
  BOOST_TEST(t.G_opt().steps() == 22u);  // main and reg share one optimizer
  BOOST_TEST(t.D_opt().steps() == 19u);
  BOOST_TEST(t.state().cur_nimg == 17u * 4u);
  BOOST_TEST(t.state().batch_idx == 17u);
  BOOST_TEST(t.state().pl_mean > 0.0);  // updated by the path-length phases
}

BOOST_AUTO_TEST_CASE(ema_beta_has_the_configured_half_life) {
  // beta^(images / batch) = 1/2 after ema_kimg thousand images.
  const double beta = ema_beta(32, 10);
  BOOST_TEST(beta == std::pow(0.5, 32.0 / 10000.0), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(std::pow(beta, 10000.0 / 32.0) == 0.5, boost::test_tools::tolerance(1e-12));
  // Ramp-up: the half-life is at most cur_nimg * rampup images.
  BOOST_TEST(ema_beta(32, 10, 1000, 0.05) == std::pow(0.5, 32.0 / 50.0), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(ema_beta(32, 10, 1'000'000, 0.05) == beta, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(ema_beta(4, 0) == 0.0);  // no averaging: G_ema is G
}

BOOST_AUTO_TEST_CASE(ema_follows_parameters_and_copies_state) {
  using gnet = network<stylegan2::generator<float>>;
  const auto c = tiny_config();
  gnet g{stylegan2::generator<float>(c)}, ema{stylegan2::generator<float>(c)};
  g.setup({1, c.z_dim, 1, 1}, 1);
  ema.setup({1, c.z_dim, 1, 1}, 2);
  const tensor<float> before = ema.parameters();
  update_ema(ema, g, 0.75);
  std::size_t trained = 0, state = 0;
  for (const auto& s : g.slots())
    for (std::size_t i = 0; i < s.shape.size(); ++i) {
      const float p = g.parameters()[s.offset + i], e = ema.parameters()[s.offset + i];
      if (s.trainable()) {
        BOOST_TEST(e == 0.25f * p + 0.75f * before[s.offset + i], boost::test_tools::tolerance(1e-6f));
        ++trained;
      } else {
        BOOST_TEST(e == p);  // w_avg and noise_const are copied
        ++state;
      }
    }
  BOOST_TEST(trained > 0u);
  BOOST_TEST(state > 0u);
}

BOOST_AUTO_TEST_CASE(freeze_d_counts_layers_as_the_reference) {
  auto c = tiny_config(32);
  // Top block: fromrgb, conv0, conv1, skip; then 3 per block; the 4x4 epilogue never.
  const auto five = freeze_d_prefixes(c, 5);
  const std::vector<std::string> expected{"b32.fromrgb.", "b32.conv0.", "b32.conv1.", "b32.skip.", "b16.conv0."};
  BOOST_TEST(five == expected, boost::test_tools::per_element());
  BOOST_TEST(freeze_d_prefixes(c, 10).size() == 10u);  // 4 + 3 + 3 layers in b32, b16, b8
  BOOST_CHECK_THROW(freeze_d_prefixes(c, 11), acne::error);

  scratch_dir dir("gan-freeze");
  phantom_source data(2, 16);
  auto o = tiny_options(dir.path(), 32);
  o.config = c;
  o.freeze_d = 4;
  o.train_only = {"G.synthesis.b32"};
  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);
  for (const auto& s : t.D_net().slots())
    if (s.trainable()) BOOST_TEST(s.frozen == (s.name.rfind("b32.", 0) == 0), s.name);
  for (const auto& s : t.G().slots())
    if (s.trainable()) BOOST_TEST(s.frozen == (s.name.rfind("synthesis.b32.", 0) != 0), s.name);
  // Frozen parameters do not move; the others do.
  const tensor<float> g0 = t.G().parameters(), d0 = t.D_net().parameters();
  t.step();
  bool moved_trained = false;
  for (const auto& s : t.D_net().slots()) {
    if (!s.trainable()) continue;
    bool moved = false;
    for (std::size_t i = 0; i < s.shape.size(); ++i) moved = moved || t.D_net().parameters()[s.offset + i] != d0[s.offset + i];
    if (s.frozen) BOOST_TEST(!moved, s.name);
    moved_trained = moved_trained || (!s.frozen && moved);
  }
  BOOST_TEST(moved_trained);
  for (const auto& s : t.G().slots())
    if (s.frozen)
      for (std::size_t i = 0; i < s.shape.size(); ++i) BOOST_REQUIRE(t.G().parameters()[s.offset + i] == g0[s.offset + i]);

  o.freeze = {"D.b99"};  // a typo must not silently freeze nothing
  BOOST_CHECK_THROW((gan_trainer<float>(o, data.source(), log)), acne::error);
}

BOOST_AUTO_TEST_CASE(options_survive_json) {
  gan_options o;
  o.config = tiny_config(16);
  o.g_lr = 0.0025;
  o.batch = 12;
  o.batch_gpu = 3;
  o.mirror = false;
  o.freeze = {"G.mapping"};
  o.freeze_d = 3;
  o.fid_images = 500;
  o.dataset = {{"kind", "phantom"}, {"class", "mild"}};
  const auto back = gan_options::from_json(nlohmann::json::parse(o.to_json().dump()));
  BOOST_TEST(back.to_json() == o.to_json());
  BOOST_TEST(back.config.resolution == 16u);
  BOOST_TEST(back.rounds() == 4u);
  o.batch = 10;  // not a multiple of batch_gpu
  BOOST_CHECK_THROW(o.validate(), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_gan_bookkeeping
