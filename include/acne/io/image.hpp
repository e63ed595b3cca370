#pragma once
// Image files through OpenCV: checked reading (errors name the path and the reason), atomic writing
// (temporary file + rename), and conversion between 8-bit BGR cv::Mat and planar RGB floats (CHW).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

#include "acne/error.hpp"

namespace acne::io {

namespace fs = std::filesystem;

// Lower-case extension with the dot (".jpg"), "" when none.
inline std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return ext;
}

// True for the extensions the data pipeline reads: .jpg .jpeg .png .bmp (any case).
inline bool is_image_extension(const fs::path& path) {
  const std::string ext = lower_extension(path);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

// Why `path` cannot be an image, from cheap checks (existence, size, file signature); "" when it
// looks readable. A truncated file with a valid header passes here and fails in read_image.
inline std::string image_problem(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "file does not exist";
  if (!fs::is_regular_file(path, ec)) return "not a regular file";
  const auto size = fs::file_size(path, ec);
  if (ec) return "cannot read file size: " + ec.message();
  if (size == 0) return "empty file (0 bytes)";
  bool known = false;
  try {
    known = cv::haveImageReader(path.string());
  } catch (const cv::Exception&) {
    known = false;
  }
  if (!known) return "not an image (no JPEG/PNG/BMP signature)";
  return {};
}

// Reads an image as 8-bit, 3-channel BGR (grey is expanded, alpha dropped, 16-bit scaled; EXIF
// orientation applied, as cv::imread does). Throws acne::error naming the path and the reason.
inline cv::Mat read_image(const fs::path& path) {
  const std::string problem = image_problem(path);
  ACNE_CHECK(problem.empty(), "cannot read image '" << path.string() << "': " << problem);
  std::ifstream in(path, std::ios::binary);
  ACNE_CHECK(in, "cannot open image '" << path.string() << "'");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  cv::Mat image;
  try {
    image = cv::imdecode(bytes, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    ACNE_THROW("cannot decode image '" << path.string() << "': " << e.what());
  }
  ACNE_CHECK(!image.empty(), "cannot decode image '" << path.string() << "': corrupt or truncated data");
  return image;
}

// Writes an 8-bit image; the format follows the extension (.png, .jpg/.jpeg, .bmp). The bytes go to a
// temporary file in the same folder which is then renamed, so readers never see a partial file.
// Missing parent folders are created.
inline void write_image(const fs::path& path, const cv::Mat& image, int jpeg_quality = 95) {
  ACNE_CHECK(!image.empty(), "write_image '" << path.string() << "': empty image");
  ACNE_CHECK(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3 || image.channels() == 4),
             "write_image '" << path.string() << "': need an 8-bit image with 1, 3 or 4 channels");
  const std::string ext = lower_extension(path);
  std::vector<int> params;
  if (ext == ".jpg" || ext == ".jpeg") {
    params = {cv::IMWRITE_JPEG_QUALITY, std::clamp(jpeg_quality, 0, 100)};
  } else if (ext == ".png") {
    params = {cv::IMWRITE_PNG_COMPRESSION, 3};
  } else {
    ACNE_CHECK(ext == ".bmp", "write_image '" << path.string() << "': unsupported extension '" << ext
                                              << "' (use .png, .jpg, .jpeg or .bmp)");
  }
  std::vector<unsigned char> bytes;
  ACNE_CHECK(cv::imencode(ext, image, bytes, params), "write_image '" << path.string() << "': encoding failed");

  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t tag = counter.fetch_add(1) ^ (std::hash<std::thread::id>{}(std::this_thread::get_id()) << 20);
#if __has_include(<unistd.h>)
  tag ^= static_cast<std::uint64_t>(::getpid()) << 40;
#endif
  fs::path temp = path;
  temp += ".tmp" + std::to_string(tag);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    ACNE_CHECK(out, "write_image: cannot create '" << temp.string() << "'");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      fs::remove(temp, ec);
      ACNE_THROW("write_image: cannot write '" << temp.string() << "' (disk full?)");
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    ACNE_THROW("write_image: cannot rename '" << temp.string() << "' to '" << path.string() << "': " << ec.message());
  }
}

// 8-bit BGR (or grey) image -> planar floats, RGB channel order: dst[c][y][x] = v * scale + offset.
// `dst` must hold channels * rows * cols floats.
inline void to_chw(const cv::Mat& image, float* dst, float scale = 1.0f, float offset = 0.0f) {
  ACNE_CHECK(image.depth() == CV_8U && (image.channels() == 3 || image.channels() == 1),
             "to_chw: need an 8-bit BGR or grey image, got type " << image.type());
  const int c = image.channels(), h = image.rows, w = image.cols;
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  for (int y = 0; y < h; ++y) {
    const std::uint8_t* row = image.ptr<std::uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        const int src_ch = c == 3 ? 2 - ch : 0;  // BGR -> RGB
        dst[ch * plane + static_cast<std::size_t>(y) * w + x] = static_cast<float>(row[x * c + src_ch]) * scale + offset;
      }
    }
  }
}

inline std::vector<float> to_chw(const cv::Mat& image, float scale = 1.0f, float offset = 0.0f) {
  std::vector<float> out(image.total() * static_cast<std::size_t>(image.channels()));
  to_chw(image, out.data(), scale, offset);
  return out;
}

// Planar RGB (c = 3) or grey (c = 1) floats -> 8-bit BGR or grey image: round(v * scale + offset),
// saturated to [0, 255].
inline cv::Mat from_chw(const float* src, std::size_t c, std::size_t h, std::size_t w, float scale = 1.0f,
                        float offset = 0.0f) {
  ACNE_CHECK(c == 1 || c == 3, "from_chw: need 1 or 3 channels, got " << c);
  cv::Mat image(static_cast<int>(h), static_cast<int>(w), c == 3 ? CV_8UC3 : CV_8UC1);
  const std::size_t plane = h * w;
  for (std::size_t y = 0; y < h; ++y) {
    std::uint8_t* row = image.ptr<std::uint8_t>(static_cast<int>(y));
    for (std::size_t x = 0; x < w; ++x) {
      for (std::size_t ch = 0; ch < c; ++ch) {
        const float v = src[ch * plane + y * w + x] * scale + offset;
        row[x * c + (c == 3 ? 2 - ch : 0)] = cv::saturate_cast<std::uint8_t>(std::lround(std::clamp(v, -1.0f, 256.0f)));
      }
    }
  }
  return image;
}

// Image files below `folder` (any depth; .png .jpg .jpeg .bmp; hidden entries skipped), sorted by path.
inline std::vector<fs::path> list_images(const fs::path& folder) {
  ACNE_CHECK(fs::is_directory(folder), "'" << folder.string() << "' is not a folder");
  std::vector<fs::path> files;
  auto it = fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink);
  for (auto end = fs::recursive_directory_iterator(); it != end; ++it) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && io::is_image_extension(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace acne::io
