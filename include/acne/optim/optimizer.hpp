#pragma once
// Optimizer traits share one driver: walk the network's parameter slots, skip frozen and untrained
// ones, and apply the policy's fused update to each slot's range with lr * lr_mult. The state
// buffers mirror the parameter buffer, so they checkpoint as single tensors.
#include <string>
#include <vector>

#include "acne/network.hpp"

namespace acne {

template <class Policy, class T, class D>
class optimizer {
public:
  explicit optimizer(Policy policy = {}) : policy_(policy) {}

  template <class Layer>
  void step(network<Layer>& net) {
    auto& params = net.parameters();
    if (state_.empty()) {
      for (std::size_t i = 0; i < Policy::state_count; ++i) state_.emplace_back(params.shape());
    }
    ++steps_;
    const auto& grads = net.gradients();
    for (const auto& s : net.slots()) {
      if (!s.trainable() || s.frozen) continue;
      auto p = params.view(s.shape, s.offset);
      auto g = grads.view(s.shape, s.offset);
      std::vector<tensor<T, D>> st;
      for (auto& buf : state_) st.push_back(buf.view(s.shape, s.offset));
      policy_.update(p, g, st, lr_ * s.lr_mult, steps_);
    }
  }

  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr) { lr_ = lr; }
  std::size_t steps() const { return steps_; }
  void set_steps(std::size_t s) { steps_ = s; }
  Policy& policy() { return policy_; }
  // Named state tensors for checkpoints ("adam.m", ...), empty before the first step.
  std::vector<tensor<T, D>>& state() { return state_; }
  static std::vector<std::string> state_names() { return Policy::state_names(); }

private:
  Policy policy_;
  double lr_ = Policy::default_lr;
  std::size_t steps_ = 0;
  std::vector<tensor<T, D>> state_;
};

}  // namespace acne
