// One table of confirmation cases (confirm_cases.hpp) run through the eligibility service in
// this process and through JSON over HTTP against a running `onshi serve` on the same data:
// the views must agree with each other and with the table, and every JSON answer must have
// exactly the shape the route table documents (api/http/route_docs.cpp). XML and FHIR adapters
// plug into the same table when they land.
#include <condition_variable>
#include <mutex>
#include <optional>

#include "api/http/route_docs.hpp"
#include "services/app.hpp"
#include "tests/server/confirm_cases.hpp"

namespace onshi::testing {
namespace {

// Checks `v` against a documented field list; returns what differs ("" when it conforms).
std::string shape_problems(const nlohmann::json& v, std::span<const api::http::Field> fields,
                           const std::string& at) {
  std::string out;
  if (!v.is_object()) return at + ": not an object\n";
  std::set<std::string> declared;
  for (const auto& f : fields) {
    declared.insert(std::string(f.name));
    const std::string path = at + "." + std::string(f.name);
    if (!v.contains(f.name)) {
      if (f.required) out += path + ": missing\n";
      continue;
    }
    const auto& x = v[std::string(f.name)];
    if (x.is_null()) {
      if (!f.nullable) out += path + ": null but not nullable\n";
      continue;
    }
    const bool type_ok =
        (f.type == "string" && x.is_string()) || (f.type == "integer" && x.is_number_integer()) ||
        (f.type == "number" && x.is_number()) || (f.type == "boolean" && x.is_boolean()) ||
        (f.type == "object" && x.is_object()) || (f.type == "array" && x.is_array());
    if (!type_ok) out += path + ": not " + std::string(f.type) + "\n";
    if (f.type == "object" && x.is_object()) out += shape_problems(x, f.fields, path);
    if (f.type == "array" && x.is_array() && !f.fields.empty())
      for (const auto& item : x) out += shape_problems(item, f.fields, path + "[]");
  }
  for (auto it = v.begin(); it != v.end(); ++it)
    if (!declared.count(it.key())) out += at + "." + it.key() + ": not documented\n";
  return out;
}

class AdaptersAgree : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TestData();
    dir_ = new std::string(ServerProcess::make_data_dir(*data_));
    token_ = new std::string(ServerProcess::issue(*dir_, "facility", {data_->hospital}, "desk"));
    server_ = new ServerProcess();
    server_->start(*dir_);
    // The same data, the same "now", another node id: the service in this process.
    services::Where where{*dir_, test_store_url(*dir_), {}, "in-process"};
    app_ = new services::App(where, services::App::Mode::kServing,
                             services::fixed_clock(*services::parse_instant_ms(kTestNow)));
  }
  static void TearDownTestSuite() {
    delete app_;
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete data_;
    delete token_;
  }

  // Through the service: confirm() with an encoder that reads the outcome's fields.
  static std::string through_service(const nlohmann::json& request) {
    const auto who = app_->auth().authenticate("Bearer " + *token_);
    if (!who) return "no principal\n";
    std::mutex m;
    std::condition_variable cv;
    std::optional<std::string> got;
    app_->eligibility().confirm(
        *who, service_request(request), &view_of_outcome, [&](core::Result<std::string> r) {
          std::lock_guard lock(m);
          got =
              r ? r.value() : "error=" + std::string(core::error_info(r.error().code).code) + "\n";
          cv.notify_all();
        });
    std::unique_lock lock(m);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return got.has_value(); });
    return got.value_or("no answer within 10 s\n");
  }

  static std::string through_http(const nlohmann::json& request, std::string& shape) {
    HttpClient c(server_->port());
    const auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", request.dump(),
                             {{"Authorization", "Bearer " + *token_}});
    const auto j = r.json();
    if (j.is_discarded()) return "unparsable: " + r.body;
    if (r.status == 200) shape = shape_problems(j, api::http::docs::kConfirm.answer.fields, "$");
    return view_of_json(r.status, j);
  }

  static TestData* data_;
  static std::string* dir_;
  static std::string* token_;
  static ServerProcess* server_;
  static services::App* app_;
};
TestData* AdaptersAgree::data_ = nullptr;
std::string* AdaptersAgree::dir_ = nullptr;
std::string* AdaptersAgree::token_ = nullptr;
ServerProcess* AdaptersAgree::server_ = nullptr;
services::App* AdaptersAgree::app_ = nullptr;

TEST_F(AdaptersAgree, EveryCaseGetsTheSameAnswerThroughTheServiceAndThroughJson) {
  const auto cases = confirm_cases(*data_);
  ASSERT_GE(cases.size(), 15u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string service = through_service(c.request);
    std::string shape;
    const std::string json = through_http(c.request, shape);
    EXPECT_EQ(service, json);
    EXPECT_EQ(shape, "") << "the JSON answer differs from its documentation";
    for (const auto& line : c.expect)
      EXPECT_NE(service.find(line + "\n"), std::string::npos) << line << " in\n" << service;
    EXPECT_EQ(service.find("leak."), std::string::npos) << service;
  }
}

TEST_F(AdaptersAgree, TheServiceRecordsEveryConfirmationItAnswers) {
  const auto before = app_->journal().committed();
  const auto cases = confirm_cases(*data_);
  std::size_t answered = 0;
  for (const auto& c : cases)
    if (through_service(c.request).rfind("error=", 0) != 0) ++answered;
  app_->journal().flush();
  EXPECT_EQ(app_->journal().committed() - before, answered);
}

}  // namespace
}  // namespace onshi::testing
