// corruption_dump IMAGES.npy OUT.npz SEED ID [ID...]: corrupts the uint8 NHWC images (C = 1 or 3)
// with each corruption id at severities 1..5 through corrupt_images, the loop `gauntlet run`
// uses, keyed as hold-out c.<id>.<severity> under SEED, and writes one array per (id, severity),
// named "<id>.<severity>". The C++ side of tests/parity/corruptions_parity.py. Exit 2 on bad input.
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "augmentations/corruption.hpp"
#include "harness/core/npy.hpp"

int main(int argc, char** argv) {
  using namespace gauntlet;
  if (argc < 5) {
    std::cerr << "usage: corruption_dump IMAGES.npy OUT.npz SEED ID [ID...]\n";
    return 2;
  }
  try {
    const Array images = read_npy(argv[1]);
    if (images.dtype != "u1" || images.shape.size() != 4 ||
        (images.shape[3] != 1 && images.shape[3] != 3)) {
      throw std::invalid_argument(std::string(argv[1]) + ": want uint8 N x H x W x C, C = 1 or 3");
    }
    const uint64_t seed = std::stoull(argv[3]);
    std::map<std::string, std::unique_ptr<Array>> outs;
    for (int a = 4; a < argc; ++a) {
      for (int severity = 1; severity <= 5; ++severity) {
        const std::string holdout = corruption_holdout_id(argv[a], severity);
        auto out = std::make_unique<Array>(images);
        corrupt_images(argv[a], severity, images.data.data(), out->data.data(), images.shape[0],
                       static_cast<int>(images.shape[1]), static_cast<int>(images.shape[2]),
                       static_cast<int>(images.shape[3]), holdout_key(seed, holdout), 2);
        outs[std::string(argv[a]) + "." + std::to_string(severity)] = std::move(out);
      }
    }
    std::vector<std::pair<std::string, const Array*>> members;
    for (const auto& [name, array] : outs) members.emplace_back(name, array.get());
    write_npz(argv[2], members);
  } catch (const std::exception& e) {
    std::cerr << "corruption_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
