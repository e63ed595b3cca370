#pragma once
// Images from a trained generator, as library functions: one latent per seed, truncation, style
// mixing and interpolation in W.
//
// Seeds: the latent of seed s is numpy.random.RandomState(s).randn(z_dim), reproduced here exactly
// (MT19937 seeded as numpy seeds it, 53-bit doubles, polar Box-Muller pairs), because that is what
// the reference's generate.py draws: seed s names the same face here and there for the same weights.
// Every image depends on its own seed only (generated one at a time, with noise 'const' by default
// as generate.py does, or 'random' noise drawn from the seed), never on the other seeds asked for.
//
// metric_images() draws the batches FID measures (random latents and noise, keyed by a seed and the
// batch index), for the trainer's per-tick FID and acne-fid alike.
//
// load_generator() reads a weights file (tools/convert_stylegan2.py, save_weights, or a raw official
// state dict) or a training snapshot (its "G_ema." tensors, the moving average that training
// snapshots are sampled from), building the network the file's config and shapes describe.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/preprocess.hpp"
#include "acne/io/image.hpp"
#include "acne/io/safetensors.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/models/stylegan2/latent.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "acne/models/stylegan2/weights_config.hpp"

namespace acne::stylegan2 {

// numpy.random.RandomState(seed).randn(n).
inline std::vector<double> seed_latent(std::uint32_t seed, std::size_t n) {
  std::mt19937 mt(seed);  // numpy's legacy integer seeding is MT19937's init_genrand
  const auto uniform = [&] {
    const std::uint32_t a = mt() >> 5, b = mt() >> 6;
    return (double(a) * 67108864.0 + double(b)) / 9007199254740992.0;
  };
  std::vector<double> out;
  out.reserve(n);
  while (out.size() < n) {
    double x1, x2, r2;
    do {
      x1 = 2.0 * uniform() - 1.0;
      x2 = 2.0 * uniform() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    out.push_back(f * x2);  // numpy returns f * x2 first and keeps f * x1 for the next call
    if (out.size() < n) out.push_back(f * x1);
  }
  return out;
}

// "0-99", "1,5,7", "0-3,10": the reference's seed lists, ranges inclusive.
inline std::vector<std::uint32_t> parse_seeds(const std::string& text) {
  std::vector<std::uint32_t> seeds;
  const auto number = [&](const std::string& s) -> std::uint32_t {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
      v = std::stoull(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    ACNE_CHECK(!s.empty() && s[0] != '-' && used == s.size() && v <= 0xFFFFFFFFull,
               "bad seed '" << s << "' in '" << text << "' (want numbers 0..4294967295, e.g. 0-99 or 1,5,7)");
    return std::uint32_t(v);
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    const std::size_t dash = part.find('-', 1);
    if (dash == std::string::npos) {
      seeds.push_back(number(part));
    } else {
      const std::uint32_t lo = number(part.substr(0, dash)), hi = number(part.substr(dash + 1));
      ACNE_CHECK(lo <= hi, "seed range '" << part << "' runs backwards");
      ACNE_CHECK(hi - lo < 10'000'000, "seed range '" << part << "' is too long");
      for (std::uint64_t s = lo; s <= hi; ++s) seeds.push_back(std::uint32_t(s));
    }
    start = comma + 1;
  }
  ACNE_CHECK(!seeds.empty(), "no seeds in '" << text << "'");
  return seeds;
}

struct generation_options {
  double truncation_psi = 1.0;
  std::size_t truncation_cutoff = 0;  // 0: every w
  noise_mode noise = noise_mode::constant;
};

// A noise mode as the programs name it: "const", "random" or "none".
inline noise_mode noise_mode_named(const std::string& name) {
  if (name == "random") return noise_mode::random;
  if (name == "none") return noise_mode::none;
  ACNE_CHECK(name == "const", "noise mode '" << name << "': expected const, random or none");
  return noise_mode::constant;
}

// Latents of `seeds`, [N, z_dim, 1, 1] on the device.
template <class T, class D>
tensor<T, D> seed_latents(std::span<const std::uint32_t> seeds, std::size_t z_dim) {
  std::vector<T> host;
  host.reserve(seeds.size() * z_dim);
  for (auto s : seeds)
    for (double v : seed_latent(s, z_dim)) host.push_back(T(v));
  tensor<T, D> z({seeds.size(), z_dim, 1, 1});
  memory<D>::from_host(z.data(), host.data(), host.size() * sizeof(T));
  return z;
}

// Runs the generator in inference mode with the given options, restoring its own afterwards.
template <class T, class D>
class inference_scope {
public:
  inference_scope(network<generator<T, D>>& g, const generation_options& o)
      : g_(g), saved_(g.layer().options()), training_(g.ctx().training) {
    auto& opt = g.layer().options();
    opt.truncation_psi = o.truncation_psi;
    opt.truncation_cutoff = o.truncation_cutoff;
    opt.noise = o.noise;
    g.eval();
  }
  ~inference_scope() {
    g_.layer().options() = saved_;
    g_.train(training_);
  }
  inference_scope(const inference_scope&) = delete;
  inference_scope& operator=(const inference_scope&) = delete;

private:
  network<generator<T, D>>& g_;
  generator_options saved_;
  bool training_;
};

// The ws of each seed (mapping, truncation), [N, num_ws, w_dim, 1].
template <class T, class D>
tensor<T, D> seed_ws(network<generator<T, D>>& g, std::span<const std::uint32_t> seeds, const generation_options& o = {}) {
  inference_scope<T, D> scope(g, o);
  auto& gen = g.layer();
  tensor<T, D> ws({seeds.size(), gen.cfg().num_ws(), gen.cfg().w_dim, 1});
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const auto z = seed_latents<T, D>(seeds.subspan(i, 1), gen.cfg().z_dim);
    gen.map(z, g.ctx());
    auto dst = ws.sample(i);
    copy(gen.ws(), dst);
  }
  return ws;
}

// Images of given ws [N, num_ws, w_dim, 1], one at a time; noise_seeds[i] keys the random noise of image i.
template <class T, class D>
tensor<T, cpu> synthesize(network<generator<T, D>>& g, const tensor<T, D>& ws, std::span<const std::uint64_t> noise_seeds,
                          noise_mode noise = noise_mode::constant) {
  auto& gen = g.layer();
  const auto& c = gen.cfg();
  const std::size_t n = ws.shape().n;
  ACNE_CHECK(noise_seeds.size() == n, "synthesize: " << noise_seeds.size() << " noise seeds for " << n << " images");
  tensor<T, cpu> images({n, c.img_channels, c.resolution, c.resolution});
  tensor<T, D> img;
  context ctx{false, 0, 0};
  gen.synthesis().set_noise_mode(noise);
  for (std::size_t i = 0; i < n; ++i) {
    ctx.seed = noise_seeds[i];
    gen.synthesis().forward(ws.sample(i), img, ctx);
    memory<D>::to_host(images.sample(i).data(), img.data(), img.bytes());
  }
  return images;
}

// Images of `seeds`, [N, C, R, R] floats in [-1, 1] on the host.
template <class T, class D>
tensor<T, cpu> generate(network<generator<T, D>>& g, std::span<const std::uint32_t> seeds, const generation_options& o = {}) {
  const auto ws = seed_ws(g, seeds, o);
  std::vector<std::uint64_t> noise(seeds.begin(), seeds.end());
  return synthesize(g, ws, noise, o.noise);
}

// 8-bit BGR images of a [N, 3, R, R] batch in [-1, 1] (the reference's uint8 conversion).
template <class T>
std::vector<cv::Mat> to_images(const tensor<T, cpu>& images) {
  const auto& s = images.shape();
  ACNE_CHECK(s.c == 3, "to_images: need 3 channels, got " << s);
  std::vector<cv::Mat> out;
  std::vector<float> chw(s.sample_size());
  for (std::size_t i = 0; i < s.n; ++i) {
    const T* p = images.data() + i * s.sample_size();
    for (std::size_t k = 0; k < chw.size(); ++k) chw[k] = float(p[k]);
    out.push_back(data::from_stylegan(chw.data(), s.h, s.w));
  }
  return out;
}

// The images the metrics measure, as stylegan2-ada's metric_utils draws them for FID: G(z) with
// z ~ N(0, I), noise 'random', no truncation unless `o` asks for it, quantised to 8-bit BGR. Batch
// `index` of `n` images takes its latents and its noise from (seed, index) only, so a seed and a batch
// size name one sequence of images (unlike generate(), which is per image and seeded as numpy is).
// The trainer's per-tick FID (seed: the run's) and acne-fid's generator input (--seed) both use it.
template <class T, class D>
std::vector<cv::Mat> metric_images(network<generator<T, D>>& g, std::size_t n, std::uint64_t seed, std::uint64_t index,
                                   const generation_options& o = {.noise = noise_mode::random}) {
  constexpr std::uint64_t stream = 0x464944;  // "FID"
  inference_scope<T, D> scope(g, o);
  const context saved = g.ctx();
  tensor<T, D> z({n, g.layer().cfg().z_dim, 1, 1});
  fill_normal(z, mix_seed(seed, stream, index));
  g.ctx() = {false, mix_seed(seed, stream), index};
  tensor<T, cpu> host;
  try {
    const auto& img = g.forward(z);
    host.resize(img.shape());
    memory<D>::to_host(host.data(), img.data(), img.bytes());
  } catch (...) {
    g.ctx() = saved;
    throw;
  }
  g.ctx() = saved;
  return to_images(host);
}

inline std::string seed_file_name(std::uint32_t seed) {
  char name[32];
  std::snprintf(name, sizeof name, "seed%04u.png", seed);
  return name;
}

// Writes outdir/seedNNNN.png for every seed; returns the paths.
template <class T, class D>
std::vector<std::filesystem::path> write_seed_images(network<generator<T, D>>& g, std::span<const std::uint32_t> seeds,
                                                     const std::filesystem::path& outdir, const generation_options& o = {}) {
  std::vector<std::filesystem::path> paths;
  for (auto seed : seeds) {
    const std::uint32_t one[] = {seed};
    const auto image = to_images(generate(g, std::span<const std::uint32_t>(one), o)).front();
    paths.push_back(outdir / seed_file_name(seed));
    io::write_image(paths.back(), image);
  }
  return paths;
}

// The same from a network file (a training snapshot's G_ema or generator weights), on the CPU.
inline std::vector<std::filesystem::path> write_seed_images(const std::filesystem::path& network_file,
                                                            std::span<const std::uint32_t> seeds,
                                                            const std::filesystem::path& outdir,
                                                            const generation_options& o = {});

// The reference's style-mixing figure: row r, column c shows row seed r with the styles listed in
// `col_styles` (layer indices, e.g. 0-6: the coarse ones) taken from column seed c. Returns
// (rows + 1) x (cols + 1) images in row order, the top-left one blank, the first row the column
// seeds' own images and the first column the row seeds'.
template <class T, class D>
std::vector<cv::Mat> style_mixing_images(network<generator<T, D>>& g, std::span<const std::uint32_t> row_seeds,
                                         std::span<const std::uint32_t> col_seeds, std::span<const std::size_t> col_styles,
                                         const generation_options& o = {}) {
  const auto& c = g.layer().cfg();
  for (auto s : col_styles) ACNE_CHECK(s < c.num_ws(), "style index " << s << " >= num_ws " << c.num_ws());
  const auto row_ws = seed_ws(g, row_seeds, o), col_ws = seed_ws(g, col_seeds, o);
  const std::size_t rows = row_seeds.size(), cols = col_seeds.size(), wd = c.w_dim;
  tensor<T, D> ws({rows * cols, c.num_ws(), wd, 1});
  std::vector<std::uint64_t> noise;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) {
      auto dst = ws.sample(r * cols + k);
      copy(row_ws.sample(r), dst);
      for (auto s : col_styles) {
        auto layer = dst.view({1, 1, wd, 1}, s * wd);
        copy(col_ws.sample(k).view({1, 1, wd, 1}, s * wd), layer);
      }
      noise.push_back(row_seeds[r]);
    }
  const auto cells = to_images(synthesize(g, ws, noise, o.noise));
  std::vector<std::uint64_t> col_noise(col_seeds.begin(), col_seeds.end()), row_noise(row_seeds.begin(), row_seeds.end());
  const auto tops = to_images(synthesize(g, col_ws, col_noise, o.noise));
  const auto lefts = to_images(synthesize(g, row_ws, row_noise, o.noise));
  std::vector<cv::Mat> out;
  out.push_back(cv::Mat(int(c.resolution), int(c.resolution), CV_8UC3, cv::Scalar(255, 255, 255)));
  for (const auto& t : tops) out.push_back(t);
  for (std::size_t r = 0; r < rows; ++r) {
    out.push_back(lefts[r]);
    for (std::size_t k = 0; k < cols; ++k) out.push_back(cells[r * cols + k]);
  }
  return out;
}

// `steps` images (>= 2) whose ws run linearly from seed a's to seed b's (after truncation).
template <class T, class D>
std::vector<cv::Mat> interpolation_images(network<generator<T, D>>& g, std::uint32_t a, std::uint32_t b, std::size_t steps,
                                          const generation_options& o = {}) {
  ACNE_CHECK(steps >= 2, "interpolation needs at least 2 steps");
  const std::uint32_t ends[] = {a, b};
  const auto ws = seed_ws(g, std::span<const std::uint32_t>(ends), o);
  const auto first = ws.sample(0), last = ws.sample(1);
  tensor<T, D> all({steps, ws.shape().c, ws.shape().h, 1}), mixed;
  for (std::size_t i = 0; i < steps; ++i) {
    interpolate_ws(first, last, double(i) / double(steps - 1), mixed);
    auto dst = all.sample(i);
    copy(mixed, dst);
  }
  const std::vector<std::uint64_t> noise(steps, a);  // one noise image along the path
  return to_images(synthesize(g, all, noise, o.noise));
}

// A generator built from the weights' config (recorded, else read from the tensor shapes: see
// weights_config.hpp) or a snapshot's G_ema, weights loaded. Choices the file did not record are
// written to `log` (one line each) unless it is null.
template <class T = float, class D = cpu>
network<generator<T, D>> load_generator(const std::filesystem::path& path, std::ostream* log = &std::clog) {
  auto file = io::load_safetensors(path);
  bool prefixed = false;
  for (const auto& t : file.tensors) prefixed = prefixed || t.name.rfind("G_ema.", 0) == 0;
  if (prefixed) {  // a training snapshot: keep G_ema's tensors, drop the rest
    io::safetensors_file ema;
    ema.metadata = file.metadata;
    for (auto& t : file.tensors)
      if (t.name.rfind("G_ema.", 0) == 0) {
        t.name.erase(0, 6);
        ema.tensors.push_back(std::move(t));
      }
    file = std::move(ema);
  } else {
    const auto kind = file.metadata.find("network");
    ACNE_CHECK(kind == file.metadata.end() || kind->second != "D",
               path.string() << " holds a discriminator, not a generator");
  }
  const auto [cfg, notes] = read_weights_config(file, path.string());
  network<generator<T, D>> g{generator<T, D>(cfg)};
  g.setup({1, cfg.z_dim, 1, 1});
  const std::size_t fir_buffers = load_weights(g, file, cfg, path.string());
  if (log) {
    for (const auto& n : notes) *log << path.string() << ": " << n << "\n";
    if (fir_buffers)
      *log << path.string() << ": " << fir_buffers << " resample_filter buffers hold the [1,3,3,1] filter the "
           << "network builds itself; not loaded\n";
  }
  g.eval();
  return g;
}

inline std::vector<std::filesystem::path> write_seed_images(const std::filesystem::path& network_file,
                                                            std::span<const std::uint32_t> seeds,
                                                            const std::filesystem::path& outdir,
                                                            const generation_options& o) {
  auto g = load_generator<float, cpu>(network_file);
  return write_seed_images(g, seeds, outdir, o);
}

}  // namespace acne::stylegan2
