#pragma once
// Training DFDNet, which the official release does not provide: pairs made by the authors'
// degradation (data/degradation.hpp) from aligned high-quality faces, one face per step as the
// official model runs (or a batch of them, each loss a mean over the batch), and the paper's three
// losses on the restored face y against the original x:
//   pixel        mean |y - x|
//   perceptual   sum over VGG19's four taps of the mean squared difference of the taps of y and x
//                (a frozen VGG19 with the generator's own weights)
//   adversarial  hinge loss (Miyato et al. 2018) against a PatchGAN discriminator (Isola et al.
//                2017) of spectral-normalised 4x4 stride-2 convolutions: 512 -> 32 x 32 logits,
//                each judging a 46-pixel patch; the generator minimises -mean D(y)
// The generator's dictionaries are given and fixed (train/dfdnet_dictionaries.hpp builds them);
// VGG19 stays frozen. Adam for both networks. Checkpoints (generator and discriminator with their
// Adam states) every checkpoint_every steps and at the end, a CSV log, a resume that continues
// where the checkpoints stopped, and the PSNR of restored held-out faces beside that of their
// degraded (bicubically upscaled) inputs. Adam with beta1 = 0.5, as GANs are usually trained; the
// learning rates constant, or decaying to 0 over the run along a half cosine (SGDR's schedule
// without restarts, Loshchilov & Hutter 2017), a function of the step, so a resumed run continues it.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <ostream>
#include <string>
#include <vector>

#include "acne/data/degradation.hpp"
#include "acne/io/checkpoint.hpp"
#include "acne/io/image.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/models/dfdnet/weights.hpp"
#include "acne/optim/adam.hpp"
#include "acne/train/dfdnet_dictionaries.hpp"

namespace acne::dfdnet {

template <class T, class D>
using patch_discriminator = sequential<conv2d<T, D>, leaky_relu<T, D>, conv2d<T, D>, leaky_relu<T, D>, conv2d<T, D>,
                                       leaky_relu<T, D>, conv2d<T, D>, leaky_relu<T, D>, conv2d<T, D>>;

template <class T, class D>
patch_discriminator<T, D> make_patch_discriminator(std::size_t width) {
  const auto down = [](std::size_t filters) {
    return conv2d<T, D>({.filters = filters, .kernel = 4, .stride = 2, .padding = padding_mode::explicit_, .pad = 1,
                         .spectral = spectral_norm{}});
  };
  return patch_discriminator<T, D>(down(width), leaky_relu<T, D>(0.2), down(2 * width), leaky_relu<T, D>(0.2),
                                   down(4 * width), leaky_relu<T, D>(0.2), down(8 * width), leaky_relu<T, D>(0.2),
                                   conv2d<T, D>({.filters = 1, .kernel = 3, .spectral = spectral_norm{}}));
}

enum class lr_schedule { constant, cosine };

struct train_options {
  std::size_t steps = 1000;
  std::size_t batch = 1;  // faces per step; the official model restores one at a time
  double lr = 1e-4, discriminator_lr = 4e-4;
  lr_schedule schedule = lr_schedule::constant;
  double pixel_weight = 1, perceptual_weight = 1, adversarial_weight = 0.01;
  std::size_t discriminator_width = 64;
  data::degradation_options degradation{};
  std::uint64_t seed = 0;
  std::size_t log_every = 10, checkpoint_every = 200;
  std::filesystem::path out;  // generator.safetensors, discriminator.safetensors, log.csv
  bool resume = false;
};

struct step_losses {
  double pixel = 0, perceptual = 0, adversarial = 0, discriminator = 0;
};

struct restoration_score {
  double restored_psnr = 0, degraded_psnr = 0;  // dB, mean over the held-out faces
};

// PSNR in 8-bit levels of two images in [-1, 1] (the same shape).
inline double psnr(const float* a, const float* b, std::size_t n) {
  double se = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = (double(a[i]) - double(b[i])) * 127.5;
    se += d * d;
  }
  return 10 * std::log10(255.0 * 255.0 / std::max(se / double(n), 1e-12));
}

// A separate VGG19 network (named "VggExtract", as the generator names its own) given the
// generator's VGG19 weights: the loss network, or the features dictionaries are built from.
template <class D>
void copy_generator_vgg(const network<generator<float, D>>& g, network<vgg19_features<float, D>>& vgg) {
  for (auto& s : vgg.slots())
    for (const auto& gs : g.slots())
      if (gs.name == s.name) *s.value = *gs.value;
}

template <class D>
class trainer {
  using generator_net = network<generator<float, D>>;

public:
  trainer(generator_net& g, component_dictionaries<float, D>& dictionaries, std::vector<dictionary_face> faces,
          train_options o, std::ostream& log)
      : g_(g), dictionaries_(dictionaries), faces_(std::move(faces)), o_(std::move(o)), log_(log),
        vgg_(with_name(vgg19_features<float, D>(g.layer().cfg().width_divisor), "VggExtract")),
        d_(make_patch_discriminator<float, D>(o_.discriminator_width)), g_opt_(o_.lr, 0.5, 0.999),
        d_opt_(o_.discriminator_lr, 0.5, 0.999) {
    ACNE_CHECK(!faces_.empty(), "DFDNet training needs faces");
    g_.layer().set_dictionaries(&dictionaries_);
    const std::size_t side = g.layer().cfg().face_side;
    for (const auto& f : faces_)
      ACNE_CHECK(std::size_t(f.image.rows) == side && std::size_t(f.image.cols) == side,
                 "DFDNet training: a face of " << f.image.cols << " x " << f.image.rows << " for a generator of " << side
                                               << " px faces");
    vgg_.setup({1, 3, side, side});
    copy_vgg_weights();
    d_.setup({1, 3, side, side}, o_.seed + 1);
    if (o_.resume) resume();
    else prime_spectral_norms();
  }

  std::size_t step() const { return step_; }
  const std::vector<step_losses>& history() const { return history_; }

  // Trains up to o.steps steps in all.
  void run() { run_to(o_.steps); }
  // Trains until step `last` (o.steps at most), for a caller that scores the network on the way.
  void run_to(std::size_t last) {
    std::filesystem::create_directories(o_.out);
    std::ofstream csv(o_.out / "log.csv", step_ == 0 ? std::ios::trunc : std::ios::app);
    if (step_ == 0) csv << "step,pixel,perceptual,adversarial,discriminator\n";
    while (step_ < std::min(last, o_.steps)) {
      const step_losses l = train_step();
      history_.push_back(l);
      ++step_;
      csv << step_ << "," << l.pixel << "," << l.perceptual << "," << l.adversarial << "," << l.discriminator << "\n";
      if (step_ % o_.log_every == 0 || step_ == o_.steps)
        log_ << "step " << step_ << "/" << o_.steps << ": pixel " << l.pixel << ", perceptual " << l.perceptual
             << ", adversarial " << l.adversarial << ", discriminator " << l.discriminator << "\n";
      if (step_ % o_.checkpoint_every == 0 || step_ == o_.steps) save();
    }
  }

  // The restored held-out faces' PSNR beside that of their degraded inputs (keys fixed per face).
  restoration_score evaluate(const std::vector<dictionary_face>& held_out) {
    restoration_score s;
    g_.eval();
    for (std::size_t i = 0; i < held_out.size(); ++i) {
      const auto [lq, hq] = pair_of(held_out[i], 1'000'000'007ull + i);
      g_.layer().set_boxes({held_out[i].boxes});
      const auto y = host_of(g_.forward(upload(lq)));
      s.restored_psnr += psnr(y.data(), hq.data(), hq.size()) / double(held_out.size());
      s.degraded_psnr += psnr(lq.data(), hq.data(), hq.size()) / double(held_out.size());
    }
    g_.train();
    return s;
  }

  void save() {
    const io::checkpoint_meta meta{.architecture = "dfdnet",
                                   .config = {{"width_divisor", g_.layer().cfg().width_divisor},
                                              {"face_side", g_.layer().cfg().face_side}},
                                   .step = step_};
    io::save_checkpoint(o_.out / "generator.safetensors", g_, g_opt_, meta);
    const io::checkpoint_meta d_meta{.architecture = "dfdnet-patch-discriminator", .step = step_};
    // A run without the adversarial loss never trains its discriminator, which then has no Adam state.
    if (d_opt_.steps() > 0) io::save_checkpoint(o_.out / "discriminator.safetensors", d_, d_opt_, d_meta);
    else io::save_checkpoint(o_.out / "discriminator.safetensors", d_, d_meta);
  }

private:
  void resume() {
    const auto g_file = o_.out / "generator.safetensors", d_file = o_.out / "discriminator.safetensors";
    ACNE_CHECK(std::filesystem::exists(g_file) && std::filesystem::exists(d_file),
               "resume: no checkpoint in " << o_.out.string());
    const auto meta = io::load_checkpoint(g_file, g_, g_opt_, {.architecture = "dfdnet"});
    try {
      io::load_checkpoint(d_file, d_, d_opt_, {.architecture = "dfdnet-patch-discriminator"});
    } catch (const io::checkpoint_mismatch& e) {
      // A discriminator never trained (a run without the adversarial loss) has no Adam state.
      if (o_.adversarial_weight != 0)
        throw error(std::string(e.what()) + "; a run trained without the adversarial loss resumes without it");
      io::load_checkpoint(d_file, d_, {.architecture = "dfdnet-patch-discriminator"});
    }
    step_ = meta.step;
    copy_vgg_weights();
    log_ << "resumed at step " << step_ << " from " << o_.out.string() << "\n";
  }

  // A new network's spectral-norm vectors are random draws, which only a training forward's power
  // iteration brings to its weights: one such forward, so that an evaluation before the first step
  // (inference reads u and v as they are) is meaningful.
  void prime_spectral_norms() {
    const auto [lq, hq] = pair_of(faces_.front(), 0);
    g_.layer().set_boxes({faces_.front().boxes});
    g_.forward(upload(lq));
    d_.forward(upload(hq));
  }

  // The loss network's VGG19 is the generator's.
  void copy_vgg_weights() { copy_generator_vgg(g_, vgg_); }

  // The degraded and the original face of one sample, as [1, 3, side, side] in [-1, 1].
  std::pair<tensor<float>, tensor<float>> pair_of(const dictionary_face& f, std::uint64_t key) const {
    const std::size_t side = std::size_t(f.image.rows);
    tensor<float> lq({1, 3, side, side}), hq(lq.shape());
    io::to_chw(f.image, hq.data(), 2.0f / 255.0f, -1.0f);
    io::to_chw(data::degrade(f.image, o_.degradation, o_.seed, key), lq.data(), 2.0f / 255.0f, -1.0f);
    return {std::move(lq), std::move(hq)};
  }
  static tensor<float, D> upload(const tensor<float>& h) {
    tensor<float, D> t(h.shape());
    memory<D>::from_host(t.data(), h.data(), h.bytes());
    return t;
  }
  static tensor<float> host_of(const tensor<float, D>& t) {
    tensor<float> h(t.shape());
    memory<D>::to_host(h.data(), t.data(), h.bytes());
    return h;
  }

  // The share of the learning rates at the current step.
  double lr_factor() const {
    if (o_.schedule == lr_schedule::constant) return 1;
    return 0.5 * (1 + std::cos(std::numbers::pi * double(step_) / double(o_.steps)));
  }

  step_losses train_step() {
    g_opt_.set_learning_rate(o_.lr * lr_factor());
    d_opt_.set_learning_rate(o_.discriminator_lr * lr_factor());
    // Sample j of step s is draw s * batch + j: a batch of one draws the faces and degradations that
    // one-face runs always drew, so their checkpoints resume as before.
    const std::size_t side = g_.layer().cfg().face_side, plane = 3 * side * side;
    tensor<float> lq({o_.batch, 3, side, side}), hq(lq.shape());
    std::vector<face_boxes> boxes;
    for (std::size_t j = 0; j < o_.batch; ++j) {
      const std::uint64_t draw = step_ * o_.batch + j;
      const auto& face = faces_[std::size_t(data::mix_seed(o_.seed, 0x70696b, draw) % faces_.size())];
      const auto [one_lq, one_hq] = pair_of(face, draw);
      std::copy_n(one_lq.data(), plane, lq.data() + j * plane);
      std::copy_n(one_hq.data(), plane, hq.data() + j * plane);
      boxes.push_back(face.boxes);
    }
    step_losses l;
    g_.layer().set_boxes(std::move(boxes));
    const tensor<float, D> x = upload(hq);
    const tensor<float, D> y_dev = g_.forward(upload(lq));
    const tensor<float> y = host_of(y_dev);
    const std::size_t n = y.size();
    tensor<float> dy(y.shape());
    // Pixel.
    for (std::size_t i = 0; i < n; ++i) {
      const float d = y[i] - hq[i];
      l.pixel += std::abs(d) / double(n);
      dy[i] = float(o_.pixel_weight / double(n)) * float((d > 0) - (d < 0));
    }
    tensor<float, D> grad = upload(dy);
    // A loss of weight 0 is not computed (nor is the discriminator trained without its loss).
    if (o_.perceptual_weight != 0) l.perceptual = add_perceptual_gradient(x, y_dev, grad);
    if (o_.adversarial_weight != 0) l.adversarial = add_adversarial_gradient(y_dev, grad);
    g_.zero_grad();
    g_.backward(grad, false);
    g_opt_.step(g_);
    if (o_.adversarial_weight != 0) {
      // Discriminator: hinge on the original and the restored face.
      d_.zero_grad();
      l.discriminator += hinge(x, +1) + hinge(y_dev, -1);
      d_opt_.step(d_);
    }
    return l;
  }

  // Perceptual: the taps of x, then of y, whose gradient flows back to y; returns the loss.
  double add_perceptual_gradient(const tensor<float, D>& x, const tensor<float, D>& y, tensor<float, D>& grad) {
    vgg_.forward(x);
    std::array<tensor<float, D>, vgg19_features<float, D>::taps> target, dtaps;
    for (std::size_t i = 0; i < target.size(); ++i) target[i] = vgg_.layer().tap(i);
    vgg_.forward(y);
    std::array<const tensor<float, D>*, vgg19_features<float, D>::taps> dptr{};
    double loss = 0;
    for (std::size_t i = 0; i < target.size(); ++i) {
      const auto& t = vgg_.layer().tap(i);
      dtaps[i] = t;
      axpy(-1.0f, target[i], dtaps[i]);
      const double count = double(t.size());
      loss += dot(dtaps[i], dtaps[i]) / count;
      scale(dtaps[i], float(2 * o_.perceptual_weight / count));
      dptr[i] = &dtaps[i];
    }
    tensor<float, D> dperceptual;
    {
      parameter_gradients_off off(vgg_.ctx());
      vgg_.layer().backward_taps(dptr, &dperceptual, vgg_.ctx());
    }
    axpy(1.0f, dperceptual, grad);
    return loss;
  }

  // Adversarial (generator side): -mean D(y); returns that loss.
  double add_adversarial_gradient(const tensor<float, D>& y, tensor<float, D>& grad) {
    const tensor<float> fake_logits = host_of(d_.forward(y));
    tensor<float> dlogits(fake_logits.shape(), float(-o_.adversarial_weight / double(fake_logits.size())));
    double loss = 0;
    for (float v : fake_logits) loss -= double(v) / double(fake_logits.size());
    axpy(1.0f, d_.backward_input(upload(dlogits)), grad);
    return loss;
  }

  // Adds the gradient of mean relu(1 - sign D(input)) to the discriminator's; returns that loss.
  double hinge(const tensor<float, D>& input, float sign) {
    const tensor<float> logits = host_of(d_.forward(input));
    tensor<float> dl(logits.shape());
    double loss = 0;
    const double n = double(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
      const float margin = 1 - sign * logits[i];
      loss += std::max(0.0f, margin) / n;
      dl[i] = margin > 0 ? float(-sign / n) : 0.0f;
    }
    d_.backward(upload(dl), false);
    return loss;
  }

  generator_net& g_;
  component_dictionaries<float, D>& dictionaries_;
  std::vector<dictionary_face> faces_;
  train_options o_;
  std::ostream& log_;
  network<vgg19_features<float, D>> vgg_;
  network<patch_discriminator<float, D>> d_;
  adam<float, D> g_opt_, d_opt_;
  std::size_t step_ = 0;
  std::vector<step_losses> history_;
};

}  // namespace acne::dfdnet
