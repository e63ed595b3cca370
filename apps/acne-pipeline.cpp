// The whole job on the embedded phantom data: generate "real" acneic faces, train a classifier
// composed at compile time on a training split, and report its accuracy on held-out faces.
#include <chrono>
#include <iostream>
#include <string>

#include "acne/acne.hpp"
#include "acne/data/phantom.hpp"
#include "acne/data/preprocess.hpp"

using namespace acne;

namespace {
using cnn = sequential<conv2d<float>, batch_norm<float>, relu<float>, max_pool<float>,
                       conv2d<float>, batch_norm<float>, relu<float>, max_pool<float>,
                       conv2d<float>, batch_norm<float>, relu<float>, global_avg_pool<float>, dense<float>>;

cnn make_cnn(std::size_t classes) {
  return cnn(conv2d<float>({.filters = 16, .kernel = 3, .bias = false}), batch_norm<float>(), relu<float>(),
             max_pool<float>(2, 2), conv2d<float>({.filters = 32, .kernel = 3, .bias = false}), batch_norm<float>(),
             relu<float>(), max_pool<float>(2, 2), conv2d<float>({.filters = 64, .kernel = 3, .bias = false}),
             batch_norm<float>(), relu<float>(), global_avg_pool<float>(), dense<float>({.units = classes}));
}

struct labelled {
  tensor<float> x;
  std::vector<int> y;
};

labelled phantom_set(std::size_t per_class, int size, std::uint64_t seed) {
  const auto& classes = data::paper_classes();
  std::vector<cv::Mat> images;
  labelled out;
  for (std::size_t k = 0; k < classes.size(); ++k)
    for (std::size_t i = 0; i < per_class; ++i) {
      data::phantom_options o;
      o.size = 4 * size;  // drawn larger, then downsampled as real photos are
      images.push_back(data::make_phantom(o, classes[k], data::phantom_sample_seed(seed, classes[k], i)).image);
      out.y.push_back(int(k));
    }
  auto batch = data::preprocess(images, data::preprocess_options::square(size, data::resize_filter::area));
  out.x = tensor<float>({batch.n, batch.c, batch.h, batch.w});
  std::copy(batch.data.begin(), batch.data.end(), out.x.begin());
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    std::size_t per_class = 120, epochs = 12, batch = 16;
    int size = 48;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) ACNE_THROW("missing value after " << a);
        return argv[++i];
      };
      if (a == "--per-class") per_class = std::stoul(next());
      else if (a == "--epochs") epochs = std::stoul(next());
      else if (a == "--size") size = std::stoi(next());
      else if (a == "--help") {
        std::cout << "acne-pipeline [--per-class N] [--epochs E] [--size PX]\n";
        return 0;
      } else ACNE_THROW("unknown argument " << a << " (see --help)");
    }
    std::cout << "generating " << per_class << " phantom faces per class (train) and " << per_class / 4
              << " (test) at " << size << " px\n";
    auto train = phantom_set(per_class, size, 1000);
    auto test = phantom_set(per_class / 4, size, 2000);

    network<cnn> net(make_cnn(4));
    net.setup({1, 3, std::size_t(size), std::size_t(size)}, 1000);
    std::cout << "model parameters: " << net.parameter_count() << "\n";
    adam<float> opt(3e-3);
    rng gen(1000);
    std::vector<std::size_t> order(train.y.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const std::size_t sample = train.x.shape().sample_size();
    tensor<float> xb, probs, dlogits;
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), gen);
      double loss = 0;
      std::size_t steps = 0;
      const auto t0 = std::chrono::steady_clock::now();
      net.train();
      for (std::size_t b = 0; b + batch <= order.size(); b += batch) {
        xb.resize({batch, 3, std::size_t(size), std::size_t(size)});
        std::vector<int> yb;
        for (std::size_t j = 0; j < batch; ++j) {
          std::copy_n(train.x.data() + order[b + j] * sample, sample, xb.data() + j * sample);
          yb.push_back(train.y[order[b + j]]);
        }
        loss += softmax_cross_entropy(net.forward(xb), yb, probs, dlogits);
        net.zero_grad();
        net.backward(dlogits, false);
        opt.step(net);
        ++steps;
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cout << "epoch " << epoch + 1 << "/" << epochs << "  loss " << loss / steps << "  "
                << (steps * batch) / secs << " img/s\n";
    }
    net.eval();
    auto accuracy = [&](const labelled& set) {
      const auto& logits = net.forward(set.x);
      std::size_t correct = 0;
      for (std::size_t i = 0; i < set.y.size(); ++i) {
        const float* z = logits.data() + i * 4;
        correct += std::size_t(std::max_element(z, z + 4) - z) == std::size_t(set.y[i]);
      }
      return 100.0 * correct / set.y.size();
    };
    std::cout << "train accuracy " << accuracy(train) << "%\n";
    std::cout << "test accuracy on " << test.y.size() << " held-out phantom faces: " << accuracy(test) << "%\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "acne-pipeline: " << e.what() << "\n";
    return 1;
  }
}
