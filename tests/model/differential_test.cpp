// The differential test: random registration histories (tests/model/history_generator.*) are
// loaded as CSV files through the REAL registry (SQLite store + index + RegistryService) and
// confirmed through the REAL EligibilityService and JSON encoder; every row outcome and every
// answer is compared with the reference model (tests/model/reference_model.*), written from
// docs/eligibility-rules.md alone. A difference is shrunk (rows and loads dropped while it
// persists) and printed as CSV files + request + expected + actual answers.
//
//   ONSHI_MODEL_SEED       base seed (default 20240401; printed)
//   ONSHI_MODEL_HISTORIES  histories per run (default 1500: about 20 s RelWithDebInfo, 3 min
//   Debug+ASan; long run 200000) ONSHI_MODEL_FIRST      index of the first history (to rerun one:
//   FIRST=i HISTORIES=1) ONSHI_MODEL_QUERIES    confirmations per history (default 30)
//   ONSHI_MODEL_REPORTS    differing histories shrunk and printed (default 3)
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/confirm_json.hpp"
#include "core/error_catalogue.hpp"
#include "core/identifiers.hpp"
#include "index/eligibility_index.hpp"
#include "services/authenticator.hpp"
#include "services/change_follower.hpp"
#include "services/eligibility_service.hpp"
#include "services/journal.hpp"
#include "services/metrics.hpp"
#include "services/registry_service.hpp"
#include "store/store.hpp"
#include "tests/model/history_generator.hpp"
#include "tests/model/reference_model.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::model {
namespace {

using nlohmann::json;

std::uint64_t env_u64(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}

std::uint64_t history_seed(std::uint64_t base, std::uint64_t i) {
  std::uint64_t z = base + 0x9E3779B97F4A7C15ULL * (i + 1);  // splitmix64
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct Rejection {
  std::size_t line = 0;
  std::string code;                       // wire code
  std::vector<std::string> alternatives;  // model only: other codes the document allows
};

struct LoadResult {
  std::int64_t applied = 0, already = 0;
  std::vector<Rejection> rejected;
  std::string file_error;
};

bool matches(const LoadResult& model, const LoadResult& real) {
  if (model.applied != real.applied || model.already != real.already ||
      model.rejected.size() != real.rejected.size() || !real.file_error.empty())
    return false;
  for (std::size_t i = 0; i < model.rejected.size(); ++i) {
    const Rejection& m = model.rejected[i];
    const Rejection& r = real.rejected[i];
    if (m.line != r.line) return false;
    if (r.code != m.code &&
        std::find(m.alternatives.begin(), m.alternatives.end(), r.code) == m.alternatives.end())
      return false;
  }
  return true;
}

std::string describe(const LoadResult& r) {
  std::ostringstream o;
  o << "applied " << r.applied << ", already applied " << r.already << ", rejected [";
  for (std::size_t i = 0; i < r.rejected.size(); ++i) {
    o << (i ? ", " : "") << "line " << r.rejected[i].line << " " << r.rejected[i].code;
    for (const std::string& a : r.rejected[i].alternatives) o << " (or " << a << ")";
  }
  o << "]";
  if (!r.file_error.empty()) o << ", FILE ERROR " << r.file_error;
  return o.str();
}

struct RunResult {
  std::vector<LoadResult> loads;
  std::vector<std::vector<Outcome>> row_outcomes;  // model only
  std::vector<json> answers;
};

RunResult run_model(const History& h, const std::vector<RenderedLoad>& files) {
  std::vector<InsurerInfo> insurers;
  for (const InsurerDef& d : h.insurers)
    if (d.registered) insurers.push_back(InsurerInfo{d.number, d.name});
  Model model(insurers);
  RunResult run;
  for (std::size_t li = 0; li < h.loads.size(); ++li) {
    LoadResult r;
    std::vector<Outcome> outs;
    for (std::size_t ri = 0; ri < h.loads[li].rows.size(); ++ri) {
      const Outcome o = model.apply(h.loads[li].rows[ri].row);
      outs.push_back(o);
      if (o.kind == Outcome::Kind::kApplied) ++r.applied;
      if (o.kind == Outcome::Kind::kAlreadyApplied) ++r.already;
      if (o.kind == Outcome::Kind::kRejected)
        r.rejected.push_back(Rejection{files[li].lines[ri], o.code, o.alternatives});
    }
    run.loads.push_back(r);
    run.row_outcomes.push_back(outs);
  }
  for (const GenQuery& q : h.queries) run.answers.push_back(model.confirm(q.q));
  return run;
}

services::Principal facility_principal() {
  services::Principal p;
  p.role = store::Role::kFacility;
  p.label = "model-desk";
  p.facility = core::Facility{core::make_facility_code("131012345"), "モデル病院",
                              core::FacilityType::kHospital, 13};
  return p;
}

// A fresh store per history: on tmpfs when there is one (a commit's fsync costs nothing there,
// which makes thousands of stores per run affordable), else under /tmp.
// On tmpfs when there is one: thousands of small SQLite stores per run.
std::string store_parent() {
  std::error_code ec;
  return std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
}

RunResult run_real(const History& h, const std::vector<RenderedLoad>& files) {
  onshi::testing::TempDir dir(store_parent());
  auto store = store::open_sqlite_store(dir.path() + "/onshi.db");
  index::EligibilityIndex index;
  std::vector<core::Insurer> insurers;
  for (const InsurerDef& d : h.insurers)
    if (d.registered)
      insurers.push_back(
          core::Insurer{d.number, d.name, static_cast<core::InsurerKind>(d.kind), d.prefecture});
  store->upsert_insurers(insurers);
  services::Authenticator auth(*store);
  services::ChangeFollower follower(*store, index, auth, 0);
  follower.catch_up();
  services::RegistryService registry(*store, "model-test-person-secret",
                                     [&] { follower.catch_up(); });
  RunResult run;
  for (const RenderedLoad& f : files) {
    const services::LoadReceipt receipt = registry.load(
        f.text,
        f.json_lines ? ingest::RegistrationFormat::kJsonLines : ingest::RegistrationFormat::kCsv,
        nullptr, "test");
    LoadResult r;
    r.applied = receipt.rows_applied;
    r.already = receipt.rows_already_applied;
    for (const ingest::RowError& e : receipt.rejected)
      r.rejected.push_back(Rejection{e.line, std::string(core::error_info(e.error.code).code), {}});
    if (receipt.file_error)
      r.file_error = std::string(core::error_info(receipt.file_error->code).code) + " " +
                     receipt.file_error->detail;
    run.loads.push_back(r);
  }
  services::Journal log(*store);
  services::Metrics metrics;
  services::EligibilityService service(index, log, metrics);
  const services::Principal who = facility_principal();
  for (const GenQuery& q : h.queries) {
    services::ConfirmRequest req;
    req.insurer_number = q.insurer_number;
    req.symbol = q.symbol;
    req.number = q.number;
    req.branch = q.branch;
    req.birth_date = q.birth_date;
    req.as_of = q.as_of;
    req.self_pay_limit_consent = q.q.limit_consent;
    req.specific_disease_consent = q.q.disease_consent;
    auto out = service.resolve(who, req);
    if (!out) {
      run.answers.push_back(
          json{{"request_error", std::string(core::error_info(out.error().code).code)},
               {"detail", out.error().detail}});
      continue;
    }
    const std::string text = api::encode_confirm_outcome(*out);
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) j = json{{"unparsable_json", text}};
    run.answers.push_back(j);
  }
  return run;
}

// Differences between the model's expected answer and the real one ("" = none).
std::vector<std::string> diff_answer(const json& exp, const json& real, Day as_of) {
  std::vector<std::string> d;
  if (!real.is_object() || real.contains("request_error") || real.contains("unparsable_json")) {
    d.push_back("real answer is not a confirmation: " + real.dump());
    return d;
  }
  auto need = [&](const char* k) {
    if (!real.contains(k)) d.push_back(std::string("missing key '") + k + "'");
  };
  for (const char* k : {"confirmation_id", "reference_classification", "as_of", "validity",
                        "validity_label", "reason", "notices", "record"})
    need(k);
  if (real.value("reference_classification", json()) != json(2))
    d.push_back("reference_classification is not 2");
  if (real.value("as_of", json()) != json(iso_of(as_of)))
    d.push_back("as_of " + real.value("as_of", json()).dump() + ", expected " + iso_of(as_of));
  if (real.value("validity", json()) != exp["validity"])
    d.push_back("validity " + real.value("validity", json()).dump() + ", expected " +
                exp["validity"].dump());
  const json rr = real.value("reason", json());
  const json er = exp["reason"];
  if (er.is_null() != rr.is_null() ||
      (!er.is_null() && (!rr.is_object() || rr.value("code", json()) != er["code"])))
    d.push_back("reason " + (rr.is_object() ? rr.value("code", json()).dump() : rr.dump()) +
                ", expected " + (er.is_null() ? "null" : er["code"].dump()));
  if (rr.is_object())
    for (const char* k : {"message_ja", "message_en", "remedy_ja", "remedy_en"})
      if (!rr.contains(k)) d.push_back(std::string("reason lacks '") + k + "'");
  if (real.contains("notices")) {
    const json& rn = real["notices"];
    json codes = json::array();
    if (rn.is_array()) {
      for (const json& n : rn) {
        codes.push_back(n.value("code", json()));
        for (const char* k : {"message_ja", "message_en", "remedy_ja", "remedy_en"})
          if (!n.contains(k)) d.push_back(std::string("notice lacks '") + k + "'");
      }
    }
    json ecodes = json::array();
    for (const json& n : exp["notices"]) ecodes.push_back(n["code"]);
    if (!rn.is_array() || codes != ecodes)
      d.push_back("notices " + codes.dump() + ", expected " + ecodes.dump());
  }
  const json rec = real.value("record", json());
  const json& erec = exp["record"];
  if (erec.is_null() != rec.is_null()) {
    d.push_back(std::string("record is ") + (rec.is_null() ? "null" : "present") + ", expected " +
                (erec.is_null() ? "null" : "a record"));
  } else if (!erec.is_null()) {
    for (auto it = erec.begin(); it != erec.end(); ++it) {
      if (!rec.contains(it.key()))
        d.push_back("record lacks '" + it.key() + "' (expected " + it.value().dump() + ")");
      else if (rec[it.key()] != it.value())
        d.push_back("record." + it.key() + " " + rec[it.key()].dump() + ", expected " +
                    it.value().dump());
    }
    for (auto it = rec.begin(); it != rec.end(); ++it)
      if (!erec.contains(it.key())) d.push_back("record has unexpected key '" + it.key() + "'");
  }
  return d;
}

struct Verdict {
  bool load_differs = false;
  std::size_t load_index = 0;
  std::optional<std::size_t> query_index;
  std::vector<std::string> details;
  bool differs() const { return load_differs || query_index.has_value(); }
};

std::vector<RenderedLoad> render_all(const History& h) {
  std::vector<RenderedLoad> files;
  for (const Load& l : h.loads) files.push_back(render(l));
  return files;
}

Verdict compare(const History& h, const RunResult& exp, const RunResult& real) {
  Verdict v;
  for (std::size_t i = 0; i < exp.loads.size(); ++i) {
    if (!matches(exp.loads[i], real.loads[i])) {
      v.load_differs = true;
      v.load_index = i;
      v.details.push_back("load " + std::to_string(i + 1) + ": real " + describe(real.loads[i]) +
                          "; model " + describe(exp.loads[i]));
      return v;
    }
  }
  for (std::size_t i = 0; i < exp.answers.size(); ++i) {
    auto d = diff_answer(exp.answers[i], real.answers[i], h.queries[i].q.as_of);
    if (!d.empty()) {
      v.query_index = i;
      v.details = d;
      return v;
    }
  }
  return v;
}

Verdict check(const History& h) {
  const auto files = render_all(h);
  return compare(h, run_model(h, files), run_real(h, files));
}

// Drops rows and loads while a difference of the same kind persists.
History shrink(History h, const Verdict& first) {
  if (first.query_index) {
    h.queries = {h.queries[*first.query_index]};
  } else {
    h.queries.clear();
    h.loads.resize(first.load_index + 1);
  }
  auto still = [&](const History& c) {
    const Verdict v = check(c);
    return first.query_index ? v.query_index.has_value() : v.load_differs;
  };
  auto flat_size = [](const History& c) {
    std::size_t n = 0;
    for (const Load& l : c.loads) n += l.rows.size();
    return n;
  };
  auto without = [](const History& c, std::size_t from, std::size_t count) {
    History out = c;
    out.loads.clear();
    std::size_t k = 0;
    for (const Load& l : c.loads) {
      Load nl = l;
      nl.rows.clear();
      for (const GenRow& r : l.rows) {
        if (k < from || k >= from + count) nl.rows.push_back(r);
        ++k;
      }
      if (!nl.rows.empty()) out.loads.push_back(std::move(nl));
    }
    return out;
  };
  for (std::size_t chunk = std::max<std::size_t>(1, flat_size(h) / 2); chunk >= 1; chunk /= 2) {
    bool progress = true;
    while (progress) {
      progress = false;
      for (std::size_t from = 0; from < flat_size(h); from += chunk) {
        History c = without(h, from, chunk);
        if (still(c)) {
          h = std::move(c);
          progress = true;
          break;
        }
      }
    }
    if (chunk == 1) break;
  }
  // Merge loads into fewer files when that keeps the difference.
  for (std::size_t i = 0; i + 1 < h.loads.size();) {
    History c = h;
    for (GenRow& r : c.loads[i + 1].rows) c.loads[i].rows.push_back(r);
    c.loads.erase(c.loads.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    if (still(c))
      h = std::move(c);
    else
      ++i;
  }
  return h;
}

std::string report(const History& h, std::uint64_t seed, std::uint64_t index) {
  const auto files = render_all(h);
  const RunResult exp = run_model(h, files);
  const RunResult real = run_real(h, files);
  const Verdict v = compare(h, exp, real);
  std::ostringstream o;
  o << "==== DIFFERENCE: ONSHI_MODEL_SEED=" << seed << " ONSHI_MODEL_FIRST=" << index
    << " ONSHI_MODEL_HISTORIES=1 (minimal reproduction after shrinking) ====\n";
  o << "insurers (operator list):";
  for (const InsurerDef& d : h.insurers)
    if (d.registered) o << " " << d.number << " (" << d.name << ")";
  o << "\n";
  for (std::size_t li = 0; li < h.loads.size(); ++li) {
    o << "--- load " << li + 1 << (files[li].json_lines ? " (JSON Lines) ---\n" : " (CSV) ---\n")
      << files[li].text;
    o << "--- load " << li + 1 << " rows: model outcome / generator's intent ---\n";
    for (std::size_t ri = 0; ri < h.loads[li].rows.size(); ++ri)
      o << "  line " << files[li].lines[ri] << ": " << to_string(exp.row_outcomes[li][ri])
        << "   # " << h.loads[li].rows[ri].note << "\n";
    o << "  model: " << describe(exp.loads[li]) << "\n  real:  " << describe(real.loads[li])
      << "\n";
  }
  for (std::size_t qi = 0; qi < h.queries.size(); ++qi) {
    o << "--- request (as_of " << iso_of(h.queries[qi].q.as_of) << ") " << h.queries[qi].note
      << " ---\n"
      << request_json(h.queries[qi]).dump() << "\n";
    o << "--- model expects ---\n" << exp.answers[qi].dump() << "\n";
    o << "--- real answer ---\n" << real.answers[qi].dump() << "\n";
  }
  o << "--- differences ---\n";
  for (const std::string& s : v.details) o << "  " << s << "\n";
  return o.str();
}

TEST(Differential, RegistryAndConfirmationFollowTheRules) {
  const std::uint64_t seed = env_u64("ONSHI_MODEL_SEED", 20240401);
  const std::uint64_t n = env_u64("ONSHI_MODEL_HISTORIES", 1500);
  const std::uint64_t first = env_u64("ONSHI_MODEL_FIRST", 0);
  const int queries = static_cast<int>(env_u64("ONSHI_MODEL_QUERIES", 30));
  const std::uint64_t max_reports = env_u64("ONSHI_MODEL_REPORTS", 3);
  std::cout << "differential test: ONSHI_MODEL_SEED=" << seed << " ONSHI_MODEL_HISTORIES=" << n
            << " ONSHI_MODEL_FIRST=" << first << " ONSHI_MODEL_QUERIES=" << queries << "\n";
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t differing = 0, reported = 0;
  std::map<std::string, int> outcome_counts, validity_counts, first_diff_kinds, features;
  std::size_t rows = 0, answers = 0;
  for (std::uint64_t i = first; i < first + n; ++i) {
    const History h = generate_history(history_seed(seed, i), queries);
    const auto files = render_all(h);
    const RunResult exp = run_model(h, files);
    for (const auto& outs : exp.row_outcomes)
      for (const Outcome& o : outs) {
        ++outcome_counts[to_string(o)];
        ++rows;
      }
    for (const json& a : exp.answers) {
      const json& rec = a["record"];
      if (rec.is_object()) {
        if (!rec["elderly_recipient"].is_null()) ++features["record with elderly_recipient"];
        if (rec["applicable_copay_ratio"] != rec["copay_ratio"])
          ++features["applicable_copay_ratio != copay_ratio"];
        if (rec.contains("self_pay_limit") && !rec["self_pay_limit"].is_null())
          ++features["record with self_pay_limit"];
        if (rec.contains("specific_disease") && !rec["specific_disease"].is_null())
          ++features["record with specific_disease"];
        if (rec["relationship"] == 2) ++features["record of a dependant"];
        if (rec["my_number_linked"] == true) ++features["record my_number_linked"];
        if (!a["notices"].empty()) ++features["answer with a notice"];
      }
      ++validity_counts[std::to_string(a["validity"].get<int>()) + " " +
                        (a["reason"].is_null() ? "" : a["reason"]["code"].get<std::string>())];
      ++answers;
    }
    const Verdict v = compare(h, exp, run_real(h, files));
    if (!v.differs()) continue;
    ++differing;
    std::string kind = v.details.empty() ? "?" : v.details.front();
    if (v.load_differs) kind = "load receipt differs";
    if (kind.rfind("record.", 0) == 0 || kind.rfind("validity", 0) == 0 ||
        kind.rfind("reason", 0) == 0 || kind.rfind("notices", 0) == 0)
      kind = kind.substr(0, kind.find(' '));
    ++first_diff_kinds[kind.substr(0, 80)];
    if (reported < max_reports) {
      ++reported;
      const History small = shrink(h, v);
      std::cout << report(small, seed, i) << std::flush;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "histories " << n << ", rows " << rows << ", confirmations " << answers
            << ", differing histories " << differing << ", " << secs << " s\n";
  std::cout << "model row outcomes:\n";
  for (const auto& [k, c] : outcome_counts) std::cout << "  " << c << "  " << k << "\n";
  std::cout << "model answers (validity reason):\n";
  for (const auto& [k, c] : validity_counts) std::cout << "  " << c << "  " << k << "\n";
  std::cout << "model answers with:\n";
  for (const auto& [k, c] : features) std::cout << "  " << c << "  " << k << "\n";
  if (differing) {
    std::cout << "first difference per differing history, by kind:\n";
    for (const auto& [k, c] : first_diff_kinds) std::cout << "  " << c << "  " << k << "\n";
  }
  EXPECT_EQ(differing, 0u) << "see the minimal reproductions above (seed " << seed << ")";
}

}  // namespace
}  // namespace onshi::model
