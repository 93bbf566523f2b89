// The one precompiled header for every target that uses LibTorch (see CMakeLists.txt).
#pragma once
#include <torch/torch.h>
