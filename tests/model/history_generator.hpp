#pragma once
// Random registration histories for the differential test, and their rendering as CSV
// registration files (docs/registration-format.md) with random typing of every value: the
// look-alikes of docs/eligibility-rules.md table N2 for symbols, numbers and texts, every date
// form, full-width digits, explicit defaults vs empty cells, quoting, BOM, CRLF, blank lines.
// The model reads each row's values as the generator meant them (model::Row); the renderer only
// writes spellings the documents say read as those values.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/model/reference_model.hpp"

namespace onshi::model {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  int uni(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g_); }  // [lo, hi]
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(g_) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(uni(0, static_cast<int>(v.size()) - 1))];
  }
  std::uint64_t next() { return g_(); }

 private:
  std::mt19937_64 g_;
};

struct InsurerDef {
  std::string number;  // canonical
  std::string name;
  int kind = 1;  // core::InsurerKind value
  int prefecture = 13;
  bool registered = true;  // false: not in the operator's list (unknown insurer)
};

struct GenRow {
  Row row;                                                 // what the registry should read
  std::vector<std::pair<std::string, std::string>> cells;  // column -> text (before CSV quoting)
  std::string note;                                        // what the generator meant
};

struct Load {
  std::vector<GenRow> rows;
  std::uint64_t layout_seed = 0;  // column order, quoting, blank lines, BOM, line ends
};

struct GenQuery {
  Query q;  // model form
  // The request as typed at the desk.
  std::string insurer_number, symbol, number, branch, birth_date, as_of;
  std::string note;
};

struct History {
  std::vector<InsurerDef> insurers;
  std::vector<Load> loads;
  std::vector<GenQuery> queries;
};

History generate_history(std::uint64_t seed, int queries);

// The file of one load, CSV or JSON Lines, and for each row the (1-based) line it starts on.
struct RenderedLoad {
  std::string text;
  bool json_lines = false;
  std::vector<std::size_t> lines;
};
RenderedLoad render_csv(const Load& load);
RenderedLoad render_json_lines(const Load& load);
// One of the two, chosen by the load's layout seed: both formats must mean the same.
RenderedLoad render(const Load& load);

nlohmann::json request_json(const GenQuery& q);

// Typing variants (tests/model/typing_variants.cpp; exposed for the model's own tests).
// ASCII written in full width (ＡＢ１).
std::string fullwidth(std::string_view ascii);
// A spelling of `text` with the same match_key (N2), within the byte/character limits; `text`
// itself when no variant fits.
std::string typed_variant(Rng& rng, const std::string& text, std::size_t max_bytes = 60,
                          std::size_t max_chars = 20);
// A look-alike the document says is a DIFFERENT key (N3: hiragana vs katakana, ｺﾄﾞ vs ｺｰﾄﾞ,
// voiced vs not, 髙 vs 高); nullopt when the text offers none.
std::optional<std::string> different_variant(Rng& rng, const std::string& text);
// A date in one of the accepted forms (ISO, compact, slashes, dots, era letter, kanji era,
// full-width).
std::string render_date(Rng& rng, Day day);

}  // namespace onshi::model
