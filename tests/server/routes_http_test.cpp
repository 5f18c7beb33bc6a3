// The route table as a client meets it over HTTP: methods are part of the route (405 with
// Allow, never another method's answer), HEAD for every GET, the generated OpenAPI document
// and reference page, and metrics per route of the table.
#include "api/http/api_reference.hpp"
#include "api/http/router.hpp"
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class RoutesHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TestData();
    dir_ = new std::string(ServerProcess::make_data_dir(*data_));
    insurer_token_ =
        new std::string(ServerProcess::issue(*dir_, "insurer", {data_->kyokai}, "ins"));
    server_ = new ServerProcess();
    server_->start(*dir_);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete data_;
    delete insurer_token_;
  }
  static TestData* data_;
  static std::string* insurer_token_;
  static std::string* dir_;
  static ServerProcess* server_;
};
TestData* RoutesHttp::data_ = nullptr;
std::string* RoutesHttp::dir_ = nullptr;
ServerProcess* RoutesHttp::server_ = nullptr;
std::string* RoutesHttp::insurer_token_ = nullptr;

TEST_F(RoutesHttp, AnUnknownMethodIsRefusedWith405AndAllowNeverAnotherMethodsAnswer) {
  HttpClient c(server_->port());
  auto r = c.request("BREW", "/healthz");
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.allow, "GET, HEAD");
  EXPECT_EQ(r.json()["error"]["code"], "METHOD_NOT_ALLOWED");
}

TEST_F(RoutesHttp, EveryRouteRefusesEveryOtherMethod) {
  std::map<std::string, std::set<std::string>> methods_of;
  for (const auto& r : api::http::Router::routes())
    methods_of[std::string(r.spec.path)].insert(std::string(api::http::to_string(r.spec.method)));
  for (const auto& [path, allowed] : methods_of) {
    for (const std::string m : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"}) {
      if (allowed.count(m)) continue;
      HttpClient c(server_->port());
      const auto r = c.request(m, path, m == "GET" ? "" : "{}");
      EXPECT_EQ(r.status, 405) << m << " " << path << ": " << r.body;
      std::string want;
      for (const auto& a : allowed)
        want += (want.empty() ? "" : ", ") + a + (a == "GET" ? ", HEAD" : "");
      EXPECT_EQ(r.allow, want) << m << " " << path;
    }
  }
}

TEST_F(RoutesHttp, HeadAnswersTheGetHeadersWithoutTheBody) {
  HttpClient c(server_->port());
  const auto get = c.request(bhttp::verb::get, "/v1/errors");
  const auto head = c.request(bhttp::verb::head, "/v1/errors");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.content_length, std::to_string(get.body.size()));
  EXPECT_EQ(head.content_type, get.content_type);
  // The connection is still in step: the next request is answered.
  EXPECT_EQ(c.request(bhttp::verb::get, "/healthz").status, 200);
  // A POST-only path does not answer HEAD.
  EXPECT_EQ(c.request(bhttp::verb::head, "/v1/eligibility/confirm").status, 405);
}

TEST_F(RoutesHttp, UnknownPathsAre404) {
  HttpClient c(server_->port());
  for (const char* path :
       {"/nope", "/v1", "/healthz/", "/v1/eligibility/confirm/x", "/docs.html"}) {
    const auto r = c.request(bhttp::verb::get, path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.json()["error"]["code"], "NOT_FOUND") << path;
    EXPECT_TRUE(r.allow.empty()) << path;
  }
}

TEST_F(RoutesHttp, OpenApiIsServedAsGeneratedFromTheTable) {
  HttpClient c(server_->port());
  const auto r = c.request(bhttp::verb::get, "/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, api::http::openapi_document(api::http::route_specs()));
  const auto j = r.json();
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["openapi"], "3.1.0");
}

TEST_F(RoutesHttp, TheDocsPageListsEveryRoute) {
  HttpClient c(server_->port());
  const auto r = c.request(bhttp::verb::get, "/docs");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.content_type.find("text/html"), std::string::npos);
  for (const auto& route : api::http::Router::routes())
    EXPECT_NE(r.body.find("<code>" + std::string(route.spec.path) + "</code>"), std::string::npos)
        << route.spec.path;
  const auto home = c.request(bhttp::verb::get, "/");
  EXPECT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("/docs"), std::string::npos);
}

TEST_F(RoutesHttp, MetricsCountEachRouteOfTheTableUnderItsOwnLabel) {
  HttpClient c(server_->port());
  c.request(bhttp::verb::get, "/v1/errors");
  c.request(bhttp::verb::get, "/nope");
  c.request("BREW", "/docs");
  const auto m = c.request(bhttp::verb::get, "/metrics").body;
  for (const auto& route : api::http::Router::routes())
    EXPECT_NE(m.find("onshi_http_requests_total{route=\"" + std::string(route.spec.metric) +
                     "\",code=\"2xx\"}"),
              std::string::npos)
        << route.spec.metric;
  EXPECT_NE(m.find("onshi_http_requests_total{route=\"errors\",code=\"2xx\"} "), std::string::npos);
  EXPECT_EQ(m.find("onshi_http_requests_total{route=\"other\",code=\"4xx\"} 0"), std::string::npos)
      << "the 404 counts under other";
  EXPECT_EQ(m.find("onshi_http_requests_total{route=\"docs\",code=\"4xx\"} 0"), std::string::npos)
      << "the 405 counts under its path's route";
}

TEST_F(RoutesHttp, ARouteForAnotherRoleIsForbiddenBeforeItsHandlerRuns) {
  const std::string& insurer = *insurer_token_;
  HttpClient c(server_->port());
  auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", "not json",
                     {{"Authorization", "Bearer " + insurer}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = c.request(bhttp::verb::get, "/v1/stats/daily", "", {{"Authorization", "Bearer " + insurer}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = c.request(bhttp::verb::get, "/v1/stats/daily");
  EXPECT_EQ(r.status, 401) << r.body;
}

}  // namespace
}  // namespace onshi::testing
