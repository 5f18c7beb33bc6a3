#include "cli/store_option.hpp"

namespace onshi::cli {

void add_store_options(CLI::App* cmd, services::Where& where) {
  cmd->add_option("--data-dir", where.data_dir,
                  "Data directory: the SQLite store (unless --store), the person-key secret and "
                  "the node id")
      ->capture_default_str();
  cmd->add_option("--store", where.store_url,
                  "PostgreSQL URL (postgresql://user:password@host:port/db) instead of the "
                  "embedded SQLite store")
      ->envname("ONSHI_STORE");
}

}  // namespace onshi::cli
