#pragma once
// The two containers under the eligibility index (internal to src/index/).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace onshi::index {

inline constexpr std::uint32_t kNil = UINT32_MAX;

// Open addressing from a 32-bit tag (a hash of the key, never 0) to the first id of a chain,
// 8 bytes a cell, any size (a cell is picked by multiplying, not masking), grown by half when
// 80 % full: 1.3-1.9 cells per key. Distinct keys whose tags collide share a chain; readers
// check the real fields, so a collision costs time, not truth. A cell once used keeps its tag
// while its chain is empty, so that probing never stops early.
class HeadTable {
 public:
  static std::uint32_t tag_of(std::uint64_t hash) {
    return static_cast<std::uint32_t>(hash ^ (hash >> 32)) | 1;
  }
  const std::uint32_t* find(std::uint32_t tag) const {
    if (cells_.empty()) return nullptr;
    for (std::size_t i = home(tag, cells_.size());; i = next(i)) {
      if (cells_[i].tag == tag) return &cells_[i].head;
      if (cells_[i].tag == 0) return nullptr;
    }
  }
  std::uint32_t* find(std::uint32_t tag) {
    return const_cast<std::uint32_t*>(static_cast<const HeadTable*>(this)->find(tag));
  }
  std::uint32_t& at(std::uint32_t tag) {
    if ((used_ + 1) * 5 > cells_.size() * 4) grow();
    std::size_t i = home(tag, cells_.size());
    for (; cells_[i].tag != 0; i = next(i))
      if (cells_[i].tag == tag) return cells_[i].head;
    cells_[i] = Cell{tag, kNil};
    ++used_;
    return cells_[i].head;
  }
  std::size_t bytes() const { return cells_.capacity() * sizeof(Cell); }

 private:
  struct Cell {
    std::uint32_t tag = 0;  // 0: never used
    std::uint32_t head = kNil;
  };
  static std::size_t home(std::uint32_t tag, std::size_t n) {
    // Spread the tag (the low bits of FNV are weak) before mapping it onto [0, n).
    const std::uint64_t mixed = std::uint64_t{tag} * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(((mixed >> 32) * n) >> 32);
  }
  std::size_t next(std::size_t i) const { return i + 1 == cells_.size() ? 0 : i + 1; }
  void grow() {
    std::vector<Cell> cells(std::max<std::size_t>(1024, cells_.size() + cells_.size() / 2));
    for (const Cell& c : cells_) {
      if (c.tag == 0) continue;
      std::size_t i = home(c.tag, cells.size());
      while (cells[i].tag != 0) i = i + 1 == cells.size() ? 0 : i + 1;
      cells[i] = c;
    }
    cells_.swap(cells);
  }
  std::vector<Cell> cells_;
  std::size_t used_ = 0;
};

// Append-only storage of encoded records, addressed by a 32-bit reference: chunk number in the
// top 8 bits, offset / 4 in the low 24 (records start 4-byte aligned), so up to 256 chunks of at
// most 64 MiB. Chunks start at 1 MiB and double up to 64 MiB, so that a small index stays
// small; a chunk's untouched tail is never resident (the allocation is not zero-filled). A
// replaced record's old bytes stay until the next rebuild (updates are rare next to reads).
class RecordArena {
 public:
  std::uint32_t add(std::string_view bytes) {
    const std::size_t n = (bytes.size() + 3) & ~std::size_t{3};
    if (n > kMaxChunk) throw std::length_error("index record larger than 64 MiB");
    if (chunks_.empty() || used_ + n > chunk_size(chunks_.size() - 1)) {
      if (chunks_.size() == kMaxChunks) throw std::length_error("index arena full (16 GiB)");
      while (chunk_size(chunks_.size()) < n) chunks_.emplace_back();  // skip chunks too small
      if (chunks_.size() >= kMaxChunks) throw std::length_error("index arena full (16 GiB)");
      chunks_.emplace_back(new char[chunk_size(chunks_.size())]);
      used_ = 0;
    }
    const auto chunk = static_cast<std::uint32_t>(chunks_.size() - 1);
    std::memcpy(chunks_.back().get() + used_, bytes.data(), bytes.size());
    const auto ref = chunk << 24 | static_cast<std::uint32_t>(used_ >> 2);
    used_ += n;
    total_ += n;
    return ref;
  }
  const char* at(std::uint32_t ref) const {
    return chunks_[ref >> 24].get() + (std::size_t{ref & 0xFFFFFF} << 2);
  }
  std::size_t bytes() const { return total_ + chunks_.capacity() * sizeof(chunks_[0]); }

 private:
  static constexpr std::size_t kMaxChunk = std::size_t{64} << 20;
  static constexpr std::size_t kMaxChunks = 256;
  static std::size_t chunk_size(std::size_t i) {
    return std::min(kMaxChunk, std::size_t{1} << (20 + std::min<std::size_t>(i, 6)));
  }
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0;   // in the last chunk
  std::size_t total_ = 0;  // bytes of every record so far
};

}  // namespace onshi::index
