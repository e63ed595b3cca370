#pragma once
// SGD with momentum as an optimizer policy.
#include "acne/backend.hpp"
#include "acne/optim/optimizer.hpp"

namespace acne {

struct sgd_policy {
  static constexpr std::size_t state_count = 1;
  static constexpr double default_lr = 1e-2;
  static std::vector<std::string> state_names() { return {"sgd.momentum"}; }

  double momentum = 0.0;
  bool nesterov = false;

  template <class T, class D>
  void update(tensor<T, D>& p, const tensor<T, D>& g, std::vector<tensor<T, D>>& st, double lr, std::size_t) const {
    sgd_update(p, g, st[0], lr, momentum, nesterov);
  }
};

template <class T, class D = cpu>
class sgd : public optimizer<sgd_policy, T, D> {
public:
  explicit sgd(double lr = 1e-2, double momentum = 0.0, bool nesterov = false)
      : optimizer<sgd_policy, T, D>(sgd_policy{momentum, nesterov}) {
    this->set_learning_rate(lr);
  }
};

}  // namespace acne
