// A folder's record of the options that made it: written on first claim, accepted when the options
// match, refused with every differing option named when they do not.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "acne/io/folder_record.hpp"
#include "support/scratch_dir.hpp"

namespace test_io_folder_record {

BOOST_AUTO_TEST_SUITE(folder_record)

BOOST_AUTO_TEST_CASE(a_folder_is_reused_only_with_the_options_that_made_it) {
  acne::test::scratch_dir root("folder-record");
  const auto dir = root / "prepared";
  const nlohmann::json made = {{"resolution", 16}, {"source", "real"}, {"classes", {"mild", "severe"}}};
  acne::io::claim_folder(dir, made, "the prepared faces");
  BOOST_TEST(std::filesystem::is_regular_file(dir / acne::io::default_record_name));
  BOOST_CHECK_NO_THROW(acne::io::claim_folder(dir, made, "the prepared faces"));

  auto other = made;
  other["resolution"] = 32;
  other.erase("source");
  other["seed"] = 4;
  try {
    acne::io::claim_folder(dir, other, "the prepared faces");
    BOOST_FAIL("a folder made with other options was accepted");
  } catch (const std::exception& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("the prepared faces in") != std::string::npos, what);
    BOOST_TEST(what.find("/resolution: was 16, now 32") != std::string::npos, what);
    BOOST_TEST(what.find("/source: was \"real\", now absent") != std::string::npos, what);
    BOOST_TEST(what.find("/seed: absent before, now 4") != std::string::npos, what);
    BOOST_TEST(what.find("delete") != std::string::npos, what);
  }
  // The refused claim left the record as it was.
  BOOST_TEST(acne::io::read_json_file(dir / acne::io::default_record_name) == made);
}

BOOST_AUTO_TEST_CASE(a_record_kept_outside_leaves_the_folder_to_its_contents) {
  acne::test::scratch_dir root("folder-record-outside");
  const auto dir = root / "synthetic" / "mild";
  acne::io::claim_folder(dir, {{"psi", 0.9}}, "the synthetic faces", root / "synthetic", "made_with-mild.json");
  BOOST_TEST(std::filesystem::is_directory(dir));
  BOOST_TEST(std::filesystem::is_empty(dir));
  BOOST_TEST(std::filesystem::is_regular_file(root / "synthetic" / "made_with-mild.json"));
  BOOST_CHECK_THROW(acne::io::claim_folder(dir, {{"psi", 1.0}}, "the synthetic faces", root / "synthetic", "made_with-mild.json"),
                    std::exception);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_io_folder_record
