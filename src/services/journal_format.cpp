#include "services/journal_format.hpp"

#include <charconv>
#include <limits>

#include "pki/hashing.hpp"

namespace onshi::services::journal_format {
namespace {

void put_text(std::string& out, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '\t':
        out += "%09";
        break;
      case '\n':
        out += "%0A";
        break;
      case '\r':
        out += "%0D";
        break;
      case '%':
        out += "%25";
        break;
      default:
        out += c;
    }
  }
}

void put_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
  out += '\t';
}

void put_field(std::string& out, std::string_view s) {
  put_text(out, s);
  out += '\t';
}

bool get_text(std::string_view s, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const std::string_view e = s.substr(i, 3);
    if (e == "%09")
      out += '\t';
    else if (e == "%0A")
      out += '\n';
    else if (e == "%0D")
      out += '\r';
    else if (e == "%25")
      out += '%';
    else
      return false;
    i += 2;
  }
  return true;
}

bool get_int(std::string_view s, std::int64_t& v) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool is_hash(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

constexpr std::size_t kFields = 12;

}  // namespace

void append_body(std::string& out, const core::JournalRecord& r) {
  put_field(out, r.node_id);
  put_int(out, r.seq);
  put_int(out, r.access.at_ms);
  put_field(out, r.access.facility_code);
  put_int(out, static_cast<std::int64_t>(r.facility_type));
  put_field(out, r.access.actor);
  put_int(out, static_cast<std::int64_t>(r.access.method));
  put_int(out, r.access.coverage_id);
  put_int(out, r.access.validity);
  put_field(out, r.access.request_id);
  put_field(out, r.prev_hash);
}

void append_line(std::string& out, const core::JournalRecord& r) {
  append_body(out, r);
  out += r.hash;
  out += '\n';
}

void seal(core::JournalRecord& r) {
  std::string body;
  append_body(body, r);
  pki::sha256_hex_into(body, r.hash);
}

std::optional<core::JournalRecord> parse_line(std::string_view line) {
  std::string_view f[kFields];
  std::size_t n = 0;
  std::string_view rest = line;
  for (;;) {
    if (n == kFields) return std::nullopt;  // a tab too many
    const auto tab = rest.find('\t');
    f[n++] = rest.substr(0, tab);
    if (tab == std::string_view::npos) break;
    rest.remove_prefix(tab + 1);
  }
  if (n != kFields) return std::nullopt;
  core::JournalRecord r;
  std::int64_t type = 0, method = 0, validity = 0;
  if (!get_text(f[0], r.node_id) || !get_int(f[1], r.seq) || !get_int(f[2], r.access.at_ms) ||
      !get_text(f[3], r.access.facility_code) || !get_int(f[4], type) ||
      !get_text(f[5], r.access.actor) || !get_int(f[6], method) ||
      !get_int(f[7], r.access.coverage_id) || !get_int(f[8], validity) ||
      !get_text(f[9], r.access.request_id) || !is_hash(f[10]) || !is_hash(f[11]))
    return std::nullopt;
  // seq from 1 to one short of the largest: a chain step (seq + 1) never overflows.
  if (r.seq < 1 || r.seq == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  if (type < 0 || type > 255 || method < 0 || method > 255 || validity < -1000000 ||
      validity > 1000000)
    return std::nullopt;
  r.facility_type = static_cast<core::FacilityType>(type);
  r.access.method = static_cast<core::ConfirmMethod>(method);
  r.access.validity = static_cast<int>(validity);
  r.prev_hash = f[10];
  r.hash = f[11];
  // One spelling only: "007", "+7" or "%41" would hash differently from the fields they give.
  std::string again;
  append_line(again, r);
  if (std::string_view(again).substr(0, again.size() - 1) != line) return std::nullopt;
  return r;
}

ChainCheck::ChainCheck(std::string node_id, std::int64_t head_seq, std::string head_hash)
    : node_id_(std::move(node_id)), head_seq_(head_seq), head_hash_(std::move(head_hash)) {}

std::string ChainCheck::add(const core::JournalRecord& r) {
  if (r.node_id != node_id_) return "belongs to node " + r.node_id + ", not " + node_id_;
  if (r.seq != head_seq_ + 1)
    return "sequence number " + std::to_string(r.seq) + " where " + std::to_string(head_seq_ + 1) +
           " comes next (a record is missing or out of order)";
  if (r.prev_hash != head_hash_)
    return head_seq_ == 0
               ? std::string("its previous hash is not the genesis value")
               : "its previous hash is not the hash of record " + std::to_string(head_seq_);
  body_.clear();
  append_body(body_, r);
  pki::sha256_hex_into(body_, digest_);
  if (digest_ != r.hash) return "its content does not match its hash (the record was altered)";
  head_seq_ = r.seq;
  head_hash_ = r.hash;
  return {};
}

}  // namespace onshi::services::journal_format
