#pragma once
// The subcommands of the `onshi` binary, one file each. Each registers itself on the CLI11 app.
#include <CLI/CLI.hpp>

namespace onshi::cli {

void add_serve_command(CLI::App& app);
void add_load_command(CLI::App& app);
void add_gen_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_credential_command(CLI::App& app);
void add_errors_command(CLI::App& app);
void add_migrate_command(CLI::App& app);
void add_api_reference_command(CLI::App& app);
void add_audit_command(CLI::App& app);

// Reads a whole file; throws std::runtime_error with the path on failure.
std::string read_file(const std::string& path);

}  // namespace onshi::cli
