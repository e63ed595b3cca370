#pragma once
// The per-tick record of a GAN run and its files: the terminal line, log.csv (one row per tick)
// and fid.png, the FID per tick with its minimum marked (the paper's Fig. 4). The records also
// travel inside each network snapshot, so a resumed run rewrites both files without the ticks that
// followed its snapshot.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/plot/line_plot.hpp"
#include "acne/io/report.hpp"
#include "acne/train/progress.hpp"

namespace acne::train {

struct tick_record {
  std::size_t tick = 0;
  double kimg = 0;
  double seconds = 0;       // training time since the start of the run, all sessions
  double sec_per_tick = 0, sec_per_kimg = 0;
  double maintenance = 0;   // seconds spent on snapshots and FID since the previous tick
  // Means over the tick's minibatches; NaN when no phase measured them in this tick (a short tick
  // may hold no regularisation step), shown as "-" and left empty in the CSV.
  static constexpr double none = std::numeric_limits<double>::quiet_NaN();
  double loss_g = none, loss_d = none;
  double r1 = none, pl = none;    // raw penalties: |dD/dx|^2 and (|J^T y| - pl_mean)^2
  double pl_mean = 0;
  double score_real = none, score_fake = none;  // mean D logits
  std::optional<double> fid;

  nlohmann::json to_json() const {
    const auto value = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    return {{"tick", tick}, {"kimg", kimg}, {"seconds", seconds}, {"sec_per_tick", sec_per_tick},
            {"sec_per_kimg", sec_per_kimg}, {"maintenance", maintenance}, {"loss_g", value(loss_g)},
            {"loss_d", value(loss_d)}, {"r1", value(r1)}, {"pl", value(pl)}, {"pl_mean", pl_mean},
            {"score_real", value(score_real)}, {"score_fake", value(score_fake)}, {"fid", value(fid ? *fid : none)}};
  }
  static tick_record from_json(const nlohmann::json& j) {
    tick_record r;
    r.tick = j.at("tick").get<std::size_t>();
    r.kimg = j.at("kimg").get<double>();
    const auto num = [&](const char* key, double& field) {
      field = j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : none;
    };
    num("seconds", r.seconds), num("sec_per_tick", r.sec_per_tick), num("sec_per_kimg", r.sec_per_kimg);
    num("maintenance", r.maintenance), num("loss_g", r.loss_g), num("loss_d", r.loss_d), num("r1", r.r1);
    num("pl", r.pl), num("pl_mean", r.pl_mean), num("score_real", r.score_real), num("score_fake", r.score_fake);
    if (j.contains("fid") && j.at("fid").is_number()) r.fid = j.at("fid").get<double>();
    return r;
  }
};

class tick_log {
public:
  std::vector<tick_record>& records() { return records_; }
  const std::vector<tick_record>& records() const { return records_; }
  void add(const tick_record& r) { records_.push_back(r); }

  // The tick with the lowest FID, if any was measured.
  std::optional<tick_record> best_fid() const {
    std::optional<tick_record> best;
    for (const auto& r : records_)
      if (r.fid && (!best || *r.fid < *best->fid)) best = r;
    return best;
  }

  // "tick 3     kimg 0.4      time 1:02    sec/tick 20.1 ..."; the extractor is named with the FID
  // because only inception-v3-fid gives numbers comparable with published ones.
  static std::string format_line(const tick_record& r, const std::string& extractor = {}) {
    const auto num = [](double v, const char* format) {
      if (std::isnan(v)) return std::string("-");
      char b[32];
      std::snprintf(b, sizeof b, format, v);
      return std::string(b);
    };
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "tick %-5zu kimg %-8.3f time %-9s sec/tick %-7.1f sec/kimg %-8.2f maint %-5.1f "
                  "loss G %-7s D %-7s r1 %-9s pl %-9s",
                  r.tick, r.kimg, format_duration(r.seconds).c_str(), r.sec_per_tick, r.sec_per_kimg, r.maintenance,
                  num(r.loss_g, "%.4f").c_str(), num(r.loss_d, "%.4f").c_str(), num(r.r1, "%.4g").c_str(),
                  num(r.pl, "%.4g").c_str());
    std::string line = buf;
    if (r.fid) {
      std::snprintf(buf, sizeof buf, " fid %.4f", *r.fid);
      line += buf;
      if (!extractor.empty()) line += " (" + extractor + ")";
    }
    return line;
  }

  // One row per tick; a measured FID comes with the name of its extractor.
  std::string csv(const std::string& extractor = {}) const {
    std::ostringstream out;
    out.precision(10);
    out << "tick,kimg,seconds,sec_per_kimg,loss_G,loss_D,r1_penalty,pl_penalty,pl_mean,score_real,score_fake,fid,"
           "fid_extractor\n";
    const auto field = [&](double v) -> std::ostream& {
      if (!std::isnan(v)) out << v;
      return out << ',';
    };
    for (const auto& r : records_) {
      out << r.tick << ',' << r.kimg << ',' << r.seconds << ',' << r.sec_per_kimg << ',';
      for (double v : {r.loss_g, r.loss_d, r.r1, r.pl, r.pl_mean, r.score_real, r.score_fake}) field(v);
      if (r.fid) out << *r.fid << ',' << io::csv_field(extractor);
      else out << ',';
      out << '\n';
    }
    return out.str();
  }

  // log.csv always; fid.png once a FID was measured.
  void write(const std::filesystem::path& dir, const std::string& extractor = {}) const {
    io::write_text_file(dir / "log.csv", csv(extractor));
    io::plot_series fid{.name = extractor.empty() ? "FID" : "FID (" + extractor + ")", .mark_minimum = true};
    for (const auto& r : records_)
      if (r.fid) fid.x.push_back(double(r.tick)), fid.y.push_back(*r.fid);
    if (fid.y.empty()) return;
    const io::plot_series series[] = {fid};
    io::save_line_plot(dir / "fid.png", series,
                       {.title = "FID per tick", .x_label = "tick", .y_label = "FID", .integer_x = true});
  }

  nlohmann::json to_json() const {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : records_) j.push_back(r.to_json());
    return j;
  }
  static tick_log from_json(const nlohmann::json& j) {
    tick_log log;
    for (const auto& r : j) log.add(tick_record::from_json(r));
    return log;
  }

private:
  std::vector<tick_record> records_;
};

}  // namespace acne::train
