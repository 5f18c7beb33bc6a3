// `onshi errors`: the error catalogue as the Markdown table that docs/api.md holds between its
// error-catalogue markers (scripts/update-api-docs.sh puts it there; a core test checks it).
// The same entries are served as JSON at GET /v1/errors.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::cli {

void add_errors_command(CLI::App& app) {
  auto* errors = app.add_subcommand("errors", "Print the error catalogue (stable codes)");
  // One format today; the option exists so that scripts name what they parse.
  auto format = std::make_shared<std::string>("markdown");
  errors->add_option("--format", *format, "Output format")
      ->check(CLI::IsMember({"markdown"}))
      ->capture_default_str();
  errors->callback([format] {
    if (*format == "markdown") std::cout << core::error_catalogue_markdown();
  });
}

}  // namespace onshi::cli
