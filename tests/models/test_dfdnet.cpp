// DFDNet (models/dfdnet/): the full-size generator's parameter names and counts against the
// official UNetDictFace (the count derived below from its code), the part boxes of the official
// test script, and, at reduced widths in double precision, the blocks and the whole generator's
// parameter gradients against central finite differences, with part boxes that overlap so that a
// later part overwrites an earlier one.
#include <algorithm>
#include <map>
#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "acne/models/dfdnet/generator.hpp"
#include "acne/models/dfdnet/weights.hpp"
#include "acne/network.hpp"
#include "support/dfdnet_test_util.hpp"
#include "support/layer_gradients.hpp"
#include "support/scratch_dir.hpp"
#include "support/single_thread.hpp"

namespace test_models_dfdnet {

using namespace acne;
using namespace acne::dfdnet;

namespace {

// A 3x3 convolution's parameters (weight and bias).
std::size_t conv3(std::size_t in, std::size_t out) { return 9 * in * out + out; }

// An SFT block as a one-input layer for the gradient check: the input holds x and the condition
// side by side in its channels.
struct sft_probe : layer_base<double, cpu> {
  std::size_t cx = 0;
  sft_up_block<double> block;
  sft_probe(std::size_t x_channels, std::size_t out) : cx(x_channels), block(out) {}
  shape4 setup(const shape4& in, parameter_registry<double, cpu>& reg) {
    return block.setup({in.n, cx, in.h, in.w}, {in.n, in.c - cx, in.h, in.w}, reg);
  }
  tensor<double> x, s, dx, ds;
  void split(const tensor<double>& in) {
    const auto& sh = in.shape();
    x.resize({sh.n, cx, sh.h, sh.w}), s.resize({sh.n, sh.c - cx, sh.h, sh.w});
    slice_channels(in, x, 0);
    slice_channels(in, s, cx);
  }
  void forward(const tensor<double>& in, tensor<double>& y, context& ctx) {
    split(in);
    block.forward(x, s, y, ctx);
  }
  void backward(const tensor<double>& in, const tensor<double>& y, const tensor<double>& dy, tensor<double>* din,
                context& ctx) {
    split(in);
    ds.resize(s.shape());
    ds.zero();
    block.backward(x, s, y, dy, &dx, ds, ctx);
    if (!din) return;
    din->resize(in.shape());
    copy_channels(dx, *din, 0);
    copy_channels(ds, *din, cx);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_generator)

BOOST_AUTO_TEST_CASE(full_size_names_and_counts_follow_the_official_state_dict) {
  network<generator<float>> net{generator<float>()};
  net.setup({1, 3, 512, 512});
  std::map<std::string, shape4> slots;
  std::size_t trained = 0, frozen = 0, sn_vectors = 0;
  for (const auto& s : net.slots()) {
    slots[s.name] = s.shape;
    if (s.trainable()) (s.frozen ? frozen : trained) += s.shape.size();
    if (s.name.ends_with("weight_u") || s.name.ends_with("weight_v")) sn_vectors += s.shape.size();
  }
  // Names and shapes as models/networks.py's UNetDictFace registers them.
  BOOST_TEST((slots.at("VggExtract.model.features.0.weight") == shape4{64, 3, 3, 3}));
  BOOST_TEST((slots.at("VggExtract.model.features.34.weight") == shape4{512, 512, 3, 3}));
  BOOST_TEST((slots.at("VggExtract.RGB_mean") == shape4{1, 3, 1, 1}));
  BOOST_TEST((slots.at("le_256.0.weight_orig") == shape4{128, 128, 3, 3}));
  BOOST_TEST((slots.at("mo_32.2.weight_u") == shape4{512, 1, 1, 1}));
  BOOST_TEST((slots.at("no_128.2.weight_v") == shape4{256 * 9, 1, 1, 1}));
  BOOST_TEST((slots.at("MSDilate.conv1.0.weight_orig") == shape4{512, 512, 3, 3}));
  BOOST_TEST((slots.at("MSDilate.convi.weight_orig") == shape4{512, 2048, 3, 3}));
  BOOST_TEST((slots.at("up0.conv1.1.weight_orig") == shape4{512, 512, 3, 3}));
  BOOST_TEST((slots.at("up1.ScaleModel1.0.weight_orig") == shape4{256, 512, 3, 3}));
  BOOST_TEST((slots.at("up2.ShiftModel1.2.bias") == shape4{128, 1, 1, 1}));
  BOOST_TEST((slots.at("up3.convup.1.weight_orig") == shape4{64, 64, 3, 3}));
  BOOST_TEST((slots.at("up4.0.weight_orig") == shape4{64, 64, 3, 3}));
  BOOST_TEST((slots.at("up4.2.Model.0.weight") == shape4{64, 64, 3, 3}));
  BOOST_TEST((slots.at("up4.3.Model.2.bias") == shape4{64, 1, 1, 1}));
  BOOST_TEST((slots.at("up4.4.weight") == shape4{3, 64, 3, 3}));
  BOOST_TEST(!slots.contains("up0.conv1.0.weight"));  // the Blur buffers: constants, not stored

  // The count, derived from models/networks.py. VGG19's features (torchvision): 16 convolutions.
  const std::size_t vgg = conv3(3, 64) + conv3(64, 64) + conv3(64, 128) + conv3(128, 128) + conv3(128, 256) +
                          3 * conv3(256, 256) + conv3(256, 512) + 7 * conv3(512, 512);
  BOOST_TEST(vgg == 20'024'384u);
  // AttentionBlock(c) = SN conv c->c, LReLU, SN conv c->c; four parts at c = 128, 256, 512, 512.
  const std::size_t attention = 4 * 2 * (conv3(128, 128) + conv3(256, 256) + 2 * conv3(512, 512));
  // MSDilateBlock(512): four convU (two SN convs each) and convi 2048 -> 512.
  const std::size_t ms_dilate = 8 * conv3(512, 512) + conv3(2048, 512);
  // StyledUpBlock(in, out): conv1 in->out, ScaleModel1 and ShiftModel1 in->out->out, convup out->out.
  const auto up = [](std::size_t in, std::size_t out) { return 3 * conv3(in, out) + 3 * conv3(out, out); };
  const std::size_t ups = up(512, 512) + up(512, 256) + up(256, 128) + up(128, 64);
  // up4: SN conv 64->64, two UpResBlocks of two plain convs, conv 64->3.
  const std::size_t head = conv3(64, 64) + 4 * conv3(64, 64) + conv3(64, 3);
  BOOST_TEST(frozen == vgg);
  BOOST_TEST(trained == attention + ms_dilate + ups + head);
  // The official module's parameters() the forward uses (its RGB_mean and RGB_std are parameters
  // there, state here); tools/dfdnet_reference.py counts them on the official module.
  BOOST_TEST(trained + frozen + 6 == 113'313'993u);
  // Every SN convolution stores u [out] and v [in * 9].
  std::size_t sn = 0;
  for (const auto& [name, shape] : slots)
    if (name.ends_with("weight_orig")) sn += shape.n + shape.c * 9;
  BOOST_TEST(sn_vectors == sn);
  BOOST_TEST_MESSAGE("DFDNet: " << trained << " trained + " << frozen << " frozen (VGG19) parameters, " << sn_vectors
                                << " spectral-norm vector values");
}

BOOST_AUTO_TEST_CASE(part_boxes_as_the_official_script_computes_them) {
  // Landmarks on a grid: each part's points spread over a known extent.
  std::vector<point2> lm(68);
  for (int i = 0; i < 68; ++i) lm[std::size_t(i)] = {200.0 + (i % 5), 300.0 + (i % 3)};
  for (int i : {17, 18, 19, 20, 21, 36, 37, 38, 39, 40, 41}) lm[std::size_t(i)] = {150.0 + 6 * (i % 6), 230.0};
  lm[36] = {150, 240};  // left eye: x 150..180, y 230..240 -> mean (163.09.., 230.9..), L = max(15, 16) = 16
  const auto b = boxes_from_landmarks(lm);
  double mx = 0, my = 0;
  for (int i : {17, 18, 19, 20, 21, 36, 37, 38, 39, 40, 41}) mx += lm[std::size_t(i)].x, my += lm[std::size_t(i)].y;
  mx /= 11, my /= 11;
  BOOST_TEST((b[0] == part_box{long(mx - 15), long(my - 15), long(mx + 16), long(my + 16)}));
  // The mouth (48-67) spans x 200..204 and y 300..302: L = 16 again.
  BOOST_TEST(b[3].x1 - b[3].x0 == 31);
  BOOST_CHECK_THROW(boxes_from_landmarks(std::vector<point2>(5)), acne::error);
}

BOOST_AUTO_TEST_CASE(blocks_match_finite_differences) {
  using acne::test::check_layer_gradients;
  const acne::test::layer_check o{.param_scale = 0.5, .max_checks = 80, .seed = 3, .training = false};
  BOOST_TEST(check_layer_gradients(make_attention_block<double, cpu>(3, "le_256"), {1, 3, 5, 6}, o).worst() < 1e-5);
  BOOST_TEST(check_layer_gradients(make_ms_dilate_block<double, cpu>(2), {2, 2, 9, 9}, o).worst() < 1e-5);
  BOOST_TEST(check_layer_gradients(make_head<double, cpu>(3, 3), {2, 3, 6, 6}, o).worst() < 1e-5);
  BOOST_TEST(check_layer_gradients(sft_probe(4, 2), {2, 4 + 3, 5, 5}, o).worst() < 1e-5);
}

BOOST_AUTO_TEST_CASE(generator_parameter_gradients_match_finite_differences) {
  // One thread: threaded sums round in a scheduling-dependent order, and over 786,432 outputs that
  // jitter alone moves a central difference by 1e-6.
  const acne::test::single_thread one_thread;
  constexpr std::size_t divisor = 16;
  network<generator<double>> net{generator<double>({.width_divisor = divisor})};
  net.setup({1, 3, 512, 512}, 2);
  auto dicts = acne::test::hashed_dictionaries<double>(divisor, 3);
  net.layer().set_dictionaries(&dicts);
  net.layer().set_boxes({acne::test::overlapping_boxes()});
  // Biases of N(0, 1) keep most leaky-ReLU inputs away from their kink (spectral norm keeps the
  // weights' share small), which a central difference would otherwise step across.
  std::mt19937_64 gen(5);
  std::normal_distribution<double> normal;
  for (auto& s : net.slots())
    if (!s.frozen && s.name.ends_with("bias"))
      for (auto& b : *s.value) b = normal(gen);
  const tensor<double> x = acne::test::hashed_face<double>();
  net.forward(x);  // a training forward sets spectral norm's u and v
  net.eval();
  const auto y = net.forward(x);
  BOOST_TEST((y.shape() == shape4{1, 3, 512, 512}));
  for (const auto& c : net.layer().choices()[0])
    for (const auto& s : c) BOOST_TEST(s.margin > 1e-6);
  const auto r = acne::test::normal_tensor(y.shape(), 9);
  net.zero_grad();
  net.forward(x);
  net.backward(r, false);
  const tensor<double> g = net.gradients();
  // Each part of the generator's gradient along itself: with d = the analytic gradient of one
  // group of parameters (zero elsewhere), the loss changes along d at the rate |d|^2, and a
  // central difference along d measures that rate. Element by element a difference would not do:
  // every parameter reaches the output through millions of leaky-ReLU inputs at up to 512 x 512,
  // a step moves some of them across their kink, and for one element that error is of the size
  // of the element's own gradient (measured: 0.6% for a decoder bias, 20% for a small MSDilate
  // weight); along the gradient the signal is the whole group's. A wrong wire (a missing scale or
  // shift path, a gradient into an overwritten box, a part's block fed another part's crop)
  // changes the rate by far more than the tolerance of 0.5% (measured: 3e-9 for the head to 1.4e-3
  // for up1, the kinks again). Each block alone is held element by element
  // to 1e-5 above, where the planes are small.
  const tensor<double> base = net.parameters();
  for (const std::string group : {"le_", "re_", "no_", "mo_", "MSDilate.", "up0.", "up1.", "up2.", "up3.", "up4."}) {
    tensor<double> d(g.shape());
    d.zero();
    double norm2 = 0, largest = 0;
    for (const auto& s : net.slots())
      if (!s.frozen && s.trainable() && s.name.starts_with(group))
        for (std::size_t k = 0; k < s.shape.size(); ++k) {
          const double v = g[s.offset + k];
          d[s.offset + k] = v, norm2 += v * v, largest = std::max(largest, std::abs(v));
        }
    BOOST_TEST_REQUIRE(norm2 > 0);
    const double h = 1e-6 / largest;
    const auto loss_at = [&](double t) {
      net.parameters() = base;
      axpy(t, d, net.parameters());
      return dot(net.forward(x), r);
    };
    const double rate = (loss_at(h) - loss_at(-h)) / (2 * h);
    BOOST_TEST_CONTEXT(group << ": rate along the gradient " << rate << ", |gradient|^2 " << norm2) {
      BOOST_TEST(std::abs(rate - norm2) < 5e-3 * norm2);
    }
    BOOST_TEST_MESSAGE("DFDNet " << group << " rate / |g|^2 - 1 = " << rate / norm2 - 1);
  }
  net.parameters() = base;
  // The frozen VGG19 gets no gradient.
  for (const auto& s : net.slots())
    if (s.frozen)
      for (std::size_t k = 0; k < s.shape.size(); k += 97) BOOST_TEST(g[s.offset + k] == 0.0);
}

BOOST_AUTO_TEST_CASE(the_chosen_atom_follows_its_atom) {
  // Moving an atom to another index moves the choice with it, and the output stays.
  constexpr std::size_t divisor = 16;
  network<generator<float>> net{generator<float>({.width_divisor = divisor})};
  net.setup({1, 3, 512, 512}, 2);
  auto dicts = acne::test::hashed_dictionaries<float>(divisor, 3);
  net.layer().set_dictionaries(&dicts);
  net.layer().set_boxes({acne::test::overlapping_boxes()});
  net.eval();
  const tensor<float> x = acne::test::hashed_face<float>();
  net.train();
  net.forward(x);
  net.eval();
  const tensor<float> y = net.forward(x);
  const auto before = net.layer().choices()[0];
  // Rotate the atoms of the left eye at 256 by one.
  const std::size_t s = atom_side(face_part::left_eye, 256), c = 128 / divisor;
  tensor<float> a({3, c, s, s});
  const auto fill = acne::test::hashed_fill(dictionary_name(face_part::left_eye, 256), a.size(), 1.0);
  const std::size_t atom = c * s * s;
  for (std::size_t k = 0; k < 3; ++k) std::copy(fill.begin() + k * atom, fill.begin() + (k + 1) * atom, a.begin() + ((k + 1) % 3) * atom);
  dicts.at(face_part::left_eye, 0) = component_dictionary<float>(a);
  const tensor<float> y2 = net.forward(x);
  BOOST_TEST(net.layer().choices()[0][0][0].atom == (before[0][0].atom + 1) % 3);
  BOOST_TEST(net.layer().choices()[0][3][2].atom == before[3][2].atom);
  for (std::size_t i = 0; i < y.size(); i += 1013) BOOST_TEST(y2[i] == y[i]);
  // A box outside the face is an error naming the part.
  net.layer().set_boxes({face_boxes{part_box{600, 600, 700, 700}, part_box{}, part_box{}, part_box{}}});
  BOOST_CHECK_THROW(net.forward(x), acne::error);
  net.layer().set_boxes({});
  BOOST_CHECK_THROW(net.forward(x), acne::error);
}

// A reduced face side (a network small enough to train in a test) scales every tap, box and atom
// and leaves the official 512 geometry as it was.
BOOST_AUTO_TEST_CASE(a_reduced_face_scales_taps_boxes_and_atoms) {
  // At 512 the atoms are the official part_size // (512 / side).
  const std::map<face_part, std::size_t> official{
      {face_part::left_eye, 80}, {face_part::right_eye, 80}, {face_part::nose, 50}, {face_part::mouth, 110}};
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(tap_side(512, i) == feature_sides[i]);
    for (const auto& [p, size] : official) BOOST_TEST(atom_side(p, feature_sides[i]) == size / (512 / feature_sides[i]));
  }
  // At 128 the taps are 64 to 8 px, and an atom is never under 2 px (AdaIN's variance).
  BOOST_TEST(tap_side(128, 3) == 8u);
  BOOST_TEST(atom_side(face_part::nose, 8) == 2u);       // 50 * 8 / 512 = 0.8
  BOOST_TEST(atom_side(face_part::mouth, 64) == 13u);    // 110 * 64 / 512 = 13.75
  // Boxes: the landmarks of a 512 face taken down to 128 give boxes about a quarter the size, the
  // smallest half side 16 scaled with them.
  std::vector<point2> lm(68), small(68);
  for (int i = 0; i < 68; ++i) lm[std::size_t(i)] = {180.0 + 3 * (i % 50), 200.0 + 2 * (i % 40)};
  for (std::size_t i = 0; i < 68; ++i) small[i] = {lm[i].x / 4, lm[i].y / 4};
  const auto big = boxes_from_landmarks(lm), reduced = boxes_from_landmarks(small, 128);
  for (std::size_t p = 0; p < 4; ++p) {
    BOOST_TEST(std::abs(reduced[p].x0 - big[p].x0 / 4) <= 1);
    BOOST_TEST(std::abs(reduced[p].x1 - big[p].x1 / 4) <= 1);
    BOOST_TEST(std::abs(reduced[p].y1 - big[p].y1 / 4) <= 1);
  }
  std::vector<point2> dot(68, point2{64, 64});
  BOOST_TEST(boxes_from_landmarks(dot, 128)[2].x1 - boxes_from_landmarks(dot, 128)[2].x0 == 7);  // L = 4
  // A box that floors to nothing at the deepest tap keeps one feature pixel; one outside the face is an error.
  BOOST_TEST((part_window(part_box{66, 60, 70, 63}, 8, face_part::nose, 128) == part_box{4, 3, 5, 4}));
  BOOST_CHECK_THROW(part_window(part_box{130, 10, 140, 20}, 8, face_part::nose, 128), acne::error);
  BOOST_CHECK_THROW(generator<float>({.face_side = 100}), acne::error);
  BOOST_CHECK_THROW(generator<float>({.face_side = 32}), acne::error);

  // The reduced generator runs at its side and names its parameters as the official one.
  network<generator<float>> net{generator<float>({.width_divisor = 16, .face_side = 128})};
  BOOST_CHECK_THROW(net.setup({1, 3, 512, 512}, 2), acne::error);
  net.setup({1, 3, 128, 128}, 2);
  network<generator<float>> full{generator<float>({.width_divisor = 16})};
  full.setup({1, 3, 512, 512}, 2);
  BOOST_TEST_REQUIRE(net.slots().size() == full.slots().size());
  for (std::size_t i = 0; i < net.slots().size(); ++i) BOOST_TEST(net.slots()[i].name == full.slots()[i].name);
  auto dicts = acne::test::hashed_dictionaries<float>(16, 3, 128);
  net.layer().set_dictionaries(&dicts);
  std::vector<point2> face(68);
  for (std::size_t i = 0; i < 68; ++i) face[i] = {lm[i].x / 4, lm[i].y / 4};
  net.layer().set_boxes({boxes_from_landmarks(face, 128)});
  tensor<float> x({1, 3, 128, 128});
  const auto v = acne::test::hashed_fill("input", x.size(), 0.8);
  std::copy(v.begin(), v.end(), x.begin());
  net.forward(x);  // a training forward sets spectral norm's u and v
  net.eval();      // which then stay as they are, so that a reload computes the same
  const auto& y = net.forward(x);
  BOOST_TEST((y.shape() == shape4{1, 3, 128, 128}));
  BOOST_TEST(net.layer().updated_tap(3).shape().h == 8u);
  // Its file records the face side: it loads back into a generator of that side only.
  acne::test::scratch_dir dir;
  save_dfdnet(net, dicts, dir / "reduced.safetensors", "test");
  network<generator<float>> again{generator<float>({.width_divisor = 16, .face_side = 128})};
  again.setup({1, 3, 128, 128}, 7);
  again.eval();
  auto loaded = load_dfdnet(again, dir / "reduced.safetensors");
  again.layer().set_dictionaries(&loaded);
  again.layer().set_boxes({boxes_from_landmarks(face, 128)});
  const tensor<float> first = y;
  const auto& second = again.forward(x);
  for (std::size_t i = 0; i < first.size(); i += 37) BOOST_TEST(second[i] == first[i]);
  BOOST_CHECK_EXCEPTION(load_dfdnet(full, dir / "reduced.safetensors"), acne::error, [](const acne::error& e) {
    return std::string(e.what()).find("128 px faces") != std::string::npos;
  });
  // The full-size dictionaries do not fit it, and say which.
  auto wrong = acne::test::hashed_dictionaries<float>(16, 3);
  net.layer().set_dictionaries(&wrong);
  BOOST_CHECK_THROW(net.forward(x), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_dfdnet
