#pragma once
// Faces brought to a GAN's resolution (the pipeline's stage 2): each image of a labelled set written
// as resolution x resolution PNG into dst/<class>/, either resized whole (area averaging down,
// bicubic up) or, with alignment, found and FFHQ-aligned (the framing a GAN transferred from an FFHQ
// model expects); a face smaller than the resolution is then restored first when a restorer is
// given (DFDNet, face/restore.hpp), as the paper restored its small web photographs. An image in
// which no face is found is named and left out, or, when strict, stops the work. Images already
// written are kept, so a rerun continues; the folder records its source, resolution, alignment and
// restoration (io/folder_record.hpp) and refuses other ones.
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>

#include <opencv2/core.hpp>

#include "acne/data/labelled_files.hpp"
#include "acne/data/preprocess.hpp"
#include "acne/error.hpp"
#include "acne/face/detector.hpp"
#include "acne/face/ffhq_alignment.hpp"
#include "acne/io/folder_record.hpp"
#include "acne/io/image.hpp"

namespace acne::face {

struct gan_face_options {
  int resolution = 64;
  bool align = false;
  bool strict = false;  // a missing face is an error, not a skip
  std::string source;   // what the faces are, for the folder's record
  // Restores a face smaller than the resolution (photograph, its landmarks, side) into an
  // FFHQ-aligned face; empty: such faces are upscaled bicubically, with a warning.
  std::function<cv::Mat(const cv::Mat&, const face_landmarks&, int)> restore_small{};
  std::string restorer;  // what restores them, for the folder's record
};

// Returns the faces written (a class may have none); `detector` is made on first use and kept.
inline data::labelled_files faces_at_gan_resolution(const data::labelled_files& src, const std::filesystem::path& dst,
                                                    const gan_face_options& o, std::unique_ptr<face_detector>& detector,
                                                    std::ostream& log) {
  namespace fs = std::filesystem;
  const int r = o.resolution;
  io::claim_folder(dst,
                   {{"source", o.source}, {"resolution", r}, {"align", o.align ? "ffhq" : "none"},
                    {"restore", o.restore_small ? o.restorer : "bicubic"}},
                   "the faces at the GAN resolution");
  if (o.align && !detector) detector = std::make_unique<face_detector>();
  std::size_t down = 0, up = 0, restored = 0, missed = 0;
  std::set<fs::path> written;
  data::labelled_files faces{src.classes, {}, {}};
  for (std::size_t i = 0; i < src.size(); ++i) {
    fs::path out = dst / src.classes.at(std::size_t(src.label(i))) / src.path(i).filename().replace_extension(".png");
    // Two files of one name (from sub-folders of a given folder) keep both.
    if (!written.insert(out).second) written.insert(out = out.parent_path() / (out.stem().string() + "-" + std::to_string(i) + ".png"));
    const auto keep = [&] {
      faces.files.push_back(out);
      faces.labels.push_back(src.label(i));
    };
    if (fs::exists(out)) {
      keep();
      continue;
    }
    const cv::Mat image = src.load(i);
    cv::Mat ready;
    if (o.align) {
      const auto found = detector->detect(image);
      if (found.empty()) {
        ACNE_CHECK(!o.strict, "no face found in " << src.path(i).string() << " (strict: the first such image stops the work)");
        log << "no face found in " << src.path(i).string() << ": left out\n";
        ++missed;
        continue;
      }
      const auto quad = ffhq_quad(found[0]);
      const bool small = std::hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y) < r;
      if (small && o.restore_small) {
        ready = o.restore_small(image, found[0], r);
        ++restored;
      } else {
        (small ? up : down) += 1;
        ready = ffhq_align(image, found[0], r).image;
      }
    } else {
      const bool small = std::min(image.rows, image.cols) < r;
      (small ? up : down) += 1;
      ready = data::resize_to(image, r, r, small ? data::resize_filter::bicubic : data::resize_filter::area);
    }
    io::write_image(out, ready);
    keep();
  }
  log << faces.size() << " faces at " << r << " px in " << dst << " (" << faces.counts_text() << "; "
      << (o.align ? "FFHQ-aligned, " : "") << down << " downsampled, " << restored << " restored and " << up
      << " upscaled now"
      << (missed ? ", " + std::to_string(missed) + " without a face found left out" : std::string()) << ")\n";
  if (up)
    log << "warning: " << up << " faces smaller than " << r << " px were upscaled bicubically"
        << (o.align ? " (--dfdnet FILE restores them with DFDNet)" : " (--align ffhq --dfdnet FILE restores them with DFDNet)")
        << "\n";
  return faces;
}

}  // namespace acne::face
