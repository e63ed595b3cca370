#pragma once
// The top of a keras.applications classifier: GlobalAveragePooling2D + Dense(classes), the Dense
// named "predictions" (Keras' name, so converted weights keep it). With include_top = false the
// head is Keras' `pooling` argument instead: nothing (feature maps out) or global average pooling.
// The dense layer outputs logits; softmax belongs to the loss and to prediction.
#include <string>

#include "acne/layers/dense.hpp"
#include "acne/layers/pooling.hpp"

namespace acne {

enum class head_pooling { none, avg };

struct classifier_head_options {
  std::size_t classes = 1000;
  bool include_top = true;
  head_pooling pooling = head_pooling::avg;  // only used without the top
};

template <class T, class D = cpu>
class classifier_head : public layer_base<T, D> {
public:
  explicit classifier_head(const classifier_head_options& o = {}) : opt_(o) { this->name = "predictions"; }

  // The dense layer registers in the head's own scope, so its tensors are "predictions.weight/bias".
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(!opt_.include_top || opt_.classes > 0, "classifier_head: a top needs at least one class");
    if (!pooled()) return in;
    const shape4 pooled_shape = pool_.setup(in, reg);
    if (!opt_.include_top) return pooled_shape;
    dense_ = dense<T, D>({.units = opt_.classes, .name = "predictions"});
    return dense_.setup(pooled_shape, reg);
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    if (!pooled()) return void(y = x);
    if (!opt_.include_top) return pool_.forward(x, y, ctx);
    pool_.forward(x, pooled_, ctx);
    dense_.forward(pooled_, y, ctx);
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx,
                context& ctx) {
    if (!pooled()) {
      if (dx) *dx = dy;
      return;
    }
    if (!opt_.include_top) return pool_.backward(x, y, dy, dx, ctx);
    dense_.backward(pooled_, y, dy, dx ? &dpooled_ : nullptr, ctx);
    if (dx) pool_.backward(x, pooled_, dpooled_, dx, ctx);
  }

  const classifier_head_options& options() const { return opt_; }

private:
  bool pooled() const { return opt_.include_top || opt_.pooling == head_pooling::avg; }

  classifier_head_options opt_;
  global_avg_pool<T, D> pool_;
  dense<T, D> dense_;
  tensor<T, D> pooled_, dpooled_;
};

}  // namespace acne
