// `onshi credential issue`: API credentials for facilities, insurers and the operator.
#include <iostream>

#include "cli/commands.hpp"
#include "services/app.hpp"

namespace onshi::cli {

void add_credential_command(CLI::App& app) {
  auto* cred = app.add_subcommand("credential", "Manage API credentials");
  cred->require_subcommand(1);
  auto* issue = cred->add_subcommand("issue", "Issue a bearer token (printed once)");
  auto data_dir = std::make_shared<std::string>("onshi-data");
  auto role = std::make_shared<std::string>();
  auto subjects = std::make_shared<std::vector<std::string>>();
  auto label = std::make_shared<std::string>();
  issue->add_option("--data-dir", *data_dir, "Data directory")->capture_default_str();
  issue->add_option("--role", *role, "facility, insurer or operator")
      ->required()
      ->check(CLI::IsMember({"facility", "insurer", "operator"}));
  issue
      ->add_option("--subject", *subjects,
                   "Facility code, insurer number (repeatable) or operator name")
      ->required();
  issue->add_option("--label", *label, "Who it is for (shown in the access log)")->required();
  issue->callback([=] {
    services::App a(*data_dir);
    const store::Role r = *role == "facility"  ? store::Role::kFacility
                          : *role == "insurer" ? store::Role::kInsurer
                                               : store::Role::kOperator;
    std::cout << a.auth().issue(r, *subjects, *label) << '\n';
  });
}

}  // namespace onshi::cli
