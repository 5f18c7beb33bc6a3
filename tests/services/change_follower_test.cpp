// A node that fell far behind the change log rebuilds its index from the store instead of
// re-reading load after load, says so, and answers exactly as one built afresh would.
#include "services/change_follower.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/text_normalise.hpp"
#include "gen/synthetic_data.hpp"
#include "services/app.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

struct Files {
  std::string insurers, facilities, header;
  std::vector<std::string> rows;
};

Files generate(std::int64_t persons) {
  gen::GenOptions options;
  options.persons = persons;
  options.today = core::Date::from_ymd(2026, 12, 1);
  std::ostringstream ins, fac, reg;
  gen::generate(options, ins, fac, reg);
  Files f{ins.str(), fac.str(), {}, {}};
  std::istringstream lines(reg.str());
  std::getline(lines, f.header);
  for (std::string line; std::getline(lines, line);) f.rows.push_back(line);
  return f;
}

std::string csv(const Files& f, std::size_t from, std::size_t to) {
  std::string out = f.header + "\n";
  for (std::size_t i = from; i < to && i < f.rows.size(); ++i) out += f.rows[i] + "\n";
  return out;
}

// What a node answers for every card key in the store, to compare two indexes.
std::vector<std::string> answers(const index::EligibilityIndex& index, store::Store& store) {
  std::vector<std::string> out;
  store.for_each_coverage([&](const core::Coverage& c) {
    const auto under = index.coverages_under(c.key.insurer_number, core::match_key(c.key.symbol),
                                             core::match_key(c.key.number));
    std::string line = c.key.insurer_number + "|" + std::to_string(under.size());
    for (const auto& u : under) line += "|" + std::to_string(u.id) + ":" + u.name + u.address;
    out.push_back(line);
  });
  return out;
}

class Node {
 public:
  Node(const std::string& dir, RebuildPolicy policy)
      : store_(store::open_sqlite_store(dir + "/onshi.db")), auth_(*store_) {
    follower_ = std::make_unique<ChangeFollower>(
        *store_, index_, auth_, store_->last_change_seq(),
        [this] {
          const auto seq = store_->last_change_seq();
          index::EligibilityIndex fresh;
          App::fill_index(fresh, *store_);
          index_.swap(fresh);
          auth_.reload();
          return seq;
        },
        policy);
  }
  store::Store& store() { return *store_; }
  index::EligibilityIndex& index() { return index_; }
  ChangeFollower& follower() { return *follower_; }

 private:
  std::unique_ptr<store::Store> store_;
  index::EligibilityIndex index_;
  Authenticator auth_;
  std::unique_ptr<ChangeFollower> follower_;
};

TEST(ChangeFollower, FarBehindItRebuildsAndAnswersAsAFreshIndex) {
  onshi::testing::TempDir dir;
  const Files f = generate(3000);
  ASSERT_GT(f.rows.size(), 3000u);
  App writer(dir.path(), App::Mode::kWriter);
  writer.reference_data().load_insurers(f.insurers);
  writer.reference_data().load_facilities(f.facilities);

  Node node(dir.path(), RebuildPolicy{/*min_rows=*/500, /*index_fraction=*/0.5});
  node.follower().catch_up();
  auto load = [&](std::size_t from, std::size_t to) {
    const auto receipt = writer.registry().load(csv(f, from, to), ingest::RegistrationFormat::kAuto,
                                                nullptr, "part.csv");
    ASSERT_FALSE(receipt.file_error.has_value());
    ASSERT_GT(receipt.rows_applied, 0);
  };

  // A few rows behind: caught up entry by entry.
  load(0, 100);
  node.follower().catch_up();
  EXPECT_EQ(node.follower().rebuilds(), 0);
  EXPECT_GT(node.index().coverage_count(), 0u);

  // Many loads behind, more rows than the policy allows: rebuilt once, then current.
  for (std::size_t at = 100; at < f.rows.size(); at += 250)
    load(at, std::min(at + 250, f.rows.size()));
  const auto last = node.store().last_change_seq();
  node.follower().catch_up();
  EXPECT_EQ(node.follower().rebuilds(), 1);
  EXPECT_EQ(node.follower().applied_seq(), last);

  index::EligibilityIndex fresh;
  App::fill_index(fresh, node.store());
  EXPECT_EQ(node.index().coverage_count(), fresh.coverage_count());
  EXPECT_EQ(answers(node.index(), node.store()), answers(fresh, node.store()));

  // And a small change after it is applied as usual.
  writer.reference_data().load_insurers(f.insurers);
  EXPECT_EQ(node.follower().catch_up(), 1u);
  EXPECT_EQ(node.follower().rebuilds(), 1);
}

// The bar scales with the index: the same pending rows that would rebuild a small index are
// caught up in a large one.
TEST(ChangeFollower, PendingRowsAreWeighedAgainstTheIndexSize) {
  onshi::testing::TempDir dir;
  const Files f = generate(2000);
  App writer(dir.path(), App::Mode::kWriter);
  writer.reference_data().load_insurers(f.insurers);
  const std::size_t half = f.rows.size() / 2;
  writer.registry().load(csv(f, 0, half), ingest::RegistrationFormat::kAuto, nullptr, "a.csv");

  Node node(dir.path(), RebuildPolicy{/*min_rows=*/10, /*index_fraction=*/4.0});
  App::fill_index(node.index(), node.store());
  writer.registry().load(csv(f, half, f.rows.size()), ingest::RegistrationFormat::kAuto, nullptr,
                         "b.csv");
  EXPECT_EQ(node.follower().catch_up(), 1u);  // rows < 4 × the index: caught up
  EXPECT_EQ(node.follower().rebuilds(), 0);
}

}  // namespace
}  // namespace onshi::services
