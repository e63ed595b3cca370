#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "acne/io/atomic_file.hpp"
#include "acne/io/safetensors.hpp"
#include "io_test_util.hpp"

namespace test_io_atomic_file {

namespace fs = std::filesystem;
using acne_io_test::mentions;
using acne_io_test::temp_dir;

namespace {
std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(atomic_file)

BOOST_AUTO_TEST_CASE(writes_replace_the_target_whole) {
  temp_dir dir;
  const auto target = dir.path / "report.json";
  acne::io::write_file_atomically(target, std::string_view("first"));
  acne::io::write_file_atomically(target, std::string_view("second"));
  BOOST_TEST(read_text(target) == "second");
  BOOST_TEST(dir.entries() == std::vector<std::string>{"report.json"});
}

BOOST_AUTO_TEST_CASE(an_uncommitted_file_vanishes) {
  temp_dir dir;
  const auto target = dir.path / "report.json";
  acne::io::write_file_atomically(target, std::string_view("kept"));
  try {
    acne::io::atomic_file file(target);
    file.write(std::string_view("half of a new"));
    BOOST_TEST(fs::exists(file.temp_path()));
    BOOST_TEST(file.temp_path().parent_path() == dir.path);
    BOOST_TEST(file.temp_path().filename().string().starts_with("report.json.tmp-"));
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  BOOST_TEST(read_text(target) == "kept");
  BOOST_TEST(dir.entries() == std::vector<std::string>{"report.json"});
  BOOST_CHECK_EXCEPTION(acne::io::atomic_file(dir.path / ".."), acne::error, mentions("does not name a file"));
}

// A writer killed at random moments must leave the previous or the next file, never a torn one.
BOOST_AUTO_TEST_CASE(kill_mid_write_never_tears_the_target) {
  temp_dir dir;
  const auto target = dir.path / "big.safetensors";
  const auto version = [](float value) {
    acne::io::safetensors_file f;
    f.tensors.push_back(acne::io::make_record("w", {1 << 21}, std::vector<float>(1 << 21, value)));
    return f;
  };
  const auto one = version(1), two = version(2);
  acne::io::save_safetensors(target, one);
  for (int delay_ms : {2, 15, 40, 90}) {
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
      try {
        for (;;) {
          acne::io::save_safetensors(target, two);
          acne::io::save_safetensors(target, one);
        }
      } catch (...) {
      }
      ::_exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_TEST(WIFSIGNALED(status), "the writer died on its own");
    const auto loaded = acne::io::load_safetensors(target);
    BOOST_TEST((loaded.tensors.at(0).data == one.tensors[0].data || loaded.tensors.at(0).data == two.tensors[0].data));
    for (const auto& name : dir.entries())  // a killed writer may leave its temp file, nothing else
      if (name != "big.safetensors") {
        BOOST_TEST(name.starts_with("big.safetensors.tmp-" + std::to_string(child) + "-"));
        fs::remove(dir.path / name);
      }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_io_atomic_file
