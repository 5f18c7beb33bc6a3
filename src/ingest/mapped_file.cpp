#include "ingest/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace onshi::ingest {
namespace {

[[noreturn]] void fail(const std::string& path, int err) {
  throw std::runtime_error("cannot read " + path + ": " + std::strerror(err));
}

}  // namespace

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    fail(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(path, EINVAL);  // a pipe or directory cannot be mapped
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {  // mmap refuses a length of 0; an empty file is an empty view
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      fail(path, err);
    }
    data_ = static_cast<const char*>(p);
    // Read front to back once: more read-ahead, and pages behind are cheap to reclaim.
    ::madvise(p, size_, MADV_SEQUENTIAL);
  }
  ::close(fd);  // the mapping keeps the file open
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::release_before(std::size_t offset) {
  if (!data_) return;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t end = std::min(offset, size_) / page * page;
  if (end <= released_) return;
  // Clean, read-only private pages: MADV_DONTNEED only unmaps them from this process.
  ::madvise(const_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace onshi::ingest
