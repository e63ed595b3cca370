#pragma once
// What the DFDNet tests share: dictionaries and an input face drawn by the hashed fill (the values
// tools/dfdnet_reference.py gives the official network), and part boxes that overlap.
#include <algorithm>
#include <array>

#include "acne/models/dfdnet/dictionaries.hpp"
#include "support/hashed_fill.hpp"

namespace acne::test {

// The 16 dictionaries of `atoms` atoms each for a generator of widths / `divisor` and faces of `face_side`.
template <class T, class D = cpu>
dfdnet::component_dictionaries<T, D> hashed_dictionaries(std::size_t divisor, std::size_t atoms,
                                                         std::size_t face_side = dfdnet::face_side) {
  dfdnet::component_dictionaries<T, D> d;
  const std::array<std::size_t, 4> channels{128, 256, 512, 512};
  for (std::size_t i = 0; i < 4; ++i)
    for (dfdnet::face_part p : dfdnet::face_parts_in_order) {
      const std::size_t s = dfdnet::atom_side(p, dfdnet::tap_side(face_side, i));
      tensor<float> a({atoms, channels[i] / divisor, s, s});
      const auto v = hashed_fill(dfdnet::dictionary_name(p, dfdnet::feature_sides[i]), a.size(), 1.0);
      std::copy(v.begin(), v.end(), a.begin());
      d.at(p, i) = dfdnet::component_dictionary<T, D>(a);
    }
  return d;
}

// The input face [1, 3, 512, 512] of the hashed fill.
template <class T>
tensor<T> hashed_face(double scale = 0.8) {
  tensor<T> x({1, 3, 512, 512});
  const auto v = hashed_fill("input", x.size(), scale);
  std::copy(v.begin(), v.end(), x.begin());
  return x;
}

// Boxes on a 512 face in which the nose box overlaps both eyes' and the mouth's.
inline dfdnet::face_boxes overlapping_boxes() {
  return {dfdnet::part_box{150, 200, 240, 290}, dfdnet::part_box{280, 205, 365, 290},
          dfdnet::part_box{200, 260, 320, 360}, dfdnet::part_box{180, 330, 340, 440}};
}

}  // namespace acne::test
