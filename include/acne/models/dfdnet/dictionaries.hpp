#pragma once
// DFDNet's component dictionaries: for each face part and each VGG scale (feature sides 256, 128,
// 64, 32 of a 512 face), K atoms [K, C, s, s] of VGG features of that part, s = the part's size at
// 512 divided by 512 / side. Matching a face's part against a dictionary (the official forward):
// the part's features are cropped, resized bilinearly to s x s, every atom is renormalised to the
// crop's channel statistics (AdaIN: unbiased variance + 1e-5), the atom of the largest inner
// product with the crop wins (the official softmax does not change the winner), and that
// renormalised atom is resized back to the crop by nearest neighbours. The atoms' own statistics
// do not depend on the face, so they are computed once, in double, when the dictionary is set; a
// score is then sum_c (std_c / std_kc) (<crop_c, atom_kc> - mean_kc S_c) + sum_c mean_c S_c with
// S_c the crop's channel sum, which is the inner product with the renormalised atom.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "acne/backend.hpp"
#include "acne/models/dfdnet/face_parts.hpp"

namespace acne::dfdnet {

// The taps' sides on the official 512 face, which also name the scales (in parameter and
// dictionary names) on a reduced face.
inline constexpr std::array<std::size_t, 4> feature_sides{256, 128, 64, 32};
inline constexpr double adain_eps = 1e-5;

// The side of tap i's features on a face of side `face`.
inline std::size_t tap_side(std::size_t face, std::size_t i) { return face >> (i + 1); }

// The side of a part's atoms at a feature side `side`: the official part_size // (512 / side) on a
// 512 face (3 to 55), the same fraction of the features on a reduced one, and at least 2, which
// AdaIN's unbiased variance needs.
inline std::size_t atom_side(face_part p, std::size_t side) {
  return std::max<std::size_t>(2, part_size_at_512(p) * side / 512);
}

// Mean and deviation (unbiased variance + eps, as torch.var) of each plane of a host array of
// planes of `plane` values.
template <class V>
void plane_statistics(const V* data, std::size_t planes, std::size_t plane, std::vector<double>& mean,
                             std::vector<double>& dev) {
  mean.assign(planes, 0.0), dev.assign(planes, 0.0);
  for (std::size_t i = 0; i < planes; ++i) {
    const V* p = data + i * plane;
    double m = 0;
    for (std::size_t j = 0; j < plane; ++j) m += p[j];
    m /= double(plane);
    double v = 0;
    for (std::size_t j = 0; j < plane; ++j) v += (p[j] - m) * (p[j] - m);
    mean[i] = m;
    dev[i] = std::sqrt(v / double(plane - 1) + adain_eps);
  }
}

// The features of sample n of `tap` inside `window` (crop [1, C, h, w]) and resized bilinearly to
// an atom's side (resized [1, C, s, s]): what is matched against a dictionary, and what a
// dictionary is built from.
template <class T, class D>
void crop_part(const tensor<T, D>& tap, std::size_t n, const part_box& window, std::size_t atom, tensor<T, D>& crop,
               tensor<T, D>& resized) {
  const std::size_t c = tap.shape().c;
  crop.resize({1, c, std::size_t(window.y1 - window.y0), std::size_t(window.x1 - window.x0)});
  take_window(tap, n, std::size_t(window.y0), std::size_t(window.x0), crop);
  resized.resize({1, c, atom, atom});
  resize_bilinear_forward(crop, resized);
}

template <class T, class D = cpu>
class component_dictionary {
public:
  component_dictionary() = default;
  // atoms [K, C, s, s] on the host.
  explicit component_dictionary(const tensor<float, cpu>& atoms) : atoms_(atoms.shape()) {
    const auto& s = atoms.shape();
    ACNE_CHECK(s.n > 0 && s.h == s.w && s.h > 1, "component dictionary: atoms " << s);
    std::vector<T> values(atoms.size());
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = T(atoms.data()[i]);
    memory<D>::from_host(atoms_.data(), values.data(), values.size() * sizeof(T));
    plane_statistics(atoms.data(), s.n * s.c, s.plane(), mean_, dev_);
  }

  const shape4& shape() const { return atoms_.shape(); }
  // The atoms on the host, [K, C, s, s].
  tensor<float> host_atoms() const {
    std::vector<T> values(atoms_.size());
    memory<D>::to_host(values.data(), atoms_.data(), values.size() * sizeof(T));
    tensor<float> out(atoms_.shape());
    for (std::size_t i = 0; i < values.size(); ++i) out.data()[i] = float(values[i]);
    return out;
  }
  std::size_t atoms() const { return atoms_.shape().n; }

  // The score of every atom against `crop` [1, C, s, s] (host values of the crop beside it).
  std::vector<double> scores(const tensor<T, D>& crop, const std::vector<T>& crop_host) {
    const auto& s = atoms_.shape();
    products_.resize({s.n, s.c, 1, 1});
    plane_products(atoms_, crop, products_);
    std::vector<T> q(products_.size());
    memory<D>::to_host(q.data(), products_.data(), q.size() * sizeof(T));
    std::vector<double> cmean, cdev, csum(s.c);
    plane_statistics(crop_host.data(), s.c, s.plane(), cmean, cdev);
    for (std::size_t c = 0; c < s.c; ++c) csum[c] = cmean[c] * double(s.plane());
    crop_mean_ = cmean, crop_dev_ = cdev;
    double common = 0;
    for (std::size_t c = 0; c < s.c; ++c) common += cmean[c] * csum[c];
    std::vector<double> out(s.n, common);
    for (std::size_t k = 0; k < s.n; ++k)
      for (std::size_t c = 0; c < s.c; ++c)
        out[k] += cdev[c] / dev_[k * s.c + c] * (double(q[k * s.c + c]) - mean_[k * s.c + c] * csum[c]);
    return out;
  }

  // Atom k renormalised to the statistics of the crop last scored, [1, C, s, s].
  void renormalized(std::size_t k, tensor<T, D>& out) {
    const auto& s = atoms_.shape();
    out.resize({1, s.c, s.h, s.w});
    take_window(atoms_, k, 0, 0, out);
    std::vector<T> f(s.c), b(s.c);
    for (std::size_t c = 0; c < s.c; ++c) {
      const double r = crop_dev_[c] / dev_[k * s.c + c];
      f[c] = T(r);
      b[c] = T(crop_mean_[c] - mean_[k * s.c + c] * r);
    }
    factors_.resize({1, s.c, 1, 1}), shift_.resize({s.c, 1, 1, 1});
    memory<D>::from_host(factors_.data(), f.data(), f.size() * sizeof(T));
    memory<D>::from_host(shift_.data(), b.data(), b.size() * sizeof(T));
    scale_planes(out, factors_, out);
    add_channel_bias(out, shift_, T(1));
  }

private:
  tensor<T, D> atoms_, products_, factors_, shift_;
  std::vector<double> mean_, dev_, crop_mean_, crop_dev_;
};

// The 16 dictionaries, indexed [part][scale] with scales in feature_sides order.
template <class T, class D = cpu>
struct component_dictionaries {
  std::array<std::array<component_dictionary<T, D>, 4>, 4> parts;

  component_dictionary<T, D>& at(face_part p, std::size_t scale) { return parts[std::size_t(p)][scale]; }
  const component_dictionary<T, D>& at(face_part p, std::size_t scale) const { return parts[std::size_t(p)][scale]; }
  bool complete() const {
    for (const auto& row : parts)
      for (const auto& d : row)
        if (d.atoms() == 0) return false;
    return true;
  }
};

// The name of a dictionary in an acne DFDNet file: "dictionary.left_eye.256".
inline std::string dictionary_name(face_part p, std::size_t side) {
  return "dictionary." + part_name(p) + "." + std::to_string(side);
}

}  // namespace acne::dfdnet
