#include "harness/shard.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace gauntlet {

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  int i = 0, n = 0;
  try {
    size_t used_i = 0, used_n = 0;
    i = std::stoi(text.substr(0, slash), &used_i);
    n = std::stoi(text.substr(slash + 1), &used_n);
    if (slash == std::string::npos || used_i != slash || used_n != text.size() - slash - 1) throw std::exception();
  } catch (const std::exception&) {
    throw std::invalid_argument("--shard: expected I/N, e.g. 1/4, got \"" + text + "\"");
  }
  if (n < 1 || i < 1 || i > n) {
    throw std::invalid_argument("--shard " + text + ": need 1 <= I <= N");
  }
  return {i - 1, n};
}

std::vector<int> assign_shards(const std::vector<double>& costs, const std::vector<std::string>& ids, int shards) {
  std::vector<size_t> order(costs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return costs[a] != costs[b] ? costs[a] > costs[b] : ids[a] < ids[b];
  });
  std::vector<double> load(static_cast<size_t>(shards), 0.0);
  std::vector<int> out(costs.size(), 0);
  for (size_t c : order) {
    const auto least = std::min_element(load.begin(), load.end()) - load.begin();
    out[c] = static_cast<int>(least);
    load[static_cast<size_t>(least)] += costs[c];
  }
  return out;
}

}  // namespace gauntlet
