#pragma once
// A progress bar on stderr for long commands (onshi load; later onshi migrate and others): on
// a terminal, one line redrawn a few times a second with the share done, items per second and
// the time left; when stderr is not a terminal (a log file, a pipe, CI) it draws nothing, and
// the command prints its own one-line summary at the end.
//
// The work reports with update(), which only stores two atomics, so it may be called from a
// hot loop on any thread; a background thread draws.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace onshi::cli {

// One line of the bar (no carriage return, no newline), e.g.
// "registrations [#######-------------]  35.1%  406,231 rows  101,557 rows/s  ETA 0:07".
// `done` and `total` measure the share (bytes read of the file); `items` is what is counted
// (rows); `total` 0 means unknown (no share, no ETA).
std::string render_progress(std::string_view label, std::uint64_t done, std::uint64_t total,
                            std::int64_t items, std::string_view item_name, double elapsed_seconds,
                            int bar_width = 24);

// 1234567 -> "1,234,567".
std::string group_digits(std::int64_t n);

class ProgressBar {
 public:
  // Draws only when `enabled` (default: stderr is a terminal).
  ProgressBar(std::string label, std::uint64_t total, std::string item_name = "rows",
              bool enabled = stderr_is_terminal());
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::uint64_t done, std::int64_t items) {
    done_.store(done, std::memory_order_relaxed);
    items_.store(items, std::memory_order_relaxed);
  }
  // Stops drawing and clears the line, so the command's summary starts on a clean line.
  void finish();

  static bool stderr_is_terminal();

 private:
  void run();
  void draw();

  const std::string label_;
  const std::uint64_t total_;
  const std::string item_name_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::int64_t> items_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread drawer_;
};

}  // namespace onshi::cli
