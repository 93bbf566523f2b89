// blur corruptions: to be filled.
#include "augmentations/corruptions_impl.hpp"

namespace gauntlet::corruptions {

std::vector<CorruptionEntry> blur_corruptions() { return {}; }

}  // namespace gauntlet::corruptions
