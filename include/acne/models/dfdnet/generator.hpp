#pragma once
// DFDNet (Li et al., "Blind Face Restoration via Deep Multi-scale Component Dictionaries", ECCV
// 2020), the official UNetDictFace as a composition of the library's layers, its parameters named
// as the official state dict names them, so the released checkpoint loads by name:
//   VggExtract        VGG19 taps of the aligned 512 x 512 face in [-1, 1] (models/vgg19.hpp)
//   per tap, part     the part's crop matched against its dictionary (dictionaries.hpp); the tap's
//                     copy gets, in the part's box, crop + attention(atom - crop) * atom, parts
//                     written in the order left eye, right eye, nose, mouth (a later box overwrites
//                     an earlier one where they overlap); "le_256" .. "mo_32"
//   MSDilate          on conv5_4 (blocks.hpp)
//   up0 .. up3        SFT up-blocks conditioned on the updated taps 32, 64, 128, 256 (sft_up_block.hpp)
//   up4               the head: 64 channels at 512 to RGB through tanh
// A face's part boxes (face_parts.hpp) and the dictionaries are given before forward. VGG19 is
// frozen, as the official code freezes it: its parameters are marked frozen, backward computes no
// gradient into them, and the generator does not differentiate its input. width_divisor divides
// every width and face_side shrinks the face (every tap, box and atom with it), for networks small
// enough to train in a test; the parameters keep their official names.
#include <array>
#include <string>
#include <vector>

#include "acne/backend.hpp"
#include "acne/instances.hpp"
#include "acne/models/dfdnet/blocks.hpp"
#include "acne/models/dfdnet/dictionaries.hpp"
#include "acne/models/dfdnet/face_parts.hpp"
#include "acne/models/dfdnet/sft_up_block.hpp"
#include "acne/models/vgg19.hpp"
#include "acne/network.hpp"

namespace acne::dfdnet {

struct config {
  std::size_t width_divisor = 1;  // 1: the official widths (ngf 64, VGG 64..512)
  std::size_t face_side = dfdnet::face_side;  // 64 to 512, a power of two
};

// The atom chosen for one part at one scale, and the margin of its score over the runner-up.
struct atom_choice {
  std::size_t atom = 0;
  double score = 0, margin = 0;
};

template <class T, class D = cpu>
class generator : public layer_base<T, D> {
public:
  explicit generator(const config& c = {}) : cfg_(c), vgg_(c.width_divisor) {
    check_face_side(c.face_side);
    vgg_.name = "VggExtract";
    ms_dilate_ = make_ms_dilate_block<T, D>(8 * ngf());
    for (std::size_t i = 0; i < 4; ++i) {
      // up0 keeps 8 ngf; up1..up3 halve it.
      up_[i] = with_name(sft_up_block<T, D>(i == 0 ? 8 * ngf() : (8 * ngf()) >> i), "up" + std::to_string(i));
      for (face_part p : face_parts_in_order)
        attention_[i][std::size_t(p)] =
            make_attention_block<T, D>(vgg_.tap_channels(i), part_prefix(p) + "_" + std::to_string(feature_sides[i]));
    }
    head_ = make_head<T, D>(ngf(), 3);
  }

  std::size_t ngf() const { return 64 / cfg_.width_divisor; }
  const config& cfg() const { return cfg_; }

  // The dictionaries to match against (kept by pointer: they are large and shared).
  void set_dictionaries(component_dictionaries<T, D>* d) { dictionaries_ = d; }
  // One set of part boxes per sample of the next forward.
  void set_boxes(std::vector<face_boxes> boxes) { boxes_ = std::move(boxes); }
  // choices()[n][part][scale]: what the last forward matched.
  const std::vector<std::array<std::array<atom_choice, 4>, 4>>& choices() const { return choices_; }
  // The VGG tap i after its parts were updated (what up-block 3 - i reads).
  const tensor<T, D>& updated_tap(std::size_t i) const { return updated_.at(i); }
  const tensor<T, D>& tap(std::size_t i) const { return vgg_.tap(i); }
  const tensor<T, D>& ms_dilate_output() const { return ms_; }
  const tensor<T, D>& up_output(std::size_t i) const { return f_.at(i); }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    const std::size_t face = cfg_.face_side;
    ACNE_CHECK(in.c == 3 && in.h == face && in.w == face,
               "DFDNet '" << this->name << "': input " << in << ", expected an aligned face [N, 3, " << face << ", " << face
                          << "]");
    const std::size_t before = reg.slots().size();
    setup_child(vgg_, in, reg, 0);
    for (std::size_t i = before; i < reg.slots().size(); ++i) reg.slots()[i].frozen = true;
    for (std::size_t i = 0; i < 4; ++i)
      for (face_part p : face_parts_in_order) {
        const std::size_t s = atom_side(p, tap_side(face, i));
        setup_child(attention_[i][std::size_t(p)], {1, vgg_.tap_channels(i), s, s}, reg, 0);
      }
    const std::size_t deepest = tap_side(face, 3);
    shape4 x = setup_child(ms_dilate_, {in.n, vgg_.tap_channels(3), deepest, deepest}, reg, 0);
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t tap = 3 - i, side = tap_side(face, tap);
      typename parameter_registry<T, D>::scope scope(reg, up_[i].name);
      x = up_[i].setup(x, {in.n, vgg_.tap_channels(tap), side, side}, reg);
    }
    return setup_child(head_, x, reg, 0);
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    ACNE_CHECK(dictionaries_ && dictionaries_->complete(), "DFDNet '" << this->name << "': no dictionaries were given");
    ACNE_CHECK(boxes_.size() == x.shape().n,
               "DFDNet '" << this->name << "': " << boxes_.size() << " sets of part boxes for " << x.shape().n << " faces");
    vgg_.forward(x, conv5_4_, ctx);
    const std::size_t n = x.shape().n;
    choices_.assign(n, {});
    crops_.assign(n, {});
    for (std::size_t i = 0; i < 4; ++i) {
      updated_[i] = vgg_.tap(i);
      for (std::size_t b = 0; b < n; ++b)
        for (face_part p : face_parts_in_order) update_part(b, i, p, ctx);
    }
    ms_dilate_.forward(vgg_.tap(3), ms_, ctx);
    const tensor<T, D>* in = &ms_;
    for (std::size_t i = 0; i < 4; ++i) {
      up_[i].forward(*in, updated_[3 - i], f_[i], ctx);
      in = &f_[i];
    }
    head_.forward(f_[3], y, ctx);
  }

  void backward(const tensor<T, D>&, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    ACNE_CHECK(!dx, "DFDNet '" << this->name << "': the generator does not differentiate its input face");
    head_.backward(f_[3], y, dy, &df_[3], ctx);
    for (std::size_t i = 4; i-- > 0;) {
      const tensor<T, D>& in = i == 0 ? ms_ : f_[i - 1];
      tensor<T, D>& dc = dupdated_[3 - i];
      dc.resize(updated_[3 - i].shape());
      dc.zero();
      up_[i].backward(in, updated_[3 - i], f_[i], df_[i], i == 0 ? &dms_ : &df_[i - 1], dc, ctx);
    }
    ms_dilate_.backward(vgg_.tap(3), ms_, dms_, nullptr, ctx);
    for (std::size_t i = 0; i < 4; ++i) attention_backward(i, ctx);
  }

private:
  // What one part's update read, kept for backward.
  struct part_crop {
    part_box window;  // at the tap's scale
    tensor<T, D> diff, swap;
  };

  void update_part(std::size_t b, std::size_t i, face_part p, context& ctx) {
    const std::size_t side = tap_side(cfg_.face_side, i);
    auto& dict = dictionaries_->at(p, i);
    const auto& as = dict.shape();
    ACNE_CHECK(as.c == vgg_.tap_channels(i) && as.h == atom_side(p, side),
               "DFDNet: dictionary " << dictionary_name(p, feature_sides[i]) << " holds atoms " << as << ", expected [K, "
                                     << vgg_.tap_channels(i) << ", " << atom_side(p, side) << ", " << atom_side(p, side)
                                     << "]");
    part_crop& pc = crops_[b][i][std::size_t(p)];
    pc.window = part_window(boxes_[b][std::size_t(p)], side, p, cfg_.face_side);
    const auto& w = pc.window;
    crop_part(vgg_.tap(i), b, w, as.h, crop_, resized_);
    host_.resize(resized_.size());
    memory<D>::to_host(host_.data(), resized_.data(), host_.size() * sizeof(T));
    const std::vector<double> score = dict.scores(resized_, host_);
    atom_choice& choice = choices_[b][std::size_t(p)][i];
    choice.atom = std::size_t(std::max_element(score.begin(), score.end()) - score.begin());
    choice.score = score[choice.atom];
    choice.margin = 0;
    if (score.size() > 1) {
      double second = -1e300;
      for (std::size_t k = 0; k < score.size(); ++k)
        if (k != choice.atom) second = std::max(second, score[k]);
      choice.margin = choice.score - second;
    }
    dict.renormalized(choice.atom, atom_);
    pc.swap.resize(crop_.shape());
    resize_nearest_forward(atom_, pc.swap);
    pc.diff = pc.swap;
    axpy(T(-1), crop_, pc.diff);
    attention_[i][std::size_t(p)].forward(pc.diff, attention_out_, ctx);
    part_out_.resize(crop_.shape());
    multiply(attention_out_, pc.swap, part_out_);
    axpy(T(1), crop_, part_out_);
    put_window(part_out_, updated_[i], b, std::size_t(w.y0), std::size_t(w.x0), false);
  }

  // The attention blocks' gradients from dL/d(updated tap i): a part's box receives what no later
  // part overwrote. Each sample's forward through the block is run again, as the block keeps the
  // activations of its last call only.
  void attention_backward(std::size_t i, context& ctx) {
    grad_ = dupdated_[i];
    for (std::size_t b = 0; b < crops_.size(); ++b)
      for (std::size_t k = 4; k-- > 0;) {
        part_crop& pc = crops_[b][i][k];
        const auto& w = pc.window;
        region_.resize(pc.swap.shape());
        take_window(grad_, b, std::size_t(w.y0), std::size_t(w.x0), region_);
        auto& block = attention_[i][k];
        context again = ctx;
        again.training = false;  // the same W / sigma as the forward, no second power-iteration step
        block.forward(pc.diff, attention_out_, again);
        datt_.resize(region_.shape());
        multiply(region_, pc.swap, datt_);
        block.backward(pc.diff, attention_out_, datt_, nullptr, ctx);
        region_.zero();
        put_window(region_, grad_, b, std::size_t(w.y0), std::size_t(w.x0), false);
      }
  }

  config cfg_;
  vgg19_features<T, D> vgg_;
  std::array<std::array<attention_block<T, D>, 4>, 4> attention_;  // [scale][part]
  ms_dilate_block<T, D> ms_dilate_;
  std::array<sft_up_block<T, D>, 4> up_;
  dfdnet_head<T, D> head_;

  component_dictionaries<T, D>* dictionaries_ = nullptr;
  std::vector<face_boxes> boxes_;
  std::vector<std::array<std::array<atom_choice, 4>, 4>> choices_;
  std::vector<std::array<std::array<part_crop, 4>, 4>> crops_;  // [sample][scale][part]
  std::vector<T> host_;
  std::array<tensor<T, D>, 4> updated_, dupdated_, f_, df_;
  tensor<T, D> conv5_4_, ms_, dms_, crop_, resized_, atom_, attention_out_, part_out_, grad_, region_, datt_;
};

}  // namespace acne::dfdnet

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_DFDNET_GENERATOR_NETWORK(D) class acne::network<acne::dfdnet::generator<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_DFDNET_GENERATOR_NETWORK)
