#pragma once
// The terminal progress line of a training run, Keras-style:
//   epoch 3/15  step 12/40  loss 0.4123  acc 0.8750  23.4 img/s  ETA 0:31
// On a terminal the line is redrawn in place ('\r'); into a file or pipe it is printed every
// `every` steps and at the end of the epoch, so logs stay readable.
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace acne::train {

// "m:ss", or "h:mm:ss" from one hour on.
inline std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  const auto total = static_cast<long long>(seconds + 0.5);
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  std::ostringstream out;
  out << std::setfill('0');
  if (h > 0) out << h << ':' << std::setw(2) << m;
  else out << m;
  out << ':' << std::setw(2) << s;
  return out.str();
}

struct progress_state {
  std::size_t epoch = 1, epochs = 1;  // 1-based
  std::size_t step = 0, steps = 0;    // steps done in this epoch, steps in it
  double loss = 0, accuracy = 0;      // running means over the epoch
  double images_per_second = 0;
  double eta_seconds = 0;             // rest of this epoch
};

inline std::string format_progress(const progress_state& p) {
  std::ostringstream out;
  out << "epoch " << p.epoch << '/' << p.epochs << "  step " << p.step << '/' << p.steps << std::fixed
      << std::setprecision(4) << "  loss " << p.loss << "  acc " << p.accuracy << std::setprecision(1) << "  "
      << p.images_per_second << " img/s  ETA " << format_duration(p.eta_seconds);
  return out.str();
}

class progress_line {
public:
  // interactive: redraw in place; default: when `out` is std::cout or std::cerr and that is a terminal.
  explicit progress_line(std::ostream* out, std::size_t every = 10, int interactive = -1)
      : out_(out), every_(every ? every : 1), interactive_(interactive < 0 ? detect(out) : interactive != 0) {}

  void start_epoch(std::size_t epoch, std::size_t epochs, std::size_t steps) {
    state_ = {epoch, epochs, 0, steps, 0, 0, 0, 0};
    images_ = 0;
    start_ = clock::now();
  }

  // After each step: the epoch's running loss and accuracy and the images of this step.
  void step(double loss, double accuracy, std::size_t images) {
    images_ += images;
    ++state_.step;
    state_.loss = loss;
    state_.accuracy = accuracy;
    const double elapsed = seconds();
    state_.images_per_second = elapsed > 0 ? double(images_) / elapsed : 0;
    state_.eta_seconds = state_.step ? elapsed / double(state_.step) * double(state_.steps - std::min(state_.step, state_.steps)) : 0;
    if (!out_) return;
    if (interactive_) {
      *out_ << '\r' << format_progress(state_) << "\033[K" << std::flush;
    } else if (state_.step % every_ == 0 || state_.step == state_.steps) {
      *out_ << format_progress(state_) << '\n' << std::flush;
    }
  }

  // Ends the epoch's line with the validation scores and the epoch's time.
  void end_epoch(double val_loss, double val_accuracy, bool improved) {
    if (!out_) return;
    std::ostringstream tail;
    tail << std::fixed << std::setprecision(4) << "  val_loss " << val_loss << "  val_acc " << val_accuracy << "  ("
         << format_duration(seconds()) << ")" << (improved ? "  saved best" : "");
    if (interactive_) *out_ << '\r' << format_progress(state_) << tail.str() << "\033[K\n" << std::flush;
    else *out_ << "epoch " << state_.epoch << '/' << state_.epochs << tail.str() << '\n' << std::flush;
  }

  const progress_state& state() const { return state_; }
  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

private:
  using clock = std::chrono::steady_clock;
  static bool detect(std::ostream* out) {
    if (out == &std::cout) return ::isatty(STDOUT_FILENO);
    if (out == &std::cerr) return ::isatty(STDERR_FILENO);
    return false;
  }

  std::ostream* out_;
  std::size_t every_;
  bool interactive_;
  progress_state state_;
  std::size_t images_ = 0;
  clock::time_point start_ = clock::now();
};

}  // namespace acne::train
