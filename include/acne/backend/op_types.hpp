#pragma once
// Small types that backend operations take or return, the same for every device.
namespace acne {

enum class pool_kind { max, average };

struct logistic_result {
  double loss = 0;        // mean over the batch
  double mean_logit = 0;  // the score the reference reports
};

}  // namespace acne
