#pragma once
// What an audit writes to its folder: audit.json (every figure, the criteria and the verdict),
// nearest.csv (each synthetic image's nearest real image and scores, per space), and per space the
// histogram (nearest-<space>.png) and the closest pairs (closest-<space>.png). remove_near_copies
// writes the set without the flagged images.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/audit/audit.hpp"
#include "acne/audit/pictures.hpp"
#include "acne/io/atomic_file.hpp"

namespace acne::audit {

namespace detail {

inline nlohmann::json summary(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (const double x : v) sum += x;
  return {{"min", v.front()}, {"median", v[v.size() / 2]}, {"mean", sum / double(v.size())}, {"max", v.back()}};
}

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// "classifier:resnet50v2" -> "classifier-resnet50v2".
inline std::string file_stem(std::string name) {
  std::replace_if(name.begin(), name.end(), [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'); }, '-');
  return name;
}

}  // namespace detail

// The pictures write_audit makes of a space, in the audit's folder.
inline std::string histogram_file(const space_audit& s) { return "nearest-" + detail::file_stem(s.name) + ".png"; }
inline std::string closest_pairs_file(const space_audit& s) { return "closest-" + detail::file_stem(s.name) + ".png"; }

namespace detail {

inline std::string relative(const std::filesystem::path& file, const image_set& set) {
  return file.lexically_relative(set.root).generic_string();
}

}  // namespace detail

inline nlohmann::json space_json(const space_audit& s) {
  std::vector<double> synthetic;
  for (const auto& m : s.synthetic) synthetic.push_back(m.score.nearest);
  nlohmann::json j = {{"space", s.name},
                      {"distance", s.distance},
                      {"seconds", s.seconds},
                      {"near_copies", s.flagged()},
                      {"decides_near_copies", s.decides_near_copies},
                      {"near_copy_thresholds", {{"calibrated", s.calibrated_threshold}, {"ratio", s.ratio_threshold}}},
                      {"nearest_real_distance", {{"synthetic", detail::summary(synthetic)}, {"test", detail::summary(s.test_nearest)}}},
                      {"authenticity", s.authenticity},
                      {"test_authenticity", detail::optional_json(s.test_authenticity)},
                      {"fid", detail::optional_json(s.fid)},
                      {"mifid_memorization_distance", detail::optional_json(s.mifid_distance)},
                      {"mifid", detail::optional_json(s.mifid)},
                      {"data_copying", nullptr}};
  if (s.copying) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : s.copying->cells)
      cells.push_back({{"train", c.train}, {"test", c.test}, {"generated", c.generated}, {"z", c.z}, {"used", c.used}});
    j["data_copying"] = {{"c_t", s.copying->c_t}, {"tau", s.copying->tau}, {"cells_asked", s.copying->cells_asked},
                         {"cells", cells}};
  }
  return j;
}

inline nlohmann::json audit_json(const audit_result& r, const audit_options& o) {
  std::map<std::string, std::pair<std::size_t, std::size_t>> classes;  // images, near-copies
  for (std::size_t i = 0; i < r.synthetic.size(); ++i) {
    ++classes[r.synthetic.classes[i]].first;
    classes[r.synthetic.classes[i]].second += r.flagged[i];
  }
  nlohmann::json per_class = nlohmann::json::object();
  for (const auto& [name, counts] : classes) per_class[name] = {{"images", counts.first}, {"near_copies", counts.second}};
  nlohmann::json spaces = nlohmann::json::array();
  for (const auto& s : r.spaces) spaces.push_back(space_json(s));
  return {{"passed", r.passed()},
          {"failures", r.failures},
          {"synthetic", {{"folder", r.synthetic.root.string()}, {"images", r.synthetic.size()}}},
          {"real", {{"folder", r.real.root.string()}, {"images", r.real.size()}, {"mirrored", o.mirrors}}},
          {"test", {{"folder", r.test.root.string()}, {"images", r.test.size()}}},
          {"near_copies", r.flagged_count()},
          {"classes", per_class},
          {"criteria",
           {{"calibrated_distance_below", o.near_copy.calibrated_threshold},
            {"calibration_neighbours", o.near_copy.calibration},
            {"nearest_over_second_below", o.near_copy.ratio_threshold},
            {"c_t_at_least", o.c_t_limit},
            {"authenticity_share_of_test_at_least", o.min_authenticity_share},
            {"authenticity_without_test_at_least", o.min_authenticity}}},
          {"spaces", spaces},
          {"seconds", r.seconds}};
}

// The figures of an audit in a few lines (report.json of the pipeline): verdict, near-copies and,
// per space, C_T and authenticity beside the test images'.
inline nlohmann::json audit_summary(const audit_result& r) {
  nlohmann::json spaces = nlohmann::json::object();
  for (const auto& s : r.spaces)
    spaces[s.name] = {{"near_copies", s.flagged()},
                      {"decides_near_copies", s.decides_near_copies},
                      {"c_t", s.copying ? nlohmann::json(s.copying->c_t) : nlohmann::json(nullptr)},
                      {"authenticity", s.authenticity},
                      {"test_authenticity", detail::optional_json(s.test_authenticity)},
                      {"mifid_memorization_distance", detail::optional_json(s.mifid_distance)},
                      {"closest_pairs", closest_pairs_file(s)},
                      {"histogram", histogram_file(s)}};
  return {{"passed", r.passed()}, {"failures", r.failures}, {"synthetic_images", r.synthetic.size()},
          {"real_images", r.real.size()}, {"test_images", r.test.size()}, {"near_copies", r.flagged_count()},
          {"spaces", spaces}, {"seconds", r.seconds}};
}

inline void write_nearest_csv(const std::filesystem::path& path, const audit_result& r) {
  std::string csv = "synthetic,class,space,nearest_real,mirrored,distance,second_distance,calibrated,ratio,near_copy\n";
  for (const auto& s : r.spaces)
    for (std::size_t i = 0; i < s.synthetic.size(); ++i) {
      const auto& m = s.synthetic[i];
      std::ostringstream row;
      row << std::setprecision(9) << detail::relative(r.synthetic.files[i], r.synthetic) << "," << r.synthetic.classes[i]
          << "," << s.name << "," << detail::relative(r.real.files[m.real], r.real) << "," << m.mirrored << ","
          << m.score.nearest << "," << m.score.second << "," << m.score.calibrated << "," << m.score.ratio << ","
          << m.score.flagged << "\n";
      csv += row.str();
    }
  io::write_file_atomically(path, csv);
}

// Everything of the audit under `folder`.
inline void write_audit(const std::filesystem::path& folder, const audit_result& r, const audit_options& o) {
  std::filesystem::create_directories(folder);
  io::write_file_atomically(folder / "audit.json", audit_json(r, o).dump(2) + "\n");
  write_nearest_csv(folder / "nearest.csv", r);
  for (const auto& s : r.spaces) {
    write_distance_histogram(folder / histogram_file(s), s);
    write_closest_pairs(folder / closest_pairs_file(s), r, s);
  }
}

// Copies every synthetic image that no space flagged to `out` (same relative paths); returns the
// near-copies left out per class.
inline std::map<std::string, std::size_t> remove_near_copies(const audit_result& r, const std::filesystem::path& out) {
  std::map<std::string, std::size_t> removed;
  std::filesystem::create_directories(out);
  for (const auto& c : r.synthetic.classes) removed[c];
  for (std::size_t i = 0; i < r.synthetic.size(); ++i) {
    if (r.flagged[i]) {
      ++removed[r.synthetic.classes[i]];
      continue;
    }
    const auto target = out / r.synthetic.files[i].lexically_relative(r.synthetic.root);
    std::filesystem::create_directories(target.parent_path());
    std::filesystem::copy_file(r.synthetic.files[i], target, std::filesystem::copy_options::overwrite_existing);
  }
  return removed;
}

}  // namespace acne::audit
