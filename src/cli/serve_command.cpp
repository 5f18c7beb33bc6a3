// `onshi serve`: the central service on one node.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/http/router.hpp"
#include "api/http/server.hpp"
#include "cli/commands.hpp"
#include "cli/store_option.hpp"
#include "services/app.hpp"
#include "services/clock.hpp"
#include "store/open_store.hpp"

namespace onshi::cli {
namespace {

// Prints the demo credential and three curl commands that work as printed.
void print_demo(const std::string& data_dir, const std::string& base) {
  std::ifstream in(data_dir + "/demo.json");
  if (!in) return;
  const auto demo = nlohmann::json::parse(in, nullptr, false);
  if (demo.is_discarded()) return;
  std::string token;
  for (const auto& c : demo["credentials"])
    if (c["role"] == "facility" && token.empty()) {
      token = c["token"];
      std::cout << "Demo facility credential: Bearer " << token << "  ("
                << c["facility_name"].get<std::string>() << ", facility code "
                << c["facility_code"].get<std::string>() << ")\n";
    }
  for (const auto& c : demo["credentials"])
    if (c["role"] != "facility")
      std::cout << "Demo " << c["role"].get<std::string>() << " credential: Bearer "
                << c["token"].get<std::string>() << '\n';
  std::cout << "\nIn a browser: " << base << "/docs (the API reference; OpenAPI 3.1 at " << base
            << "/openapi.json)\n";
  std::cout << "\nTry:\n  curl -s " << base << "/healthz\n";
  for (const char* kind : {"valid", "lost", "no_match"}) {
    if (!demo["examples"].contains(kind)) continue;
    std::cout << "  curl -s -H 'Authorization: Bearer " << token
              << "' -H 'Content-Type: application/json' -d '" << demo["examples"][kind].dump()
              << "' " << base << "/v1/eligibility/confirm   # " << kind << "\n";
  }
  std::cout << '\n';
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto* serve = app.add_subcommand("serve", "Run the eligibility confirmation service");
  auto where = std::make_shared<services::Where>();
  auto opt = std::make_shared<api::http::ServerOptions>();
  auto port_file = std::make_shared<std::string>();
  auto journal_sync = std::make_shared<std::string>("none");
  add_store_options(serve, *where);
  serve->add_option("--store-replica", where->replica_url,
                    "PostgreSQL streaming replica to build the index from (writes and the change "
                    "log still go to --store)");
  serve->add_option("--node-id", where->node_id,
                    "This node's name in confirmation ids (a-z 0-9 -; default: made once and kept "
                    "in the data directory)");
  serve->add_option("--host", opt->host, "Listen address")->capture_default_str();
  serve->add_option("--port", opt->port, "Listen port (0 = any free port)")->capture_default_str();
  serve->add_option("--threads", opt->threads, "I/O threads (0 = one per core)");
  serve->add_option("--tls-cert", opt->tls_certificate, "PEM certificate chain (enables HTTPS)");
  serve->add_option("--tls-key", opt->tls_private_key, "PEM private key");
  serve->add_option("--port-file", *port_file, "Write the bound port here once listening");
  serve
      ->add_option("--journal-sync", *journal_sync,
                   "When an access record is durable before its answer leaves: none = written "
                   "(survives a kill -9 of the process), fsync = also fdatasync'd (survives a "
                   "power loss); see docs/journal.md")
      ->check(CLI::IsMember({"none", "fsync"}))
      ->capture_default_str();
  serve->callback([=] {
    if (opt->tls_certificate.empty() != opt->tls_private_key.empty())
      throw std::runtime_error("--tls-cert and --tls-key go together");
    // TEST-ONLY: ONSHI_TEST_NOW pins "now" (services/clock.hpp); unset, the system clock.
    services::App a(*where, services::App::Mode::kServing, services::clock_from_environment(),
                    *services::parse_journal_sync(*journal_sync));
    // Writes by other processes (onshi load, onshi credential) reach this node through the
    // change log; 100 ms keeps the write-to-visible delay far inside the 1 s promised.
    a.follower().start(std::chrono::milliseconds(100));
    api::http::Router router(a);
    opt->upload_dir = where->data_dir + "/uploads";
    api::http::Server server(router, *opt);
    const std::uint16_t port = server.bind();
    const std::string scheme = opt->tls_certificate.empty() ? "http" : "https";
    const std::string base = scheme + "://" + opt->host + ":" + std::to_string(port);
    std::cout << "onshi serving on " << base << "  (" << a.index().coverage_count()
              << " coverages indexed in " << a.index_build_seconds() << " s, index "
              << a.index().memory_bytes() / (1024 * 1024) << " MiB; node " << a.node_id()
              << ", data in "
              << (where->store_url.empty() ? where->data_dir : store::redact_url(where->store_url))
              << ")\n";
    print_demo(where->data_dir, base);
    std::cout << std::flush;
    if (!port_file->empty()) {
      const std::string tmp = *port_file + ".tmp";
      std::ofstream(tmp) << port << '\n';
      std::filesystem::rename(tmp, *port_file);
    }
    server.run();
    router.drain();
    a.journal().flush();
    std::cout << "onshi stopped\n";
  });
}

}  // namespace onshi::cli
