// weather corruptions: to be filled.
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {

std::vector<CorruptionEntry> weather_corruptions() { return {}; }

}  // namespace gauntlet::corruptions
