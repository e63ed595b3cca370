#pragma once
// Buffers lent for the span of one pass. A backward pass needs a layer's output gradient only until
// that layer has turned it into its input's; a combinator that borrows its children's gradients
// here and gives each back once it is consumed holds the gradients of the layers it is between, not
// of all of them (on ResNet50V2 the persistent gradients were as large as the activations). A block
// given back is lent again to the smallest request it can hold; when none can hold a request, the
// free blocks smaller than it go back to the system first. A backward pass runs from the small maps
// at the top to the large ones at the input, so the pool ends a pass holding large blocks, which
// the next pass lends to its small requests: after the first pass nothing is allocated, and the pool
// holds about the largest set of gradients alive at once. The contents of a lent buffer are whatever its last
// borrower left: the layer contract has backward overwrite dx, never add to it. One pool per thread,
// since a network runs its passes on one thread (OpenMP teams work inside the operations).
#include <cstddef>
#include <map>
#include <utility>

#include "acne/tensor/tensor.hpp"

namespace acne {

template <class T, class D>
class buffer_pool {
public:
  static buffer_pool& of_this_thread() {
    thread_local buffer_pool pool;
    return pool;
  }

  // A tensor of shape s: the smallest given-back block that holds it, else a new one.
  tensor<T, D> take(const shape4& s) {
    const std::size_t need = s.size();
    const auto fit = free_.lower_bound(need);
    if (fit == free_.end()) {
      free_.clear();
      return tensor<T, D>(s);
    }
    tensor<T, D> t = std::move(fit->second);
    free_.erase(fit);
    t.resize(s);
    return t;
  }

  void give_back(tensor<T, D>& t) {
    if (t.is_view() || t.capacity() == 0) return void(t = tensor<T, D>());
    const std::size_t capacity = t.capacity();
    free_.emplace(capacity, std::move(t));
    t = tensor<T, D>();
  }

  std::size_t free_elements() const {
    std::size_t total = 0;
    for (const auto& [capacity, t] : free_) total += capacity;
    return total;
  }

private:
  std::multimap<std::size_t, tensor<T, D>> free_;  // by capacity, for the best fit
};

// A gradient buffer of a combinator: borrowed from the pool, given back when the combinator is done
// with it. Layers whose children run tangent passes keep theirs (`keep`), since the tangent of the
// backward pass reads every gradient of the backward pass again.
template <class T, class D>
void borrow_gradient(tensor<T, D>& g, const shape4& s, bool keep) {
  if (keep || !g.empty()) return g.resize(s);
  g = buffer_pool<T, D>::of_this_thread().take(s);
}
template <class T, class D>
void return_gradient(tensor<T, D>& g, bool keep) {
  if (!keep) buffer_pool<T, D>::of_this_thread().give_back(g);
}

}  // namespace acne
