// A downstream program: composes a small CNN from acne's layer policies and runs it once, then one
// of the library's models, which the headers alone build (no compiled part of acne is linked).
#include <acne/acne.hpp>
#include <acne/models/resnet_v2.hpp>
#include <iostream>

int main() {
  using namespace acne;
  using net_t = sequential<conv2d<float>, relu<float>, global_avg_pool<float>, dense<float>>;
  network<net_t> net(net_t(conv2d<float>({.filters = 8}), relu<float>(), global_avg_pool<float>(),
                           dense<float>({.units = 4})));
  net.setup({1, 3, 16, 16}, 1);
  tensor<float> x({2, 3, 16, 16}, 0.5f);
  const auto& y = net.forward(x);
  std::cout << "parameters=" << net.parameter_count() << " output=" << y.shape() << "\n";

  network<resnet_v2<float>> resnet(make_resnet_v2<float>({.blocks = {1, 1, 1, 1}, .width = 0.125, .head = {.classes = 3}}));
  resnet.setup({1, 3, 32, 32}, 1);
  const auto& p = resnet.forward(tensor<float>({2, 3, 32, 32}, 0.5f));
  std::cout << "resnet_v2 parameters=" << resnet.parameter_count() << " output=" << p.shape() << "\n";
  return y.shape() == shape4{2, 4, 1, 1} && p.shape() == shape4{2, 3, 1, 1} ? 0 : 1;
}
