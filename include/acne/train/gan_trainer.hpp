#pragma once
// StyleGAN2 training as the official loop runs it (stylegan2-ada-pytorch's training_loop.py and
// loss.py, cfg 'stylegan2'), for any device:
//   per minibatch, the phases Gmain, Greg, Dmain, Dreg (Greg every g_reg_interval minibatches,
//   Dreg every d_reg_interval, their losses scaled by the interval; with interval 0 a "both" phase
//   regularises in every step). Each phase zeroes its network's gradients, accumulates them over
//   batch / batch_gpu rounds of batch_gpu images, and takes one Adam step; G and D have one Adam
//   each, shared by their main and reg phases, with lr and betas corrected by k / (k + 1).
//   Losses: non-saturating logistic (softplus), R1 on reals (gamma / 2 |dD/dx|^2), path length on
//   batch_gpu / pl_batch_shrink latents; style mixing inside the generator; then the G EMA.
//   Every tick (kimg_per_tick thousand images, and after the first minibatch) prints a line, writes
//   log.csv and fid.png, and, on their schedules, FID, an image grid of G_ema and a network snapshot.
//
// Reproducibility: all randomness is a function of (seed, minibatch, phase, round): latents, noise,
// style mixing, path-length noise, the real image stream. A run resumed from a snapshot therefore
// continues exactly as the uninterrupted run would have (bit for bit on the same machine).
//
// Divergence: a non-finite loss, penalty or gradient stops training with gan_diverged, naming the
// phase, minibatch and kimg, before anything is written: the last snapshot on disk stays the last
// good one.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "acne/data/loader.hpp"
#include "acne/io/plot.hpp"
#include "acne/io/report.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/optim/adam.hpp"
#include "acne/train/ema.hpp"
#include "acne/train/gan_data.hpp"
#include "acne/train/gan_options.hpp"
#include "acne/train/gan_snapshot.hpp"
#include "acne/train/gan_transfer.hpp"
#include "acne/train/stylegan2_regularizers.hpp"
#include "acne/train/tick_log.hpp"

namespace acne::train {

// Training stopped on a non-finite value.
class gan_diverged : public acne::error {
public:
  using acne::error::error;
};

struct gan_phase {
  std::string name;          // Gmain, Greg, Gboth, Dmain, Dreg, Dboth
  bool generator = true;     // the network it trains
  bool main = true, reg = false;
  std::size_t interval = 1;  // runs when minibatch % interval == 0
  double gain = 1;           // loss scale: the interval, so a lazy regulariser keeps its weight per image
  std::uint64_t stream = 0;  // keys its latents
};

// The reference's phase list: lazy regularisation is on for an interval > 0; a regularisation
// phase whose weight is 0 is left out (it would step the optimizer with no gradient).
inline std::vector<gan_phase> make_phases(const gan_options& o) {
  std::vector<gan_phase> phases;
  const auto add = [&](bool gen, std::size_t interval, bool reg_on, std::uint64_t stream) {
    const std::string n = gen ? "G" : "D";
    if (interval == 0) {
      phases.push_back({n + "both", gen, true, reg_on, 1, 1.0, stream});
      return;
    }
    phases.push_back({n + "main", gen, true, false, 1, 1.0, stream});
    if (reg_on) phases.push_back({n + "reg", gen, false, true, interval, double(interval), stream + 1});
  };
  add(true, o.g_reg_interval, o.pl_weight != 0, 0);
  add(false, o.d_reg_interval, o.r1_gamma != 0, 2);
  return phases;
}

struct gan_result {
  gan_state state;
  std::optional<tick_record> best_fid;
  std::filesystem::path last_snapshot;  // empty if none was written
  bool aborted = false;                 // stopped by abort_fn before total_kimg
};

template <class T = float, class D = cpu>
class gan_trainer {
public:
  using generator_net = network<stylegan2::generator<T, D>>;
  using discriminator_net = network<stylegan2::discriminator<T, D>>;

  // Called with each minibatch of reals (on the device) before it is used: augmentation, tests.
  std::function<void(std::uint64_t minibatch, tensor<T, D>& reals)> on_real_batch;
  // Polled after every minibatch; true ends the run as if total_kimg were reached (with a snapshot).
  std::function<bool()> abort_fn;

  gan_trainer(gan_options options, data::sample_source data, std::ostream& log = std::cout)
      : o_(validated(std::move(options))), log_(log),
        g_(stylegan2::generator<T, D>(o_.config, {.style_mixing_prob = o_.style_mixing_prob})),
        d_(stylegan2::discriminator<T, D>(o_.config)), g_ema_(stylegan2::generator<T, D>(o_.config)),
        g_opt_(lazy_lr(o_.g_lr, o_.g_reg_interval), lazy_beta(o_.beta1, o_.g_reg_interval),
               lazy_beta(o_.beta2, o_.g_reg_interval), o_.eps),
        d_opt_(lazy_lr(o_.d_lr, o_.d_reg_interval), lazy_beta(o_.beta1, o_.d_reg_interval),
               lazy_beta(o_.beta2, o_.d_reg_interval), o_.eps),
        stream_(std::move(data), o_.config.resolution, o_.mirror, o_.seed), phases_(make_phases(o_)) {
    const auto& c = o_.config;
    g_.setup({1, c.z_dim, 1, 1}, acne::mix_seed(o_.seed, 0x47 /* G */));
    d_.setup({1, c.img_channels, c.resolution, c.resolution}, acne::mix_seed(o_.seed, 0x44 /* D */));
    g_ema_.setup({1, c.z_dim, 1, 1}, 0);
    g_ema_.parameters() = g_.parameters();
    g_ema_.eval();
    frozen_g_ = apply_freezing(g_, "G", o_);
    frozen_d_ = apply_freezing(d_, "D", o_);
  }

  // Continues from a snapshot written by a run of the same config. Options that shape the training
  // stream should be the snapshot's; any that differ are listed in the log.
  void resume(const std::filesystem::path& snapshot) {
    const auto info = load_gan_snapshot(snapshot, g_, d_, g_ema_, g_opt_, d_opt_, o_.config);
    state_ = info.state;
    pl_.pl_mean = state_.pl_mean;
    log_records_ = tick_log::from_json(info.ticks);
    resumed_ = true;
    const auto mine = o_.to_json(), theirs = info.options.to_json();
    for (const auto& key : stream_differences(theirs, mine))
      log_ << "note: " << key << " = " << mine.value(key, nlohmann::json()).dump() << " differs from the snapshot's "
           << theirs.value(key, nlohmann::json()).dump() << ": the run will not repeat an uninterrupted one\n";
    log_ << "resumed from " << snapshot.string() << " at tick " << state_.tick << ", kimg " << double(state_.cur_nimg) / 1000
         << "\n";
  }

  // The FID extractor (recorded in the options); without one, random-conv-v1 (needs no weights,
  // not a standard FID) is built when options.fid_extractor names it.
  void set_fid_extractor(std::unique_ptr<metrics::feature_extractor> e) {
    o_.fid_extractor = e->name();
    extractor_ = std::move(e);
  }

  // Trains until total_kimg (or abort_fn), with a tick's maintenance after the first minibatch and
  // then every kimg_per_tick thousand images, as the reference does.
  gan_result train() {
    const std::filesystem::path out = o_.out_dir;
    start_run(out);
    gan_result result;
    if (resumed_ && state_.cur_nimg >= o_.total_nimg()) {
      log_ << "the snapshot already reached total_kimg " << o_.total_kimg << "\n";
      result.state = state_;
      return result;
    }
    log_ << "training for " << o_.total_kimg << " kimg\n";
    session_start_ = clock::now();
    seconds_before_ = state_.seconds;
    tick_ = {resumed_ ? state_.tick + 1 : 0, state_.cur_nimg, clock::now(), 0.0};
    for (;;) {
      step();
      const bool aborted = abort_fn && abort_fn();
      const bool done = state_.cur_nimg >= o_.total_nimg() || aborted;
      if (!done && tick_.index != 0 && state_.cur_nimg < tick_.start_nimg + o_.tick_nimg()) continue;
      const auto snapshot = end_tick(out, done);
      if (!snapshot.empty()) result.last_snapshot = snapshot;
      if (done) {
        result.aborted = aborted && state_.cur_nimg < o_.total_nimg();
        break;
      }
    }
    result.state = state_;
    result.best_fid = log_records_.best_fid();
    if (result.best_fid)
      log_ << "best FID " << *result.best_fid->fid << " (" << extractor_name() << ") at tick " << result.best_fid->tick << "\n";
    return result;
  }

  // One minibatch: every phase due at this minibatch, then the EMA.
  void step() {
    const auto& c = o_.config;
    const std::size_t bg = o_.batch_gpu, res = c.resolution;
    const auto host = stream_.batch(state_.loader_position, o_.batch);
    reals_.resize({o_.batch, c.img_channels, res, res});
    memory<D>::from_host(reals_.data(), host.data(), reals_.bytes());
    if (on_real_batch) on_real_batch(state_.batch_idx, reals_);
    for (const auto& ph : phases_) {
      if (state_.batch_idx % ph.interval != 0) continue;
      const auto phase_start = clock::now();
      ph.generator ? g_.zero_grad() : d_.zero_grad();
      z_.resize({o_.batch, c.z_dim, 1, 1});
      fill_normal(z_, acne::mix_seed(o_.seed, state_.batch_idx, 0x5A00 + ph.stream));
      g_.ctx().seed = acne::mix_seed(o_.seed, 0x47);
      for (std::size_t r = 0; r < o_.rounds(); ++r) accumulate(ph, r, z_.samples(r * bg, bg), reals_.samples(r * bg, bg));
      auto& grads = ph.generator ? g_.gradients() : d_.gradients();
      if (!std::isfinite(dot(grads, grads))) diverged(ph, "gradient", NAN);
      ph.generator ? g_opt_.step(g_) : d_opt_.step(d_);
      ++phase_counts_[ph.name];
      phase_seconds_[ph.name] += seconds(phase_start, clock::now());
    }
    update_ema(g_ema_, g_, ema_beta(o_.batch, o_.ema_kimg, state_.cur_nimg, o_.ema_rampup));
    state_.cur_nimg += o_.batch;
    state_.loader_position += o_.batch;
    ++state_.batch_idx;
    state_.pl_mean = pl_.pl_mean;
    state_.g_opt_steps = g_opt_.steps();
    state_.d_opt_steps = d_opt_.steps();
  }

  // FID of G_ema now (the dataset's statistics are computed on first use).
  double evaluate_fid() {
    if (real_stats_.count() == 0) prepare_fid(o_.out_dir);
    return fid();
  }
  const std::string& fid_extractor_name() const {
    static const std::string none;
    return extractor_ ? extractor_->name() : none;
  }

  // Writes network-snapshot-<tick>.safetensors into dir; refuses non-finite parameters.
  std::filesystem::path save_snapshot(const std::filesystem::path& dir, std::size_t tick) {
    for (auto* p : {&g_.parameters(), &d_.parameters(), &g_ema_.parameters()})
      if (!std::isfinite(dot(*p, *p)))
        throw gan_diverged("non-finite parameters at tick " + std::to_string(tick) + ": no snapshot written" + last_good());
    const auto path = snapshot_path(dir, tick);
    save_gan_snapshot(path, g_, d_, g_ema_, g_opt_, d_opt_, o_, state_, log_records_.to_json());
    last_snapshot_ = path;
    return path;
  }

  generator_net& G() { return g_; }
  discriminator_net& D_net() { return d_; }
  generator_net& G_ema() { return g_ema_; }
  adam<T, D>& G_opt() { return g_opt_; }
  adam<T, D>& D_opt() { return d_opt_; }
  const gan_state& state() const { return state_; }
  const gan_options& options() const { return o_; }
  const std::vector<gan_phase>& phases() const { return phases_; }
  const std::map<std::string, std::size_t>& phase_counts() const { return phase_counts_; }
  // Wall time per phase (on a GPU, up to the work still queued when the phase returned).
  std::map<std::string, double>& phase_seconds() { return phase_seconds_; }
  const tick_log& ticks() const { return log_records_; }
  real_image_stream& reals() { return stream_; }
  std::size_t frozen_g() const { return frozen_g_; }
  std::size_t frozen_d() const { return frozen_d_; }

private:
  using clock = std::chrono::steady_clock;
  static gan_options validated(gan_options o) {
    o.validate();
    return o;
  }
  static double seconds(clock::time_point a, clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
  static bool due(std::size_t tick, std::size_t every) { return every > 0 && tick % every == 0; }

  // The run folder: options, pretrained weights on a fresh start, the start images, FID statistics.
  void start_run(const std::filesystem::path& out) {
    std::filesystem::create_directories(out);
    io::write_json_file(out / "options.json", o_.to_json());
    if (!resumed_ && !o_.pretrained.empty())
      for (const auto& line : load_pretrained(o_.pretrained, g_, d_, g_ema_, o_.config)) log_ << "pretrained: " << line << "\n";
    describe();
    if (!resumed_) save_start_images(out);
    if (o_.fid_images > 0 && real_stats_.count() == 0) prepare_fid(out);
  }

  // A tick's maintenance: its record (FID when due), log.csv, fid.png and the terminal line, then
  // the image and network snapshots when due (always at the end). Returns the snapshot written, if any.
  std::filesystem::path end_tick(const std::filesystem::path& out, bool done) {
    const auto tick_end = clock::now();
    const std::size_t t = tick_.index;
    tick_record rec = tick_stats_.finish();
    rec.tick = t;
    rec.kimg = double(state_.cur_nimg) / 1000;
    rec.seconds = seconds_before_ + seconds(session_start_, tick_end);
    rec.sec_per_tick = seconds(tick_.start, tick_end);
    rec.sec_per_kimg = rec.sec_per_tick / double(state_.cur_nimg - tick_.start_nimg) * 1000;
    rec.maintenance = tick_.maintenance;
    rec.pl_mean = pl_.pl_mean;
    if (o_.fid_images > 0 && (done || due(t, o_.effective_fid_ticks()))) rec.fid = fid();
    log_records_.add(rec);
    state_.tick = t;
    state_.seconds = rec.seconds;
    log_records_.write(out, extractor_name());
    log_ << tick_log::format_line(rec, extractor_name()) << std::endl;
    if (done || due(t, o_.image_snapshot_ticks)) save_grid(out / grid_file_name(t));
    std::filesystem::path snapshot;
    if (done || due(t, o_.network_snapshot_ticks)) snapshot = save_snapshot(out, t);
    tick_ = {t + 1, state_.cur_nimg, clock::now(), seconds(tick_end, clock::now())};
    return snapshot;
  }

  // Means of the tick's losses.
  struct tick_accumulator {
    double g = 0, d = 0, r1 = 0, pl = 0, real = 0, fake = 0;
    std::size_t ng = 0, nd = 0, nr1 = 0, npl = 0, nreal = 0, nfake = 0;
    tick_record finish() {
      tick_record r;
      const auto mean = [](double s, std::size_t n) { return n ? s / double(n) : tick_record::none; };
      r.loss_g = mean(g, ng), r.loss_d = mean(d, nd), r.r1 = mean(r1, nr1), r.pl = mean(pl, npl);
      r.score_real = mean(real, nreal), r.score_fake = mean(fake, nfake);
      *this = {};
      return r;
    }
  };

  // The logistic loss of logits for target `real` (mean over the batch), its scaled gradient into
  // dlogits_, and the mean logit.
  std::pair<double, double> logistic(const tensor<T, D>& logits, bool real, double gain) {
    const auto r = logistic_loss(logits, real, gain, dlogits_);
    return {r.loss, r.mean_logit};
  }

  // Each generator pass of a round draws its noise and style mixing from its own (minibatch, phase,
  // pass, round) key, as the reference draws them afresh in every run of G.
  void accumulate(const gan_phase& ph, std::size_t round, const tensor<T, D>& z, const tensor<T, D>& real) {
    const auto key = [&](std::uint64_t pass) { g_.ctx().step = acne::mix_seed(state_.batch_idx, 2 * ph.stream + pass, round); };
    key(0);
    if (ph.generator && ph.main) {
      const auto& logits = d_.forward(g_.forward(z));
      const auto [loss, score] = logistic(logits, true, ph.gain);
      check(ph, "G loss", loss);
      g_.backward(d_.backward_input(dlogits_), false);
      tick_stats_.g += loss, ++tick_stats_.ng, tick_stats_.fake += score, ++tick_stats_.nfake;
    }
    if (ph.generator && ph.reg) {
      key(1);
      const std::size_t n = std::max<std::size_t>(1, z.shape().n / o_.pl_batch_shrink);
      const auto r = stylegan2::path_length_penalty(
          g_, z.samples(0, n), pl_,
          {.weight = o_.pl_weight, .decay = o_.pl_decay, .gain = ph.gain, .seed = acne::mix_seed(o_.seed, 0x504C /* PL */)});
      check(ph, "path length penalty", r.penalty);
      tick_stats_.pl += r.penalty / o_.pl_weight, ++tick_stats_.npl;
    }
    if (!ph.generator && ph.main) {
      const auto& fake_logits = d_.forward(g_.forward(z));
      const auto [loss_fake, score_fake] = logistic(fake_logits, false, ph.gain);
      d_.backward(dlogits_, false);
      const auto& real_logits = d_.forward(real);
      const auto [loss_real, score_real] = logistic(real_logits, true, ph.gain);
      check(ph, "D loss", loss_fake + loss_real);
      d_.backward(dlogits_, false);
      tick_stats_.d += loss_fake + loss_real, ++tick_stats_.nd;
      tick_stats_.real += score_real, ++tick_stats_.nreal;
    }
    if (!ph.generator && ph.reg) {
      const auto r = stylegan2::r1_penalty(d_, real, {.gamma = o_.r1_gamma, .gain = ph.gain});
      check(ph, "R1 penalty", r.penalty);
      tick_stats_.r1 += r.penalty * 2 / o_.r1_gamma, ++tick_stats_.nr1;
    }
  }

  void check(const gan_phase& ph, const char* what, double value) {
    if (!std::isfinite(value)) diverged(ph, what, value);
  }
  [[noreturn]] void diverged(const gan_phase& ph, const char* what, double value) {
    std::ostringstream msg;
    msg << "training diverged: " << what << " is " << (std::isnan(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf")
        << " in phase " << ph.name << " of minibatch "
        << state_.batch_idx << " (kimg " << double(state_.cur_nimg) / 1000 << "); nothing was saved for it" << last_good();
    throw gan_diverged(msg.str());
  }
  std::string last_good() const {
    const auto latest = last_snapshot_.empty() ? find_latest_snapshot(o_.out_dir) : std::optional(last_snapshot_);
    return latest ? "; the last good snapshot is " + latest->string() : "; no snapshot had been written";
  }

  void describe() {
    const auto& c = o_.config;
    log_ << "StyleGAN2 " << c.resolution << "px: G " << g_.trainable_parameter_count() << " trainable parameters ("
         << frozen_g_ << " tensors frozen), D " << d_.trainable_parameter_count() << " (" << frozen_d_ << " frozen)\n"
         << "data: " << stream_.images() << " images" << (o_.mirror ? " + x-flips" : "") << "; minibatch " << o_.batch
         << " = " << o_.rounds() << (o_.rounds() == 1 ? " round of " : " rounds of ") << o_.batch_gpu << "; G lr "
         << g_opt_.learning_rate() << ", D lr " << d_opt_.learning_rate() << "\n";
  }

  std::string extractor_name() const { return extractor_ ? extractor_->name() : std::string(); }

  static std::string grid_file_name(std::size_t tick) {
    char name[40];
    std::snprintf(name, sizeof name, "fakes-%06zu.png", tick);
    return name;
  }

  std::vector<std::uint32_t> grid_seeds() const {
    std::vector<std::uint32_t> seeds(o_.grid_cols * o_.grid_rows);
    for (std::size_t i = 0; i < seeds.size(); ++i) seeds[i] = std::uint32_t(i);
    return seeds;
  }

  // G_ema's images of seeds 0 .. cols*rows-1 with constant noise, as the reference's snapshots.
  void save_grid(const std::filesystem::path& path) {
    const auto seeds = grid_seeds();
    const auto images = stylegan2::to_images(stylegan2::generate(g_ema_, std::span<const std::uint32_t>(seeds)));
    io::save_image_grid(path, images, {.cols = o_.grid_cols});
  }

  void save_start_images(const std::filesystem::path& out) {
    std::vector<cv::Mat> reals;
    for (std::size_t i = 0; i < o_.grid_cols * o_.grid_rows; ++i) {
      const auto it = stream_.item(i);
      reals.push_back(stream_.image(it.image, it.flip));
    }
    io::save_image_grid(out / "reals.png", reals, {.cols = o_.grid_cols});
    save_grid(out / "fakes_init.png");
  }

  // The dataset's statistics (every image, and its flip when mirroring), computed once per run
  // directory and extractor, cached next to the snapshots.
  void prepare_fid(const std::filesystem::path& out) {
    if (!extractor_) {
      ACNE_CHECK(o_.fid_extractor == metrics::random_conv_name,
                 "FID with " << o_.fid_extractor << " needs its extractor: call set_fid_extractor() first");
      extractor_ = metrics::make_random_conv_extractor<D>();
    }
    const metrics::fid_pipeline_options po{.batch = o_.fid_batch, .keep_features = false};
    std::string name = metrics::measurement_name(*extractor_, po.resize);  // "<extractor>/<resize>"
    std::replace(name.begin(), name.end(), '/', '-');
    const auto cache = out / ("fid-stats-" + name + ".safetensors");
    std::error_code ec;
    if (std::filesystem::is_regular_file(cache, ec)) {
      real_stats_ = metrics::feature_statistics::load(cache);
      if (real_stats_.count() == stream_.epoch_size()) return;
    }
    log_ << "FID: statistics of " << stream_.epoch_size() << " real images with " << extractor_->name()
         << (extractor_->standard() ? "" : " (not a standard FID: comparable only with itself)") << "\n";
    std::size_t next = 0;
    const auto source = [&](std::size_t max) {
      std::vector<cv::Mat> images;
      for (; images.size() < max && next < stream_.epoch_size(); ++next)
        images.push_back(stream_.image(next % stream_.images(), next >= stream_.images()));
      return images;
    };
    real_stats_ = metrics::extract_features(*extractor_, source, po).statistics;
    std::filesystem::create_directories(out);
    real_stats_.save(cache);
  }

  // FID of fid_images G_ema images (fixed latents, random noise as the reference's metrics), drawn
  // by stylegan2::metric_images as acne-fid draws them: `acne-fid --seed <seed> --batch <fid_batch>
  // --num-images <fid_images>` on a snapshot measures the same images.
  double fid() {
    const metrics::fid_pipeline_options po{.batch = o_.fid_batch, .keep_features = false};
    std::size_t chunk = 0;
    const auto fake = metrics::generated_features(*extractor_, o_.fid_images, [&](std::size_t n) {
      return stylegan2::metric_images(g_ema_, n, o_.seed, chunk++);
    }, po);
    return metrics::compute_fid(real_stats_, fake.statistics).fid;
  }

  gan_options o_;
  std::ostream& log_;
  generator_net g_;
  discriminator_net d_;
  generator_net g_ema_;
  adam<T, D> g_opt_, d_opt_;
  real_image_stream stream_;
  std::vector<gan_phase> phases_;
  std::map<std::string, std::size_t> phase_counts_;
  std::map<std::string, double> phase_seconds_;
  gan_state state_;
  stylegan2::path_length_state pl_;
  tick_accumulator tick_stats_;
  tick_log log_records_;
  std::unique_ptr<metrics::feature_extractor> extractor_;
  metrics::feature_statistics real_stats_;
  tensor<T, D> reals_, z_, dlogits_;
  std::size_t frozen_g_ = 0, frozen_d_ = 0;
  bool resumed_ = false;
  std::filesystem::path last_snapshot_;
  struct tick_clock {
    std::size_t index = 0;          // the tick in progress
    std::uint64_t start_nimg = 0;
    clock::time_point start{};
    double maintenance = 0;         // seconds the previous tick's maintenance took
  } tick_;
  clock::time_point session_start_{};
  double seconds_before_ = 0;       // training time of earlier sessions
};

// Trains a StyleGAN2 on `data` as `options` say, resuming from `resume` (a snapshot file) when given.
template <class D = cpu>
gan_result train_stylegan2(const gan_options& options, data::sample_source data, std::ostream& log = std::cout,
                           const std::filesystem::path& resume = {},
                           std::unique_ptr<metrics::feature_extractor> extractor = nullptr) {
  gan_trainer<float, D> trainer(options, std::move(data), log);
  if (extractor) trainer.set_fid_extractor(std::move(extractor));
  if (!resume.empty()) trainer.resume(resume);
  return trainer.train();
}

}  // namespace acne::train
