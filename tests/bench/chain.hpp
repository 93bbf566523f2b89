// The training augmentation chain the benchmarks and the side-by-side comparisons share, as a
// suite file would give it (torchvision: RandomResizedCrop(96, scale=(0.5, 1.0)),
// RandomHorizontalFlip(0.5), RandomRotation(15), ColorJitter(0.4, 0.4, 0.4, 0.1),
// GaussianBlur(5, (0.1, 2.0))). tests/bench/compare/*.py build the torchvision twin.
#pragma once

namespace gauntlet::bench {

inline constexpr const char* kChainJson = R"([
  {"op": "random_resized_crop", "scale": [0.5, 1.0]},
  {"op": "hflip", "p": 0.5},
  {"op": "rotate", "degrees": 15},
  {"op": "color_jitter", "brightness": [0.6, 1.4], "contrast": [0.6, 1.4],
   "saturation": [0.6, 1.4], "hue": [-0.1, 0.1]},
  {"op": "gaussian_blur", "kernel_size": 5, "sigma": [0.1, 2.0]}
])";

}  // namespace gauntlet::bench
