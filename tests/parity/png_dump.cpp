// png_dump FOLDER: writes PNGs of a deterministic pattern with gauntlet's writer (harness/core/png)
// into FOLDER, one per case, named c<channels>_<width>x<height>.png. It is the C++ side of
// tests/parity/png_parity.py, which decodes them with PIL and compares every pixel with the same
// pattern computed in Python. Exit codes: 0 ok, 2 bad usage or a failed write.
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/core/png.hpp"

namespace {

struct Case {
  int width, height, channels;
};

// Every colour type at the smallest size, a long thin strip each way, odd sizes, and one image
// large and noisy enough to need several IDAT chunks.
constexpr Case kCases[] = {{1, 1, 1},   {1, 1, 3},   {1, 1, 4},   {300, 7, 1}, {300, 7, 3},
                           {300, 7, 4}, {7, 300, 1}, {17, 13, 3}, {33, 5, 4},  {1000, 700, 3}};

// Ramps (which the PNG filters predict) in 8 px blocks, two of every three blocks hashed noise
// (which they do not), so that rows pick different filters. Unsigned 32-bit arithmetic, which
// Python reproduces with masks; png_parity.py holds the same formula.
uint8_t pattern(uint32_t x, uint32_t y, uint32_t c) {
  if ((x / 8 + y / 8) % 3 == 0) return static_cast<uint8_t>((x * 3 + y * 5 + c * 85) & 255);
  const uint32_t h = (x * 73856093u) ^ (y * 19349663u) ^ (c * 83492791u);
  return static_cast<uint8_t>((h * 2654435761u) >> 24);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: png_dump FOLDER\n";
    return 2;
  }
  try {
    for (const Case& k : kCases) {
      std::vector<uint8_t> pixels;
      for (int y = 0; y < k.height; ++y) {
        for (int x = 0; x < k.width; ++x) {
          for (int c = 0; c < k.channels; ++c) pixels.push_back(pattern(x, y, c));
        }
      }
      const std::string name = "c" + std::to_string(k.channels) + "_" + std::to_string(k.width) +
                               "x" + std::to_string(k.height) + ".png";
      gauntlet::write_png(std::string(argv[1]) + "/" + name, pixels.data(), k.width, k.height,
                          k.channels);
    }
  } catch (const std::exception& e) {
    std::cerr << "png_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
