#pragma once
// Parameter registry: during setup each layer declares its parameters (name, shape, initialiser);
// the network then allocates ONE contiguous value buffer and ONE gradient buffer and points every
// layer's tensors into them (one optimizer step, one checkpoint blob, as in mlpack).
#include <string>
#include <vector>

#include "acne/tensor/random.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

template <class T, class D>
struct parameter_slot {
  std::string name;
  shape4 shape;
  initializer init;
  std::size_t fan_in = 1, fan_out = 1;
  tensor<T, D>* value = nullptr;
  tensor<T, D>* grad = nullptr;  // null for state that is saved but not trained (running statistics)
  double lr_mult = 1.0;
  bool frozen = false;
  std::size_t offset = 0;

  bool trainable() const { return grad != nullptr; }
};

template <class T, class D>
class parameter_registry {
public:
  // RAII scope: names declared inside get "<scope>." prefixed.
  class scope {
  public:
    scope(parameter_registry& r, const std::string& name) : r_(r) { r_.prefix_.push_back(name); }
    ~scope() { r_.prefix_.pop_back(); }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
  private:
    parameter_registry& r_;
  };

  void add(const std::string& name, const shape4& shape, const initializer& init, std::size_t fan_in,
           std::size_t fan_out, tensor<T, D>* value, tensor<T, D>* grad, double lr_mult = 1.0) {
    const std::string full = qualified(name);
    for (const auto& s : slots_) ACNE_CHECK(s.name != full, "parameter '" << full << "' declared twice");
    slots_.push_back({full, shape, init, fan_in, fan_out, value, grad, lr_mult, false, 0});
  }
  // Saved and loaded with the parameters, never trained (e.g. batch-norm running statistics).
  void add_state(const std::string& name, const shape4& shape, const initializer& init, tensor<T, D>* value) {
    add(name, shape, init, 1, 1, value, nullptr);
  }

  std::string qualified(const std::string& name) const {
    std::string full;
    for (const auto& p : prefix_) full += p + ".";
    return full + name;
  }
  std::vector<parameter_slot<T, D>>& slots() { return slots_; }
  const std::vector<parameter_slot<T, D>>& slots() const { return slots_; }

private:
  std::vector<std::string> prefix_;
  std::vector<parameter_slot<T, D>> slots_;
};

}  // namespace acne
