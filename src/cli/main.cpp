// onshi: the online eligibility confirmation system. `onshi --help` lists the commands.
#include <iostream>

#include "cli/commands.hpp"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "onshi: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
