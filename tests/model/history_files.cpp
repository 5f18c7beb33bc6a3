// The files of a history: each load as CSV or JSON Lines (both must mean the same), and the
// confirmation request of a query.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/registration.hpp"
#include "tests/model/history_generator.hpp"

namespace onshi::model {
namespace {

// The file format's columns (the format, not the rules: taken from the one list in core).
const std::vector<std::string> kColumns = [] {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < core::kRegistrationFieldCount; ++i)
    out.emplace_back(core::field_name(static_cast<core::RegistrationField>(i)));
  return out;
}();

}  // namespace

RenderedLoad render_csv(const Load& load) {
  Rng rng(load.layout_seed);
  std::set<std::string> used = {"event", "insurer_number", "number"};
  for (const GenRow& r : load.rows)
    for (const auto& [col, v] : r.cells) used.insert(col);
  if (rng.chance(0.5)) used.insert("branch");
  if (rng.chance(0.15)) used.insert(rng.pick(kColumns));
  std::vector<std::string> cols;
  for (const std::string& c : kColumns)
    if (used.count(c)) cols.push_back(c);
  if (rng.chance(0.7))
    for (std::size_t i = cols.size(); i > 1; --i)
      std::swap(cols[i - 1], cols[static_cast<std::size_t>(rng.uni(0, static_cast<int>(i) - 1))]);
  const std::string eol = rng.chance(0.3) ? "\r\n" : "\n";
  RenderedLoad out;
  std::size_t line = 1;
  if (rng.chance(0.1)) out.text += "\xEF\xBB\xBF";
  if (rng.chance(0.05)) {
    out.text += eol;
    ++line;
  }
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) out.text += ',';
    out.text += rng.chance(0.05) ? " " + cols[i] + " " : cols[i];
  }
  out.text += eol;
  for (const GenRow& r : load.rows) {
    ++line;
    if (rng.chance(0.04)) {
      out.text += eol;
      ++line;
    }
    out.lines.push_back(line);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) out.text += ',';
      std::string v;
      for (const auto& [col, val] : r.cells)
        if (col == cols[i]) v = val;
      if (v.find_first_of(",\"\r\n") != std::string::npos || (!v.empty() && rng.chance(0.08))) {
        std::string q = "\"";
        for (char ch : v) {
          if (ch == '"') q += '"';
          q += ch;
        }
        out.text += q + "\"";
      } else if (!v.empty() && rng.chance(0.05)) {
        out.text += " " + v + "\t";
      } else {
        out.text += v;
      }
    }
    out.text += eol;
  }
  return out;
}

RenderedLoad render_json_lines(const Load& load) {
  Rng rng(load.layout_seed ^ 0x9e3779b97f4a7c15ULL);
  const std::string eol = rng.chance(0.3) ? "\r\n" : "\n";
  RenderedLoad out;
  out.json_lines = true;
  std::size_t line = 0;
  for (const GenRow& r : load.rows) {
    ++line;
    if (rng.chance(0.04)) {
      out.text += eol;  // blank lines are skipped
      ++line;
    }
    out.lines.push_back(line);
    std::vector<std::pair<std::string, std::string>> cells = r.cells;
    for (std::size_t k = cells.size(); k > 1; --k)
      std::swap(cells[k - 1], cells[static_cast<std::size_t>(rng.uni(0, static_cast<int>(k) - 1))]);
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [col, val] : cells) {
      if (val.empty()) {
        // Absent three ways: left out, null, or the empty string.
        if (rng.chance(0.3))
          j[col] = nullptr;
        else if (rng.chance(0.3))
          j[col] = "";
        continue;
      }
      // A one-digit code may come as a JSON integer (leading zeros would be lost otherwise).
      const bool small_code = (col == "sex" || col == "relationship" || col == "copay_ratio") &&
                              val.size() == 1 && val[0] >= '1' && val[0] <= '9';
      if (small_code && rng.chance(0.3))
        j[col] = val[0] - '0';
      else
        j[col] = val;
    }
    if (rng.chance(0.1)) {  // another column, absent
      const std::string& other = rng.pick(kColumns);
      if (!j.contains(other)) j[other] = nullptr;
    }
    out.text += j.dump() + eol;
  }
  return out;
}

RenderedLoad render(const Load& load) {
  return load.layout_seed % 3 == 0 ? render_json_lines(load) : render_csv(load);
}

nlohmann::json request_json(const GenQuery& q) {
  nlohmann::json j;
  j["insurer_number"] = q.insurer_number;
  j["symbol"] = q.symbol;
  j["number"] = q.number;
  if (!q.branch.empty()) j["branch"] = q.branch;
  j["birth_date"] = q.birth_date;
  j["as_of"] = q.as_of;
  j["self_pay_limit_consent"] = q.q.limit_consent;
  j["specific_disease_consent"] = q.q.disease_consent;
  return j;
}

}  // namespace onshi::model
