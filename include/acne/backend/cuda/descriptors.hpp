#pragma once
// RAII owners of the cuDNN descriptors the convolutions use, built straight from acne shapes. Each
// creates its descriptor in a delegated constructor, so a failing Set* call still destroys it.
#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cuda/check.hpp"
#include "acne/tensor/shape.hpp"

namespace acne::cuda_backend {

class tensor_descriptor {
public:
  explicit tensor_descriptor(const shape4& s) : tensor_descriptor() {
    ACNE_CUDA(cudnnSetTensor4dDescriptor(d_, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, int(s.n), int(s.c), int(s.h),
                                         int(s.w)));
  }
  ~tensor_descriptor() { cudnnDestroyTensorDescriptor(d_); }
  tensor_descriptor(const tensor_descriptor&) = delete;
  tensor_descriptor& operator=(const tensor_descriptor&) = delete;
  operator cudnnTensorDescriptor_t() const { return d_; }

private:
  tensor_descriptor() { ACNE_CUDA(cudnnCreateTensorDescriptor(&d_)); }
  cudnnTensorDescriptor_t d_ = nullptr;
};

// Weights [Cout, Cin, kh, kw].
class filter_descriptor {
public:
  explicit filter_descriptor(const shape4& s) : filter_descriptor() {
    ACNE_CUDA(cudnnSetFilter4dDescriptor(d_, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, int(s.n), int(s.c), int(s.h),
                                         int(s.w)));
  }
  ~filter_descriptor() { cudnnDestroyFilterDescriptor(d_); }
  filter_descriptor(const filter_descriptor&) = delete;
  filter_descriptor& operator=(const filter_descriptor&) = delete;
  operator cudnnFilterDescriptor_t() const { return d_; }

private:
  filter_descriptor() { ACNE_CUDA(cudnnCreateFilterDescriptor(&d_)); }
  cudnnFilterDescriptor_t d_ = nullptr;
};

// cuDNN pads symmetrically: callers pass a window with pad_top == pad_bottom, pad_left == pad_right.
// FMA math keeps float convolutions in full FP32 (TF32 tensor cores would break CPU parity).
class convolution_descriptor {
public:
  explicit convolution_descriptor(const window& g) : convolution_descriptor() {
    ACNE_CHECK(g.symmetric(), "cuDNN convolution needs symmetric padding");
    ACNE_CUDA(cudnnSetConvolution2dDescriptor(d_, int(g.pad_top), int(g.pad_left), int(g.stride_h), int(g.stride_w),
                                              int(g.dilation_h), int(g.dilation_w), CUDNN_CROSS_CORRELATION,
                                              CUDNN_DATA_FLOAT));
    ACNE_CUDA(cudnnSetConvolutionMathType(d_, CUDNN_FMA_MATH));
  }
  ~convolution_descriptor() { cudnnDestroyConvolutionDescriptor(d_); }
  convolution_descriptor(const convolution_descriptor&) = delete;
  convolution_descriptor& operator=(const convolution_descriptor&) = delete;
  operator cudnnConvolutionDescriptor_t() const { return d_; }

private:
  convolution_descriptor() { ACNE_CUDA(cudnnCreateConvolutionDescriptor(&d_)); }
  cudnnConvolutionDescriptor_t d_ = nullptr;
};

}  // namespace acne::cuda_backend
