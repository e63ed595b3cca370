#pragma once
// The image snapshots of a GAN run, as the reference writes them: reals.png (the first images of
// the training stream), fakes_init.png and fakes-NNNNNN.png (G_ema's images of seeds 0 ..
// cols*rows-1 with constant noise, at the start and at tick NNNNNN).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "acne/io/plot/image_grid.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/gan_data.hpp"
#include "acne/train/gan_options.hpp"

namespace acne::train {

inline std::string grid_file_name(std::size_t tick) {
  char name[40];
  std::snprintf(name, sizeof name, "fakes-%06zu.png", tick);
  return name;
}

template <class T, class D>
void save_sample_grid(network<stylegan2::generator<T, D>>& g, const gan_options& o, const std::filesystem::path& path) {
  std::vector<std::uint32_t> seeds(o.grid_cols * o.grid_rows);
  for (std::size_t i = 0; i < seeds.size(); ++i) seeds[i] = std::uint32_t(i);
  const auto images = stylegan2::to_images(stylegan2::generate(g, std::span<const std::uint32_t>(seeds)));
  io::save_image_grid(path, images, {.cols = o.grid_cols});
}

template <class T, class D>
void save_start_grids(const real_image_stream& reals, network<stylegan2::generator<T, D>>& g, const gan_options& o,
                      const std::filesystem::path& out) {
  std::vector<cv::Mat> images;
  for (std::size_t i = 0; i < o.grid_cols * o.grid_rows; ++i) {
    const auto it = reals.item(i);
    images.push_back(reals.image(it.image, it.flip));
  }
  io::save_image_grid(out / "reals.png", images, {.cols = o.grid_cols});
  save_sample_grid(g, o, out / "fakes_init.png");
}

}  // namespace acne::train
