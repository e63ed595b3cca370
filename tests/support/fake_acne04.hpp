#pragma once
// A tiny ACNE04 layout (the official one: label files NNEW_{trainval,test}_0.txt beside JPEGImages/)
// with small JPEGs: trainval levels 0, 0, 1, 2, 3 and test levels 1, 3.
#include <filesystem>
#include <fstream>
#include <string>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"

namespace acne::test {

inline void write_text(const std::filesystem::path& p, const char* text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline void fake_acne04(const std::filesystem::path& root) {
  const char* trainval =
      "levle0_1.jpg 0 2\n"
      "levle0_2.jpg  0   5\r\n"
      "levle1_1.jpg\t1\t12\n"
      "\n"
      "levle2_1.jpg 2 30\n"
      "levle3_1.jpg 3 64\n";
  const char* test = "levle1_2.jpg 1 7\nlevle3_2.jpg 3 80\n";
  write_text(root / "NNEW_trainval_0.txt", trainval);
  write_text(root / "NNEW_test_0.txt", test);
  int k = 0;
  for (const char* name : {"levle0_1.jpg", "levle0_2.jpg", "levle1_1.jpg", "levle2_1.jpg", "levle3_1.jpg", "levle1_2.jpg", "levle3_2.jpg"})
    acne::io::write_image(root / "JPEGImages" / name, cv::Mat(12, 10, CV_8UC3, cv::Scalar::all(20 * ++k)));
}

// Five plain healthy "faces" h0..h4.jpg of rows x cols pixels, grey levels 0, step, 2 step, ... (the
// folder --healthy takes beside ACNE04; h4 is its test face).
inline void fake_healthy_faces(const std::filesystem::path& dir, int rows, int cols, int step) {
  for (int i = 0; i < 5; ++i)
    acne::io::write_image(dir / ("h" + std::to_string(i) + ".jpg"), cv::Mat(rows, cols, CV_8UC3, cv::Scalar::all(step * i)));
}

}  // namespace acne::test
