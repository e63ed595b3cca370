#pragma once
// Face restoration with DFDNet, as the official test_FaceDict.py runs it: each face found in a
// photograph is aligned to DFDNet's 512 x 512 template (dfdnet_alignment.hpp), its four part boxes
// come from its 68 landmarks in that frame, the generator restores it, and the restored face is
// pasted back into the photograph enlarged by `upscale` through the official soft mask
// (paste_back.hpp). One difference: the official code finds the 68 landmarks of the aligned face
// with a second network (FAN), which is not in Debian; here dlib's landmarks of the photograph are
// carried into the aligned frame by the alignment itself.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/face/dfdnet_alignment.hpp"
#include "acne/face/ffhq_alignment.hpp"
#include "acne/face/landmarks.hpp"
#include "acne/face/paste_back.hpp"
#include "acne/face/similarity.hpp"
#include "acne/io/image.hpp"
#include "acne/models/dfdnet/weights.hpp"
#include "acne/network.hpp"

namespace acne::face {

// A face's landmarks carried by an image-to-face transform.
inline face_landmarks transformed(const face_landmarks& f, const cv::Matx23d& m) {
  face_landmarks out = f;
  for (auto& p : out.points) p = apply(m, p);
  const cv::Point2d a = apply(m, f.box.tl()), b = apply(m, f.box.br());
  out.box = cv::Rect2d(a, b);
  return out;
}

template <class D = cpu>
class face_restorer {
public:
  // DFDNet weights and dictionaries in one file (tools/convert_dfdnet.py); the widths the file
  // was converted at decide the generator's.
  explicit face_restorer(const std::filesystem::path& weights) {
    const auto file = io::load_safetensors(weights);
    const std::string source = "DFDNet weights '" + weights.string() + "'";
    const dfdnet::config cfg = dfdnet::file_config(file);
    // Alignment and pasting back work in the official 512 x 512 frame.
    ACNE_CHECK(cfg.face_side == dfdnet::face_side, source << " holds a DFDNet of " << cfg.face_side
                                                          << " px faces (a test network); photographs are restored by one of "
                                                          << dfdnet::face_side << " px");
    net_ = std::make_unique<network<dfdnet::generator<float, D>>>(dfdnet::generator<float, D>(cfg));
    net_->setup({1, 3, dfdnet::face_side, dfdnet::face_side});
    dictionaries_ = dfdnet::load_dictionaries<float, D>(file, source, cfg);
    dfdnet::load_generator(*net_, file, source);
    net_->layer().set_dictionaries(&dictionaries_);
    net_->eval();
  }

  // A face aligned to DFDNet's template (8-bit BGR, 512 x 512) and its landmarks in that frame.
  cv::Mat restore_aligned(const cv::Mat& face, const face_landmarks& landmarks) {
    const int side = int(dfdnet::face_side);
    ACNE_CHECK(face.type() == CV_8UC3 && face.rows == side && face.cols == side,
               "DFDNet restores 8-bit colour faces of 512 x 512 aligned to its template, not " << face.cols << " x "
                                                                                             << face.rows);
    std::vector<dfdnet::point2> points;
    for (const auto& p : landmarks.points) points.push_back({p.x, p.y});
    net_->layer().set_boxes({dfdnet::boxes_from_landmarks(points)});
    tensor<float> x({1, 3, dfdnet::face_side, dfdnet::face_side});
    io::to_chw(face, x.data(), 2.0f / 255.0f, -1.0f);
    if constexpr (std::is_same_v<D, cpu>) {
      return image_of(net_->forward(x));
    } else {
      tensor<float, D> on_device(x.shape());
      memory<D>::from_host(on_device.data(), x.data(), x.bytes());
      const auto& y = net_->forward(on_device);
      tensor<float> host(y.shape());
      memory<D>::to_host(host.data(), y.data(), host.bytes());
      return image_of(host);
    }
  }

  // Aligns the face the landmarks locate in `image` and restores it; `to_image` (when not null)
  // receives the aligned face's map back into the image.
  cv::Mat restore(const cv::Mat& image, const face_landmarks& f, cv::Matx23d* to_image = nullptr) {
    const aligned_face a = dfdnet_align(image, f);
    if (to_image) *to_image = a.to_image;
    return restore_aligned(a.image, transformed(f, a.to_face));
  }

  std::size_t width_divisor() const { return net_->layer().cfg().width_divisor; }

private:
  static cv::Mat image_of(const tensor<float>& y) {
    return io::from_chw(y.data(), 3, y.shape().h, y.shape().w, 127.5f, 127.5f);
  }

  std::unique_ptr<network<dfdnet::generator<float, D>>> net_;
  dfdnet::component_dictionaries<float, D> dictionaries_;
};

struct restored_photo {
  cv::Mat image;                // the photograph enlarged by `upscale`, every face pasted back
  std::vector<cv::Mat> faces;   // each restored face, 512 x 512 in DFDNet's frame, surest first
};

// Restores the given faces of a photograph (the detector's, surest first).
template <class D>
restored_photo restore_photo(const cv::Mat& image, const std::vector<face_landmarks>& faces, face_restorer<D>& restorer,
                             int upscale) {
  restored_photo out;
  out.image = image;
  bool enlarged = false;
  for (const auto& f : faces) {
    cv::Matx23d to_image;
    out.faces.push_back(restorer.restore(image, f, &to_image));
    if (!enlarged) {
      out.image = paste_back(out.image, out.faces.back(), to_image, upscale);
      enlarged = true;
    } else {
      // The photograph is enlarged already: its map is the face's scaled by `upscale`.
      out.image = paste_back(out.image, out.faces.back(), to_image * double(upscale), 1);
    }
  }
  if (!enlarged && upscale > 1) cv::resize(image, out.image, {}, upscale, upscale, cv::INTER_LINEAR);
  return out;
}

// A small face of a photograph restored by DFDNet, then FFHQ-aligned at `size` (the pipeline's
// stage 2 for faces smaller than its GAN resolution).
template <class D>
cv::Mat restored_ffhq_face(const cv::Mat& image, const face_landmarks& f, face_restorer<D>& restorer, int size) {
  const aligned_face a = dfdnet_align(image, f);
  const face_landmarks in_face = transformed(f, a.to_face);
  return ffhq_align(restorer.restore_aligned(a.image, in_face), in_face, size).image;
}

}  // namespace acne::face
