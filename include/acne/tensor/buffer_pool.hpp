#pragma once
// Buffers lent for the span of one pass. A backward pass needs a layer's output gradient only until
// that layer has turned it into its input's; a combinator that borrows its children's gradients
// here and gives each back once it is consumed holds the gradients of the layers it is between, not
// of all of them (on ResNet50V2 the persistent gradients had been as large as the activations). A
// request gets a free block of its own size, else a new one: the shapes of one pass repeat in the
// next, so after the first pass nothing is allocated, and a block is never lent to a smaller
// request that would leave a larger one to allocate (a best fit over all sizes, which must free
// blocks to make room, held 0.1 GB less on ResNet50V2 but allocated again in every pass). The pool
// keeps what it was given: a run whose batch changes (a last, smaller batch) holds one set of
// blocks per batch size that went through a backward pass, and release() frees them all. A large
// allocation on the pool's thread that would lift the peak frees idle blocks first
// (tensor/memory.hpp), the smallest one that is enough, else the largest ones. The contents of a
// lent buffer are whatever its last borrower left: the layer contract has backward overwrite dx,
// never add to it. One pool per thread, since a network runs its passes on one thread (OpenMP
// teams work inside the operations).
#include <cstddef>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "acne/tensor/tensor.hpp"

namespace acne {

template <class T, class D>
class buffer_pool : idle_memory {
public:
  static buffer_pool& of_this_thread() {
    thread_local buffer_pool pool;
    return pool;
  }
  buffer_pool(const buffer_pool&) = delete;
  buffer_pool& operator=(const buffer_pool&) = delete;

  // A tensor of shape s: a free block of its size, else a new one.
  tensor<T, D> take(const shape4& s) {
    const auto fit = free_.find(s.size());
    tensor<T, D> t;
    if (fit == free_.end()) {
      t = tensor<T, D>(s);
    } else {
      t = std::move(fit->second);
      free_total_ -= fit->first;
      free_.erase(fit);
      t.resize(s);
    }
    return t;
  }

  // Takes t's buffer and leaves t empty.
  void give_back(tensor<T, D>& t) {
    const std::size_t capacity = t.capacity();
    if (t.is_view() || capacity == 0) return void(t = tensor<T, D>());
    free_total_ += capacity;
    free_.emplace(capacity, std::move(t));
    t = tensor<T, D>();
  }

  void release() {
    free_.clear();
    free_total_ = 0;
  }

  std::size_t free_idle(std::size_t bytes) override {
    std::size_t freed = 0;
    while (freed < bytes && !free_.empty()) {
      const std::size_t missing = (bytes - freed + sizeof(T) - 1) / sizeof(T);
      auto victim = free_.lower_bound(missing);
      if (victim == free_.end()) victim = std::prev(free_.end());
      freed += victim->first * sizeof(T);
      free_total_ -= victim->first;
      free_.erase(victim);
    }
    return freed;
  }

  std::size_t free_elements() const { return free_total_; }
  std::vector<std::size_t> free_blocks() const {  // their sizes, smallest first
    std::vector<std::size_t> sizes;
    for (const auto& [capacity, t] : free_) sizes.push_back(capacity);
    return sizes;
  }

private:
  buffer_pool() { caches_of_this_thread<D>().push_back(this); }
  ~buffer_pool() { std::erase(caches_of_this_thread<D>(), static_cast<idle_memory*>(this)); }

  std::multimap<std::size_t, tensor<T, D>> free_;  // by capacity
  std::size_t free_total_ = 0;
};

// A buffer of a combinator that one pass needs (a gradient, a shortcut's output before the sum):
// borrowed from the pool, given back when the combinator is done with it. Layers whose children run
// tangent passes keep theirs (`keep`), since the tangent of the backward pass reads every gradient
// of the backward pass again.
template <class T, class D>
void borrow_buffer(tensor<T, D>& g, const shape4& s, bool keep) {
  if (keep || !g.empty()) return g.resize(s);
  g = buffer_pool<T, D>::of_this_thread().take(s);
}
template <class T, class D>
void return_buffer(tensor<T, D>& g, bool keep) {
  if (!keep) buffer_pool<T, D>::of_this_thread().give_back(g);
}

// An output a combinator keeps from a forward pass for the backward pass after it only: backward
// lends it to the pool once done with it (remembering its shape in `lent`), so that the gradients
// of the layers before it and the optimizer can use the memory, and the next forward takes a block
// of that shape back (a layer resizes it when its input changed). The tangent passes read every
// output again after backward: layers whose children run them keep theirs.
template <class T, class D>
void lend_output(tensor<T, D>& t, shape4& lent) {
  lent = t.is_view() ? shape4{} : t.shape();
  buffer_pool<T, D>::of_this_thread().give_back(t);
}
template <class T, class D>
void take_back_output(tensor<T, D>& t, shape4& lent) {
  if (t.empty() && lent.size()) t = buffer_pool<T, D>::of_this_thread().take(lent);
  lent = shape4{};
}

}  // namespace acne
