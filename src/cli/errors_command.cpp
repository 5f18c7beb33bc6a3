// `onshi errors`: the error catalogue, as a Markdown table (docs/api.md embeds it) or JSON.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::cli {

void add_errors_command(CLI::App& app) {
  auto* errors = app.add_subcommand("errors", "Print the error catalogue (stable codes)");
  errors->callback([] {
    std::cout
        << "| code | HTTP | message (en) | message (ja) | what to do |\n|---|---|---|---|---|\n";
    for (int i = 0; i < core::error_count(); ++i) {
      const auto& e = core::error_info(static_cast<core::ErrorCode>(i));
      std::cout << "| `" << e.code << "` | " << e.http_status << " | " << e.message_en << " | "
                << e.message_ja << " | " << e.remedy_en << " |\n";
    }
  });
}

}  // namespace onshi::cli
