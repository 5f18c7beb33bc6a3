#pragma once
// Insurers' registrations (資格登録). In one store transaction, the file is read from start to
// end in chunks of rows; for each chunk: validate its rows, skip events already applied (by an
// earlier load, or by an earlier line of the file: earlier chunks are written already and the
// transaction sees its own writes), apply the rest in file order over the coverages the store
// holds, write them, and drop the chunk. Memory is bounded by the chunk, not by the file. The
// transaction is the store's, not this process's: two loads for one card key from two
// processes or nodes end as if one ran after the other, and a load commits all its valid rows
// or none.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/registration_file.hpp"
#include "services/principal.hpp"
#include "store/store.hpp"

namespace onshi::services {

struct LoadReceipt {
  std::int64_t load_id = 0;  // 0 when nothing was written
  std::int64_t rows_total = 0;
  std::int64_t rows_applied = 0;
  std::int64_t rows_already_applied = 0;
  std::vector<ingest::RowError> rejected;  // in line order
  std::optional<core::Error> file_error;   // set: nothing was applied
};

// How far a load has read its file, for a progress display. Reported from the loading thread;
// after a retried transaction it starts again from 0.
struct LoadProgress {
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_total = 0;
  std::int64_t rows_read = 0;
};
using LoadProgressFn = std::function<void(const LoadProgress&)>;

class RegistryService {
 public:
  // Rows read and applied per chunk: large enough that each chunk's store lookups and writes
  // are big batches, small enough that a chunk's rows, events and coverages stay well under a
  // gigabyte.
  static constexpr std::size_t kRowsPerChunk = 100'000;

  // `after_commit` runs after each committed load (a serving node catches up its index there,
  // so the loader's answer already sees its rows).
  RegistryService(store::Store& store, std::string person_secret,
                  std::function<void()> after_commit = {});
  // `principal` null = trusted local command (onshi load): any insurer number may be used.
  LoadReceipt load(std::string_view content, ingest::RegistrationFormat format,
                   const Principal* principal, const std::string& source,
                   const LoadProgressFn& progress = {});
  // The same for a file on disk, read through a read-only mapping (ingest/mapped_file.hpp) and
  // never held whole in memory. Throws std::runtime_error when the file cannot be read.
  LoadReceipt load_file(const std::string& path, ingest::RegistrationFormat format,
                        const Principal* principal, const std::string& source,
                        const LoadProgressFn& progress = {});
  // Tests use tiny chunks, so that small files cross chunk boundaries.
  void set_rows_per_chunk(std::size_t rows) { rows_per_chunk_ = rows == 0 ? 1 : rows; }

  // Where a load's bytes come from (a request body, a mapped file). Every attempt of the
  // transaction opens it again from the start: a retried attempt reads the whole file again
  // and keeps nothing of the attempt that was rolled back.
  class Content {
   public:
    virtual ~Content() = default;
    virtual std::string_view open() = 0;
    // The reader is past `offset`: the bytes before it may be let go.
    virtual void release_before(std::size_t /*offset*/) {}
    virtual void close() {}
  };
  // The keyed hash that links a person's coverages without keeping the My Number.
  std::string person_key(std::string_view my_number) const;

 private:
  class RowValidator;
  class ChunkedLoad;
  LoadReceipt load_from(Content& content, ingest::RegistrationFormat format,
                        const Principal* principal, const std::string& source,
                        const LoadProgressFn& progress);
  std::size_t rows_per_chunk_ = kRowsPerChunk;
  store::Store& store_;
  std::string person_secret_;
  std::function<void()> after_commit_;
};

}  // namespace onshi::services
