// onshi: the online eligibility confirmation system. `onshi --help` lists the commands.
#include <iostream>

#include "cli/coded_error.hpp"
#include "cli/commands.hpp"
#include "store/store.hpp"

int main(int argc, char** argv) {
  CLI::App app{"onshi — online health-insurance eligibility confirmation (オンライン資格確認)"};
  app.require_subcommand(1);
  onshi::cli::add_serve_command(app);
  onshi::cli::add_load_command(app);
  onshi::cli::add_gen_command(app);
  onshi::cli::add_demo_command(app);
  onshi::cli::add_credential_command(app);
  onshi::cli::add_errors_command(app);
  onshi::cli::add_migrate_command(app);
  onshi::cli::add_api_reference_command(app);
  onshi::cli::add_audit_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const onshi::store::UnavailableError& e) {
    // Before anything was written: the store is opened first (services/app.cpp).
    onshi::cli::print_coded_error(std::cerr, "onshi", onshi::core::ErrorCode::kStoreUnreachable,
                                  e.what());
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "onshi: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
