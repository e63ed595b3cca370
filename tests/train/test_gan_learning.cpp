// The learning test: a reduced StyleGAN2 (16 px, at most 32 feature maps, 2 mapping layers),
// trained by the full loop (lazy R1 and path length, style mixing, EMA, mirroring) on phantom faces
// for 150 minibatches of 8 on the CPU, must bring the FID of its G_ema (random-conv-v1 features, the
// weight-free extractor) far below that of the untrained generator.
#include <chrono>
#include <cmath>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/train/gan_trainer.hpp"
#include "support/gan_test_util.hpp"

namespace test_train_gan_learning {

using namespace acne;
using namespace acne::train;
using namespace acne_gan_test;

BOOST_AUTO_TEST_SUITE(gan_learning)

BOOST_AUTO_TEST_CASE(fid_falls_well_below_the_untrained_generators) {
  single_thread one_thread;
  const auto start = std::chrono::steady_clock::now();
  scratch_dir dir("gan-learning");
  phantom_source data(100, 16, 7, {data::acne_class::healthy, data::acne_class::mild, data::acne_class::severe});

  gan_options o;
  o.config = tiny_config(16, 32, 32);
  o.config.channel_base = 32768;  // channel_max decides: 32 feature maps at every resolution
  o.batch = 8;
  o.batch_gpu = 4;                // two rounds of gradient accumulation
  o.total_kimg = 1.2;             // 150 minibatches
  o.kimg_per_tick = 0.4;
  o.g_lr = o.d_lr = 0.0025;
  o.r1_gamma = 0.1;               // gamma scales with resolution^2: 10 at 1024 px is ~0.01-0.1 at 16 px
  o.ema_kimg = 0.2;               // a half-life the short run can see (the default is 10 kimg)
  o.fid_images = 256;
  o.fid_ticks = 1000;             // FID at the last tick only
  o.image_snapshot_ticks = 0;
  o.network_snapshot_ticks = 0;
  o.out_dir = dir.path().string();
  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);

  const double untrained = t.evaluate_fid();
  const auto result = t.train();
  BOOST_TEST_MESSAGE(log.str());
  BOOST_REQUIRE(!t.ticks().records().empty());
  const auto& last = t.ticks().records().back();
  BOOST_REQUIRE(last.fid.has_value());
  const double trained = *last.fid;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("FID (" << t.fid_extractor_name() << "): untrained " << untrained << ", after "
                             << t.state().batch_idx << " minibatches " << trained << "; " << seconds << " s");
  BOOST_TEST(t.state().batch_idx == 150u);
  BOOST_TEST(t.fid_extractor_name() == "random-conv-v1");
  BOOST_TEST(std::isfinite(untrained));
  BOOST_TEST(trained < 0.4 * untrained);
  // Both players stayed in the game: D separates reals from fakes, but not perfectly.
  BOOST_TEST(last.score_real > last.score_fake);
  BOOST_TEST(last.loss_d > 0.05);
  BOOST_TEST(result.best_fid.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_gan_learning
