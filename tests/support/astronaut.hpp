#pragma once
// The photograph of a real face the face tests run on (astronaut.png of Debian's python3-imageio),
// and a precondition that skips a test, naming the packages, where it or dlib's landmark model is
// missing (tools/deps.sh installs both).
#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "acne/face/detector.hpp"

namespace acne::test {

inline const std::filesystem::path astronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

struct astronaut_and_landmarks {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r(std::filesystem::exists(astronaut) &&
                                          std::filesystem::exists(face::default_landmark_model));
    r.message() << astronaut.string() << " (python3-imageio) or " << face::default_landmark_model.string()
                << " (libdlib-data) missing: tools/deps.sh installs them";
    return r;
  }
};

}  // namespace acne::test
