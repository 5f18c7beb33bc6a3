#include "services/access_spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace onshi::services {
namespace {

void put_text(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c == '\t')
      out += "%09";
    else if (c == '\n')
      out += "%0A";
    else if (c == '%')
      out += "%25";
    else
      out += c;
  }
}

std::string get_text(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && s.substr(i, 3) == "%09") {
      out += '\t';
      i += 2;
    } else if (s[i] == '%' && s.substr(i, 3) == "%0A") {
      out += '\n';
      i += 2;
    } else if (s[i] == '%' && s.substr(i, 3) == "%25") {
      out += '%';
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool get_int(std::string_view s, std::int64_t& v) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Fields: at_ms facility_code actor method coverage_id validity request_id facility_type.
constexpr std::size_t kFields = 8;

bool parse_line(std::string_view line, SpooledRecord& out) {
  std::string_view f[kFields];
  std::size_t n = 0;
  while (n < kFields) {
    const auto tab = line.find('\t');
    f[n++] = line.substr(0, tab);
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  if (n != kFields) return false;
  std::int64_t at = 0, method = 0, coverage = 0, validity = 0, type = 0;
  if (!get_int(f[0], at) || !get_int(f[3], method) || !get_int(f[4], coverage) ||
      !get_int(f[5], validity) || !get_int(f[7], type))
    return false;
  out.record.at_ms = at;
  out.record.facility_code = get_text(f[1]);
  out.record.actor = get_text(f[2]);
  out.record.method = static_cast<core::ConfirmMethod>(method);
  out.record.coverage_id = coverage;
  out.record.validity = static_cast<int>(validity);
  out.record.request_id = get_text(f[6]);
  out.facility_type = static_cast<core::FacilityType>(type);
  return true;
}

}  // namespace

AccessSpool::AccessSpool(std::string path) : path_(std::move(path)) {
  count_ = read_all().size();
}

void AccessSpool::append(const std::vector<SpooledRecord>& records) {
  if (records.empty()) return;
  std::string text;
  for (const auto& s : records) {
    const auto& r = s.record;
    text += std::to_string(r.at_ms) + '\t';
    put_text(text, r.facility_code);
    text += '\t';
    put_text(text, r.actor);
    text += '\t' + std::to_string(static_cast<int>(r.method)) + '\t' +
            std::to_string(r.coverage_id) + '\t' + std::to_string(r.validity) + '\t';
    put_text(text, r.request_id);
    text += '\t' + std::to_string(static_cast<int>(s.facility_type)) + '\n';
  }
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("access spool: cannot open " + path_);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("access spool: write failed on " + path_);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error("access spool: fsync failed on " + path_);
  count_ += records.size();
}

bool AccessSpool::empty() const {
  return count_ == 0;
}

std::vector<SpooledRecord> AccessSpool::read_all() const {
  std::vector<SpooledRecord> out;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return out;
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t start = 0;
  for (;;) {
    const auto nl = all.find('\n', start);
    if (nl == std::string::npos) break;  // a torn last line: never acknowledged
    SpooledRecord r;
    if (parse_line(std::string_view(all).substr(start, nl - start), r)) out.push_back(std::move(r));
    start = nl + 1;
  }
  return out;
}

void AccessSpool::clear() {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("access spool: cannot truncate " + path_);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error("access spool: fsync failed on " + path_);
  count_ = 0;
}

}  // namespace onshi::services
