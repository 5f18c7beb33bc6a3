// Insurers registering over HTTP (POST /v1/registrations) against a running `onshi serve`.
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class RegistrationsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ServerProcess::make_data_dir(data_);
    insurer_token_ = ServerProcess::issue(dir_, "insurer", {data_.kyokai}, "kyokai-ops");
    facility_token_ = ServerProcess::issue(dir_, "facility", {data_.pharmacy}, "pharmacy-desk");
    server_.start(dir_);
  }
  void TearDown() override {
    server_.stop();
    std::filesystem::remove_all(dir_);
  }
  HttpResult post(const std::string& body, const std::string& content_type,
                  const std::string& token) {
    HttpClient c(server_.port());
    return c.request(bhttp::verb::post, "/v1/registrations", body,
                     {{"Authorization", "Bearer " + token}, {"Content-Type", content_type}});
  }
  int validity(const std::string& number, const std::string& birth) {
    HttpClient c(server_.port());
    nlohmann::json body = {{"insurer_number", data_.kyokai},
                           {"symbol", "77"},
                           {"number", number},
                           {"birth_date", birth},
                           {"as_of", "2026-11-22"}};
    auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(),
                       {{"Authorization", "Bearer " + facility_token_}});
    return r.json()["validity"].get<int>();
  }

  TestData data_;
  std::string dir_, insurer_token_, facility_token_;
  ServerProcess server_;
};

std::string csv_file(const std::string& insurer) {
  return "event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
         "acquired_on,copay_ratio\n"
         "acquire," +
         insurer +
         ",77,9001,00,1,﨑山　守,サキヤマ　マモル,1,1980-01-01,2024-04-01,3\n"
         "acquire," +
         insurer +
         ",77,9002,00,1,邊見　茂,ヘンミ　シゲル,9,1980-01-01,2024-04-01,3\n"
         "acquire," +
         insurer +
         ",77,9003,00,1,石川　亮,イシカワ　リョウ,1,S55.02.03,2024-04-01,3\n"
         "lose," +
         insurer +
         ",77,9999,00,,,,,,,\n"
         "acquire," +
         insurer + ",77,9004,00,1,森　葵,モリ　アオイ,2,1980-13-01,2024-04-01,3\n";
}

TEST_F(RegistrationsApi, CsvRowsWithErrorsAreRejectedOneByOneTheRestCommitted) {
  auto r = post(csv_file(data_.kyokai), "text/csv", insurer_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["rows_total"], 5);
  EXPECT_EQ(j["rows_applied"], 2);
  EXPECT_EQ(j["rows_rejected"], 3);
  ASSERT_EQ(j["rejected"].size(), 3u);
  EXPECT_EQ(j["rejected"][0]["line"], 3);
  EXPECT_EQ(j["rejected"][0]["code"], "ROW_SEX_INVALID");
  EXPECT_EQ(j["rejected"][1]["line"], 5);
  EXPECT_EQ(j["rejected"][1]["code"], "ROW_FIELD_MISSING");  // lose without lost_on
  EXPECT_EQ(j["rejected"][2]["line"], 6);
  EXPECT_EQ(j["rejected"][2]["code"], "DATE_OUT_OF_RANGE");
  for (const auto& row : j["rejected"]) {
    EXPECT_FALSE(row["message_ja"].get<std::string>().empty());
    EXPECT_FALSE(row["remedy_en"].get<std::string>().empty());
  }
  // The committed rows answer at once: the index is updated on commit.
  EXPECT_EQ(validity("9001", "1980-01-01"), 1);
  EXPECT_EQ(validity("9003", "1980-02-03"), 1);
  EXPECT_EQ(validity("9002", "1980-01-01"), 4);
}

TEST_F(RegistrationsApi, LoadingTheSameFileTwiceChangesNothing) {
  const std::string file = csv_file(data_.kyokai);
  auto first = post(file, "text/csv", insurer_token_).json();
  auto second = post(file, "text/csv", insurer_token_).json();
  EXPECT_EQ(first["rows_applied"], 2);
  EXPECT_EQ(second["rows_applied"], 0);
  EXPECT_EQ(second["rows_already_applied"], 2);
  EXPECT_EQ(second["load_id"], 0);  // nothing written
  HttpClient c(server_.port());
  EXPECT_EQ(c.request(bhttp::verb::get, "/healthz").json()["coverages"], 7 + 2);
}

TEST_F(RegistrationsApi, JsonLinesAcquireThenLoseInOneFile) {
  const std::string k = data_.kyokai;
  const std::string file =
      "{\"event\":\"acquire\",\"insurer_number\":\"" + k +
      "\",\"symbol\":\"77\",\"number\":\"9100\",\"relationship\":1,\"name\":\"𠮷野　光\","
      "\"sex\":2,\"birth_date\":\"1990-09-09\",\"acquired_on\":\"2025-04-01\","
      "\"copay_ratio\":3}\n"
      "{\"event\":\"lose\",\"insurer_number\":\"" +
      k +
      "\",\"symbol\":\"77\",\"number\":\"9100\",\"lost_on\":\"2026-10-01\",\"loss_reason\":\"99\"}"
      "\n";
  auto j = post(file, "application/x-ndjson", insurer_token_).json();
  EXPECT_EQ(j["rows_applied"], 2) << j.dump();
  EXPECT_EQ(validity("9100", "1990-09-09"), 2);
}

TEST_F(RegistrationsApi, AnInsurerRegistersOnlyUnderItsOwnNumbers) {
  auto j = post(csv_file(data_.other), "text/csv", insurer_token_).json();
  EXPECT_EQ(j["rows_applied"], 0);
  ASSERT_FALSE(j["rejected"].empty());
  EXPECT_EQ(j["rejected"][0]["code"], "ROW_INSURER_NOT_ALLOWED");
}

TEST_F(RegistrationsApi, OnlyInsurersMayRegister) {
  EXPECT_EQ(post(csv_file(data_.kyokai), "text/csv", facility_token_).status, 403);
  EXPECT_EQ(post(csv_file(data_.kyokai), "text/csv", "nobody").status, 401);
  EXPECT_EQ(post(csv_file(data_.kyokai), "image/png", insurer_token_).status, 415);
}

TEST_F(RegistrationsApi, BadHeaderRefusesTheWholeFile) {
  auto r = post("event,insurer_number,number,shoe_size\n", "text/csv", insurer_token_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"]["code"], "FILE_HEADER_INVALID");
}

// The body of POST /v1/registrations is streamed to a file in the node's data directory, not
// held in memory; the file is gone once the answer is sent, whatever the answer.
std::vector<std::string> uploads_left(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir + "/uploads")) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/uploads"))
    out.push_back(e.path().filename().string());
  return out;
}

TEST_F(RegistrationsApi, ALargeFileIsStreamedToDiskAndRemovedOnceAnswered) {
  std::string file =
      "event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
      "acquired_on,copay_ratio\n";
  for (int i = 0; i < 5000; ++i)
    file += "acquire," + data_.kyokai + ",77," + std::to_string(20000 + i) +
            ",00,1,山田　花子,ヤマダ　ハナコ,2,1985-06-0" + std::to_string(1 + i % 9) +
            ",2024-04-01,3\n";
  ASSERT_GT(file.size(), std::size_t{64} << 10);  // past the in-memory body limit
  auto r = post(file, "text/csv", insurer_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["rows_applied"], 5000);
  EXPECT_EQ(validity("24999", "1985-06-05"), 1);  // i = 4999: day 1 + 4999 % 9
  EXPECT_EQ(uploads_left(dir_), std::vector<std::string>{});
  // Refused requests leave nothing either.
  EXPECT_EQ(post(file, "text/csv", facility_token_).status, 403);
  EXPECT_EQ(uploads_left(dir_), std::vector<std::string>{});
}

TEST_F(RegistrationsApi, AChunkedUploadIsReadWhole) {
  const std::string file = csv_file(data_.kyokai);
  HttpClient c(server_.port());
  std::string raw = "POST /v1/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    insurer_token_ +
                    "\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < file.size(); at += 100) {
    const std::string part = file.substr(at, 100);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    raw += size + part + "\r\n";
  }
  raw += "0\r\n\r\n";
  asio::write(c.stream().socket(), asio::buffer(raw));
  const auto r = c.read();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["rows_applied"], 2);
  EXPECT_EQ(uploads_left(dir_), std::vector<std::string>{});
}

TEST_F(RegistrationsApi, ABodyOverTheLimitIsRefusedBeforeItIsReadAndLeavesNothing) {
  HttpClient c(server_.port());
  const std::string raw =
      "POST /v1/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
      insurer_token_ + "\r\nContent-Type: text/csv\r\nContent-Length: " +
      std::to_string((std::size_t{256} << 20) + 1) + "\r\n\r\nevent,insurer_number\n";
  asio::write(c.stream().socket(), asio::buffer(raw));
  const auto r = c.read();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["error"]["code"], "REQUEST_TOO_LARGE");
  EXPECT_EQ(uploads_left(dir_), std::vector<std::string>{});
}

}  // namespace
}  // namespace onshi::testing
