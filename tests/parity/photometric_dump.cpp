// photometric_dump IMAGES.npy OUT.npz CASES.json: applies each case of CASES.json (an object
// {name: pipeline}, the pipelines in the suite's op language) to every uint8 N x H x W x C image
// (C = 1 or 3) through a Pipeline keyed (0, 0, image index), and writes one array per case under
// its name. The C++ side of tests/parity/transforms_photometric_parity.py. Exit 2 on bad input.
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "augmentations/transform.hpp"
#include "harness/config.hpp"
#include "harness/core/npy.hpp"

int main(int argc, char** argv) {
  using namespace gauntlet;
  if (argc != 4) {
    std::cerr << "usage: photometric_dump IMAGES.npy OUT.npz CASES.json\n";
    return 2;
  }
  try {
    const Array images = read_npy(argv[1]);
    if (images.dtype != "u1" || images.shape.size() != 4 ||
        (images.shape[3] != 1 && images.shape[3] != 3)) {
      throw std::invalid_argument(std::string(argv[1]) + ": want uint8 N x H x W x C, C = 1 or 3");
    }
    std::ifstream in(argv[3]);
    const nlohmann::json cases = nlohmann::json::parse(in);
    const int n = static_cast<int>(images.shape[0]), h = static_cast<int>(images.shape[1]),
              w = static_cast<int>(images.shape[2]), c = static_cast<int>(images.shape[3]);
    const size_t image_bytes = static_cast<size_t>(h) * w * c;
    std::map<std::string, std::unique_ptr<Array>> outs;
    for (const auto& [name, ops] : cases.items()) {
      const Pipeline pipeline(pipeline_from_json(ops));
      auto out = std::make_unique<Array>(images);
      for (int i = 0; i < n; ++i) {
        const cv::Mat src(h, w, CV_8UC(c), const_cast<uint8_t*>(images.data.data()) + i * image_bytes);
        cv::Mat dst(h, w, CV_8UC(c), out->data.data() + i * image_bytes);
        pipeline.apply(src, dst, 0, 0, static_cast<uint64_t>(i));
      }
      outs[name] = std::move(out);
    }
    std::vector<std::pair<std::string, const Array*>> members;
    for (const auto& [name, array] : outs) members.emplace_back(name, array.get());
    write_npz(argv[2], members);
  } catch (const std::exception& e) {
    std::cerr << "photometric_dump: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
