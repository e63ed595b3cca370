// Images per second of a classifier training step (forward, softmax cross-entropy, backward, Adam)
// and of inference, on the CPU and, when built with CUDA and a GPU is present, with cuDNN, side by
// side. Defaults: the paper's ResNet50V2 at batch 16, 224x224, one warm-up and two timed steps.
//   bench_classifier [--model resnet50v2|resnet152v2|inception_resnet_v2] [--batch 16] [--size 224]
//                    [--width 1] [--reps 2] [--device cpu|cuda|all] [--json FILE]
#include <algorithm>  // before backend/cpu/loss.hpp, which uses std::max_element
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "acne/backend/cpu/loss.hpp"
#include "acne/models/classifier.hpp"
#include "acne/optim/adam.hpp"
#include "acne/train/batches.hpp"
#include "bench_common.hpp"

#include <nlohmann/json.hpp>

#ifdef ACNE_WITH_CUDA
#include <cuda_runtime_api.h>

#include "acne/backend/cuda.hpp"
#endif

using namespace acne;

namespace {

struct result {
  std::string device;
  bench::timing train, infer;
  std::size_t parameters = 0;
};

void synchronize([[maybe_unused]] bool on_gpu) {
#ifdef ACNE_WITH_CUDA
  if (on_gpu) cudaDeviceSynchronize();
#endif
}

template <class D>
result measure(const classifier_spec& spec, std::size_t batch, int reps, const char* device) {
  return with_classifier<float, D>(spec, 1, [&](auto& net) {
    constexpr bool on_gpu = !std::is_same_v<D, cpu>;
    tensor<float, cpu> host({batch, 3, spec.image_size, spec.image_size});
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
    for (auto& v : host) v = pixel(gen);
    std::vector<int> labels(batch);
    for (std::size_t i = 0; i < batch; ++i) labels[i] = int(i % spec.classes());
    tensor<float, D> x, dlogits_dev;
    train::upload(host, x);
    tensor<float, cpu> logits, probs, dlogits;
    adam<float, D> opt(1e-4);

    result r{device, {}, {}, net.parameter_count()};
    net.train();
    r.train = bench::time_calls([&] {
      train::download(net.forward(x), logits);
      softmax_cross_entropy(logits, labels, probs, dlogits);
      train::upload(dlogits, dlogits_dev);
      net.zero_grad();
      net.backward(dlogits_dev, false);
      opt.step(net);
      synchronize(on_gpu);
    }, reps);
    net.eval();
    r.infer = bench::time_calls([&] {
      train::download(net.forward(x), logits);
      synchronize(on_gpu);
    }, reps);
    return r;
  }, batch);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  classifier_spec spec;
  spec.architecture = a.value("--model", "resnet50v2");
  spec.image_size = std::size_t(a.number("--size", 224));
  spec.width = std::stod(a.value("--width", "1"));
  const std::size_t batch = std::size_t(a.number("--batch", 16));
  const int reps = int(a.number("--reps", 2));
  const std::string device = a.value("--device", "all");
  try {
    spec.validate();
  } catch (const std::exception& e) {
    std::cerr << "bench_classifier: " << e.what() << "\n";
    return 2;
  }

  std::vector<result> results;
  if (device == "cpu" || device == "all") results.push_back(measure<cpu>(spec, batch, reps, "cpu"));
#ifdef ACNE_WITH_CUDA
  if ((device == "cuda" || device == "all") && cuda_available())
    results.push_back(measure<cuda>(spec, batch, reps, "cuda (cuDNN)"));
  else if (device == "cuda")
    std::cerr << "bench_classifier: no CUDA device\n";
#else
  if (device == "cuda") std::cerr << "bench_classifier: built without CUDA\n";
#endif
  if (results.empty()) return 2;

  std::cout << spec.architecture << " (width " << spec.width << ", " << results.front().parameters
            << " parameters), batch " << batch << ", " << spec.image_size << "x" << spec.image_size << ", median of "
            << reps << " after one warm-up; " << bench::threads_summary() << "\n\n";
  bench::table t({"device", "train step s", "train img/s", "inference s", "inference img/s"});
  for (const auto& r : results)
    t.row({r.device, bench::fixed(r.train.median, 3), bench::fixed(double(batch) / r.train.median, 1),
           bench::fixed(r.infer.median, 3), bench::fixed(double(batch) / r.infer.median, 1)});
  t.print(std::cout);
  if (results.size() == 2)
    std::cout << "\ncuda / cpu: train x" << bench::fixed(results[0].train.median / results[1].train.median, 1)
              << ", inference x" << bench::fixed(results[0].infer.median / results[1].infer.median, 1) << "\n";
  if (const auto json = a.value("--json", ""); !json.empty()) {
    nlohmann::json report = {{"model", spec.architecture}, {"batch", batch}, {"size", spec.image_size},
                             {"results", nlohmann::json::array()}};
    for (const auto& r : results)
      report["results"].push_back({{"device", r.device}, {"parameters", r.parameters},
                                   {"train_seconds", {{"best", r.train.best}, {"median", r.train.median}}},
                                   {"infer_seconds", {{"best", r.infer.best}, {"median", r.infer.median}}}});
    std::ofstream(json) << report.dump(2) << "\n";
  }
  return 0;
}
