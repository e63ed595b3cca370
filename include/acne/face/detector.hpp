#pragma once
// Faces and their 68 landmarks, by dlib: the HOG frontal-face detector (no model file) and the
// 68-point shape predictor of Debian's libdlib-data. Faces come surest first. Images whose shorter
// side is under `min_side` pixels are enlarged (bicubic) for the detector, which finds faces of about
// 80 pixels and up, and the landmarks are mapped back to the image; images whose longer side is over
// `max_side` (a 3112 x 3456 ACNE04 photograph) are searched at that size, and their landmarks placed
// on the full image.
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
  int min_side = 400;   // images smaller than this are enlarged for the detector
  int max_side = 1024;  // images larger than this are searched reduced
  double threshold = 0;  // added to the detector's score threshold: below 0 finds more faces, and more false ones
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

  // Every face found in an 8-bit BGR (or gray) image, surest first.
  std::vector<face_landmarks> detect(const cv::Mat& image) {
    ACNE_CHECK(!image.empty() && image.depth() == CV_8U && (image.channels() == 3 || image.channels() == 1),
               "face detection needs an 8-bit BGR or gray image, got type " << image.type());
    cv::Mat bgr = image;
    if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    const double enlarge = std::max(1.0, double(o_.min_side) / double(std::min(bgr.rows, bgr.cols)));
    const double scale = enlarge > 1 ? enlarge : std::min(1.0, double(o_.max_side) / double(std::max(bgr.rows, bgr.cols)));
    cv::Mat searched = bgr;
    if (scale != 1) cv::resize(bgr, searched, {}, scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
    if (!searched.isContinuous()) searched = searched.clone();
    // Landmarks on the enlarged image for a small one, on the full image for a large one.
    const double placed = enlarge > 1 ? scale : 1;
    cv::Mat full = bgr.isContinuous() ? bgr : bgr.clone();
    const dlib::cv_image<dlib::bgr_pixel> search_view(searched), place_view(enlarge > 1 ? searched : full);
    // Pixel centres: x_image = (x_scaled + 0.5) / s - 0.5.
    const auto back = [](double v, double s) { return (v + 0.5) / s - 0.5; };
    std::vector<face_landmarks> faces;
    std::vector<dlib::rect_detection> detections;
    detector_(search_view, detections, o_.threshold);
    for (const auto& detection : detections) {
      const auto& found = detection.rect;
      const double k = scale / placed;  // searched pixels per pixel of the landmark image
      const dlib::rectangle box(long(std::lround(back(double(found.left()), k))), long(std::lround(back(double(found.top()), k))),
                                long(std::lround(back(double(found.right()), k))), long(std::lround(back(double(found.bottom()), k))));
      const auto shape = predictor_(place_view, box);
      face_landmarks f;
      f.confidence = detection.detection_confidence;
      f.box = {back(double(box.left()), placed), back(double(box.top()), placed), double(box.width()) / placed,
               double(box.height()) / placed};
      for (std::size_t i = 0; i < landmark_count; ++i)
        f.points[i] = {back(double(shape.part(unsigned(i)).x()), placed), back(double(shape.part(unsigned(i)).y()), placed)};
      faces.push_back(f);
    }
    // Surest first. DFDNet's code takes the largest, but a false detection can be the larger: a badge on
    // astronaut.png's suit, saved as JPEG, outsizes her face.
    std::sort(faces.begin(), faces.end(), [](const auto& a, const auto& b) { return a.confidence > b.confidence; });
    return faces;
  }

private:
  detector_options o_;
  dlib::frontal_face_detector detector_;
  dlib::shape_predictor predictor_;
};

}  // namespace acne::face
