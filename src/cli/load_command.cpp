// `onshi load registrations|insurers|facilities FILE`: the insurer's and operator's loads.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/load_receipt_json.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/store_option.hpp"
#include "core/error_catalogue.hpp"
#include "services/app.hpp"

namespace onshi::cli {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

void print_rejected(const std::vector<ingest::RowError>& rejected, std::size_t max) {
  std::size_t shown = 0;
  for (const auto& r : rejected) {
    if (shown++ == max) {
      std::cerr << "  ... and " << rejected.size() - max << " more (use --json for all)\n";
      break;
    }
    const auto& info = core::error_info(r.error.code);
    std::cerr << "  line " << r.line << ": " << info.code << ": " << info.message_en;
    if (!r.error.detail.empty()) std::cerr << " (" << r.error.detail << ")";
    std::cerr << " — " << info.remedy_en << '\n';
  }
}

}  // namespace

void add_load_command(CLI::App& app) {
  auto* load = app.add_subcommand("load", "Load a file into the data directory");
  load->require_subcommand(1);
  auto where = std::make_shared<services::Where>();
  auto json = std::make_shared<bool>(false);
  add_store_options(load, *where);
  load->add_flag("--json", *json, "Print the receipt as JSON");

  auto* reg = load->add_subcommand("registrations", "Insurer registration events (CSV or JSONL)");
  auto file = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("auto");
  reg->add_option("file", *file, "CSV or JSON Lines file")->required();
  reg->add_option("--format", *format, "auto, csv or jsonl")->capture_default_str();
  reg->callback([=] {
    services::App a(*where, services::App::Mode::kWriter);
    const auto fmt = *format == "csv"     ? ingest::RegistrationFormat::kCsv
                     : *format == "jsonl" ? ingest::RegistrationFormat::kJsonLines
                                          : ingest::RegistrationFormat::kAuto;
    const auto t0 = std::chrono::steady_clock::now();
    // The file is streamed (mapped, read in chunks of rows), never read whole into memory.
    std::error_code size_error;
    const auto bytes = std::filesystem::file_size(*file, size_error);
    ProgressBar bar("load", size_error ? 0 : static_cast<std::uint64_t>(bytes));
    const auto receipt = a.registry().load_file(
        *file, fmt, nullptr, *file,
        [&](const services::LoadProgress& p) { bar.update(p.bytes_read, p.rows_read); });
    bar.finish();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (*json) {
      std::cout << api::encode_load_receipt(receipt);
    } else if (receipt.file_error) {
      const auto& info = core::error_info(receipt.file_error->code);
      std::cerr << "refused: " << info.code << ": " << info.message_en << " ("
                << receipt.file_error->detail << ") — " << info.remedy_en << '\n';
    } else {
      std::cout << "rows " << receipt.rows_total << ": applied " << receipt.rows_applied
                << ", already applied " << receipt.rows_already_applied << ", rejected "
                << receipt.rejected.size() << " (load " << receipt.load_id << ", " << s << " s, "
                << static_cast<long long>(receipt.rows_total / std::max(s, 1e-9)) << " rows/s)\n";
      print_rejected(receipt.rejected, 50);
    }
    if (receipt.file_error) throw CLI::RuntimeError(2);
    if (!receipt.rejected.empty()) throw CLI::RuntimeError(3);
  });

  for (const char* kind : {"insurers", "facilities"}) {
    auto* sub = load->add_subcommand(kind, std::string("Reference list of ") + kind + " (CSV)");
    auto path = std::make_shared<std::string>();
    sub->add_option("file", *path, "CSV file")->required();
    const std::string k = kind;
    sub->callback([=] {
      services::App a(*where, services::App::Mode::kWriter);
      const std::string content = read_file(*path);
      const auto receipt = k == "insurers" ? a.reference_data().load_insurers(content)
                                           : a.reference_data().load_facilities(content);
      if (*json)
        std::cout << api::encode_reference_receipt(receipt);
      else if (receipt.file_error)
        std::cerr << "refused: " << core::error_info(receipt.file_error->code).code << " ("
                  << receipt.file_error->detail << ")\n";
      else if (!receipt.rejected.empty()) {
        std::cerr << "refused: " << receipt.rejected.size() << " bad rows; nothing was loaded\n";
        print_rejected(receipt.rejected, 50);
      } else
        std::cout << "loaded " << receipt.loaded << ' ' << k << '\n';
      if (receipt.file_error || !receipt.rejected.empty()) throw CLI::RuntimeError(2);
    });
  }
}

}  // namespace onshi::cli
