#pragma once
// StyleGAN2's equalised learning rate for convolution weights: stored with unit-variance
// initialisation, used as w * gain. The convolution backends take no alpha, so a layer passes a
// scaled copy to them and collects its weight gradient through a scratch tensor; with gain 1 it
// uses neither.
#include "acne/backend/cpu.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// w * gain, in `scaled` unless gain is 1.
template <class T, class D>
const tensor<T, D>& gained(const tensor<T, D>& w, double gain, tensor<T, D>& scaled) {
  if (gain == 1.0) return w;
  scaled = w;
  scale(scaled, T(gain));
  return scaled;
}

// dw += gain * g, where filter_grad(out, beta) writes g into out (beta 0) or adds it (beta 1).
template <class T, class D, class F>
void add_gained_gradient(tensor<T, D>& dw, double gain, tensor<T, D>& scratch, F&& filter_grad) {
  if (gain == 1.0) return filter_grad(dw, T(1));
  scratch.resize(dw.shape());
  filter_grad(scratch, T(0));
  axpy(T(gain), scratch, dw);
}

}  // namespace acne
