// `onshi api-reference`: the API's documentation generated from the route table, as OpenAPI 3.1
// (what GET /openapi.json serves), as the Markdown reference docs/api.md embeds between its
// `routes` markers, or as the HTML page of GET /docs.
#include <iostream>

#include "api/http/api_reference.hpp"
#include "api/http/router.hpp"
#include "cli/commands.hpp"

namespace onshi::cli {

void add_api_reference_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("api-reference",
                                 "Print the HTTP API's reference, generated from the route table");
  static std::string format = "openapi";
  cmd->add_option("--format", format, "openapi (JSON), markdown (docs/api.md) or html (/docs)")
      ->check(CLI::IsMember({"openapi", "markdown", "html"}));
  cmd->callback([] {
    const auto specs = api::http::route_specs();
    if (format == "markdown")
      std::cout << api::http::reference_markdown(specs);
    else if (format == "html")
      std::cout << api::http::reference_html(specs);
    else
      std::cout << api::http::openapi_document(specs);
  });
}

}  // namespace onshi::cli
