// `onshi demo`: a ready-to-try data directory — synthetic data loaded, demo credentials with
// known tokens, and example patients for the curl commands that `onshi serve` prints.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/store_option.hpp"
#include "core/text_normalise.hpp"
#include "gen/synthetic_data.hpp"
#include "services/app.hpp"
#include "services/japan_clock.hpp"

namespace onshi::cli {
namespace {

nlohmann::json example_of(const core::Coverage& c, core::Date as_of) {
  return {{"insurer_number", c.key.insurer_number},
          {"symbol", c.key.symbol},
          {"number", c.key.number},
          {"branch", c.key.branch},
          {"birth_date", c.birth_date.iso()},
          {"as_of", as_of.iso()}};
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto* demo = app.add_subcommand("demo", "Create a demo data directory (data + credentials)");
  auto where = std::make_shared<services::Where>();
  auto persons = std::make_shared<std::int64_t>(100000);
  add_store_options(demo, *where);
  demo->add_option("--persons", *persons, "Insured persons")->capture_default_str();
  demo->callback([=] {
    const std::string dir = where->data_dir;
    if (std::filesystem::exists(dir + "/demo.json")) {
      std::cout << "demo data already in " << dir << " (remove the directory to start over)\n";
      return;
    }
    gen::GenOptions o;
    o.persons = *persons;
    o.today = services::japan_today();
    std::ostringstream ins, fac, reg;
    gen::generate(o, ins, fac, reg);

    services::App a(*where, services::App::Mode::kServing);
    auto check = [](const auto& receipt, const char* what) {
      if (receipt.file_error || !receipt.rejected.empty())
        throw std::runtime_error(std::string("demo ") + what + " did not load cleanly");
    };
    check(a.reference_data().load_insurers(ins.str()), "insurers");
    check(a.reference_data().load_facilities(fac.str()), "facilities");
    const auto receipt =
        a.registry().load(reg.str(), ingest::RegistrationFormat::kCsv, nullptr, "onshi demo");
    check(receipt, "registrations");

    // Demo credentials: known tokens so that the printed examples work as printed.
    const auto facilities = a.store().facilities();
    const auto insurers = a.store().insurers();
    nlohmann::json creds = nlohmann::json::array();
    auto first_of = [&](core::FacilityType t) -> const core::Facility* {
      for (const auto& f : facilities)
        if (f.type == t) return &f;
      return nullptr;
    };
    for (auto [type, token] : {std::pair{core::FacilityType::kHospital, "demo-hospital-token"},
                               std::pair{core::FacilityType::kPharmacy, "demo-pharmacy-token"}}) {
      const core::Facility* f = first_of(type);
      if (!f) continue;
      a.auth().issue(store::Role::kFacility, {f->code},
                     std::string("demo-") + std::string(core::to_string(type)), token);
      creds.push_back({{"role", "facility"},
                       {"token", token},
                       {"facility_code", f->code},
                       {"facility_name", f->name},
                       {"facility_type", core::to_string(type)}});
    }
    if (!insurers.empty()) {
      a.auth().issue(store::Role::kInsurer, {insurers.front().number}, "demo-insurer",
                     "demo-insurer-token");
      creds.push_back({{"role", "insurer"},
                       {"token", "demo-insurer-token"},
                       {"insurer_number", insurers.front().number},
                       {"insurer_name", insurers.front().name}});
    }
    a.auth().issue(store::Role::kOperator, {"operator"}, "demo-operator", "demo-operator-token");
    creds.push_back({{"role", "operator"}, {"token", "demo-operator-token"}});

    // Example patients, checked against the index so that the printed answers are true.
    const core::Date today = services::japan_today();
    nlohmann::json examples = nlohmann::json::object();
    a.store().for_each_coverage([&](const core::Coverage& c) {
      if (examples.size() == 3) return;
      index::CardLookup q{c.key.insurer_number,
                          core::match_key(c.key.symbol),
                          core::match_key(c.key.number),
                          {c.key.branch, c.birth_date, today}};
      const auto v = a.index().confirm(q).resolution.validity;
      const bool rare = c.name.find("\xF0\xA0\xAE\xB7") != std::string::npos;  // 𠮷
      if (v == core::Validity::kValid && rare && !examples.contains("valid"))
        examples["valid"] = example_of(c, today);
      else if (v == core::Validity::kInvalidNewerExists && !examples.contains("lost"))
        examples["lost"] = example_of(c, today);
      if (!examples.contains("no_match") && examples.contains("valid")) {
        auto miss = examples["valid"];
        miss["number"] = miss["number"].get<std::string>() + "9";
        examples["no_match"] = miss;
      }
    });
    std::ofstream out(dir + "/demo.json");
    out << nlohmann::json{{"credentials", creds}, {"examples", examples}}.dump(2) << '\n';
    std::cout << "demo data ready in " << dir << ": " << receipt.rows_applied
              << " registrations applied, " << a.index().coverage_count() << " coverages, "
              << facilities.size() << " facilities, " << insurers.size() << " insurers\n";
  });
}

}  // namespace onshi::cli
