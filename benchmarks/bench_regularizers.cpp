// Cost of one step of each StyleGAN2 regulariser (R1 on D, path length on G) against the
// first-order pass of the same network on the same batch, in one run:
//   bench_regularizers [--res 64] [--channel-base 32768] [--channel-max 512] [--batch 4] [--reps 3]
// D: forward + backward of the logits (the Dmain pass) vs r1_penalty (forward, input gradient,
// tangent pass). G: forward + backward of an image gradient vs path_length_penalty on batch / 2
// (the official pl_batch_shrink), as the trainer calls them. Best of `reps` after a warm-up.
#include <iostream>

#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/train/stylegan2_regularizers.hpp"
#include "bench_common.hpp"

using namespace acne;
using namespace acne::stylegan2;

int main(int argc, char** argv) {
  const bench::args a(argc, argv);
  if (a.flag("--help")) {
    std::cout << "usage: bench_regularizers [--res 64] [--channel-base 32768] [--channel-max 512] [--batch 4] "
                 "[--reps 3]\n";
    return 0;
  }
  config c = config::config_f(std::size_t(a.number("--res", 64)));
  c.channel_base = std::size_t(a.number("--channel-base", long(c.channel_base)));
  c.channel_max = std::size_t(a.number("--channel-max", long(c.channel_max)));
  const auto batch = std::size_t(a.number("--batch", 4));
  const int reps = int(a.number("--reps", 3));
  std::cout << "StyleGAN2 regularisers, " << c.resolution << " px, channel_base " << c.channel_base << ", channel_max "
            << c.channel_max << ", batch " << batch << " (path length on " << batch / 2 << "), " << bench::today()
            << "\n" << bench::threads_summary() << "\n\n";

  network<discriminator<float>> d{discriminator<float>(c)};
  d.setup({1, c.img_channels, c.resolution, c.resolution}, 1);
  tensor<float> x({batch, c.img_channels, c.resolution, c.resolution}), ones({batch, 1, 1, 1});
  fill_normal(x, 2, 0.5f);
  fill(ones, 1.0f);
  const auto d_pass = bench::time_calls([&] { d.forward(x), d.backward(ones, false); }, reps);
  const auto r1 = bench::time_calls([&] { r1_penalty(d, x, {.gamma = 10, .gain = 16}); }, reps);

  network<generator<float>> g{generator<float>(c)};
  g.setup({1, c.z_dim, 1, 1}, 3);
  tensor<float> z({batch, c.z_dim, 1, 1}), half({batch / 2, c.z_dim, 1, 1});
  fill_normal(z, 4), fill_normal(half, 5);
  tensor<float> dimg({batch, c.img_channels, c.resolution, c.resolution});
  fill_normal(dimg, 6, 0.01f);
  const auto g_pass = bench::time_calls([&] { g.forward(z), g.backward(dimg, false); }, reps);
  path_length_state pl;
  const auto pl_step = bench::time_calls([&] { path_length_penalty(g, half, pl, {.gain = 4}); }, reps);

  bench::table t({"step", "seconds", "vs the first-order pass"});
  t.row({"D forward + backward (batch " + std::to_string(batch) + ")", bench::fixed(d_pass.best, 4), "1.00"});
  t.row({"R1 (batch " + std::to_string(batch) + ")", bench::fixed(r1.best, 4), bench::fixed(r1.best / d_pass.best, 2)});
  t.row({"G forward + backward (batch " + std::to_string(batch) + ")", bench::fixed(g_pass.best, 4), "1.00"});
  t.row({"path length (batch " + std::to_string(batch / 2) + ")", bench::fixed(pl_step.best, 4),
         bench::fixed(pl_step.best / g_pass.best, 2)});
  t.print(std::cout);
  return 0;
}
