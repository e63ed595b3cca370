#pragma once
// Shared by the benchmark programs: timing, flags, aligned tables and the machine's SGEMM rate.
// Hosts are shared and noisy, so every CPU figure is reported as a ratio to an SGEMM rate measured
// in the same process, never as an absolute time checked against a threshold.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "acne/backend/cpu/gemm.hpp"
#include "acne/backend/cpu/kernels.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace acne::bench {

using clock = std::chrono::steady_clock;

struct timing {
  double best = 0, median = 0;  // seconds per call
};

// One untimed warm-up call (page faults, BLAS thread start-up, cached buffers), then `reps` timed calls.
template <class F>
timing time_calls(F&& f, int reps, int warmup = 1) {
  for (int i = 0; i < warmup; ++i) f();
  std::vector<double> t;
  for (int i = 0; i < std::max(reps, 1); ++i) {
    const auto start = clock::now();
    f();
    t.push_back(std::chrono::duration<double>(clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2]};
}

inline double gflops(double flops, double seconds) { return seconds > 0 ? flops / seconds * 1e-9 : 0; }

// SGEMM of an n x n x n product as the CPU backend runs its products (single-threaded OpenBLAS
// on each OpenMP thread): the machine's rate. threaded_gflops() is the same product on OpenBLAS's
// own threads, for comparison only: its workers spin on after it, against the next OpenMP team.
class sgemm_probe {
public:
  explicit sgemm_probe(std::size_t n = 2048) : n_(n), a_(n * n), b_(n * n), c_(n * n) {
    for (std::size_t i = 0; i < n * n; ++i) {
      a_[i] = float(i % 7) * 0.25f - 0.75f;
      b_[i] = float(i % 5) * 0.5f - 1.0f;
    }
  }
  double flops() const { return 2.0 * double(n_) * double(n_) * double(n_); }
  void operator()() {
    cpu_backend::parallel_gemm(false, false, n_, n_, n_, 1.0f, a_.data(), b_.data(), 0.0f, c_.data());
  }
  double gflops(int reps = 5) { return bench::gflops(flops(), time_calls(*this, reps).best); }
  double threaded_gflops(int reps = 3) {
    const cpu_backend::blas_threads own(cpu_backend::blas_threads::initial());
    return bench::gflops(flops(), time_calls([this] {
                           cpu_backend::blas_gemm(false, false, n_, n_, n_, 1.0f, a_.data(), n_, b_.data(), n_, 0.0f,
                                                  c_.data(), n_);
                         }, reps).best);
  }

private:
  std::size_t n_;
  std::vector<float> a_, b_, c_;
};

// Calls f and the SGEMM probe in turn, so that both see the same load, and keeps the best of each:
// on a shared machine a ratio of two bests taken minutes apart says more about the neighbours.
struct paired_timing {
  timing f;
  double sgemm_gflops = 0;
};
// The same without the SGEMM between the calls, which run back to back (as a peer library's
// timings are taken): the SGEMM rate is measured once, before them.
template <class F>
paired_timing time_back_to_back(F&& f, sgemm_probe& probe, int reps) {
  const double sgemm = probe.gflops(1);
  return {time_calls(f, reps), sgemm};
}
template <class F>
paired_timing time_against_sgemm(F&& f, sgemm_probe& probe, int reps) {
  f();  // warm-up
  std::vector<double> t;
  double best_probe = 0;
  for (int i = 0; i < std::max(reps, 1); ++i) {
    best_probe = std::max(best_probe, probe.gflops(1));
    const auto start = clock::now();
    f();
    t.push_back(std::chrono::duration<double>(clock::now() - start).count());
  }
  best_probe = std::max(best_probe, probe.gflops(1));
  std::sort(t.begin(), t.end());
  return {{t.front(), t[t.size() / 2]}, best_probe};
}

// The threads BLAS and OpenMP will use, printed with every result: a 2x drop in a ratio is often
// just one of them oversubscribing the other.
inline std::string threads_summary() {
  std::ostringstream out;
  if (cpu_backend::blas_threads::controllable())
    out << "OpenBLAS held to 1 thread per OpenMP thread (its own default " << cpu_backend::blas_threads::initial()
        << ")";
  else
    out << "BLAS threads not controllable (not OpenBLAS)";
  out << "; kernels: " << cpu_backend::kernels_summary();
#ifdef _OPENMP
  out << ", OpenMP max threads " << omp_get_max_threads();
#else
  out << ", no OpenMP";
#endif
  for (const char* name : {"OMP_WAIT_POLICY", "OPENBLAS_CORETYPE"})
    if (const char* v = std::getenv(name)) out << ", " << name << "=" << v;
  if (const auto warning = cpu_backend::kernels_warning(); !warning.empty()) out << "\n" << warning;
  return out.str();
}

inline std::string today() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::localtime(&now));
  return buf;
}

// `--name value` and `--flag` arguments; anything else is an error the caller reports.
class args {
public:
  args(int argc, char** argv) : v_(argv + 1, argv + argc) {}
  bool flag(const std::string& name) const { return std::find(v_.begin(), v_.end(), name) != v_.end(); }
  std::string value(const std::string& name, const std::string& fallback) const {
    for (std::size_t i = 0; i + 1 < v_.size(); ++i)
      if (v_[i] == name) return v_[i + 1];
    return fallback;
  }
  long number(const std::string& name, long fallback) const {
    const auto s = value(name, "");
    return s.empty() ? fallback : std::stol(s);
  }

private:
  std::vector<std::string> v_;
};

inline std::string fixed(double v, int precision = 1) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(precision) << v;
  return out.str();
}

// Columns sized to their widest cell; the first column is left-aligned, numbers right-aligned.
class table {
public:
  explicit table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void print(std::ostream& out) const {
    std::vector<std::size_t> width;
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size(); ++i) {
        width.resize(std::max(width.size(), r.size()));
        width[i] = std::max(width[i], r[i].size());
      }
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      const auto& r = rows_[k];
      for (std::size_t i = 0; i < r.size(); ++i)
        out << (i ? "  " : "") << (i ? std::right : std::left) << std::setw(int(width[i])) << r[i];
      out << '\n';
      if (k == 0) {
        std::size_t total = 0;
        for (auto w : width) total += w + 2;
        out << std::string(total - 2, '-') << '\n';
      }
    }
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace acne::bench
