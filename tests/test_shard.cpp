// Shard assignment: every cell in exactly one shard, balanced by cost (longest first), the same
// whatever order the cells are listed in; and the I/N argument checked.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>

#include "harness/shard.hpp"

namespace gauntlet {
namespace {

TEST_CASE("shards split cells by cost, stably", "[shard]") {
  const std::vector<double> costs = {5, 1, 4, 2, 3, 3};
  const std::vector<std::string> ids = {"a", "b", "c", "d", "e", "f"};
  const auto s = assign_shards(costs, ids, 2);
  REQUIRE(s.size() == 6);
  std::vector<double> load(2, 0);
  for (size_t i = 0; i < s.size(); ++i) {
    REQUIRE(s[i] >= 0);
    REQUIRE(s[i] < 2);
    load[s[i]] += costs[i];
  }
  CHECK(load[0] == 9);  // LPT: 5 | 4, 3 (e) | 3 (f), 2 | 1 -> {5, 3, 1} and {4, 3, 2}
  CHECK(load[1] == 9);
  // Listing the cells in another order changes nothing.
  std::vector<size_t> perm = {3, 0, 5, 1, 4, 2};
  std::vector<double> c2;
  std::vector<std::string> i2;
  for (size_t p : perm) {
    c2.push_back(costs[p]);
    i2.push_back(ids[p]);
  }
  const auto s2 = assign_shards(c2, i2, 2);
  for (size_t k = 0; k < perm.size(); ++k) CHECK(s2[k] == s[perm[k]]);
  // One shard takes all; more shards than cells leave some empty.
  for (int x : assign_shards(costs, ids, 1)) CHECK(x == 0);
  const auto many = assign_shards(costs, ids, 10);
  CHECK(std::set<int>(many.begin(), many.end()).size() == 6);
}

TEST_CASE("the shard argument is I/N with 1 <= I <= N", "[shard]") {
  CHECK(parse_shard("1/4") == std::pair<int, int>{0, 4});
  CHECK(parse_shard("4/4") == std::pair<int, int>{3, 4});
  for (const char* bad : {"0/4", "5/4", "1/0", "1", "a/b", "1/4x", "/4", "1/"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), std::invalid_argument);
  }
}

}  // namespace
}  // namespace gauntlet
