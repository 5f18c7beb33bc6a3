#include "store/fault_point.hpp"

#include <signal.h>

#include <cstdlib>
#include <string>

namespace onshi::store::test_only {

void fault_point(std::string_view point) {
  // Read once: a function-local static is initialised thread-safely on first use.
  static const std::string armed = [] {
    const char* v = std::getenv("ONSHI_FAULT_POINT");
    return std::string(v ? v : "");
  }();
  if (armed.empty() || armed != point) return;
  ::raise(SIGKILL);
}

}  // namespace onshi::store::test_only
