#pragma once
// Shared by the fuzz targets: invariant checks that abort, so that libFuzzer records the input.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define ONSHI_FUZZ_CHECK(cond)                                                          \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace onshi::fuzz {

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace onshi::fuzz
