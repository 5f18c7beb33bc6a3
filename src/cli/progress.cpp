#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace onshi::cli {
namespace {

// Four redraws a second: smooth enough to see it move, cheap enough to cost nothing.
constexpr auto kRedraw = std::chrono::milliseconds(250);

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

}  // namespace

std::string group_digits(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string render_progress(std::string_view label, std::uint64_t done, std::uint64_t total,
                            std::int64_t items, std::string_view item_name, double elapsed_seconds,
                            int bar_width) {
  std::string line(label);
  if (total > 0) {
    const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const int filled = static_cast<int>(share * bar_width);
    line += " [";
    line.append(static_cast<std::size_t>(filled), '#');
    line.append(static_cast<std::size_t>(bar_width - filled), '-');
    char pct[16];
    std::snprintf(pct, sizeof pct, "] %5.1f%%", share * 100.0);
    line += pct;
  }
  line += "  " + group_digits(items) + ' ' + std::string(item_name);
  if (elapsed_seconds > 0) {
    line += "  " + group_digits(static_cast<std::int64_t>(items / elapsed_seconds)) + ' ' +
            std::string(item_name) + "/s";
  }
  if (total > 0 && done > 0 && done < total && elapsed_seconds > 0) {
    // Bytes, not rows, give the share: the row count of a file is not known until its end.
    const double left =
        elapsed_seconds * static_cast<double>(total - done) / static_cast<double>(done);
    line += "  ETA " + clock_text(left);
  }
  return line;
}

bool ProgressBar::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

ProgressBar::ProgressBar(std::string label, std::uint64_t total, std::string item_name,
                         bool enabled)
    : label_(std::move(label)), total_(total), item_name_(std::move(item_name)) {
  if (enabled) drawer_ = std::thread([this] { run(); });
}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (drawer_.joinable()) {
    drawer_.join();
    std::fputs("\r\x1b[K", stderr);  // erase the bar
    std::fflush(stderr);
  }
}

void ProgressBar::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, kRedraw, [this] { return stop_; })) draw();
}

void ProgressBar::draw() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const std::string line =
      render_progress(label_, done_.load(std::memory_order_relaxed), total_,
                      items_.load(std::memory_order_relaxed), item_name_, elapsed);
  // \x1b[K clears what a longer previous line left behind.
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
}

}  // namespace onshi::cli
