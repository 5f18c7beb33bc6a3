#pragma once
// A file mapped read-only, so that a registration file of any size is read as one string_view
// by the same parsers as a request body, without holding it in anonymous memory: its pages
// come from the page cache and are given back behind the reader (release_before), so the
// process's resident size does not grow with the file.
//
// Why a mapping rather than reading blocks: the CSV reader needs a whole record at once, and a
// record may span any number of lines (a quoted field) or, with an unterminated quote, the
// rest of the file; with a mapping that needs no carry-over buffer and no change to the reader.
// The price: a file truncated by someone else while it is being read raises SIGBUS, which
// ends the process like any crash (the load's transaction is then rolled back by the store).
#include <cstddef>
#include <string>
#include <string_view>

namespace onshi::ingest {

class MappedFile {
 public:
  // Throws std::runtime_error ("cannot read PATH: reason") when the file cannot be opened.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view content() const { return {data_, size_}; }
  // Drops the pages wholly before `offset` from this process (they are read again from the
  // page cache if touched again, so this is only ever a hint about memory, never about data).
  void release_before(std::size_t offset);

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t released_ = 0;
};

}  // namespace onshi::ingest
