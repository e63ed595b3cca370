// A downstream program: composes a small CNN from acne's layer policies and runs it once.
#include <acne/acne.hpp>
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
  return y.shape() == shape4{2, 4, 1, 1} ? 0 : 1;
}
