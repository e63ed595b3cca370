// How far DFDNet training (train/dfdnet_trainer.hpp) gets on the CPU: a reduced DFDNet trained on
// aligned phantom faces, its held-out faces scored every --every steps (PSNR of the restored faces
// beside that of their degraded, bicubically upscaled inputs, the mark to beat), with the time taken.
// DFDNet decodes the face from VGG19 features alone, with no path from its input, so what its VGG19
// keeps of the face bounds what it can learn to draw. --vgg picks that network:
//   random  the generator's initial weights, as the tests use
//   colour  the same, except that the first three channels of every convolution carry the image's
//           colour planes (an identity kernel; at the first, a bias of 3 keeps the ImageNet-normalised
//           planes above ReLU's kink): a stand-in for ImageNet weights, which keep the face's colours
// and the program first prints a linear probe: the PSNR of the best affine map from relu2_2 (the tap
// the last up-block reads) to the face's colours at its scale (half the face side), fitted on all
// the faces.
//   bench_dfdnet_training [--width-divisor 16] [--face-side 512] [--steps 2000] [--every 250] [--lr 0.001]
//       [--lr-schedule constant|cosine] [--batch 1]
//       [--perceptual 1] [--adversarial 0.01] [--faces 16] [--held-out 4] [--vgg random|colour]
//       [--seed 3] [--out DIR] [--resume] [--json FILE]
//       [--min-scale 1] [--max-scale 8] [--max-noise 15] [--max-kernel 21] [--min-quality 40]
// The last five bound the degradation (data/degradation.hpp) of training and held-out faces alike.
// --resume continues the run in --out from its checkpoint (at another --lr, say) up to --steps.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/image.hpp"
#include "acne/train/dfdnet_phantom_faces.hpp"
#include "acne/train/dfdnet_trainer.hpp"
#include "bench_common.hpp"

using namespace acne;

namespace {

constexpr const char* usage =
    "usage: bench_dfdnet_training [--width-divisor 16] [--face-side 512] [--steps 2000] [--every 250] [--lr 0.001]\n"
    "       [--perceptual 1] [--adversarial 0.01] [--faces 16] [--held-out 4] [--vgg random|colour] [--seed 3]\n"
    "       [--out DIR] [--resume] [--lr-schedule constant|cosine] [--batch 1]\n"
    "       [--json FILE] [--min-scale 1] [--max-scale 8] [--max-noise 15] [--max-kernel 21] [--min-quality 40]\n";

using generator_net = network<dfdnet::generator<float>>;

// The stand-in described above, written into the generator's VGG19.
void keep_colour_planes(generator_net& g) {
  const std::string prefix = "VggExtract.model.features.";
  for (auto& s : g.slots()) {
    if (!s.name.starts_with(prefix)) continue;
    tensor<float>& t = *s.value;
    if (s.name.ends_with(".weight")) {
      const std::size_t in = s.shape.c, taps = s.shape.h * s.shape.w;
      for (std::size_t o = 0; o < 3; ++o)
        for (std::size_t i = 0; i < in * taps; ++i) t[o * in * taps + i] = i == o * taps + taps / 2 ? 1.0f : 0.0f;
    } else if (s.name.ends_with(".bias")) {
      for (std::size_t o = 0; o < 3; ++o) t[o] = s.name == prefix + "0.bias" ? 3.0f : 0.0f;
    }
  }
}

// Solves the symmetric positive definite system a x = b (n x n, k right-hand sides) in place.
std::vector<double> solve(std::vector<double> a, std::vector<double> b, std::size_t n, std::size_t k) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const double f = a[j * n + i] / a[i * n + i];
      for (std::size_t l = i; l < n; ++l) a[j * n + l] -= f * a[i * n + l];
      for (std::size_t c = 0; c < k; ++c) b[j * k + c] -= f * b[i * k + c];
    }
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t c = 0; c < k; ++c) {
      double v = b[i * k + c];
      for (std::size_t l = i + 1; l < n; ++l) v -= a[i * n + l] * b[l * k + c];
      b[i * k + c] = v / a[i * n + i];
    }
  return b;
}

// PSNR of the least-squares affine map from relu2_2 to each 2 x 2 block's mean colour.
double relu2_2_probe_psnr(network<vgg19_features<float>>& vgg, const std::vector<dfdnet::dictionary_face>& faces) {
  const std::size_t side = std::size_t(faces.front().image.rows) / 2;
  std::size_t n = 0;
  std::vector<double> ata, atb, fit;
  double squared_error = 0, count = 0;
  tensor<float> x({1, 3, 2 * side, 2 * side});
  for (int pass = 0; pass < 2; ++pass) {  // accumulate the normal equations, then score the fit
    if (pass == 1) {
      for (std::size_t i = 0; i < n; ++i) ata[i * n + i] += 1e-6;
      fit = solve(ata, atb, n, 3);
    }
    for (const auto& f : faces) {
      io::to_chw(f.image, x.data(), 2.0f / 255.0f, -1.0f);
      vgg.forward(x);
      const tensor<float>& tap = vgg.layer().tap(0);
      const std::size_t channels = tap.shape().c;
      if (n == 0) n = channels + 1, ata.assign(n * n, 0), atb.assign(n * 3, 0);
      std::vector<double> v(n, 1.0);
      for (std::size_t y = 0; y < side; ++y)
        for (std::size_t xx = 0; xx < side; ++xx) {
          for (std::size_t c = 0; c < channels; ++c) v[c] = tap[(c * side + y) * side + xx];
          for (std::size_t k = 0; k < 3; ++k) {
            double target = 0;
            for (std::size_t d = 0; d < 4; ++d)
              target += x[(k * 2 * side + 2 * y + d / 2) * 2 * side + 2 * xx + d % 2] / 4;
            if (pass == 0) {
              for (std::size_t i = 0; i < n; ++i) atb[i * 3 + k] += v[i] * target;
            } else {
              double p = 0;
              for (std::size_t i = 0; i < n; ++i) p += v[i] * fit[i * 3 + k];
              squared_error += (p - target) * (p - target) * 127.5 * 127.5, ++count;
            }
          }
          if (pass == 0)
            for (std::size_t i = 0; i < n; ++i)
              for (std::size_t j = 0; j < n; ++j) ata[i * n + j] += v[i] * v[j];
        }
    }
  }
  return 10 * std::log10(255.0 * 255.0 / (squared_error / count));
}

}  // namespace

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << usage;
    return 0;
  }
  const auto real = [&](const char* name, double fallback) {
    const auto v = a.value(name, "");
    return v.empty() ? fallback : std::stod(v);
  };
  const auto divisor = std::size_t(a.number("--width-divisor", 16)), steps = std::size_t(a.number("--steps", 2000)),
             every = std::size_t(a.number("--every", 250)), face_side = std::size_t(a.number("--face-side", 512)),
             face_count = std::size_t(a.number("--faces", 16)),
             held_out_count = std::size_t(a.number("--held-out", 4)), batch = std::size_t(a.number("--batch", 1));
  const std::string vgg_kind = a.value("--vgg", "random"), schedule = a.value("--lr-schedule", "constant");
  const bool side_ok = face_side == 64 || face_side == 128 || face_side == 256 || face_side == 512;
  if ((vgg_kind != "random" && vgg_kind != "colour") || (schedule != "constant" && schedule != "cosine") || every == 0 ||
      divisor == 0 || held_out_count == 0 || batch == 0 || !side_ok) {
    std::cerr << usage;
    return 2;
  }
  const std::filesystem::path out = a.value("--out", (std::filesystem::temp_directory_path() / "bench_dfdnet_training").string());
  dfdnet::train_options o{.steps = steps,
                          .batch = batch,
                          .lr = real("--lr", 1e-3),
                          .schedule = schedule == "cosine" ? dfdnet::lr_schedule::cosine : dfdnet::lr_schedule::constant,
                          .perceptual_weight = real("--perceptual", 1),
                          .adversarial_weight = real("--adversarial", 0.01),
                          .discriminator_width = 64 / divisor,
                          .degradation = {.max_kernel = int(a.number("--max-kernel", 21)),
                                          .min_scale = real("--min-scale", 1),
                                          .max_scale = real("--max-scale", 8),
                                          .max_noise = real("--max-noise", 15),
                                          .min_quality = int(a.number("--min-quality", 40))},
                          .seed = std::uint64_t(a.number("--seed", 3)),
                          .log_every = every,
                          .checkpoint_every = every,  // a stopped run resumes from its last score
                          .out = out,
                          .resume = a.flag("--resume")};

  std::cout << "bench_dfdnet_training: DFDNet at widths / " << divisor << ", " << face_side << " px faces, VGG19 "
            << vgg_kind << ", " << face_count << " phantom faces, " << held_out_count << " held out, batch " << batch << ", lr " << o.lr << " (" << schedule << "), perceptual " << o.perceptual_weight
            << ", adversarial " << o.adversarial_weight << ", " << bench::today() << "\n"
            << bench::threads_summary() << "\n";
  const auto faces = dfdnet::aligned_phantom_faces(face_count, 1, face_side),
             held_out = dfdnet::aligned_phantom_faces(held_out_count, 2, face_side);
  generator_net g{dfdnet::generator<float>({.width_divisor = divisor, .face_side = face_side})};
  g.setup({1, 3, face_side, face_side}, 6);
  if (vgg_kind == "colour") keep_colour_planes(g);
  network<vgg19_features<float>> vgg{with_name(vgg19_features<float>(divisor), "VggExtract")};
  vgg.setup({1, 3, face_side, face_side});
  dfdnet::copy_generator_vgg(g, vgg);
  std::vector<dfdnet::dictionary_face> all = faces;
  all.insert(all.end(), held_out.begin(), held_out.end());
  const double probe = relu2_2_probe_psnr(vgg, all);
  std::cout << "linear probe of relu2_2: " << bench::fixed(probe, 1) << " dB\n";
  std::ostringstream quiet;
  auto dictionaries = dfdnet::build_dictionaries(vgg, faces, {.atoms = 4}, quiet);

  dfdnet::trainer<cpu> t(g, dictionaries, faces, o, std::cout);
  struct point {
    std::size_t step;
    dfdnet::restoration_score score;
    double seconds;
  };
  std::vector<point> curve{{t.step(), t.evaluate(held_out), 0}};
  const auto start = bench::clock::now();
  tensor<float> face({1, 3, face_side, face_side});
  io::to_chw(held_out.front().image, face.data(), 2.0f / 255.0f, -1.0f);
  for (std::size_t k = (t.step() / every + 1) * every; k <= steps; k += every) {
    t.run_to(k);
    const double seconds = std::chrono::duration<double>(bench::clock::now() - start).count();
    curve.push_back({k, t.evaluate(held_out), seconds});
    // What the network draws from the first held-out face itself, undegraded.
    g.eval();
    g.layer().set_boxes({held_out.front().boxes});
    const tensor<float>& y = g.forward(face);
    io::write_image(out / ("held-out-0-step-" + std::to_string(k) + ".png"),
                    io::from_chw(y.data(), 3, face_side, face_side, 127.5f, 127.5f));
    g.train();
    std::cout << "step " << k << ": held-out PSNR " << bench::fixed(curve.back().score.restored_psnr, 2) << " dB\n"
              << std::flush;
  }
  io::write_image(out / "held-out-0.png", held_out.front().image);

  std::cout << "\n";
  bench::table table({"step", "restored dB", "bicubic dB", "seconds"});
  for (const auto& p : curve)
    table.row({std::to_string(p.step), bench::fixed(p.score.restored_psnr, 2), bench::fixed(p.score.degraded_psnr, 2),
               bench::fixed(p.seconds, 0)});
  table.print(std::cout);
  if (const auto json = a.value("--json", ""); !json.empty()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& p : curve)
      j.push_back({{"step", p.step}, {"restored_psnr", p.score.restored_psnr}, {"bicubic_psnr", p.score.degraded_psnr},
                   {"seconds", p.seconds}});
    std::ofstream(json) << nlohmann::json{{"width_divisor", divisor}, {"face_side", face_side}, {"vgg", vgg_kind},
                                          {"relu2_2_probe_psnr", probe}, {"curve", j}}.dump(2)
                        << "\n";
  }
  return 0;
}
