#pragma once
// The top of a keras.applications classifier: GlobalAveragePooling2D + Dense(classes), the Dense
// named "predictions" (Keras' name, so converted weights keep it). With include_top = false the
// head is Keras' `pooling` argument instead: nothing (feature maps out) or global average pooling.
// The dense layer outputs logits; softmax belongs to the loss and to prediction.
#include <string>

#include "acne/layers/choice.hpp"
#include "acne/layers/dense.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"

namespace acne {

enum class head_pooling { none, avg };

struct classifier_head_options {
  std::size_t classes = 1000;
  bool include_top = true;
  head_pooling pooling = head_pooling::avg;  // only used without the top
};

// Pooling then the dense layer, which registers in the head's own scope ("predictions.weight").
template <class T, class D>
using classifier_top = sequential<global_avg_pool<T, D>, inlined<dense<T, D>>>;

template <class T, class D>
using head_choice = choice<classifier_top<T, D>, global_avg_pool<T, D>, identity<T, D>>;

template <class T, class D = cpu>
class classifier_head : public head_choice<T, D> {
public:
  explicit classifier_head(const classifier_head_options& o = {}) : head_choice<T, D>(pick(o)), opt_(o) {
    this->name = "predictions";
  }

  const classifier_head_options& options() const { return opt_; }

private:
  static head_choice<T, D> pick(const classifier_head_options& o) {
    ACNE_CHECK(!o.include_top || o.classes > 0, "classifier_head: a top needs at least one class");
    if (o.include_top)
      return classifier_top<T, D>(global_avg_pool<T, D>(), inlined<dense<T, D>>(dense<T, D>({.units = o.classes})));
    if (o.pooling == head_pooling::avg) return global_avg_pool<T, D>();
    return identity<T, D>();
  }

  classifier_head_options opt_;
};

}  // namespace acne
