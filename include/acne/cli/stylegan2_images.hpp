#pragma once
// `acne-stylegan2 generate` (one PNG per seed) and `acne-stylegan2 grid` (samples, style mixing or
// an interpolation as one PNG), on the device --device names.
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/io/plot/image_grid.hpp"
#include "acne/models/stylegan2/generate.hpp"

namespace acne::cli {

namespace detail {

inline std::vector<std::uint32_t> seed_list(const std::string& flag, const std::string& text) {
  try {
    return stylegan2::parse_seeds(text);
  } catch (const acne::error& e) {
    throw usage_error(flag + ": " + e.what());
  }
}

// The flags generate and grid share: how the images are drawn, and where.
struct drawing_args {
  stylegan2::generation_options options;
  std::string noise = "const", device;
};

inline void add_drawing_flags(flag_table& t, drawing_args& a) {
  t.section("Drawing")
      .add("--trunc", a.options.truncation_psi, "truncation psi (1: none; 0.7 trades variety for quality)",
           {.metavar = "PSI"})
      .add("--trunc-cutoff", a.options.truncation_cutoff, "truncate the first N ws only (0: all)")
      .add("--noise", a.noise, "noise inputs: one map for every image (const, as generate.py), each image's own from "
           "its seed (random: what a dataset needs, or its noise-drawn details sit on the same pixels in every image), or none",
           {.metavar = "MODE", .choices = {"const", "random", "none"}})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
}

}  // namespace detail

inline int stylegan2_generate(const std::vector<std::string>& args, std::ostream& out) {
  std::filesystem::path network, dir;
  std::vector<std::uint32_t> seeds;
  std::string cls;
  detail::drawing_args draw;
  flag_table t("acne-stylegan2 generate", "--network FILE --seeds LIST --out DIR [options]",
               "Writes DIR/seedNNNN.png per seed. The latent of a seed is numpy's RandomState(seed).randn(z_dim), as\n"
               "the reference's generate.py draws it; each image depends on its own seed only.");
  t.add("--network", network, "a training snapshot (its G_ema) or generator weights", {.metavar = "FILE", .required = true})
      .add_custom("--seeds", "LIST", "e.g. 0-99 or 1,5,7",
                  [&](const std::string& v) { seeds = detail::seed_list("--seeds", v); }, {}, true)
      .add("--out", dir, "output folder", {.metavar = "DIR", .required = true})
      .add("--class", cls, "write into DIR/NAME (one folder per class, as classifiers read datasets)", {.metavar = "NAME"});
  detail::add_drawing_flags(t, draw);
  t.parse(args);
  if (t.help()) {
    out << t.usage();
    return done;
  }
  draw.options.noise = stylegan2::noise_mode_named(draw.noise);
  if (!cls.empty()) dir /= cls;
  return on_device(device_flag(draw.device), out, [&](auto d) {
    auto g = stylegan2::load_generator<float, decltype(d)>(network);
    const auto paths = stylegan2::write_seed_images(g, std::span<const std::uint32_t>(seeds), dir, draw.options);
    out << paths.size() << " images (" << g.layer().cfg().resolution << "px, psi " << draw.options.truncation_psi
        << ") in " << dir.string() << "\n";
    return int(done);
  });
}

inline int stylegan2_grid(const std::vector<std::string>& args, std::ostream& out) {
  std::filesystem::path network, file;
  std::vector<std::uint32_t> seeds = detail::seed_list("--seeds", "0-31"), rows, cols, styles = detail::seed_list("--styles", "0-3"), ends;
  std::size_t columns = 8, steps = 8;
  detail::drawing_args draw;
  flag_table t("acne-stylegan2 grid", "--network FILE --out FILE.png [options]",
               "Samples of --seeds; style mixing with --row-seeds and --col-seeds (rows take the --styles of the\n"
               "column seeds); or --interpolate A,B: --steps images along the line from seed A's w to seed B's.");
  t.add("--network", network, "a training snapshot (its G_ema) or generator weights", {.metavar = "FILE", .required = true})
      .add("--out", file, "the PNG to write", {.metavar = "FILE.png", .required = true})
      .add_custom("--seeds", "LIST", "samples of these seeds", [&](const std::string& v) { seeds = detail::seed_list("--seeds", v); }, "0-31")
      .add("--cols", columns, "samples per row", {.positive = true})
      .add_custom("--row-seeds", "LIST", "style mixing: the rows' seeds", [&](const std::string& v) { rows = detail::seed_list("--row-seeds", v); })
      .add_custom("--col-seeds", "LIST", "style mixing: the columns' seeds", [&](const std::string& v) { cols = detail::seed_list("--col-seeds", v); })
      .add_custom("--styles", "LIST", "style mixing: the ws the rows take from the columns (coarse ones by default)",
                  [&](const std::string& v) { styles = detail::seed_list("--styles", v); }, "0-3")
      .add_custom("--interpolate", "A,B", "interpolate between two seeds", [&](const std::string& v) {
        ends = detail::seed_list("--interpolate", v);
        if (ends.size() != 2) throw usage_error("--interpolate needs two seeds, e.g. 3,7");
      })
      .add("--steps", steps, "images of an interpolation", {.min = 2});
  detail::add_drawing_flags(t, draw);
  t.parse(args);
  if (t.help()) {
    out << t.usage();
    return done;
  }
  if (t.given("--row-seeds") != t.given("--col-seeds")) throw usage_error("style mixing needs both --row-seeds and --col-seeds");
  draw.options.noise = stylegan2::noise_mode_named(draw.noise);
  return on_device(device_flag(draw.device), out, [&](auto d) {
    auto g = stylegan2::load_generator<float, decltype(d)>(network);
    std::vector<cv::Mat> images;
    std::size_t per_row = columns;
    if (!rows.empty()) {
      const std::vector<std::size_t> mixed(styles.begin(), styles.end());
      for (auto s : mixed)
        if (s >= g.layer().cfg().num_ws())
          throw usage_error("--styles: index " + std::to_string(s) + " >= " + std::to_string(g.layer().cfg().num_ws()) + " ws");
      images = stylegan2::style_mixing_images(g, std::span<const std::uint32_t>(rows), std::span<const std::uint32_t>(cols),
                                              std::span<const std::size_t>(mixed), draw.options);
      per_row = cols.size() + 1;
    } else if (!ends.empty()) {
      images = stylegan2::interpolation_images(g, ends[0], ends[1], steps, draw.options);
      per_row = steps;
    } else {
      images = stylegan2::to_images(stylegan2::generate(g, std::span<const std::uint32_t>(seeds), draw.options));
    }
    io::save_image_grid(file, images, {.cols = per_row});
    out << images.size() << " images -> " << file.string() << "\n";
    return int(done);
  });
}

}  // namespace acne::cli
