// tools/convert_pytorch_fid.py: pytorch-fid's state-dict keys become acne's names, values and shapes
// survive, training state is dropped, and the full key set of pytorch-fid's network maps exactly onto
// the parameters of acne's FID network. State dicts are small .npz files the test writes itself.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/safetensors.hpp"
#include "acne/models/inception_v3.hpp"
#include "acne/network.hpp"
#include "support/fid_test_util.hpp"

namespace test_metrics_convert_pytorch_fid {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;

namespace {

bool python_available() {
  static const bool ok = std::system("python3 -c 'import zipfile, struct, json' > /dev/null 2>&1") == 0;
  return ok;
}
boost::test_tools::assertion_result needs_python(utf::test_unit_id) {
  boost::test_tools::assertion_result r{python_available()};
  r.message() << "python3 is not installed: the converter test is skipped";
  return r;
}

struct spec_entry {
  std::string name;
  std::vector<std::int64_t> shape;
  std::string dtype = "<f4";
  double base = 0;
};

// Writes the state dict, converts it and returns the converted file (fails the test on a tool error).
acne::io::safetensors_file convert(const fs::path& dir, const std::vector<spec_entry>& spec) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : spec) j.push_back({{"name", e.name}, {"shape", e.shape}, {"dtype", e.dtype}, {"base", e.base}});
  std::ofstream(dir / "spec.json") << j.dump();
  const std::string src = ACNE_TEST_SOURCE_DIR;
  const std::string cmd = "python3 '" + src + "/tests/metrics/make_state_dict.py' '" + (dir / "spec.json").string() + "' '" +
                          (dir / "sd.npz").string() + "' && python3 '" + src + "/tools/convert_pytorch_fid.py' '" +
                          (dir / "sd.npz").string() + "' '" + (dir / "out.safetensors").string() + "' > '" +
                          (dir / "log.txt").string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream log(dir / "log.txt");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  BOOST_TEST_REQUIRE(rc == 0, "converter failed: " << text);
  BOOST_TEST_MESSAGE(text);
  return acne::io::load_safetensors(dir / "out.safetensors");
}

// torchvision's Inception3 module names (pytorch-fid patches the forward passes, not the names).
std::vector<std::string> torchvision_modules() {
  const std::vector<std::string> a = {"branch1x1", "branch5x5_1", "branch5x5_2", "branch3x3dbl_1", "branch3x3dbl_2",
                                      "branch3x3dbl_3", "branch_pool"};
  const std::vector<std::string> b = {"branch3x3", "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"};
  const std::vector<std::string> c = {"branch1x1", "branch7x7_1", "branch7x7_2", "branch7x7_3", "branch7x7dbl_1",
                                      "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5",
                                      "branch_pool"};
  const std::vector<std::string> d = {"branch3x3_1", "branch3x3_2", "branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3",
                                      "branch7x7x3_4"};
  const std::vector<std::string> e = {"branch1x1", "branch3x3_1", "branch3x3_2a", "branch3x3_2b", "branch3x3dbl_1",
                                      "branch3x3dbl_2", "branch3x3dbl_3a", "branch3x3dbl_3b", "branch_pool"};
  std::vector<std::string> out = {"Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3"};
  const auto add = [&](const std::string& block, const std::vector<std::string>& modules) {
    for (const auto& m : modules) out.push_back(block + "." + m);
  };
  for (const char* m : {"Mixed_5b", "Mixed_5c", "Mixed_5d"}) add(m, a);
  add("Mixed_6a", b);
  for (const char* m : {"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"}) add(m, c);
  add("Mixed_7a", d);
  for (const char* m : {"Mixed_7b", "Mixed_7c"}) add(m, e);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(convert_pytorch_fid, *utf::precondition(needs_python))

BOOST_AUTO_TEST_CASE(tiny_state_dict) {
  const acne::test::scratch_dir dir("convert-tiny");
  const auto file = convert(dir.path(), {{"Conv2d_1a_3x3.conv.weight", {2, 3, 3, 3}, "<f4", 1.0},
                                         {"Mixed_5b.branch5x5_2.bn.weight", {4}, "<f4", -2.0},
                                         {"Mixed_6e.branch7x7dbl_5.bn.bias", {3}, "<f8", 0.25},
                                         {"Mixed_7c.branch3x3dbl_3b.bn.running_mean", {2}, "<f4", 7.0},
                                         {"Mixed_7b.branch3x3_2a.bn.running_var", {2}, "<f4", 1.5},
                                         {"Mixed_5d.branch_pool.conv.weight", {5, 6, 1, 1}, "<f4", 0.0},
                                         {"Mixed_5d.branch_pool.bn.num_batches_tracked", {}, "<i8", 0},
                                         {"module.fc.bias", {3}, "<f4", -1.0}});
  const std::vector<std::pair<std::string, spec_entry>> expected = {
      {"Conv2d_1a_3x3.conv.weight", {"", {2, 3, 3, 3}, "", 1.0}},
      {"Mixed_5b.branch5x5.2.bn.gamma", {"", {4}, "", -2.0}},
      {"Mixed_6e.branch7x7dbl.5.bn.beta", {"", {3}, "", 0.25}},
      {"Mixed_7c.branch3x3dbl.3.b.bn.moving_mean", {"", {2}, "", 7.0}},
      {"Mixed_7b.branch3x3.2.a.bn.moving_variance", {"", {2}, "", 1.5}},
      {"Mixed_5d.branch_pool.conv.weight", {"", {5, 6, 1, 1}, "", 0.0}},
      {"fc.bias", {"", {3}, "", -1.0}}};
  BOOST_TEST(file.tensors.size() == expected.size());  // num_batches_tracked dropped
  for (const auto& [name, e] : expected) {
    const auto* t = file.find(name);
    BOOST_TEST_REQUIRE(t != nullptr, "missing " << name);
    BOOST_TEST((t->type == acne::io::dtype::f32));
    BOOST_TEST(t->shape == e.shape, name);
    const auto values = t->as<float>();
    for (std::size_t j = 0; j < values.size(); ++j) BOOST_TEST(values[j] == float(e.base + 0.5 * double(j)), name);
  }
}

// Every key of pytorch-fid's state dict (shapes shrunk to one value) lands on a parameter of acne's
// FID network, and every parameter is covered; only fc is left over.
BOOST_AUTO_TEST_CASE(full_key_set_matches_the_network) {
  const acne::test::scratch_dir dir("convert-keys");
  std::vector<spec_entry> spec;
  for (const auto& m : torchvision_modules()) {
    spec.push_back({m + ".conv.weight", {1}});
    for (const char* t : {"weight", "bias", "running_mean", "running_var"}) spec.push_back({m + ".bn." + t, {1}});
    spec.push_back({m + ".bn.num_batches_tracked", {}, "<i8"});
  }
  spec.push_back({"fc.weight", {1}});
  spec.push_back({"fc.bias", {1}});
  const auto file = convert(dir.path(), spec);

  std::set<std::string> converted;
  for (const auto& t : file.tensors) converted.insert(t.name);
  acne::network<acne::inception_v3<float>> net(acne::make_fid_inception_v3<float>(2048));
  net.setup({1, 3, 299, 299});
  std::set<std::string> parameters;
  for (const auto& s : net.slots()) parameters.insert(s.name);
  parameters.insert({"fc.weight", "fc.bias"});
  BOOST_TEST(converted == parameters);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_convert_pytorch_fid
