// `onshi migrate --from DIR_OR_URL --to DIR_OR_URL`: copies a whole database into an empty one
// (SQLite data directory or PostgreSQL URL on either side) and verifies it: row count and
// SHA-256 per table. Exit 0 only when every table matches.
#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/coded_error.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "services/migration_service.hpp"
#include "store/open_store.hpp"

namespace onshi::cli {
namespace {

// The source must exist: a mistyped --from directory is an error, not a new empty database.
std::unique_ptr<store::TableCopy> open_side(const std::string& where, bool source) {
  if (store::is_postgresql_url(where)) return store::open_table_copy({}, where);
  if (source && !std::filesystem::exists(where + "/onshi.db"))
    throw store::StoreError("--from " + where + ": no onshi database (onshi.db) in this directory");
  ::umask(077);  // a new data directory holds personal data (see services/app.cpp)
  std::filesystem::create_directories(where);
  return store::open_table_copy(where, {});
}

}  // namespace

void add_migrate_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("migrate", "Copy a whole database into an empty one and verify it");
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  cmd->add_option("--from", *from, "Source: data directory (SQLite) or postgresql:// URL")
      ->required();
  cmd->add_option("--to", *to, "Target, empty: data directory or postgresql:// URL")->required();
  cmd->callback([=] {
    auto source = open_side(*from, true);
    auto target = open_side(*to, false);
    std::unique_ptr<ProgressBar> bar;
    const auto t0 = std::chrono::steady_clock::now();
    const auto report =
        services::migrate(*source, *target, [&](std::int64_t done, std::int64_t total) {
          if (!bar)
            bar = std::make_unique<ProgressBar>("migrate", static_cast<std::uint64_t>(total));
          bar->update(static_cast<std::uint64_t>(done), done);
        });
    if (bar) bar->finish();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::int64_t rows = 0;
    for (const auto& t : report.tables) {
      rows += t.source_rows;
      std::cout << (t.matches() ? "ok   " : "DIFF ") << t.table << ": " << t.source_rows
                << " rows -> " << t.target_rows << " rows, sha256 "
                << t.target_checksum.substr(0, 16)
                << (t.matches() ? "" : " (source " + t.source_checksum.substr(0, 16) + ")") << '\n';
    }
    if (report.error) {
      print_coded_error(std::cerr, "migrate", report.error->code, report.error->detail);
      throw CLI::RuntimeError(2);
    }
    std::cout << "migrated " << group_digits(rows) << " rows in " << report.tables.size()
              << " tables from " << store::redact_url(*from) << " to " << store::redact_url(*to)
              << " in " << s << " s; verified\n";
  });
}

}  // namespace onshi::cli
