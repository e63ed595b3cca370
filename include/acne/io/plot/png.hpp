#pragma once
// The one way the plots reach the disk: PNG-encoded in memory, then written atomically (temporary
// sibling file, then rename) so a reader never sees half a picture.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "acne/error.hpp"
#include "acne/io/atomic_file.hpp"
#include "acne/io/report.hpp"

namespace acne::io {

// Encodes `image` (8-bit, 1/3/4 channels, or 16-bit) as PNG and writes it atomically.
inline void write_png(const std::filesystem::path& path, const cv::Mat& image) {
  ACNE_CHECK(!image.empty(), "write_png: empty image for '" << path.string() << "'");
  std::vector<std::uint8_t> buffer;
  ACNE_CHECK(cv::imencode(".png", image, buffer), "write_png: OpenCV could not encode '" << path.string() << "'");
  create_parent_directories(path);
  write_file_atomically(path, std::as_bytes(std::span<const std::uint8_t>(buffer)));
}

}  // namespace acne::io
