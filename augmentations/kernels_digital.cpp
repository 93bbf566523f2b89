// to be filled
#include "augmentations/corruption_kernels.hpp"
