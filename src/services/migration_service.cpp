#include "services/migration_service.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace onshi::services {
namespace {

// SHA-256 of a table's rows in key order. Each field is 'N' (NULL) or 'V', its length and ':'
// then its bytes, so no two different rows can hash alike by shifting text between fields.
class RowHash {
 public:
  RowHash() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("migrate: cannot start SHA-256");
  }
  void add(const store::Row& row) {
    buf_.clear();
    for (const store::Field& f : row) {
      if (!f) {
        buf_ += 'N';
        continue;
      }
      buf_ += 'V';
      buf_ += std::to_string(f->size());
      buf_ += ':';
      buf_ += *f;
    }
    buf_ += '\n';
    EVP_DigestUpdate(ctx_.get(), buf_.data(), buf_.size());
  }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &n);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
      out += kHex[md[i] >> 4];
      out += kHex[md[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
  std::string buf_;
};

constexpr std::size_t kBatchRows = 10000;

}  // namespace

MigrationReport migrate(store::TableCopy& from, store::TableCopy& to,
                        const std::function<void(std::int64_t, std::int64_t)>& progress) {
  MigrationReport report;
  std::int64_t total = 0;
  for (const auto& t : store::copied_tables()) {
    if (to.count(t) != 0) {
      report.error =
          core::make_error(core::ErrorCode::kMigrateTargetNotEmpty, "table " + std::string(t.name));
      return report;
    }
    TableCheck check;
    check.table = t.name;
    check.source_rows = from.count(t);
    total += 2 * check.source_rows;
    report.tables.push_back(std::move(check));
  }
  std::int64_t done = 0;
  auto tick = [&] {
    if (progress) progress(done, total);
  };

  // 1. Copy, hashing what is read: one snapshot of the source, one transaction on the target.
  from.begin_read();
  to.begin_write();
  std::size_t i = 0;
  for (const auto& t : store::copied_tables()) {
    TableCheck& check = report.tables[i++];
    RowHash hash;
    std::vector<store::Row> batch;
    batch.reserve(kBatchRows);
    std::int64_t rows = 0;
    from.read(t, [&](const store::Row& row) {
      hash.add(row);
      batch.push_back(row);
      ++rows;
      if (batch.size() == kBatchRows) {
        to.append(t, batch);
        done += static_cast<std::int64_t>(batch.size());
        batch.clear();
        tick();
      }
    });
    to.append(t, batch);
    done += static_cast<std::int64_t>(batch.size());
    tick();
    check.source_rows = rows;  // the snapshot's count, not the one taken before it
    check.source_checksum = hash.hex();
  }
  to.commit_write();

  // 2. Verify: read the target back as it was committed.
  to.begin_read();
  i = 0;
  for (const auto& t : store::copied_tables()) {
    TableCheck& check = report.tables[i++];
    RowHash hash;
    std::int64_t rows = 0;
    to.read(t, [&](const store::Row& row) {
      hash.add(row);
      if (++rows % static_cast<std::int64_t>(kBatchRows) == 0) {
        done += static_cast<std::int64_t>(kBatchRows);
        tick();
      }
    });
    check.target_rows = rows;
    check.target_checksum = hash.hex();
    if (!check.matches() && !report.error)
      report.error =
          core::make_error(core::ErrorCode::kMigrateVerifyFailed, "table " + check.table);
  }
  if (progress) progress(total, total);
  return report;
}

}  // namespace onshi::services
