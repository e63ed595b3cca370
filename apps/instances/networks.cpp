// The networks of the models every stage uses: their passes, and all the layers below them.
#include "acne/models/dfdnet/generator.hpp"
#include "acne/models/inception_resnet_v2.hpp"
#include "acne/models/inception_v3.hpp"
#include "acne/models/resnet_v2.hpp"
#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/models/vgg19.hpp"

ACNE_INSTANCES(ACNE_RESNET_V2_NETWORK)
ACNE_INSTANCES(ACNE_INCEPTION_RESNET_V2_NETWORK)
ACNE_INSTANCES(ACNE_INCEPTION_V3_NETWORK)
ACNE_INSTANCES(ACNE_VGG19_FEATURES_NETWORK)
ACNE_INSTANCES(ACNE_STYLEGAN2_GENERATOR_NETWORK)
ACNE_INSTANCES(ACNE_STYLEGAN2_DISCRIMINATOR_NETWORK)
ACNE_INSTANCES(ACNE_DFDNET_GENERATOR_NETWORK)
