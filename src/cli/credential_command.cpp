// `onshi credential issue|revoke|list`: API credentials for facilities, insurers and the
// operator. A running `onshi serve` on the same data sees the change within a second (it
// follows the change log); nothing needs a restart.
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/store_option.hpp"
#include "services/app.hpp"

namespace onshi::cli {
namespace {

const char* role_name(store::Role r) {
  switch (r) {
    case store::Role::kFacility:
      return "facility";
    case store::Role::kInsurer:
      return "insurer";
    case store::Role::kOperator:
      return "operator";
  }
  return "?";
}

}  // namespace

void add_credential_command(CLI::App& app) {
  auto* cred = app.add_subcommand("credential", "Manage API credentials");
  cred->require_subcommand(1);
  auto where = std::make_shared<services::Where>();

  auto* issue = cred->add_subcommand("issue", "Issue a bearer token (printed once)");
  auto role = std::make_shared<std::string>();
  auto subjects = std::make_shared<std::vector<std::string>>();
  auto label = std::make_shared<std::string>();
  add_store_options(issue, *where);
  issue->add_option("--role", *role, "facility, insurer or operator")
      ->required()
      ->check(CLI::IsMember({"facility", "insurer", "operator"}));
  issue
      ->add_option("--subject", *subjects,
                   "Facility code, insurer number (repeatable) or operator name")
      ->required();
  issue->add_option("--label", *label, "Who it is for (shown in the access log)")->required();
  issue->callback([=] {
    services::App a(*where, services::App::Mode::kWriter);
    const store::Role r = *role == "facility"  ? store::Role::kFacility
                          : *role == "insurer" ? store::Role::kInsurer
                                               : store::Role::kOperator;
    std::cout << a.auth().issue(r, *subjects, *label) << '\n';
  });

  auto* revoke = cred->add_subcommand(
      "revoke", "Revoke a credential by its token, or every credential with a label");
  auto token = std::make_shared<std::string>();
  auto revoke_label = std::make_shared<std::string>();
  add_store_options(revoke, *where);
  auto* by_token = revoke->add_option("--token", *token, "The bearer token");
  revoke->add_option("--label", *revoke_label, "The label it was issued with")->excludes(by_token);
  revoke->callback([=] {
    if (token->empty() == revoke_label->empty())
      throw CLI::ValidationError("give --token or --label");
    services::App a(*where, services::App::Mode::kWriter);
    int revoked = 0;
    if (!token->empty()) {
      revoked = a.auth().revoke(*token) ? 1 : 0;
    } else {
      std::map<std::string, bool> hashes;
      for (const auto& c : a.store().credentials())
        if (c.label == *revoke_label) hashes[c.token_sha256] = true;
      a.store().transact([&](store::Transaction& tx) {
        revoked = 0;
        for (const auto& [h, _] : hashes) revoked += tx.revoke_credential(h) ? 1 : 0;
      });
    }
    if (revoked == 0) {
      std::cerr << "no such credential (nothing revoked)\n";
      throw CLI::RuntimeError(2);
    }
    std::cout << "revoked " << revoked << " credential" << (revoked == 1 ? "" : "s") << '\n';
  });

  auto* list = cred->add_subcommand("list", "List credentials (labels and roles, never tokens)");
  add_store_options(list, *where);
  list->callback([=] {
    services::App a(*where, services::App::Mode::kWriter);
    for (const auto& c : a.store().credentials())
      std::cout << role_name(c.role) << '\t' << c.subject << '\t' << c.label << '\t'
                << c.token_sha256.substr(0, 12) << "…\n";
  });
}

}  // namespace onshi::cli
