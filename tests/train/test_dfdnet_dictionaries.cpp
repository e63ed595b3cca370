// DFDNet's dictionaries built from faces (train/dfdnet_dictionaries.hpp), on phantom faces aligned
// to DFDNet's template by the landmarks they record: with as many atoms as faces, every face's part
// matched against the dictionaries finds its own crop (its renormalised inner product with itself
// beats any other atom's, by Cauchy-Schwarz per channel, when the channels' variances are well above
// AdaIN's 1e-5); with fewer, K-means makes each atom the
// mean of the crops nearest to it.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <sstream>

#include "acne/train/dfdnet_dictionaries.hpp"
#include "acne/train/dfdnet_phantom_faces.hpp"

namespace test_train_dfdnet_dictionaries {

using namespace acne;
using namespace acne::dfdnet;

namespace {

// He-initialised, so that the features keep their spread through the 16 convolutions (Glorot's
// halves it at each ReLU: at conv5_4 the variance would be near AdaIN's 1e-5, which then decides).
network<vgg19_features<float>> reduced_vgg() {
  network<vgg19_features<float>> vgg{with_name(vgg19_features<float>(16), "VggExtract")};
  vgg.setup({1, 3, 512, 512}, 3);
  std::mt19937_64 gen(3);
  for (auto& s : vgg.slots())
    if (s.name.ends_with("weight")) {
      std::normal_distribution<float> d(0, std::sqrt(2.0f / float(s.shape.c * s.shape.h * s.shape.w)));
      for (auto& v : *s.value) v = d(gen);
    }
  return vgg;
}

// Every face's crops as the builder takes them: [scale][part][face] rows.
std::array<std::array<std::vector<std::vector<float>>, 4>, 4> crops_of(network<vgg19_features<float>>& vgg,
                                                                       const std::vector<dictionary_face>& faces) {
  std::array<std::array<std::vector<std::vector<float>>, 4>, 4> out;
  tensor<float> x({1, 3, 512, 512}), crop, resized;
  for (const auto& f : faces) {
    io::to_chw(f.image, x.data(), 2.0f / 255.0f, -1.0f);
    vgg.forward(x);
    for (std::size_t i = 0; i < 4; ++i)
      for (face_part p : face_parts_in_order) {
        crop_part(vgg.layer().tap(i), 0, part_window(f.boxes[std::size_t(p)], feature_sides[i], p),
                  atom_side(p, feature_sides[i]), crop, resized);
        out[i][std::size_t(p)].emplace_back(resized.begin(), resized.end());
      }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_dictionaries)

BOOST_AUTO_TEST_CASE(a_face_finds_its_own_crop) {
  auto vgg = reduced_vgg();
  const auto faces = aligned_phantom_faces(5, 5);
  std::ostringstream log;
  auto dicts = build_dictionaries(vgg, faces, {.atoms = 8}, log);
  BOOST_TEST(log.str().find("5 faces for 8 atoms: 5 atoms, one per face") != std::string::npos, log.str());
  const auto crops = crops_of(vgg, faces);
  for (std::size_t i = 0; i < 4; ++i)
    for (face_part p : face_parts_in_order) {
      auto& d = dicts.at(p, i);
      BOOST_TEST(d.atoms() == 5u);
      BOOST_TEST(d.shape().c == vgg.layer().tap_channels(i));
      for (std::size_t f = 0; f < faces.size(); ++f) {
        const auto& row = crops[i][std::size_t(p)][f];
        tensor<float> r({1, d.shape().c, d.shape().h, d.shape().w});
        std::copy(row.begin(), row.end(), r.begin());
        const auto scores = d.scores(r, row);
        const auto best = std::size_t(std::max_element(scores.begin(), scores.end()) - scores.begin());
        BOOST_TEST(best == f, part_name(p) << " at " << feature_sides[i] << ": face " << f << " matched atom " << best);
      }
    }
}

BOOST_AUTO_TEST_CASE(kmeans_atoms_are_the_means_of_their_crops) {
  auto vgg = reduced_vgg();
  const auto faces = aligned_phantom_faces(8, 5);
  std::ostringstream log;
  auto dicts = build_dictionaries(vgg, faces, {.atoms = 3, .seed = 4}, log);
  const auto crops = crops_of(vgg, faces);
  for (std::size_t i : {std::size_t(0), std::size_t(3)})
    for (face_part p : face_parts_in_order) {
      const auto atoms = dicts.at(p, i).host_atoms();
      BOOST_TEST_REQUIRE(atoms.shape().n == 3u);
      const std::size_t dims = atoms.size() / 3;
      std::vector<std::vector<double>> sum(3, std::vector<double>(dims, 0.0));
      std::vector<std::size_t> members(3, 0);
      for (const auto& row : crops[i][std::size_t(p)]) {
        std::size_t nearest = 0;
        double best = 1e300;
        for (std::size_t k = 0; k < 3; ++k) {
          double d2 = 0;
          for (std::size_t j = 0; j < dims; ++j) d2 += (row[j] - atoms[k * dims + j]) * (row[j] - atoms[k * dims + j]);
          if (d2 < best) best = d2, nearest = k;
        }
        ++members[nearest];
        for (std::size_t j = 0; j < dims; ++j) sum[nearest][j] += row[j];
      }
      for (std::size_t k = 0; k < 3; ++k) {
        BOOST_TEST_REQUIRE(members[k] > 0u);
        double worst = 0, scale = 0;
        for (std::size_t j = 0; j < dims; ++j) {
          worst = std::max(worst, std::abs(sum[k][j] / double(members[k]) - atoms[k * dims + j]));
          scale = std::max(scale, std::abs(double(atoms[k * dims + j])));
        }
        BOOST_TEST(worst < 1e-4 * (1 + scale), part_name(p) << " at " << feature_sides[i] << " atom " << k);
      }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_dfdnet_dictionaries
