#pragma once
// DFDNet's component dictionaries built from a user's own high-quality faces, as the paper built
// them (the release gives the dictionaries, not the way to make them): every face, aligned to
// DFDNet's template, goes through VGG19; at each of the four scales each part's features are
// cropped from its box and resized to the part's atom side, exactly as the generator crops them
// to match; and K-means (metrics/kmeans.hpp, k-means++ start) over those crops gives the K atoms,
// each the mean of the crops of its cluster. With fewer faces than atoms asked for, every face's
// crop is an atom (K = the face count), and the log says so.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"
#include "acne/metrics/kmeans.hpp"
#include "acne/models/dfdnet/dictionaries.hpp"
#include "acne/models/dfdnet/face_parts.hpp"
#include "acne/models/vgg19.hpp"
#include "acne/network.hpp"

namespace acne::dfdnet {

// A face aligned to DFDNet's template (8-bit BGR, 512 x 512, or a reduced face side) and its part
// boxes in that frame.
struct dictionary_face {
  cv::Mat image;
  face_boxes boxes;
};

struct dictionary_options {
  std::size_t atoms = 512;  // K per dictionary (the release's folder is DictionaryCenter512)
  std::uint64_t seed = 0;
  std::size_t max_iterations = 50;
};

// `vgg`: VGG19's features (named "VggExtract", weights loaded). The faces' side (all the same) is
// the face side of the generators the dictionaries are for.
template <class D>
component_dictionaries<float, D> build_dictionaries(network<vgg19_features<float, D>>& vgg,
                                                    const std::vector<dictionary_face>& faces,
                                                    const dictionary_options& o, std::ostream& log) {
  ACNE_CHECK(!faces.empty(), "DFDNet dictionaries need at least one face");
  const std::size_t k = std::min(o.atoms, faces.size());
  if (k < o.atoms) log << "dictionaries: " << faces.size() << " faces for " << o.atoms << " atoms: " << k << " atoms, one per face\n";
  // crops[scale][part]: one row of C * s * s values per face.
  std::array<std::array<std::vector<float>, 4>, 4> crops;
  const std::size_t side = std::size_t(faces.front().image.rows);
  check_face_side(side);
  tensor<float> host({1, 3, side, side});
  tensor<float, D> x(host.shape()), crop, resized;
  vgg.eval();
  for (std::size_t f = 0; f < faces.size(); ++f) {
    const auto& face = faces[f];
    ACNE_CHECK(face.image.type() == CV_8UC3 && std::size_t(face.image.rows) == side && std::size_t(face.image.cols) == side,
               "DFDNet dictionaries: face " << f << " is not an aligned " << side << " x " << side
                                            << " colour face as face 0 is");
    io::to_chw(face.image, host.data(), 2.0f / 255.0f, -1.0f);
    memory<D>::from_host(x.data(), host.data(), host.bytes());
    vgg.forward(x);
    for (std::size_t i = 0; i < 4; ++i)
      for (face_part p : face_parts_in_order) {
        const part_box w = part_window(face.boxes[std::size_t(p)], tap_side(side, i), p, side);
        crop_part(vgg.layer().tap(i), 0, w, atom_side(p, tap_side(side, i)), crop, resized);
        auto& rows = crops[i][std::size_t(p)];
        const std::size_t at = rows.size();
        rows.resize(at + resized.size());
        memory<D>::to_host(rows.data() + at, resized.data(), resized.size() * sizeof(float));
      }
  }
  component_dictionaries<float, D> out;
  for (std::size_t i = 0; i < 4; ++i)
    for (face_part p : face_parts_in_order) {
      const auto& rows = crops[i][std::size_t(p)];
      const std::size_t c = vgg.layer().tap_channels(i), s = atom_side(p, tap_side(side, i)), dims = c * s * s;
      std::vector<float> centroids;
      if (k == faces.size()) {
        centroids = rows;
      } else {
        centroids = metrics::kmeans(rows, dims, {.clusters = k, .seed = o.seed, .max_iterations = o.max_iterations}).centroids;
      }
      tensor<float> atoms({k, c, s, s});
      std::copy(centroids.begin(), centroids.end(), atoms.begin());
      out.at(p, i) = component_dictionary<float, D>(atoms);
    }
  log << "dictionaries: " << k << " atoms per part and scale from " << faces.size() << " faces\n";
  return out;
}

}  // namespace acne::dfdnet
