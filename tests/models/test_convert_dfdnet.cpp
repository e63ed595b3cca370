// DFDNet's weights: tools/convert_dfdnet.py on fake release files (tests/models/make_dfdnet_files.py
// writes latest_net_G.pth, vgg19.pth and the 16 dictionaries at widths / 16, as torch.save's zip and
// legacy formats, without PyTorch), read by the converter's own .pth reader, and the result loaded
// by name into a generator of the same widths: every value where the fake files put it, a restored
// face out of it, and each defect of a file named, by the converter or by the loader.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/models/dfdnet/weights.hpp"
#include "acne/network.hpp"
#include "support/python_scripts.hpp"
#include "support/scratch_dir.hpp"

namespace test_models_convert_dfdnet {

using namespace acne;
using namespace acne::dfdnet;
namespace fs = std::filesystem;
namespace utf = boost::unit_test;
using acne::test::python;
using acne::test::python_with_numpy;
using acne::test::run;
using acne::test::scratch_dir;

namespace {

constexpr std::size_t divisor = 16;

// The fake files' value of element e of the tensor with pattern index t.
float fake_value(long t, long e) { return float(double((7919 * t + 104729 * e) % 1000003) / 1000003.0 - 0.5); }

// "file key" -> pattern index, from fake_values.txt.
std::map<std::string, long> pattern_indices(const fs::path& dir) {
  std::ifstream in(dir / "fake_values.txt");
  std::map<std::string, long> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file, key, shape;
    long t = 0;
    fields >> file >> key >> t >> shape;
    out[file + " " + key] = t;
  }
  return out;
}

std::string script(const std::string& name) { return std::string(ACNE_TEST_SOURCE_DIR) + "/" + name; }

// Makes fake files (extra arguments for the maker) and converts them; returns the converter's status.
int make_and_convert(const fs::path& dir, const std::string& maker_args = "") {
  const auto log = dir / "log.txt";
  if (run(python() + " " + script("tests/models/make_dfdnet_files.py") + " " + dir.string() + " " + maker_args, log) != 0)
    return -1;
  return run(python() + " " + script("tools/convert_dfdnet.py") + " --pth-reader builtin --reduced 16 --generator " +
                 (dir / "latest_net_G.pth").string() + " --dictionaries " + (dir / "DictionaryCenter512").string() +
                 " --vgg " + (dir / "vgg19.pth").string() + " " + (dir / "dfdnet.safetensors").string(),
             log);
}

std::string log_of(const fs::path& dir) {
  std::ifstream in(dir / "log.txt");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_weights)

BOOST_AUTO_TEST_CASE(converted_release_files_load_by_name, *utf::precondition(python_with_numpy())) {
  for (const std::string format : {"", "--legacy"}) {
    scratch_dir dir;
    BOOST_TEST_REQUIRE(make_and_convert(dir.path(), format) == 0, log_of(dir.path()));
    network<generator<float>> net{generator<float>({.width_divisor = divisor})};
    net.setup({1, 3, 512, 512});
    auto dicts = load_dfdnet(net, dir / "dfdnet.safetensors");
    const auto t = pattern_indices(dir.path());
    // Values by name, element by element for a few tensors of each kind.
    std::size_t checked = 0;
    for (const auto& s : net.slots()) {
      const auto it = t.find("latest_net_G.pth " + s.name);
      if (it == t.end()) continue;
      for (std::size_t e : {std::size_t(0), s.shape.size() / 3, s.shape.size() - 1}) {
        BOOST_TEST((*s.value)[e] == fake_value(it->second, long(e)), s.name << "[" << e << "]");
        ++checked;
      }
    }
    BOOST_TEST(checked >= 3 * 300u);
    // The dictionaries: K = 3 atoms each, the mouth at 64 element by element.
    for (face_part p : face_parts_in_order)
      for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(dicts.at(p, i).atoms() == 3u);
    const auto file = io::load_safetensors(dir / "dfdnet.safetensors");
    const auto mouth = file.at("dictionary.mouth.64").as<float>();
    const long tm = t.at("DictionaryCenter512/mouth_64_center.npy -");
    for (std::size_t e : {std::size_t(0), std::size_t(77), mouth.size() - 1}) BOOST_TEST(mouth[e] == fake_value(tm, long(e)));
    // And the generator restores a face with them (the fake deviation is patterned, and negative).
    for (auto& s : net.slots())
      if (s.name == "VggExtract.RGB_std") s.value->fill(0.25f);
    net.layer().set_dictionaries(&dicts);
    net.layer().set_boxes({face_boxes{part_box{150, 200, 240, 290}, part_box{280, 205, 365, 290},
                                      part_box{215, 300, 290, 330}, part_box{180, 370, 340, 440}}});
    tensor<float> x({1, 3, 512, 512}, 0.1f);
    net.forward(x);  // the fake u and v are not this weight's: one power-iteration step first
    net.eval();
    const auto& y = net.forward(x);
    bool finite = true;
    for (float v : y) finite = finite && std::isfinite(v) && std::abs(v) <= 1;
    BOOST_TEST(finite);
  }
}

BOOST_AUTO_TEST_CASE(defects_are_named, *utf::precondition(python_with_numpy())) {
  for (const auto& [defect, named] : std::vector<std::pair<std::string, std::string>>{
           {"missing-key", "up2.convup.1.weight_orig"},
           {"wrong-shape", "MSDilate.convi.weight_orig"},
           {"missing-dictionary", "mouth_64_center.npy"},
           {"blur-differs", "up1.conv1.0.weight_flip"}}) {
    scratch_dir dir;
    BOOST_TEST(make_and_convert(dir.path(), "--break " + defect) != 0, defect);
    BOOST_TEST(log_of(dir.path()).find(named) != std::string::npos, defect << ": " << log_of(dir.path()));
    BOOST_TEST(!fs::exists(dir / "dfdnet.safetensors"));
  }
  // The loader: a file of other widths, a file without a tensor, a file that is not DFDNet's.
  scratch_dir dir;
  BOOST_TEST_REQUIRE(make_and_convert(dir.path()) == 0, log_of(dir.path()));
  const auto mentions = [](std::string text) {
    return [text](const acne::error& e) { return std::string(e.what()).find(text) != std::string::npos; };
  };
  network<generator<float>> full{generator<float>()};
  full.setup({1, 3, 512, 512});
  BOOST_CHECK_EXCEPTION(load_dfdnet(full, dir / "dfdnet.safetensors"), acne::error, mentions("widths / 16"));
  auto file = io::load_safetensors(dir / "dfdnet.safetensors");
  std::erase_if(file.tensors, [](const auto& t) { return t.name == "no_32.2.weight_v"; });
  io::save_safetensors(dir / "without.safetensors", file);
  network<generator<float>> net{generator<float>({.width_divisor = divisor})};
  net.setup({1, 3, 512, 512});
  BOOST_CHECK_EXCEPTION(load_dfdnet(net, dir / "without.safetensors"), acne::error, mentions("no_32.2.weight_v"));
  file.metadata.erase("format");
  io::save_safetensors(dir / "other.safetensors", file);
  BOOST_CHECK_EXCEPTION(load_dfdnet(net, dir / "other.safetensors"), acne::error, mentions("not a DFDNet file"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_convert_dfdnet
