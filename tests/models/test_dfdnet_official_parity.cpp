// acne's DFDNet against the official UNetDictFace on the same weights: tools/dfdnet_reference.py
// ran the official network (csxmli2016/DFDNet, models/networks.py, eval mode) at full size on
// weights, dictionaries and an input drawn from their names by the hashed fill
// (support/hashed_fill.hpp), and recorded in tests/fixtures/dfdnet/reference.json the part boxes,
// every dictionary score and choice, and sums and samples of the VGG taps, the updated taps, the
// MSDilate output, each up-block's output and the restored face. Here the same weights go into
// acne's generator by their official names and every one of those numbers must come out again.
#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "acne/models/dfdnet/generator.hpp"
#include "acne/network.hpp"
#include "support/dfdnet_test_util.hpp"

namespace test_models_dfdnet_official_parity {

using namespace acne;
using namespace acne::dfdnet;
using json = nlohmann::json;

namespace {

json reference() {
  std::ifstream in(std::string(ACNE_TEST_SOURCE_DIR) + "/tests/fixtures/dfdnet/reference.json");
  BOOST_TEST_REQUIRE(in.good());
  return json::parse(in);
}

// The fill of every parameter and state as the reference script's docstring states it.
void fill_as_the_reference(network<generator<float>>& net) {
  std::map<std::string, std::vector<float>> values;
  for (auto& s : net.slots()) {
    const auto& sh = s.shape;
    if (s.name.ends_with("weight") || s.name.ends_with("weight_orig"))
      values[s.name] = acne::test::hashed_fill(s.name, sh.size(), std::sqrt(6.0 / double(sh.c * sh.h * sh.w)));
    else if (s.name.ends_with("bias"))
      values[s.name] = acne::test::hashed_fill(s.name, sh.size(), 0.05);
  }
  for (auto& s : net.slots()) {
    if (!s.name.ends_with("weight_u")) continue;
    const std::string prefix = s.name.substr(0, s.name.size() - 9);
    const auto& w = values.at(prefix + ".weight_orig");
    auto u = acne::test::hashed_fill(s.name, s.shape.size(), 1.0);
    double norm = 0;
    for (float x : u) norm += double(x) * double(x);
    for (float& x : u) x = float(double(x) / std::sqrt(norm));
    const std::size_t rows = u.size(), cols = w.size() / rows;
    std::vector<double> t(cols, 0.0);
    for (std::size_t o = 0; o < rows; ++o)
      for (std::size_t j = 0; j < cols; ++j) t[j] += double(w[o * cols + j]) * double(u[o]);
    double tn = 0;
    for (double x : t) tn += x * x;
    std::vector<float> v(cols);
    for (std::size_t j = 0; j < cols; ++j) v[j] = float(t[j] / std::sqrt(tn));
    values[s.name] = u;
    values[prefix + ".weight_v"] = v;
  }
  for (auto& s : net.slots()) {
    if (!values.contains(s.name)) continue;  // RGB_mean and RGB_std keep their ImageNet initial values
    const auto& v = values.at(s.name);
    BOOST_TEST_REQUIRE(v.size() == s.shape.size());
    std::copy(v.begin(), v.end(), s.value->begin());
  }
}

// |ours - theirs| over the tensor's mean magnitude, worst over the recorded samples; and the sums.
double compare(const tensor<float>& ours, const json& theirs, const std::string& what) {
  const auto& sh = ours.shape();
  BOOST_TEST((theirs.at("shape").get<std::vector<std::size_t>>() == std::vector<std::size_t>{sh.n, sh.c, sh.h, sh.w}),
             what << " shape " << sh);
  double sum = 0, abs_sum = 0;
  for (float v : ours) sum += v, abs_sum += std::abs(v);
  const double scale = theirs.at("abs_sum").get<double>() / double(ours.size());
  BOOST_TEST(std::abs(sum - theirs.at("sum").get<double>()) / double(ours.size()) < 1e-5 * scale, what << " sum " << sum);
  BOOST_TEST(std::abs(abs_sum - theirs.at("abs_sum").get<double>()) / double(ours.size()) < 1e-5 * scale,
             what << " abs_sum " << abs_sum);
  double worst = 0;
  for (const auto& smp : theirs.at("samples")) {
    const std::size_t c = smp[0], y = smp[1], x = smp[2];
    const double v = smp[3];
    worst = std::max(worst, std::abs(double(ours[(c * sh.h + y) * sh.w + x]) - v) / scale);
  }
  BOOST_TEST_MESSAGE(what << ": worst sample difference " << worst << " of the mean magnitude " << scale);
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_official_parity)

BOOST_AUTO_TEST_CASE(restores_what_the_official_network_restores) {
  const json ref = reference();
  network<generator<float>> net{generator<float>()};
  net.setup({1, 3, 512, 512});
  fill_as_the_reference(net);
  for (const auto& [name, first] : ref.at("fill_check").items())
    for (std::size_t i = 0; i < 3; ++i)
      for (const auto& s : net.slots())
        if (s.name == name) BOOST_TEST((*s.value)[i] == first[i].get<float>());

  auto dicts = acne::test::hashed_dictionaries<float>(1, ref.at("atoms").get<std::size_t>());

  // The boxes the official script computes from the landmarks.
  std::vector<point2> landmarks;
  for (const auto& q : ref.at("landmarks")) landmarks.push_back({q[0].get<double>(), q[1].get<double>()});
  const face_boxes boxes = boxes_from_landmarks(landmarks);
  for (face_part p : face_parts_in_order) {
    const auto b = ref.at("part_locations").at(part_name(p)).get<std::vector<long>>();
    BOOST_TEST((boxes[std::size_t(p)] == part_box{b[0], b[1], b[2], b[3]}), part_name(p));
  }

  const tensor<float> x = acne::test::hashed_face<float>(ref.at("input_scale").get<double>());
  net.layer().set_dictionaries(&dicts);
  net.layer().set_boxes({boxes});
  net.eval();  // spectral norm reads u and v as stored, as the official eval mode does
  const tensor<float> y = net.forward(x);

  // Every match: the same atom, and scores within the official float32 rounding of them.
  const auto& chosen = net.layer().choices().at(0);
  for (face_part p : face_parts_in_order)
    for (std::size_t i = 0; i < 4; ++i) {
      const auto& c = chosen[std::size_t(p)][i];
      BOOST_TEST(c.atom == ref.at("chosen_atoms").at(part_name(p))[i].get<std::size_t>(), part_name(p) << " at " << i);
      const double best = ref.at("scores_float64").at(part_name(p))[i][c.atom];
      BOOST_TEST(std::abs(c.score - best) < 1e-6 * std::abs(best) + 0.05, part_name(p) << " " << c.score << " vs " << best);
    }

  const auto& g = net.layer();
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(compare(g.tap(i), ref.at("vgg_features")[i], "VGG tap " + std::to_string(i)) < 1e-4);
    BOOST_TEST(compare(g.updated_tap(i), ref.at("update_features")[i], "updated tap " + std::to_string(i)) < 1e-4);
    BOOST_TEST(compare(g.up_output(i), ref.at("up")[i], "up" + std::to_string(i)) < 1e-4);
  }
  BOOST_TEST(compare(g.ms_dilate_output(), ref.at("ms_dilate"), "MSDilate") < 1e-4);
  BOOST_TEST(compare(y, ref.at("output"), "restored face") < 1e-4);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_dfdnet_official_parity
