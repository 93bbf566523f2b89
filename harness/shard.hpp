// Splitting a suite's cells over N machines (`gauntlet run --shard I/N`): a stable, balanced
// assignment computed the same way by every shard from the suite alone, so shards need not talk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet {

/// "I/N" with 1 <= I <= N: {I - 1, N}. Throws std::invalid_argument otherwise.
std::pair<int, int> parse_shard(const std::string& text);

/// The shard (0-based) of each cell: longest-processing-time-first over the estimated costs
/// (largest first, ties by id), each cell to the shard with the least cost so far (ties to the
/// lower shard). Depends only on the costs and ids, never on their order.
std::vector<int> assign_shards(const std::vector<double>& costs, const std::vector<std::string>& ids, int shards);

}  // namespace gauntlet
