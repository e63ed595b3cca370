#pragma once
// Adam as an optimizer policy. Defaults are PyTorch's; StyleGAN2 uses betas (0, 0.99), eps 1e-8.
#include "acne/backend.hpp"
#include "acne/optim/optimizer.hpp"

namespace acne {

struct adam_policy {
  static constexpr std::size_t state_count = 2;
  static constexpr double default_lr = 1e-3;
  static std::vector<std::string> state_names() { return {"adam.m", "adam.v"}; }

  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;

  template <class T, class D>
  void update(tensor<T, D>& p, const tensor<T, D>& g, std::vector<tensor<T, D>>& st, double lr, std::size_t t) const {
    const double c1 = 1 - std::pow(beta1, double(t)), c2 = 1 - std::pow(beta2, double(t));
    // beta1 = 0 (StyleGAN2) makes c1 = 1: no bias correction of the first moment is needed.
    adam_update(p, g, st[0], st[1], lr, beta1, beta2, eps, c1 > 0 ? c1 : 1.0, c2);
  }
};

template <class T, class D = cpu>
class adam : public optimizer<adam_policy, T, D> {
public:
  explicit adam(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
      : optimizer<adam_policy, T, D>(adam_policy{beta1, beta2, eps}) {
    this->set_learning_rate(lr);
  }
};

}  // namespace acne
