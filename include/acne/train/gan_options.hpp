#pragma once
// Everything that defines a StyleGAN2 training run. The defaults are the paper's Table 1 (lr 0.002
// for G and D, minibatch 32 in rounds of 4, seed 1000, image and network snapshots every 10 ticks,
// 25000 kimg, mirror augmentation) on top of the official config F loop (Adam betas (0, 0.99),
// eps 1e-8, R1 gamma 10 every 16 D minibatches, path length weight 2 every 4 G minibatches, style
// mixing 0.9, G EMA half-life 10 kimg, 4 kimg per tick). Every field can be overridden; the whole
// struct is saved with each snapshot so that a resumed run continues the same stream.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::train {

struct gan_options {
  stylegan2::config config = stylegan2::config::config_f(1024);

  // The paper's Table 1.
  double g_lr = 0.002, d_lr = 0.002;
  std::size_t batch = 32;     // images per minibatch (one optimizer step per phase)
  std::size_t batch_gpu = 4;  // images per forward pass; batch / batch_gpu rounds accumulate gradients
  std::uint64_t seed = 1000;
  std::size_t image_snapshot_ticks = 10, network_snapshot_ticks = 10;  // 0: never (except the last tick)
  double total_kimg = 25000;
  bool mirror = true;  // x-flips double the dataset

  // The official loop (stylegan2-ada-pytorch, cfg 'stylegan2').
  double kimg_per_tick = 4;
  double beta1 = 0, beta2 = 0.99, eps = 1e-8;
  double r1_gamma = 10;
  std::size_t d_reg_interval = 16, g_reg_interval = 4;  // 0: no lazy regularisation (reg in every step)
  double pl_weight = 2, pl_decay = 0.01;
  std::size_t pl_batch_shrink = 2;
  double style_mixing_prob = 0.9;
  double ema_kimg = 10;     // half-life of the G EMA, in thousands of images
  double ema_rampup = 0;    // > 0: half-life at most cur_nimg * ema_rampup (the 'auto' cfg uses 0.05)

  // FID while training: fid_images generated images against the dataset, every fid_ticks ticks.
  std::size_t fid_images = 0;  // 0: no FID
  std::size_t fid_ticks = 0;   // 0: at every network snapshot, as the reference computes its metrics
  std::size_t fid_batch = 16;
  std::string fid_extractor = "random-conv-v1";  // or "inception-v3-fid" (with fid_weights)
  std::string fid_weights;

  // Image snapshots: a grid of G_ema samples for seeds 0 .. cols*rows-1.
  std::size_t grid_cols = 8, grid_rows = 4;

  // Transfer learning: start from pretrained weights, optionally train only some layers.
  std::string pretrained;                // weights file (or snapshot); empty: random initialisation
  std::size_t freeze_d = 0;              // Freeze-D: the first N discriminator layers
  std::vector<std::string> freeze;       // "G.<prefix>" / "D.<prefix>": parameters not trained
  std::vector<std::string> train_only;   // "G.<prefix>" / "D.<prefix>": the rest of that network is frozen

  std::string out_dir = "stylegan2-run";
  // How the caller built the dataset (free-form, saved with snapshots so a resume can rebuild it).
  nlohmann::json dataset = nlohmann::json::object();

  // Negative data augmentation (Sinha et al., ICLR 2021): real images of what the GAN must not
  // draw (for one severity class's GAN, faces of its neighbouring classes) are shown to D as fakes, weighted
  // by negative_weight, in every Dmain round. A dataset description as `dataset` (gan_dataset.hpp);
  // an empty object: none.
  nlohmann::json negatives = nlohmann::json::object();
  double negative_weight = 0;
  bool uses_negatives() const { return negative_weight > 0; }

  std::size_t rounds() const { return batch / batch_gpu; }
  std::uint64_t total_nimg() const { return std::uint64_t(std::llround(total_kimg * 1000)); }
  std::uint64_t tick_nimg() const { return std::uint64_t(std::llround(kimg_per_tick * 1000)); }
  std::size_t effective_fid_ticks() const { return fid_ticks > 0 ? fid_ticks : network_snapshot_ticks; }

  void validate() const {
    config.validate();
    ACNE_CHECK(config.img_channels == 3, "GAN training reads colour images: img_channels must be 3, not " << config.img_channels);
    ACNE_CHECK(batch > 0 && batch_gpu > 0 && batch % batch_gpu == 0,
               "the minibatch (" << batch << ") must be a positive multiple of the per-device batch (" << batch_gpu << ")");
    ACNE_CHECK(g_lr > 0 && d_lr > 0, "learning rates must be positive");
    ACNE_CHECK(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0, "Adam needs betas in [0, 1) and eps > 0");
    ACNE_CHECK(r1_gamma >= 0 && pl_weight >= 0 && pl_decay >= 0 && pl_decay <= 1, "negative regularisation weight");
    ACNE_CHECK(pl_batch_shrink > 0, "pl_batch_shrink must be positive");
    ACNE_CHECK(style_mixing_prob >= 0 && style_mixing_prob <= 1, "style_mixing_prob must lie in [0, 1]");
    ACNE_CHECK(ema_kimg >= 0 && ema_rampup >= 0, "ema_kimg and ema_rampup must not be negative");
    ACNE_CHECK(total_kimg >= 0 && kimg_per_tick > 0, "total_kimg must not be negative and kimg_per_tick positive");
    ACNE_CHECK(fid_images == 0 || fid_images >= 2, "FID needs at least 2 generated images");
    ACNE_CHECK(negative_weight >= 0, "negative_weight must not be negative, got " << negative_weight);
    ACNE_CHECK(!uses_negatives() || !negatives.empty(), "negative_weight " << negative_weight << " needs negative images (negatives)");
    ACNE_CHECK(fid_batch > 0 && grid_cols > 0 && grid_rows > 0, "fid_batch and the grid size must be positive");
    for (const auto& list : {freeze, train_only})
      for (const auto& p : list)
        ACNE_CHECK(p.rfind("G.", 0) == 0 || p.rfind("D.", 0) == 0,
                   "freeze prefix '" << p << "' must start with G. or D. (the network it applies to)");
  }

  nlohmann::json to_json() const;
  static gan_options from_json(const nlohmann::json& j);  // missing keys keep their defaults
};

// The JSON keys are the field names.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(gan_options, config, g_lr, d_lr, batch, batch_gpu, seed,
                                                image_snapshot_ticks, network_snapshot_ticks, total_kimg, mirror,
                                                kimg_per_tick, beta1, beta2, eps, r1_gamma, d_reg_interval,
                                                g_reg_interval, pl_weight, pl_decay, pl_batch_shrink,
                                                style_mixing_prob, ema_kimg, ema_rampup, fid_images, fid_ticks,
                                                fid_batch, fid_extractor, fid_weights, grid_cols, grid_rows,
                                                pretrained, freeze_d, freeze, train_only, out_dir, dataset,
                                                negatives, negative_weight)

inline nlohmann::json gan_options::to_json() const { return *this; }
inline gan_options gan_options::from_json(const nlohmann::json& j) { return j.get<gan_options>(); }

// Options that say how a run is kept and measured, not what it computes: a resumed run may change
// them without a note.
inline bool bookkeeping_option(const std::string& key) {
  for (const char* k : {"config", "total_kimg", "kimg_per_tick", "image_snapshot_ticks", "network_snapshot_ticks",
                        "fid_images", "fid_ticks", "fid_batch", "fid_weights", "grid_cols", "grid_rows", "pretrained",
                        "out_dir", "dataset", "negatives"})
    if (key == k) return true;
  return false;
}

// The top-level options whose values differ between two option documents and shape the training
// stream (the run then does not repeat an uninterrupted one).
inline std::vector<std::string> stream_differences(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::string> keys;
  for (const auto& op : nlohmann::json::diff(a, b)) {
    const std::string path = op.at("path");
    const std::string key = path.substr(1, path.find('/', 1) - 1);
    if (!bookkeeping_option(key) && std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

// Lazy regularisation runs a regulariser every k minibatches with its loss scaled by k, and shares
// one Adam between the main and the regularisation phase; to keep the optimizer's time constants
// per minibatch unchanged, lr and betas are corrected by mb_ratio = k / (k + 1).
inline double mb_ratio(std::size_t reg_interval) {
  return reg_interval == 0 ? 1.0 : double(reg_interval) / double(reg_interval + 1);
}
inline double lazy_lr(double lr, std::size_t reg_interval) { return lr * mb_ratio(reg_interval); }
inline double lazy_beta(double beta, std::size_t reg_interval) { return std::pow(beta, mb_ratio(reg_interval)); }

}  // namespace acne::train
