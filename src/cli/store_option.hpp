#pragma once
// The options that say where a command's data is, declared once for every command that opens
// data: --data-dir (node-local files: the SQLite store by default, the person-key secret, the
// node id) and --store (a PostgreSQL URL; the system of record for several nodes).
#include <CLI/CLI.hpp>
#include <memory>

#include "services/app.hpp"

namespace onshi::cli {

// Adds --data-dir and --store to `cmd`, writing into `where` (shared by the command's callback).
void add_store_options(CLI::App* cmd, services::Where& where);

}  // namespace onshi::cli
