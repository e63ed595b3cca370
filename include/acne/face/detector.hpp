#pragma once
// Faces and their 68 landmarks, by dlib: the HOG frontal-face detector (no model file) and the
// 68-point shape predictor of Debian's libdlib-data. Faces come largest first. Images whose shorter
// side is under `min_side` pixels are enlarged (bicubic) for the detector, which finds faces of about
// 80 pixels and up, and the landmarks are mapped back to the image.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"
#include "acne/face/landmarks.hpp"

namespace acne::face {

inline const std::filesystem::path default_landmark_model = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

struct detector_options {
  std::filesystem::path landmark_model = default_landmark_model;
  int min_side = 400;  // images smaller than this are enlarged for the detector
  int upsample = 1;    // dlib's pyramid upsampling: finds faces down to about 40 pixels (of the enlarged image)
};

class face_detector {
public:
  explicit face_detector(detector_options o = {}) : o_(std::move(o)), detector_(dlib::get_frontal_face_detector()) {
    ACNE_CHECK(std::filesystem::is_regular_file(o_.landmark_model),
               "face landmark model '" << o_.landmark_model.string() << "' not found (Debian's libdlib-data installs "
                                       << default_landmark_model.string() << "; tools/deps.sh installs it)");
    try {
      dlib::deserialize(o_.landmark_model.string()) >> predictor_;
    } catch (const std::exception& e) {
      ACNE_THROW("face landmark model '" << o_.landmark_model.string() << "' could not be read: " << e.what());
    }
  }

  // Every face found in an 8-bit BGR (or gray) image, largest first.
  std::vector<face_landmarks> detect(const cv::Mat& image) {
    ACNE_CHECK(!image.empty() && image.depth() == CV_8U && (image.channels() == 3 || image.channels() == 1),
               "face detection needs an 8-bit BGR or gray image, got type " << image.type());
    cv::Mat bgr = image;
    if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    const double scale = std::max(1.0, double(o_.min_side) / double(std::min(bgr.rows, bgr.cols)));
    cv::Mat work = bgr;
    if (scale > 1) cv::resize(bgr, work, {}, scale, scale, cv::INTER_CUBIC);
    if (!work.isContinuous()) work = work.clone();
    const dlib::cv_image<dlib::bgr_pixel> view(work);
    std::vector<face_landmarks> faces;
    for (const auto& box : detector_(view, o_.upsample)) {
      const auto shape = predictor_(view, box);
      face_landmarks f;
      // Back to the image's pixel centres: x_image = (x_work + 0.5) / scale - 0.5.
      const auto back = [scale](double v) { return (v + 0.5) / scale - 0.5; };
      f.box = {back(double(box.left())), back(double(box.top())), double(box.width()) / scale, double(box.height()) / scale};
      for (std::size_t i = 0; i < landmark_count; ++i)
        f.points[i] = {back(double(shape.part(unsigned(i)).x())), back(double(shape.part(unsigned(i)).y()))};
      faces.push_back(f);
    }
    std::sort(faces.begin(), faces.end(), [](const auto& a, const auto& b) { return a.box.area() > b.box.area(); });
    return faces;
  }

private:
  detector_options o_;
  dlib::frontal_face_detector detector_;
  dlib::shape_predictor predictor_;
};

}  // namespace acne::face
