#pragma once
// tensor<T, Device>: an NCHW block of device memory. Copies are deep; view() shares the buffer, which
// is how a network's layers alias one contiguous parameter buffer.
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "acne/error.hpp"
#include "acne/tensor/memory.hpp"
#include "acne/tensor/shape.hpp"

namespace acne {

template <class T, class D = cpu>
class tensor {
public:
  using value_type = T;
  using device_type = D;

  tensor() = default;
  explicit tensor(const shape4& s) { resize(s); }
  tensor(const shape4& s, T value) requires std::is_same_v<D, cpu> : tensor(s) { fill(value); }

  tensor(const tensor& other) : tensor(other.shape_) {
    memory<D>::copy(data_, other.data_, bytes());
  }
  tensor& operator=(const tensor& other) {
    if (this != &other) {
      if (is_view() && shape_.size() == other.size()) {
        shape_ = other.shape_;  // assigning into a view writes through it
      } else {
        resize(other.shape_);
      }
      memory<D>::copy(data_, other.data_, bytes());
    }
    return *this;
  }
  tensor(tensor&&) noexcept = default;
  tensor& operator=(tensor&&) noexcept = default;

  // Keeps the buffer when it is large enough, so per-batch outputs are allocated once.
  void resize(const shape4& s) {
    if (s == shape_) return;
    ACNE_CHECK(!is_view() || s.size() == shape_.size(),
               "cannot resize a view from " << shape_ << " to " << s);
    if (!is_view() && s.size() > capacity_) {
      const std::size_t bytes = s.size() * sizeof(T);
      auto* raw = static_cast<T*>(memory<D>::allocate(bytes));
      buffer_ = std::shared_ptr<T>(raw, [bytes](T* p) { if (p) memory<D>::release(p, bytes); });
      data_ = raw;
      capacity_ = s.size();
    }
    shape_ = s;
  }

  const shape4& shape() const { return shape_; }
  std::size_t size() const { return shape_.size(); }
  std::size_t bytes() const { return shape_.size() * sizeof(T); }
  std::size_t capacity() const { return capacity_; }  // elements the buffer holds
  bool empty() const { return shape_.size() == 0; }
  bool is_view() const { return view_; }
  T* data() { return data_; }
  const T* data() const { return data_; }

  // A view of `s.size()` elements starting at `offset`, sharing this tensor's buffer.
  tensor view(const shape4& s, std::size_t offset = 0) const {
    ACNE_CHECK(offset + s.size() <= shape_.size(),
               "view " << s << " at offset " << offset << " exceeds tensor " << shape_);
    tensor v;
    v.buffer_ = buffer_;
    v.data_ = data_ + offset;
    v.shape_ = s;
    v.capacity_ = s.size();
    v.view_ = true;
    return v;
  }
  // A view of memory the tensor does not own (an xtensor container's buffer, say); the owner must
  // outlive it and every view taken from it.
  static tensor borrow(T* data, const shape4& s) {
    ACNE_CHECK(data || s.size() == 0, "borrow: no memory for " << s);
    tensor v;
    v.data_ = data;
    v.shape_ = s;
    v.capacity_ = s.size();
    v.view_ = true;
    return v;
  }
  tensor reshaped(const shape4& s) const {
    ACNE_CHECK(s.size() == shape_.size(), "cannot reshape " << shape_ << " to " << s);
    return view(s);
  }
  tensor samples(std::size_t first, std::size_t count) const {
    ACNE_CHECK(first + count <= shape_.n,
               "samples [" << first << "," << first + count << ") of tensor " << shape_);
    return view({count, shape_.c, shape_.h, shape_.w}, first * shape_.sample_size());
  }
  tensor sample(std::size_t i) const { return samples(i, 1); }

  void zero() { memory<D>::zero(data_, bytes()); }

  // Host-side element access (CPU tensors only).
  T& operator[](std::size_t i) requires std::is_same_v<D, cpu> { return data_[i]; }
  const T& operator[](std::size_t i) const requires std::is_same_v<D, cpu> { return data_[i]; }
  T& operator()(std::size_t n, std::size_t c, std::size_t h, std::size_t w) requires std::is_same_v<D, cpu> {
    return data_[((n * shape_.c + c) * shape_.h + h) * shape_.w + w];
  }
  const T& operator()(std::size_t n, std::size_t c, std::size_t h, std::size_t w) const
      requires std::is_same_v<D, cpu> {
    return data_[((n * shape_.c + c) * shape_.h + h) * shape_.w + w];
  }
  T* begin() requires std::is_same_v<D, cpu> { return data_; }
  T* end() requires std::is_same_v<D, cpu> { return data_ + size(); }
  const T* begin() const requires std::is_same_v<D, cpu> { return data_; }
  const T* end() const requires std::is_same_v<D, cpu> { return data_ + size(); }
  void fill(T value) requires std::is_same_v<D, cpu> {
    for (auto& x : *this) x = value;
  }

private:
  std::shared_ptr<T> buffer_;
  T* data_ = nullptr;
  shape4 shape_{};
  std::size_t capacity_ = 0;
  bool view_ = false;
};

// Checks that two shapes agree, naming the layer and both shapes when they do not.
inline void check_shape(const char* where, const shape4& expected, const shape4& actual) {
  ACNE_CHECK(expected == actual, where << ": expected shape " << expected << ", got " << actual);
}

}  // namespace acne
