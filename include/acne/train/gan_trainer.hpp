#pragma once
// StyleGAN2 training as the official loop runs it (stylegan2-ada-pytorch's training_loop.py and
// loss.py, cfg 'stylegan2'), for any device:
//   per minibatch, the phases Gmain, Greg, Dmain, Dreg (Greg every g_reg_interval minibatches,
//   Dreg every d_reg_interval, their losses scaled by the interval; with interval 0 a "both" phase
//   regularises in every step). Each phase zeroes its network's gradients, accumulates them over
//   batch / batch_gpu rounds of batch_gpu images, and takes one Adam step; G and D have one Adam
//   each, shared by their main and reg phases, with lr and betas corrected by k / (k + 1).
//   Losses: non-saturating logistic (softplus), R1 on reals (gamma / 2 |dD/dx|^2), path length on
//   batch_gpu / pl_batch_shrink latents; style mixing inside the generator; then the G EMA. With
//   negatives (gan_options::negatives), Dmain also learns a minibatch of them as fakes.
//   Every tick (kimg_per_tick thousand images, and after the first minibatch) runs its hooks in
//   order: FID (on its schedule), the log (a line, log.csv, fid.png), an image grid of G_ema and a
//   network snapshot (on theirs); add_tick_hook() appends more.
// The pieces: the phases (gan_phase.hpp), the loss (stylegan2_loss.hpp), FID (gan_fid.hpp), the
// image grids (gan_grids.hpp), snapshots (gan_snapshot.hpp).
//
// Reproducibility: all randomness is a function of (seed, minibatch, phase, round): latents, noise,
// style mixing, path-length noise, the real image stream. A run resumed from a snapshot therefore
// continues exactly as the uninterrupted run would have (bit for bit on the same machine).
//
// Divergence: a non-finite loss, penalty or gradient stops training with gan_diverged, naming the
// phase, minibatch and kimg, before anything is written: the last snapshot on disk stays the last
// good one.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "acne/data/loader.hpp"
#include "acne/instances.hpp"
#include "acne/io/report.hpp"
#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/optim/adam.hpp"
#include "acne/train/ema.hpp"
#include "acne/train/gan_data.hpp"
#include "acne/train/gan_dataset.hpp"
#include "acne/train/gan_fid.hpp"
#include "acne/train/gan_grids.hpp"
#include "acne/train/gan_options.hpp"
#include "acne/train/gan_phase.hpp"
#include "acne/train/gan_snapshot.hpp"
#include "acne/train/gan_transfer.hpp"
#include "acne/train/stylegan2_loss.hpp"
#include "acne/train/tick_log.hpp"

namespace acne::train {

// Training stopped on a non-finite value.
class gan_diverged : public acne::error {
public:
  using acne::error::error;
};

struct gan_result {
  gan_state state;
  std::optional<tick_record> best_fid;
  std::filesystem::path last_snapshot;  // the newest snapshot of the run (the resumed one when it was done already)
  bool aborted = false;                 // stopped by abort_fn before total_kimg
};

template <class T = float, class D = cpu>
class gan_trainer {
public:
  using generator_net = network<stylegan2::generator<T, D>>;
  using discriminator_net = network<stylegan2::discriminator<T, D>>;
  // Work at the end of a tick, in order: it sees the tick's record (and may fill it) and whether
  // the run ends with this tick.
  using tick_hook = std::function<void(tick_record& record, bool last)>;

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
        stream_(std::move(data), o_.config.resolution, o_.mirror, o_.seed),
        negative_stream_(open_negatives(o_)), phases_(make_phases(o_)),
        loss_(g_, d_, o_), fid_(o_, stream_, log) {
    const auto& c = o_.config;
    g_.setup({1, c.z_dim, 1, 1}, acne::mix_seed(o_.seed, 0x47 /* G */));
    d_.setup({1, c.img_channels, c.resolution, c.resolution}, acne::mix_seed(o_.seed, 0x44 /* D */));
    g_ema_.setup({1, c.z_dim, 1, 1}, 0);
    g_ema_.parameters() = g_.parameters();
    g_ema_.eval();
    frozen_g_ = apply_freezing(g_, "G", o_);
    frozen_d_ = apply_freezing(d_, "D", o_);
    add_standard_hooks();
  }

  // Continues from a snapshot written by a run of the same config. Options that shape the training
  // stream should be the snapshot's; any that differ are listed in the log.
  void resume(const std::filesystem::path& snapshot) {
    const auto info = load_gan_snapshot(snapshot, g_, d_, g_ema_, g_opt_, d_opt_, o_.config);
    state_ = info.state;
    loss_.pl.pl_mean = state_.pl_mean;
    log_records_ = tick_log::from_json(info.ticks);
    resumed_ = true;
    resumed_from_ = snapshot;
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
    fid_.set_extractor(std::move(e));
  }

  void add_tick_hook(tick_hook hook) { hooks_.push_back(std::move(hook)); }

  // Trains until total_kimg (or abort_fn), with a tick's work after the first minibatch and then
  // every kimg_per_tick thousand images, as the reference does.
  gan_result train() {
    start_run(o_.out_dir);
    gan_result result;
    if (resumed_ && state_.cur_nimg >= o_.total_nimg()) {
      log_ << "the snapshot already reached total_kimg " << o_.total_kimg << "\n";
      // A finished run rerun is done already: its last snapshot is the one it resumed.
      result.last_snapshot = resumed_from_;
      result.state = state_;
      result.best_fid = log_records_.best_fid();
      return result;
    }
    log_ << "training for " << o_.total_kimg << " kimg\n";
    session_start_ = clock::now();
    seconds_before_ = state_.seconds;
    tick_ = {resumed_ ? state_.tick + 1 : 0, state_.cur_nimg, clock::now(), 0.0};
    const auto written = last_snapshot_;
    for (;;) {
      step();
      const bool aborted = abort_fn && abort_fn();
      const bool done = state_.cur_nimg >= o_.total_nimg() || aborted;
      if (!done && tick_.index != 0 && state_.cur_nimg < tick_.start_nimg + o_.tick_nimg()) continue;
      end_tick(done);
      if (done) {
        result.aborted = aborted && state_.cur_nimg < o_.total_nimg();
        break;
      }
    }
    if (last_snapshot_ != written) result.last_snapshot = last_snapshot_;
    result.state = state_;
    result.best_fid = log_records_.best_fid();
    if (result.best_fid)
      log_ << "best FID " << *result.best_fid->fid << " (" << fid_.extractor_name() << ") at tick " << result.best_fid->tick << "\n";
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
    if (negative_stream_) {
      const auto neg = negative_stream_->batch(state_.loader_position, o_.batch);
      negatives_.resize(reals_.shape());
      memory<D>::from_host(negatives_.data(), neg.data(), negatives_.bytes());
    }
    for (const auto& ph : phases_) {
      if (state_.batch_idx % ph.interval != 0) continue;
      const auto phase_start = clock::now();
      ph.generator ? g_.zero_grad() : d_.zero_grad();
      z_.resize({o_.batch, c.z_dim, 1, 1});
      fill_normal(z_, acne::mix_seed(o_.seed, state_.batch_idx, 0x5A00 + ph.stream));
      g_.ctx().seed = acne::mix_seed(o_.seed, 0x47);
      try {
        for (std::size_t r = 0; r < o_.rounds(); ++r) {
          const auto negatives = negative_stream_ ? negatives_.samples(r * bg, bg) : tensor<T, D>();
          loss_.accumulate(ph, state_.batch_idx, r, z_.samples(r * bg, bg), reals_.samples(r * bg, bg),
                           negative_stream_ ? &negatives : nullptr);
        }
      } catch (const non_finite_value& v) {
        diverged(ph, v.what, v.value);
      }
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
    state_.pl_mean = loss_.pl.pl_mean;
    state_.g_opt_steps = g_opt_.steps();
    state_.d_opt_steps = d_opt_.steps();
  }

  // FID of G_ema now (the dataset's statistics are computed on first use).
  double evaluate_fid() {
    if (!fid_.prepared()) fid_.prepare(o_.out_dir);
    return fid_.measure(g_ema_);
  }
  std::string fid_extractor_name() const { return fid_.extractor_name(); }

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
  // The negatives' stream, in an order of its own (it is read at the reals' positions).
  static std::unique_ptr<real_image_stream> open_negatives(const gan_options& o) {
    if (!o.uses_negatives()) return nullptr;
    return std::make_unique<real_image_stream>(open_gan_dataset(o.negatives, o.config.resolution).source, o.config.resolution,
                                               o.mirror, acne::mix_seed(o.seed, 0x4E4547 /* NEG */));
  }
  static double seconds(clock::time_point a, clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
  static bool due(std::size_t tick, std::size_t every) { return every > 0 && tick % every == 0; }

  // The tick work of the reference's loop: FID, the log, the image grid, the network snapshot.
  void add_standard_hooks() {
    add_tick_hook([this](tick_record& r, bool last) {
      if (o_.fid_images > 0 && (last || due(r.tick, o_.effective_fid_ticks()))) r.fid = fid_.measure(g_ema_);
    });
    add_tick_hook([this](tick_record& r, bool) {
      log_records_.add(r);
      log_records_.write(o_.out_dir, fid_.extractor_name());
      log_ << tick_log::format_line(r, fid_.extractor_name()) << std::endl;
    });
    add_tick_hook([this](tick_record& r, bool last) {
      if (last || due(r.tick, o_.image_snapshot_ticks)) save_sample_grid(g_ema_, o_, std::filesystem::path(o_.out_dir) / grid_file_name(r.tick));
    });
    add_tick_hook([this](tick_record& r, bool last) {
      if (last || due(r.tick, o_.network_snapshot_ticks)) save_snapshot(o_.out_dir, r.tick);
    });
  }

  // The run folder: options, pretrained weights on a fresh start, the start images, FID statistics.
  void start_run(const std::filesystem::path& out) {
    std::filesystem::create_directories(out);
    io::write_json_file(out / "options.json", o_.to_json());
    if (!resumed_ && !o_.pretrained.empty())
      for (const auto& line : load_pretrained(o_.pretrained, g_, d_, g_ema_, o_.config)) log_ << "pretrained: " << line << "\n";
    describe();
    if (!resumed_) save_start_grids(stream_, g_ema_, o_, out);
    if (o_.fid_images > 0 && !fid_.prepared()) fid_.prepare(out);
  }

  // The tick's record (its losses, times, the path-length mean) through the hooks.
  void end_tick(bool done) {
    const auto tick_end = clock::now();
    tick_record rec = loss_.sums.finish();
    rec.tick = tick_.index;
    rec.kimg = double(state_.cur_nimg) / 1000;
    rec.seconds = seconds_before_ + seconds(session_start_, tick_end);
    rec.sec_per_tick = seconds(tick_.start, tick_end);
    rec.sec_per_kimg = rec.sec_per_tick / double(state_.cur_nimg - tick_.start_nimg) * 1000;
    rec.maintenance = tick_.maintenance;
    rec.pl_mean = loss_.pl.pl_mean;
    state_.tick = rec.tick;
    state_.seconds = rec.seconds;
    for (auto& hook : hooks_) hook(rec, done);
    tick_ = {rec.tick + 1, state_.cur_nimg, clock::now(), seconds(tick_end, clock::now())};
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
         << "data: " << stream_.images() << " images" << (o_.mirror ? " + x-flips" : "");
    if (negative_stream_) log_ << "; " << negative_stream_->images() << " negative images (weight " << o_.negative_weight << ")";
    log_ << "; minibatch " << o_.batch << " = " << o_.rounds() << (o_.rounds() == 1 ? " round of " : " rounds of ") << o_.batch_gpu << "; G lr "
         << g_opt_.learning_rate() << ", D lr " << d_opt_.learning_rate() << "\n";
  }

  gan_options o_;
  std::ostream& log_;
  generator_net g_;
  discriminator_net d_;
  generator_net g_ema_;
  adam<T, D> g_opt_, d_opt_;
  real_image_stream stream_;
  std::unique_ptr<real_image_stream> negative_stream_;
  std::vector<gan_phase> phases_;
  stylegan2_loss<T, D> loss_;
  gan_fid<T, D> fid_;
  std::vector<tick_hook> hooks_;
  std::map<std::string, std::size_t> phase_counts_;
  std::map<std::string, double> phase_seconds_;
  gan_state state_;
  tick_log log_records_;
  tensor<T, D> reals_, negatives_, z_;
  std::size_t frozen_g_ = 0, frozen_d_ = 0;
  bool resumed_ = false;
  std::filesystem::path last_snapshot_;
  std::filesystem::path resumed_from_;
  struct tick_clock {
    std::size_t index = 0;          // the tick in progress
    std::uint64_t start_nimg = 0;
    clock::time_point start{};
    double maintenance = 0;         // seconds the previous tick's maintenance took
  } tick_;
  clock::time_point session_start_{};
  double seconds_before_ = 0;       // training time of earlier sessions
};

// Trains a StyleGAN2 on `data` as `options` say, resuming from `resume` (a snapshot file) when
// given, with `extractor` for FID when given, until total_kimg or `abort` says stop.
template <class D = cpu>
gan_result train_stylegan2(const gan_options& options, data::sample_source data, std::ostream& log = std::cout,
                           const std::filesystem::path& resume = {},
                           std::unique_ptr<metrics::feature_extractor> extractor = nullptr,
                           std::function<bool()> abort = {}) {
  gan_trainer<float, D> trainer(options, std::move(data), log);
  trainer.abort_fn = std::move(abort);
  if (extractor) trainer.set_fid_extractor(std::move(extractor));
  if (!resume.empty()) trainer.resume(resume);
  return trainer.train();
}
#define ACNE_TRAIN_STYLEGAN2(D)                                                                             \
  gan_result train_stylegan2<D>(const gan_options&, data::sample_source, std::ostream&,                     \
                                const std::filesystem::path&, std::unique_ptr<metrics::feature_extractor>, \
                                std::function<bool()>)
ACNE_EXTERN_INSTANCES(ACNE_TRAIN_STYLEGAN2)

}  // namespace acne::train
