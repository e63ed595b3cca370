// DFDNet training (train/dfdnet_trainer.hpp) at widths / 16 on phantom faces aligned to DFDNet's
// template: the losses fall, a run stopped and resumed from its checkpoints takes the same steps as
// one that never stopped, the checkpoints load back, held-out faces are scored against their
// degraded inputs, and a batch takes the draws of as many one-face steps.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "acne/train/dfdnet_phantom_faces.hpp"
#include "acne/train/dfdnet_trainer.hpp"
#include "support/scratch_dir.hpp"
#include "support/single_thread.hpp"

namespace test_train_dfdnet_trainer {

using namespace acne;
using namespace acne::dfdnet;

namespace {

struct setup {
  network<generator<float>> g{generator<float>({.width_divisor = 16})};
  component_dictionaries<float> dicts;
  setup(const std::vector<dictionary_face>& faces) {
    g.setup({1, 3, 512, 512}, 6);
    network<vgg19_features<float>> vgg{with_name(vgg19_features<float>(16), "VggExtract")};
    vgg.setup({1, 3, 512, 512});
    copy_generator_vgg(g, vgg);
    std::ostringstream log;
    dicts = build_dictionaries(vgg, faces, {.atoms = 4}, log);
  }
};

train_options options(const acne::test::scratch_dir& dir, std::size_t steps) {
  return {.steps = steps, .lr = 1e-3, .discriminator_width = 4, .seed = 3, .log_every = 5, .checkpoint_every = 4,
          .out = dir.path()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_trainer)

BOOST_AUTO_TEST_CASE(losses_fall_and_held_out_faces_are_scored) {
  const acne::test::single_thread one_thread;
  const auto faces = aligned_phantom_faces(6, 1), held_out = aligned_phantom_faces(2, 2);
  setup s(faces);
  acne::test::scratch_dir dir;
  std::ostringstream log;
  trainer<cpu> t(s.g, s.dicts, faces, options(dir, 24), log);
  const auto before = t.evaluate(held_out);
  t.run();
  const auto after = t.evaluate(held_out);
  BOOST_TEST_MESSAGE(log.str());
  const auto mean_pixel = [&](std::size_t from, std::size_t to) {
    double m = 0;
    for (std::size_t i = from; i < to; ++i) m += t.history()[i].pixel / double(to - from);
    return m;
  };
  // Measured (2026-12-06, one thread): pixel loss 0.40 over the first six steps, 0.35 over the last
  // six; held-out PSNR 12.6 -> 13.3 dB, against 29.3 dB for the degraded inputs themselves: 24 steps
  // of a 16-times narrower network start the descent, they do not restore faces.
  BOOST_TEST(mean_pixel(18, 24) < 0.9 * mean_pixel(0, 6));
  BOOST_TEST(after.restored_psnr > before.restored_psnr + 0.3);
  BOOST_TEST(after.degraded_psnr == before.degraded_psnr);  // the same degraded inputs
  BOOST_TEST_MESSAGE("held-out PSNR: restored " << before.restored_psnr << " -> " << after.restored_psnr
                                                << " dB after 24 steps; degraded inputs " << after.degraded_psnr << " dB");
  BOOST_TEST(std::filesystem::exists(dir / "log.csv"));
  BOOST_TEST(log.str().find("step 20/24") != std::string::npos);
}

// With the three losses, with the pixel loss alone, which trains no discriminator (its checkpoint
// then holds no Adam state, and a resume must not ask for one), and with the cosine schedule, whose
// learning rate a resumed run must take up where it was.
BOOST_AUTO_TEST_CASE(a_resumed_run_takes_the_same_steps) {
  const acne::test::single_thread one_thread;
  const auto faces = aligned_phantom_faces(3, 4);
  std::vector<float> cosine_run, constant_run;
  for (const auto& run : {std::pair{false, lr_schedule::constant}, std::pair{true, lr_schedule::constant},
                          std::pair{false, lr_schedule::cosine}}) {
    const bool pixel_only = run.first;
    const lr_schedule schedule = run.second;
    BOOST_TEST_CONTEXT("pixel loss only: " << pixel_only << ", cosine: " << (schedule == lr_schedule::cosine)) {
      const auto with_losses = [&](train_options o) {
        if (pixel_only) o.perceptual_weight = o.adversarial_weight = 0;
        o.schedule = schedule;
        return o;
      };
      acne::test::scratch_dir whole, parts;
      std::ostringstream log;
      setup a(faces), b(faces);
      trainer<cpu>(a.g, a.dicts, faces, with_losses(options(whole, 6)), log).run();
      trainer<cpu>(b.g, b.dicts, faces, with_losses(options(parts, 6)), log).run_to(4);  // stopped after step 4
      setup c(faces);  // a fresh generator: everything comes from the checkpoints
      auto resumed = with_losses(options(parts, 6));
      resumed.resume = true;
      trainer<cpu> t(c.g, c.dicts, faces, resumed, log);
      BOOST_TEST(t.step() == 4u);
      t.run();
      double worst = 0;
      for (std::size_t i = 0; i < a.g.parameters().size(); ++i)
        worst = std::max(worst, double(std::abs(a.g.parameters()[i] - c.g.parameters()[i])));
      BOOST_TEST(worst == 0.0);
      BOOST_TEST((t.history().back().adversarial == 0) == pixel_only);
      auto& finished = schedule == lr_schedule::cosine ? cosine_run : constant_run;
      if (!pixel_only) finished.assign(c.g.parameters().begin(), c.g.parameters().end());
      auto missing = with_losses(options(parts, 6));
      missing.out = parts / "nowhere";
      missing.resume = true;
      BOOST_CHECK_THROW(trainer<cpu>(c.g, c.dicts, faces, missing, log), acne::error);
    }
  }
  // The schedule is applied: the same six steps at decaying rates end elsewhere.
  BOOST_TEST_REQUIRE(cosine_run.size() == constant_run.size());
  BOOST_TEST(cosine_run != constant_run);
}

// Step s of a batch of B faces takes draws s * B to s * B + B - 1, each loss a mean over them: with
// the weights held (learning rates 0), step 10 of two faces has the mean pixel loss of one-face
// steps 20 and 21. Each training forward also takes one power-iteration step of the spectral norms,
// which moves the weights those forwards see: the loss by 0.4 % from the first step to the second,
// by 0.04 % from step 10 to 20 (measured), so the steps compared come after ten or more.
BOOST_AUTO_TEST_CASE(a_batch_is_the_draws_of_as_many_one_face_steps) {
  const acne::test::single_thread one_thread;
  const auto faces = aligned_phantom_faces(3, 4);
  const auto held = [](train_options o, std::size_t batch) {
    o.lr = o.discriminator_lr = 0;
    o.perceptual_weight = o.adversarial_weight = 0;
    o.batch = batch;
    return o;
  };
  acne::test::scratch_dir one_dir, two_dir;
  std::ostringstream log;
  setup a(faces), b(faces);
  trainer<cpu> one(a.g, a.dicts, faces, held(options(one_dir, 22), 1), log),
      two(b.g, b.dicts, faces, held(options(two_dir, 11), 2), log);
  one.run();
  two.run();
  const auto& h = one.history();
  const double mean = (h[20].pixel + h[21].pixel) / 2;
  BOOST_TEST(std::abs(h[20].pixel - h[21].pixel) > 0.02 * mean);  // two draws, far apart against the tolerance
  BOOST_TEST(two.history()[10].pixel == mean, boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_dfdnet_trainer
