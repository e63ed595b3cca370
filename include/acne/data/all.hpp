#pragma once
// Everything of the data pipeline: datasets (image folder, ACNE04, phantom faces), split, augmentation,
// preprocessing, the prefetching batch loader and sample grids.
#include "acne/data/acne04.hpp"
#include "acne/data/acne_class.hpp"
#include "acne/data/augment.hpp"
#include "acne/data/batch.hpp"
#include "acne/data/grid.hpp"
#include "acne/data/hayashi.hpp"
#include "acne/data/image_folder.hpp"
#include "acne/data/loader.hpp"
#include "acne/data/phantom.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/data/preprocess.hpp"
#include "acne/data/random.hpp"
#include "acne/data/split.hpp"
#include "acne/io/image.hpp"
