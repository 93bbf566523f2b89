// Splitting n items over threads in contiguous chunks; an exception in any chunk is rethrown in
// the caller after all threads have joined. Results must not depend on the thread count, so the
// work for item i may only depend on i.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace gauntlet {

/// Calls fn(begin, end) on `threads` contiguous chunks of [0, n), the first on this thread.
template <typename Fn>
void parallel_chunks(int64_t n, int threads, Fn&& fn) {
  threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        fn(n * t / threads, n * (t + 1) / threads);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  try {
    fn(int64_t{0}, n / threads);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace gauntlet
