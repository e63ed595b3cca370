#pragma once
// Per-epoch training history (Keras' History: loss, accuracy, val_loss, val_accuracy) with its
// files: history.csv, history.json and the accuracy and loss curves (the paper's Fig. 8 and 9).
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/plot/line_plot.hpp"
#include "acne/io/report.hpp"

namespace acne::train {

struct epoch_record {
  std::size_t epoch = 0;  // 1-based
  double loss = 0, accuracy = 0;          // training split, running mean over the epoch
  double val_loss = 0, val_accuracy = 0;  // validation split, after the epoch
  double seconds = 0;
  bool saved_best = false;  // validation accuracy strictly improved and the best checkpoint was written
};

inline nlohmann::json to_json(const epoch_record& r) {
  return {{"epoch", r.epoch},     {"loss", r.loss},       {"accuracy", r.accuracy}, {"val_loss", r.val_loss},
          {"val_accuracy", r.val_accuracy}, {"seconds", r.seconds}, {"saved_best", r.saved_best}};
}

inline epoch_record epoch_record_from_json(const nlohmann::json& j) {
  return {j.at("epoch").get<std::size_t>(), j.at("loss").get<double>(), j.at("accuracy").get<double>(),
          j.at("val_loss").get<double>(), j.at("val_accuracy").get<double>(), j.value("seconds", 0.0),
          j.value("saved_best", false)};
}

struct training_history {
  std::vector<epoch_record> epochs;

  nlohmann::json to_json() const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : epochs) out.push_back(train::to_json(r));
    return out;
  }
  static training_history from_json(const nlohmann::json& j) {
    training_history h;
    for (const auto& r : j) h.epochs.push_back(epoch_record_from_json(r));
    return h;
  }

  std::string to_csv() const {
    std::ostringstream out;
    out.precision(8);
    out << "epoch,loss,accuracy,val_loss,val_accuracy,seconds,saved_best\n";
    for (const auto& r : epochs)
      out << r.epoch << ',' << r.loss << ',' << r.accuracy << ',' << r.val_loss << ',' << r.val_accuracy << ','
          << r.seconds << ',' << (r.saved_best ? 1 : 0) << '\n';
    return out.str();
  }

  // history.csv, history.json, accuracy.png and loss.png in `dir`.
  void save(const std::filesystem::path& dir, const std::string& title = {}) const {
    io::write_text_file(dir / "history.csv", to_csv());
    io::write_json_file(dir / "history.json", to_json());
    std::vector<double> x;
    for (const auto& r : epochs) x.push_back(double(r.epoch));
    const auto plot = [&](const std::filesystem::path& file, const char* what, auto train_value, auto val_value) {
      std::vector<io::plot_series> series(2);
      series[0].name = std::string("train ") + what;
      series[1].name = std::string("validation ") + what;
      for (const auto& r : epochs) {
        series[0].y.push_back(train_value(r));
        series[1].y.push_back(val_value(r));
      }
      series[0].x = series[1].x = x;
      io::line_plot_options o;
      o.title = (title.empty() ? std::string() : title + ": ") + what;
      o.x_label = "epoch";
      o.y_label = what;
      o.integer_x = true;
      io::save_line_plot(file, series, o);
    };
    if (epochs.empty()) return;
    plot(dir / "accuracy.png", "accuracy", [](const epoch_record& r) { return r.accuracy; },
         [](const epoch_record& r) { return r.val_accuracy; });
    plot(dir / "loss.png", "loss", [](const epoch_record& r) { return r.loss; },
         [](const epoch_record& r) { return r.val_loss; });
  }
};

}  // namespace acne::train
