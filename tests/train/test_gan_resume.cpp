// Snapshots and resuming: a run cut at a snapshot and resumed in a fresh trainer ends bit for bit
// where the uninterrupted run ends; a non-finite loss stops training and keeps the last good snapshot;
// a run writes its log, plot, grids and snapshots.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/io/report.hpp"
#include "acne/train/gan_trainer.hpp"
#include "support/gan_test_util.hpp"

namespace test_train_gan_resume {

using namespace acne;
using namespace acne::train;
using namespace acne_gan_test;
namespace fs = std::filesystem;

namespace {

bool bit_identical(const tensor<float>& a, const tensor<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

std::size_t count_files(const fs::path& dir, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gan_resume)

BOOST_AUTO_TEST_CASE(resumed_run_equals_uninterrupted_run) {
  scratch_dir straight_dir("gan-straight"), cut_dir("gan-cut");
  phantom_source data(3, 16);  // 6 images, 12 with flips: the 8 minibatches of 4 cross epochs
  std::ostringstream log;

  auto o = tiny_options(straight_dir.path());
  o.total_kimg = 0.032;  // 8 minibatches
  o.g_reg_interval = 3;  // regularisation phases on both sides of the cut
  o.d_reg_interval = 3;
  o.style_mixing_prob = 0.5;
  gan_trainer<float> straight(o, data.source(), log);
  straight.train();
  BOOST_REQUIRE(straight.state().batch_idx == 8u);

  o.out_dir = cut_dir.path().string();
  o.total_kimg = 0.016;  // the first 4 minibatches, then a snapshot
  fs::path snapshot;
  {
    gan_trainer<float> first(o, data.source(), log);
    snapshot = first.train().last_snapshot;
  }
  BOOST_REQUIRE(fs::is_regular_file(snapshot));
  o.total_kimg = 0.032;
  gan_trainer<float> second(o, data.source(), log);  // fresh networks, optimizers and stream
  second.resume(snapshot);
  BOOST_TEST(second.state().batch_idx == 4u);
  second.train();

  BOOST_TEST(second.state().batch_idx == 8u);
  BOOST_TEST(second.state().loader_position == straight.state().loader_position);
  BOOST_TEST(bit_identical(second.G().parameters(), straight.G().parameters()));
  BOOST_TEST(bit_identical(second.D_net().parameters(), straight.D_net().parameters()));
  BOOST_TEST(bit_identical(second.G_ema().parameters(), straight.G_ema().parameters()));
  for (std::size_t i = 0; i < 2; ++i) {
    BOOST_TEST(bit_identical(second.G_opt().state()[i], straight.G_opt().state()[i]));
    BOOST_TEST(bit_identical(second.D_opt().state()[i], straight.D_opt().state()[i]));
  }
  BOOST_TEST(second.G_opt().steps() == straight.G_opt().steps());
  BOOST_TEST(second.state().pl_mean == straight.state().pl_mean);
  // The resumed log holds the first run's ticks and its own, numbered on.
  const auto& ticks = second.ticks().records();
  BOOST_REQUIRE(!ticks.empty());
  for (std::size_t i = 1; i < ticks.size(); ++i) BOOST_TEST(ticks[i].tick == ticks[i - 1].tick + 1);
  BOOST_TEST(ticks.back().kimg == 0.032);
  // The control: a different seed does not give the same parameters.
  o.out_dir = (cut_dir.path() / "other").string();
  o.seed = 1001;
  o.total_kimg = 0.008;
  gan_trainer<float> other(o, data.source(), log);
  other.train();
  BOOST_TEST(!bit_identical(other.G().parameters(), straight.G().parameters()));
}

BOOST_AUTO_TEST_CASE(run_writes_log_plot_grids_and_snapshots) {
  scratch_dir dir("gan-files");
  phantom_source data(2, 16);
  auto o = tiny_options(dir.path());
  o.total_kimg = 0.012;  // 3 minibatches, one tick each
  o.image_snapshot_ticks = 2;
  o.network_snapshot_ticks = 2;
  o.fid_images = 8;
  o.fid_ticks = 1;
  o.fid_batch = 4;
  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);
  const auto result = t.train();
  const auto& p = dir.path();
  for (const char* f : {"options.json", "log.csv", "fid.png", "reals.png", "fakes_init.png", "fakes-000000.png",
                        "fakes-000002.png", "network-snapshot-000000.safetensors", "network-snapshot-000002.safetensors"})
    BOOST_TEST(fs::is_regular_file(p / f), f);
  BOOST_TEST(!fs::exists(p / "fakes-000001.png"));
  BOOST_TEST(!fs::exists(p / "network-snapshot-000001.safetensors"));
  BOOST_TEST(result.last_snapshot == snapshot_path(p, 2));
  BOOST_TEST(find_latest_snapshot(p).value() == snapshot_path(p, 2));
  BOOST_TEST(count_files(p, "fid-stats-random-conv-v1") == 1u);
  // One CSV row per tick, each with its FID.
  const std::string csv = io::read_text_file(p / "log.csv");
  BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 4);
  BOOST_TEST(csv.find(",random-conv-v1\n") != std::string::npos);
  BOOST_TEST(t.ticks().records().size() == 3u);
  for (const auto& r : t.ticks().records()) BOOST_TEST((r.fid && std::isfinite(*r.fid) && *r.fid > 0));
  // The terminal line names the extractor with the FID.
  BOOST_TEST(log.str().find("fid ") != std::string::npos);
  BOOST_TEST(log.str().find("(random-conv-v1)") != std::string::npos);
  BOOST_TEST(log.str().find("tick 2 ") != std::string::npos);
  // The snapshot records where the run stood.
  const auto info = read_snapshot_info(snapshot_path(p, 2));
  BOOST_TEST(info.state.tick == 2u);
  BOOST_TEST(info.state.cur_nimg == 12u);
  BOOST_TEST(info.state.loader_position == 12u);
  BOOST_TEST(info.options.to_json() == o.to_json());
  BOOST_TEST(info.ticks.size() == 3u);
  // Rerun after it finished: nothing is trained, and the finished run's snapshot is the result.
  std::ostringstream rerun_log;
  gan_trainer<float> rerun(o, data.source(), rerun_log);
  rerun.resume(snapshot_path(p, 2));
  const auto again = rerun.train();
  BOOST_TEST(again.last_snapshot == snapshot_path(p, 2));
  BOOST_TEST(again.state.cur_nimg == 12u);
  BOOST_TEST(again.best_fid.has_value());
  BOOST_TEST(rerun_log.str().find("already reached total_kimg") != std::string::npos);
  BOOST_TEST(!fs::exists(p / "network-snapshot-000003.safetensors"));
}

BOOST_AUTO_TEST_CASE(nan_stops_training_and_keeps_the_last_good_snapshot) {
  scratch_dir dir("gan-nan");
  phantom_source data(2, 16);
  auto o = tiny_options(dir.path());
  o.total_kimg = 0.04;
  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);
  // A poisoned real image in minibatch 3.
  t.on_real_batch = [](std::uint64_t minibatch, tensor<float>& reals) {
    if (minibatch == 3) reals[5] = std::numeric_limits<float>::quiet_NaN();
  };
  std::string message;
  try {
    t.train();
  } catch (const gan_diverged& e) {
    message = e.what();
  }
  BOOST_TEST_MESSAGE(message);
  BOOST_REQUIRE(!message.empty());
  BOOST_TEST(message.find("D loss") != std::string::npos);
  BOOST_TEST(message.find("minibatch 3") != std::string::npos);
  BOOST_TEST(message.find("network-snapshot-000002.safetensors") != std::string::npos);
  // Snapshots of ticks 0..2 exist, nothing after; the last one is finite and resumable.
  BOOST_TEST(find_latest_snapshot(dir.path()).value() == snapshot_path(dir.path(), 2));
  BOOST_TEST(!fs::exists(snapshot_path(dir.path(), 3)));
  gan_trainer<float> again(o, data.source(), log);
  again.resume(snapshot_path(dir.path(), 2));
  BOOST_TEST(std::isfinite(dot(again.G().parameters(), again.G().parameters())));
  BOOST_TEST(again.state().batch_idx == 3u);
  again.step();  // minibatch 3 without the poison trains
  BOOST_TEST(std::isfinite(dot(again.D_net().parameters(), again.D_net().parameters())));
}

BOOST_AUTO_TEST_CASE(snapshot_of_another_config_is_refused) {
  scratch_dir dir("gan-mismatch");
  phantom_source data(2, 16);
  auto o = tiny_options(dir.path());
  o.total_kimg = 0.004;
  std::ostringstream log;
  gan_trainer<float> t(o, data.source(), log);
  const auto snap = t.train().last_snapshot;
  o.config.mapping_layers = 3;
  gan_trainer<float> other(o, data.source(), log);
  BOOST_CHECK_THROW(other.resume(snap), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_gan_resume
