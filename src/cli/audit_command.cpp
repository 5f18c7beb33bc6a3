// `onshi audit`: the access journal (docs/journal.md).
//   verify  checks every node's hash chain in the store and in the data directory's journal
//           files, and names the first broken record (exit 2);
//   list    prints access records from the store, newest first (no personal data in them).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/coded_error.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/store_option.hpp"
#include "services/journal_verifier.hpp"
#include "store/open_store.hpp"

namespace onshi::cli {
namespace {

// The store alone: verify and list write nothing, so they need no secret and make no folder.
std::unique_ptr<store::Store> open_for_reading(const services::Where& where) {
  if (where.store_url.empty() && !std::filesystem::exists(where.data_dir + "/onshi.db"))
    throw std::runtime_error("no store in " + where.data_dir + " (give --data-dir or --store)");
  return store::open_store(where.data_dir, where.store_url);
}

void verify(const services::Where& where) {
  const auto t0 = std::chrono::steady_clock::now();
  auto store = open_for_reading(where);
  const std::int64_t in_store = store->journal_count();
  ProgressBar bar("verify", static_cast<std::uint64_t>(in_store), "records");
  const auto stored = services::verify_store_journal(
      *store, [&](std::int64_t n) { bar.update(static_cast<std::uint64_t>(n), n); });
  store.reset();
  services::JournalVerifyReport files;
  if (!stored.broken)
    files = services::verify_journal_files(where.data_dir + "/journal", [&](std::int64_t n) {
      bar.update(static_cast<std::uint64_t>(stored.records), stored.records + n);
    });
  bar.finish();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& broken = stored.broken ? stored.broken : files.broken;
  if (broken) {
    print_coded_error(std::cerr, "audit verify", core::ErrorCode::kJournalBroken,
                      "node " + broken->node_id + ", record " + std::to_string(broken->seq) + " (" +
                          broken->where + "): " + broken->problem);
    throw CLI::RuntimeError(2);
  }
  const std::int64_t total = stored.records + files.records;
  std::cout << "journal intact: " << group_digits(stored.records) << " records of " << stored.nodes
            << " node(s) in the store (" << stored.anchors << " anchors), "
            << group_digits(files.records) << " in the local journal files; "
            << group_digits(static_cast<std::int64_t>(s > 0 ? total / s : 0)) << " records/s (" << s
            << " s)\n";
}

void list(const services::Where& where, const std::string& facility, int limit) {
  auto store = open_for_reading(where);
  std::cout << "at_ms\tfacility_code\tactor\tmethod\tcoverage_id\tvalidity\trequest_id\n";
  for (const auto& r : store->access_records(facility, limit))
    std::cout << r.at_ms << '\t' << r.facility_code << '\t' << r.actor << '\t'
              << core::to_string(r.method) << '\t' << r.coverage_id << '\t' << r.validity << '\t'
              << r.request_id << '\n';
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "The access journal: verify its chains, list records");
  audit->require_subcommand(1);
  auto where = std::make_shared<services::Where>();

  auto* v = audit->add_subcommand(
      "verify", "Check every node's hash chain (store and local journal files); exit 2 if broken");
  add_store_options(v, *where);
  v->callback([=] { verify(*where); });

  auto* l = audit->add_subcommand("list", "Access records from the store, newest first (TSV)");
  add_store_options(l, *where);
  auto facility = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(100);
  l->add_option("--facility", *facility, "Only this facility code");
  l->add_option("--limit", *limit, "At most this many records")->capture_default_str();
  l->callback([=] { list(*where, *facility, *limit); });
}

}  // namespace onshi::cli
