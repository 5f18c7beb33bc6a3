// `onshi gen`: synthetic, realistic insurers, facilities and registrations at any size.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "gen/synthetic_data.hpp"
#include "services/japan_clock.hpp"

namespace onshi::cli {

void add_gen_command(CLI::App& app) {
  auto* gen = app.add_subcommand("gen", "Generate synthetic data files (CSV)");
  auto opts = std::make_shared<gen::GenOptions>();
  auto out = std::make_shared<std::string>("onshi-gen");
  gen->add_option("--persons", opts->persons, "Insured persons to generate")->capture_default_str();
  gen->add_option("--seed", opts->seed, "Random seed (same seed, same files)")
      ->capture_default_str();
  gen->add_option("--facilities", opts->facilities, "Facilities (0 = scale with persons)");
  gen->add_option("--out", *out, "Output directory")->capture_default_str();
  gen->callback([=] {
    gen::GenOptions o = *opts;
    o.today = services::japan_today();
    std::filesystem::create_directories(*out);
    std::ofstream ins(*out + "/insurers.csv"), fac(*out + "/facilities.csv"),
        reg(*out + "/registrations.csv");
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = gen::generate(o, ins, fac, reg);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!ins || !fac || !reg) throw std::runtime_error("cannot write to " + *out);
    std::cout << "wrote " << *out << "/{insurers,facilities,registrations}.csv: " << s.insurers
              << " insurers, " << s.facilities << " facilities, " << s.persons << " persons, "
              << s.registration_rows << " registration rows in " << secs << " s\n";
  });
}

}  // namespace onshi::cli
