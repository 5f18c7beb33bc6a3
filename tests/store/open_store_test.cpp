// Choosing the store from the options, and what of a URL may be shown.
#include "store/open_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "services/app.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::store {
namespace {

TEST(RedactUrl, HidesThePasswordAndNothingElse) {
  EXPECT_EQ(redact_url("postgresql://onshi:s3cr%40t@db1.example:5432/onshi"),
            "postgresql://onshi:***@db1.example:5432/onshi");
  EXPECT_EQ(redact_url("postgres://onshi@127.0.0.1:5432/onshi"),
            "postgres://onshi@127.0.0.1:5432/onshi");
  EXPECT_EQ(redact_url("postgresql://127.0.0.1/onshi?user=a&password=hunter2&sslmode=require"),
            "postgresql://127.0.0.1/onshi?user=a&password=***&sslmode=require");
  EXPECT_EQ(redact_url("postgresql://a:b@h/db?password=c"), "postgresql://a:***@h/db?password=***");
  EXPECT_EQ(redact_url("postgresql://h/db"), "postgresql://h/db");
}

TEST(OpenStore, ANonPostgresqlStoreIsRefusedWithoutItsPassword) {
  onshi::testing::TempDir dir;
  try {
    open_store(dir.path(), "mysql://root:hunter2@localhost/x");
    FAIL() << "accepted";
  } catch (const StoreError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
    EXPECT_NE(m.find("postgresql://"), std::string::npos) << m;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/onshi.db"));
}

// A wrong or unreachable --store: a clear error naming the host, no password, nothing created.
TEST(OpenStore, AnUnreachablePostgresqlStoreNamesTheHostAndCreatesNothing) {
  onshi::testing::TempDir parent;
  const std::string dir = parent.path() + "/data";
  try {
    services::App app(services::Where{dir, "postgresql://onshi:hunter2@127.0.0.1:1/onshi", {}, {}},
                      services::App::Mode::kWriter);
    FAIL() << "opened";
  } catch (const UnavailableError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("127.0.0.1:1"), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// Personal data is not world-readable: the directory 0700, the database, its WAL and the keys
// 0600 -- including files an older build left readable.
TEST(DataDirectory, IsPrivateToItsOwner) {
  onshi::testing::TempDir parent;
  const std::string dir = parent.path() + "/data";
  {
    services::App app(dir, services::App::Mode::kServing);
    app.store().upsert_insurers(std::vector<core::Insurer>{
        {"06130012", "テスト健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13}});
    for (const char* f :
         {"", "/onshi.db", "/onshi.db-wal", "/onshi.db-shm", "/person-key.secret", "/node-id"}) {
      struct stat st {};
      ASSERT_EQ(::stat((dir + f).c_str(), &st), 0) << f;
      EXPECT_EQ(st.st_mode & 077, 0u) << f << " mode " << std::oct << (st.st_mode & 0777);
    }
  }
  ::chmod((dir + "/onshi.db").c_str(), 0644);
  services::App again(dir, services::App::Mode::kWriter);
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/onshi.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

}  // namespace
}  // namespace onshi::store
