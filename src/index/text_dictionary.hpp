#pragma once
// Dictionary coding of the record texts (names, kana, addresses, symbols) of the index.
//
// Japanese names and addresses are made of few distinct pieces: family and given names, kana
// readings, "東京都世田谷区若葉", "丁目", "号室" repeat across millions of records, while the
// digits between them vary. A text is coded as its ASCII bytes (0x00-0x7F) kept as they are and
// every run of other bytes (UTF-8 kanji, kana, ...) replaced by the code of that run in a
// dictionary shared by the whole index; U+3000 (the space between family and given name) ends a
// run and is a run of its own, so "高橋　大輔" is three codes and "高橋" is shared with every
// other 高橋. Round trip is byte for byte whatever the text is (invalid UTF-8 included): the
// coded form of a text decodes to exactly its bytes.
//
// Coded form: 0x00-0x7F literal byte; 0x80-0xFE followed by one byte: code (b0 - 0x80) << 8 | b1
// (the first 32,512 runs seen, which are the common ones); 0xFF followed by 3 bytes: a code
// up to 2^24 - 2; 0xFF FF FF FF then a varint length and the bytes: a run kept as it is (the
// dictionary is full).
//
// Not thread-safe: the index encodes under its write lock and decodes under its read lock.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::index {

class TextDictionary {
 public:
  // Appends the coded form of `text` to `out`.
  void encode(std::string_view text, std::string& out);
  // encode, remembering the last text of each of kMemoFields fields: rows come in id order,
  // so family members follow each other with the same address, symbol, number and 本人's name,
  // which are then coded once for the family. Codes stay valid as the dictionary grows.
  static constexpr int kMemoFields = 8;
  void encode_field(int field, std::string_view text, std::string& out);
  // Appends the text that `coded` (a whole coded form) stands for to `out`.
  void decode(std::string_view coded, std::string& out) const;
  std::size_t run_count() const { return starts_.size() - 1; }
  std::size_t bytes() const;

  // Tests only: the code beyond which runs are kept raw (default 2^24 - 2).
  void set_capacity_for_test(std::uint32_t codes) { capacity_ = codes; }

 private:
  std::uint32_t code_of(std::string_view run);  // kRaw when the dictionary is full
  std::string_view run(std::uint32_t code) const {
    return std::string_view(blob_).substr(starts_[code], starts_[code + 1] - starts_[code]);
  }
  void grow_table();

  struct Memo {
    bool valid = false;
    std::string text, coded;
  };
  std::array<Memo, kMemoFields> memo_;
  static constexpr std::uint32_t kRaw = 0xFFFFFF;
  std::uint32_t capacity_ = kRaw - 1;
  std::string blob_;                      // every run, one after the other
  std::vector<std::uint32_t> starts_{0};  // code -> start in blob_; one more for the end
  std::vector<std::uint64_t> table_;      // open addressing: hash bits | code + 1, 0 = empty
};

// Unsigned LEB128, shared by the record codec.
inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline std::uint64_t get_varint(const unsigned char*& p) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const unsigned char b = *p++;
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if (b < 0x80) return v;
  }
}

}  // namespace onshi::index
