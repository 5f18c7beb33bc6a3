#pragma once
// Which of `shards` counters the calling thread adds to: fixed per thread, spread over the
// threads of a process. Counters bumped on every request are kept per shard, each shard on its
// own cache line, so that request threads never write the same line (no false sharing).
#include <cstddef>
#include <functional>
#include <thread>

namespace onshi::services {

inline std::size_t thread_shard(std::size_t shards) {
  thread_local const std::size_t hash = std::hash<std::thread::id>{}(std::this_thread::get_id());
  return hash % shards;
}

}  // namespace onshi::services
