// StyleGAN2 training (acne-stylegan2 train, acne-pipeline's stages 3 and 4).
#include "acne/train/gan_trainer.hpp"

namespace acne::train {
ACNE_INSTANCES(ACNE_TRAIN_STYLEGAN2)
}
