#pragma once
// Float convolutions (forward, backward-data, backward-filter) on oneDNN. The caller's tensors stay
// plain NCHW / OIHW; each primitive is created with its layouts left to oneDNN ("any"), which on
// AVX-512 picks channel-blocked ones (nChw16c) for its direct kernels, and the arguments are
// reordered into per-thread workspaces and back. Primitives are built once per shape and pass and
// kept per thread: creating one costs about as much as running a small one.
//
// The algorithm is oneDNN's choice (convolution_auto): Winograd F(4x4, 3x3) on AVX-512 for 3x3
// stride-1 convolutions it judges large enough (by batch, and on some CPUs by transform work per
// thread: the choice differs between an Intel Xeon and an AMD EPYC), its direct kernels otherwise. With
// about a quarter of the multiplications it took the 3x3 rows of benchmarks/peer.py below PyTorch's
// time, which runs the direct kernels (docs/benchmarks.md).
#ifdef ACNE_WITH_ONEDNN
#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cpu/onednn.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne::cpu_backend::onednn {

enum class conv_pass { forward, backward_data, backward_filter };

// Whether oneDNN may run Winograd: a variable, so that bench_conv --direct can time without it.
inline bool winograd = true;

inline dnnl_alg_kind_t conv_algorithm() { return winograd ? dnnl_convolution_auto : dnnl_convolution_direct; }

// One argument of a primitive: the plain layout the caller holds, the one the primitive chose, and
// the reorder between them when they differ (into the primitive for inputs, out of it for outputs).
struct conv_argument {
  int id = 0;
  bool output = false;
  memory plain, chosen;
  primitive reorder;
  std::size_t bytes = 0;

  conv_argument(int arg, bool is_output, const dnnl_memory_desc_t& plain_md, const dnnl_memory_desc_t& chosen_md)
      : id(arg), output(is_output), plain(make_memory(plain_md)), chosen(make_memory(chosen_md)),
        bytes(dnnl_memory_desc_get_size(&chosen_md)) {
    if (dnnl_memory_desc_equal(&plain_md, &chosen_md)) return;
    dnnl_primitive_desc_t pd = nullptr;
    const auto& from = output ? chosen_md : plain_md;
    const auto& to = output ? plain_md : chosen_md;
    check(dnnl_reorder_primitive_desc_create(&pd, &from, engine(), &to, engine(), nullptr), "reorder creation");
    reorder = make_primitive(primitive_desc(pd));
  }
};

class conv_primitive {
public:
  // x: the convolution's input shape, o: its output channels.
  conv_primitive(conv_pass pass, const shape4& x, std::size_t o, const window& g) {
    const shape4 y{x.n, o, g.out_h(x.h), g.out_w(x.w)};
    const auto src = desc({x.n, x.c, x.h, x.w}, dnnl_nchw), dst = desc({y.n, y.c, y.h, y.w}, dnnl_nchw);
    const auto wei = desc({o, x.c, g.kh, g.kw}, dnnl_oihw);
    const auto any_src = desc({x.n, x.c, x.h, x.w}, dnnl_format_tag_any);
    const auto any_dst = desc({y.n, y.c, y.h, y.w}, dnnl_format_tag_any);
    const auto any_wei = desc({o, x.c, g.kh, g.kw}, dnnl_format_tag_any);
    const dnnl_dims_t strides{dnnl_dim_t(g.stride_h), dnnl_dim_t(g.stride_w)};
    const dnnl_dims_t dilates{dnnl_dim_t(g.dilation_h - 1), dnnl_dim_t(g.dilation_w - 1)};
    const dnnl_dims_t pad_l{dnnl_dim_t(g.pad_top), dnnl_dim_t(g.pad_left)};
    const dnnl_dims_t pad_r{dnnl_dim_t(g.pad_bottom), dnnl_dim_t(g.pad_right)};

    handle<dnnl_primitive_attr_t, dnnl_primitive_attr_destroy> attr = [] {
      dnnl_primitive_attr_t a = nullptr;
      check(dnnl_primitive_attr_create(&a), "attribute creation");
      return handle<dnnl_primitive_attr_t, dnnl_primitive_attr_destroy>(a);
    }();
    check(dnnl_primitive_attr_set_scratchpad_mode(attr.get(), dnnl_scratchpad_mode_user), "scratchpad mode");

    const dnnl_alg_kind_t algorithm = conv_algorithm();
    dnnl_convolution_desc_t fwd{};
    check(dnnl_dilated_convolution_forward_desc_init(&fwd, dnnl_forward_training, algorithm, &any_src,
                                                     &any_wei, nullptr, &any_dst, strides, dilates, pad_l, pad_r),
          "convolution description");
    primitive_desc forward = create(&fwd, attr.get(), nullptr), pd;
    args_.reserve(3);
    if (pass == conv_pass::forward) {
      pd = std::move(forward);
      add(pd, DNNL_ARG_SRC, false, src, dnnl_query_src_md);
      add(pd, DNNL_ARG_WEIGHTS, false, wei, dnnl_query_weights_md);
      add(pd, DNNL_ARG_DST, true, dst, dnnl_query_dst_md);
    } else if (pass == conv_pass::backward_data) {
      dnnl_convolution_desc_t bwd{};
      check(dnnl_dilated_convolution_backward_data_desc_init(&bwd, algorithm, &any_src, &any_wei,
                                                             &any_dst, strides, dilates, pad_l, pad_r),
            "backward-data description");
      pd = create(&bwd, attr.get(), forward.get());
      add(pd, DNNL_ARG_DIFF_DST, false, dst, dnnl_query_diff_dst_md);
      add(pd, DNNL_ARG_WEIGHTS, false, wei, dnnl_query_weights_md);
      add(pd, DNNL_ARG_DIFF_SRC, true, src, dnnl_query_diff_src_md);
    } else {
      dnnl_convolution_desc_t bwd{};
      check(dnnl_dilated_convolution_backward_weights_desc_init(&bwd, algorithm, &any_src, &any_wei,
                                                                nullptr, &any_dst, strides, dilates, pad_l, pad_r),
            "backward-filter description");
      pd = create(&bwd, attr.get(), forward.get());
      add(pd, DNNL_ARG_SRC, false, src, dnnl_query_src_md);
      add(pd, DNNL_ARG_DIFF_DST, false, dst, dnnl_query_diff_dst_md);
      add(pd, DNNL_ARG_DIFF_WEIGHTS, true, wei, dnnl_query_diff_weights_md);
    }
    const dnnl_memory_desc_t* scratch = dnnl_primitive_desc_query_md(pd.get(), dnnl_query_scratchpad_md, 0);
    scratch_bytes_ = dnnl_memory_desc_get_size(scratch);
    scratchpad_ = make_memory(*scratch);
    const char* impl = nullptr;
    check(dnnl_primitive_desc_query(pd.get(), dnnl_query_impl_info_str, 0, &impl), "implementation query");
    implementation_ = impl;
    conv_ = make_primitive(pd);
  }

  // The two inputs in the pass's order (forward: x, w; backward-data: dy, w; backward-filter:
  // x, dy) and its output, all plain.
  void run(const float* in0, const float* in1, float* out) {
    const void* user[3] = {in0, in1, out};
    dnnl_exec_arg_t args[4];
    for (int i = 0; i < 3; ++i) {
      auto& a = args_[i];
      if (a.reorder) {
        bind(a.plain, user[i]);
        bind(a.chosen, slot(i, a.bytes));
        if (!a.output) execute(a.reorder, {{DNNL_ARG_FROM, a.plain.get()}, {DNNL_ARG_TO, a.chosen.get()}});
      } else {
        bind(a.chosen, user[i]);
      }
      args[i] = {a.id, a.chosen.get()};
    }
    bind(scratchpad_, slot(3, scratch_bytes_));
    args[3] = {DNNL_ARG_SCRATCHPAD, scratchpad_.get()};
    check(dnnl_primitive_execute(conv_.get(), stream(), 4, args), "convolution");
    const auto& o = args_[2];
    if (o.reorder) execute(o.reorder, {{DNNL_ARG_FROM, o.chosen.get()}, {DNNL_ARG_TO, o.plain.get()}});
    check(dnnl_stream_wait(stream()), "stream wait");
  }

  // oneDNN's name for the kernel it runs, e.g. "jit:avx512_core".
  const std::string& implementation() const { return implementation_; }

private:
  static dnnl_memory_desc_t desc(std::array<std::size_t, 4> dims, dnnl_format_tag_t tag) {
    const dnnl_dims_t d{dnnl_dim_t(dims[0]), dnnl_dim_t(dims[1]), dnnl_dim_t(dims[2]), dnnl_dim_t(dims[3])};
    dnnl_memory_desc_t md{};
    check(dnnl_memory_desc_init_by_tag(&md, 4, d, dnnl_f32, tag), "memory description");
    return md;
  }
  static primitive_desc create(const void* op, dnnl_primitive_attr_t attr, dnnl_primitive_desc_t hint) {
    dnnl_primitive_desc_t pd = nullptr;
    check(dnnl_primitive_desc_create(&pd, op, attr, engine(), hint), "primitive description");
    return primitive_desc(pd);
  }
  void add(const primitive_desc& pd, int id, bool output, const dnnl_memory_desc_t& plain, dnnl_query_t query) {
    args_.emplace_back(id, output, plain, *dnnl_primitive_desc_query_md(pd.get(), query, 0));
  }
  static void* slot(int i, std::size_t bytes) {
    switch (i) {
      case 0: return workspace<0>(bytes);
      case 1: return workspace<1>(bytes);
      case 2: return workspace<2>(bytes);
      default: return workspace<3>(bytes);
    }
  }

  std::vector<conv_argument> args_;
  memory scratchpad_;
  std::size_t scratch_bytes_ = 0;
  primitive conv_;
  std::string implementation_;
};

// The primitive for this pass and geometry, built on first use by this thread.
inline conv_primitive& conv_for(conv_pass pass, const shape4& x, std::size_t o, const window& g) {
  using key = std::array<std::size_t, 17>;
  thread_local std::map<key, std::unique_ptr<conv_primitive>> cache;
  const key k{std::size_t(pass), x.n, x.c, x.h, x.w, o, g.kh, g.kw, g.stride_h, g.stride_w, g.dilation_h,
              g.dilation_w, g.pad_top, g.pad_bottom, g.pad_left, g.pad_right, std::size_t(conv_algorithm())};
  auto& p = cache[k];
  if (!p) p = std::make_unique<conv_primitive>(pass, x, o, g);
  return *p;
}

inline void conv2d_forward(const tensor<float, cpu>& x, const tensor<float, cpu>& w, tensor<float, cpu>& y,
                           const window& g) {
  conv_for(conv_pass::forward, x.shape(), w.shape().n, g).run(x.data(), w.data(), y.data());
}
inline void conv2d_backward_data(const tensor<float, cpu>& dy, const tensor<float, cpu>& w, tensor<float, cpu>& dx,
                                 const window& g) {
  conv_for(conv_pass::backward_data, dx.shape(), w.shape().n, g).run(dy.data(), w.data(), dx.data());
}
// dw = beta * dw + the gradient; oneDNN overwrites, so a nonzero beta goes through a workspace.
inline void conv2d_backward_filter(const tensor<float, cpu>& x, const tensor<float, cpu>& dy, tensor<float, cpu>& dw,
                                   const window& g, float beta) {
  auto& conv = conv_for(conv_pass::backward_filter, x.shape(), dw.shape().n, g);
  if (beta == 0.0f) return conv.run(x.data(), dy.data(), dw.data());
  auto* grad = static_cast<float*>(workspace<4>(dw.size() * sizeof(float)));
  conv.run(x.data(), dy.data(), grad);
  float* out = dw.data();
  for (std::size_t i = 0; i < dw.size(); ++i) out[i] = beta * out[i] + grad[i];
}

}  // namespace acne::cpu_backend::onednn
#endif
