// `gauntlet augment`: an augmentation pipeline on any data, to look at it before training with it
// (the preview grid users judge a pipeline by) or to write an augmented set.
#pragma once

#include <cstdint>
#include <string>

namespace gauntlet {

struct AugmentOptions {
  std::string data;      ///< a data spec (DESIGN.md, Formats)
  std::string pipeline;  ///< a JSON file: a list of ops, as an augmentation axis value
  std::string out;       ///< FILE.npz: one draw per image (epoch 0), keys images and labels
  std::string preview;   ///< FILE.png: rows = samples, columns = the original + draws
  int samples = 8;       ///< preview rows, from --index on
  int draws = 6;         ///< preview columns besides the original: epochs 0..draws-1
  int index = 0;
  int cell_side = 96;
  uint64_t seed = 0;
  int threads = 1;
};

/// Runs the command; prints what it wrote. Throws InputError on bad input.
void augment(const AugmentOptions& o);

}  // namespace gauntlet
