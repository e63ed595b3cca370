#pragma once
// The paper's hierarchy: images drawn by a GAN of several classes, sorted into class folders by a
// classifier trained on real labelled faces, so that each class's GAN is transferred on the images
// sorted into its class. Each image is copied into out/<its most probable class>/, and out/sorted.csv
// keeps every image's class and the sorter's confidence (its probability), so that a doubtful sort
// can be found and read again.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "acne/error.hpp"
#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "acne/network.hpp"
#include "acne/train/evaluate.hpp"

namespace acne::train {

struct sorted_images {
  std::vector<std::string> classes;
  std::vector<std::size_t> counts;       // images sorted into each class
  std::vector<double> mean_confidence;   // their mean probability of that class (0 when none)

  nlohmann::json to_json() const {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t c = 0; c < classes.size(); ++c)
      j[classes[c]] = {{"images", counts[c]}, {"mean_confidence", mean_confidence[c]}};
    return j;
  }
  // "mild 412 (confidence 0.81), ..."
  std::string text() const {
    std::ostringstream out;
    out.precision(2);
    for (std::size_t c = 0; c < classes.size(); ++c)
      out << (c ? ", " : "") << classes[c] << " " << counts[c] << " (confidence " << std::fixed << mean_confidence[c] << ")";
    return out.str();
  }
};

struct sort_options {
  std::size_t image_size = 224;  // the classifier's input side
  data::resize_filter filter = data::resize_filter::area;
  std::size_t batch_size = 32;
};

// Sorts `images` into out/<class>/ by `net`'s most probable class among `classes` (its outputs, in
// order). A rerun sorts every image again and moves it if its class changed.
template <class Layer>
sorted_images sort_by_class(network<Layer>& net, const std::vector<std::filesystem::path>& images,
                            const std::vector<std::string>& classes, const std::filesystem::path& out,
                            const sort_options& o = {}) {
  namespace fs = std::filesystem;
  ACNE_CHECK(!classes.empty(), "sort_by_class: no classes");
  sorted_images r{classes, std::vector<std::size_t>(classes.size(), 0), std::vector<double>(classes.size(), 0.0)};
  for (const auto& c : classes) fs::create_directories(out / c);
  std::ostringstream csv;
  csv << "image,class,confidence";
  for (const auto& c : classes) csv << ",p_" << io::csv_field(c);
  csv << '\n';
  csv.precision(6);
  for (std::size_t start = 0; start < images.size(); start += o.batch_size) {
    const std::size_t end = std::min(images.size(), start + o.batch_size);
    std::vector<cv::Mat> batch;
    for (std::size_t i = start; i < end; ++i) batch.push_back(io::read_image(images[i]));
    const auto probabilities = predict_probabilities(net, batch, o.image_size, o.filter);
    for (std::size_t i = start; i < end; ++i) {
      const auto& p = probabilities[i - start];
      ACNE_CHECK(p.size() == classes.size(),
                 "sort_by_class: the classifier gives " << p.size() << " scores for " << classes.size() << " classes");
      const std::size_t c = std::size_t(std::max_element(p.begin(), p.end()) - p.begin());
      // A copy left in another class's folder by an earlier sort would be read twice.
      for (const auto& other : classes)
        if (other != classes[c]) fs::remove(out / other / images[i].filename());
      fs::copy_file(images[i], out / classes[c] / images[i].filename(), fs::copy_options::overwrite_existing);
      ++r.counts[c];
      r.mean_confidence[c] += p[c];
      csv << io::csv_field(images[i].filename().string()) << ',' << io::csv_field(classes[c]) << ',' << p[c];
      for (float v : p) csv << ',' << v;
      csv << '\n';
    }
  }
  for (std::size_t c = 0; c < classes.size(); ++c)
    if (r.counts[c]) r.mean_confidence[c] /= double(r.counts[c]);
  io::write_text_file(out / "sorted.csv", csv.str());
  io::write_json_file(out / "sorted.json", r.to_json());
  return r;
}

}  // namespace acne::train
