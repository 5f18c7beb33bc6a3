// The route table's own invariants (one declaration per endpoint, documented) and the pieces
// the dispatch is built from: path patterns, method names, body limits per route.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "api/http/api_reference.hpp"
#include "api/http/router.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::api::http {
namespace {

TEST(RouteTable, EachMethodAndPathIsDeclaredOnceAndEachMetricLabelIsItsOwn) {
  std::set<std::string> endpoints, labels;
  for (const auto& r : Router::routes()) {
    EXPECT_TRUE(
        endpoints.insert(std::string(to_string(r.spec.method)) + " " + std::string(r.spec.path))
            .second)
        << r.spec.path;
    EXPECT_TRUE(labels.insert(std::string(r.spec.metric)).second) << r.spec.metric;
    EXPECT_NE(r.spec.metric, "other") << "reserved for requests no route takes";
    EXPECT_NE(r.handler, nullptr) << r.spec.path;
  }
  EXPECT_GE(endpoints.size(), 9u);
}

TEST(RouteTable, EveryRouteIsDocumented) {
  for (const auto& r : Router::routes()) {
    const RouteDoc* d = r.spec.doc;
    ASSERT_NE(d, nullptr) << r.spec.path;
    EXPECT_FALSE(d->summary.empty()) << r.spec.path;
    EXPECT_FALSE(d->answer.media_type.empty()) << r.spec.path;
    if (r.spec.method == Method::kPost) {
      EXPECT_FALSE(d->request.empty()) << r.spec.path;
    }
    // Every field has a type and a meaning, all the way down.
    std::function<void(std::span<const Field>)> check = [&](std::span<const Field> fields) {
      for (const Field& f : fields) {
        EXPECT_FALSE(f.name.empty()) << r.spec.path;
        EXPECT_TRUE(std::set<std::string_view>(
                        {"string", "integer", "number", "boolean", "object", "array"})
                        .count(f.type))
            << r.spec.path << " " << f.name << ": " << f.type;
        EXPECT_FALSE(f.description.empty()) << r.spec.path << " " << f.name;
        if (f.type == "array") {
          EXPECT_TRUE(!f.fields.empty() || !f.items.empty()) << f.name;
        }
        check(f.fields);
      }
    };
    check(d->answer.fields);
    for (const Body& b : d->request) check(b.fields);
  }
}

TEST(RouteTable, RoutesWithACredentialAnswerUnauthenticatedAndForbidden) {
  for (const auto& r : Router::routes()) {
    const auto errors = route_errors(r.spec);
    const bool has_401 =
        std::find(errors.begin(), errors.end(), core::ErrorCode::kUnauthenticated) != errors.end();
    EXPECT_EQ(has_401, r.spec.access != Access::kPublic) << r.spec.path;
  }
}

TEST(RouteTable, BodyLimitsComeFromTheRoute) {
  const auto limit = [](std::string_view method, std::string_view target) {
    return match_route(method, target).body_limit;
  };
  EXPECT_EQ(limit("POST", "/v1/registrations"), kFileBody);
  EXPECT_EQ(limit("POST", "/v1/registrations?x=1"), kFileBody);
  EXPECT_EQ(limit("POST", "/v1/eligibility/confirm"), kSmallBody);
  // Another method on the same path, or a path no route has, gets the small limit.
  EXPECT_EQ(limit("PUT", "/v1/registrations"), kSmallBody);
  EXPECT_EQ(limit("POST", "/v1/reference/insurers"), kSmallBody);
  EXPECT_TRUE(match_route("POST", "/v1/registrations").body_to_file);
  EXPECT_FALSE(match_route("PUT", "/v1/registrations").body_to_file);
  EXPECT_FALSE(match_route("POST", "/v1/eligibility/confirm").body_to_file);
}

TEST(RouteTable, TheTransportsMatchIsTheRoutersRoute) {
  // The index match_route gives is the route the router dispatches to (it does not search
  // again); no route, no index.
  const auto routes = Router::routes();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    std::string path(routes[i].spec.path);
    for (std::size_t at; (at = path.find('{')) != std::string::npos;)
      path.replace(at, path.find('}', at) - at + 1, "x1");
    EXPECT_EQ(match_route(to_string(routes[i].spec.method), path).route, i) << path;
  }
  EXPECT_EQ(match_route("BREW", "/healthz").route, RouteMatch::kNone);
  EXPECT_EQ(match_route("GET", "/nowhere").route, RouteMatch::kNone);
}

TEST(PathPattern, LiteralPathsMatchExactly) {
  PathParams p;
  EXPECT_TRUE(path_matches("/healthz", "/healthz", p));
  EXPECT_FALSE(path_matches("/healthz", "/healthz/", p));
  EXPECT_FALSE(path_matches("/healthz", "/health", p));
  EXPECT_FALSE(path_matches("/", "", p));
  EXPECT_TRUE(path_matches("/", "/", p));
}

TEST(PathPattern, ParametersTakeOneNonEmptySegment) {
  PathParams p;
  ASSERT_TRUE(path_matches("/v1/batches/{reception}/rows/{row}", "/v1/batches/R-1/rows/7", p));
  EXPECT_EQ(p.count, 2u);
  EXPECT_EQ(p.get("reception"), "R-1");
  EXPECT_EQ(p.get("row"), "7");
  EXPECT_EQ(p.get("nope"), "");
  EXPECT_FALSE(path_matches("/v1/batches/{reception}", "/v1/batches/", p));
  EXPECT_FALSE(path_matches("/v1/batches/{reception}", "/v1/batches/a/b", p));
  EXPECT_TRUE(path_matches("/v1/batches/{reception}/result", "/v1/batches/a/result", p));
  EXPECT_FALSE(path_matches("/v1/batches/{reception}/result", "/v1/batches/a/other", p));
}

TEST(Methods, NamesAreExactAndCaseSensitive) {
  EXPECT_EQ(method_named("GET"), Method::kGet);
  EXPECT_EQ(method_named("POST"), Method::kPost);
  EXPECT_EQ(method_named("get"), std::nullopt);
  EXPECT_EQ(method_named("BREW"), std::nullopt);
  for (Method m : {Method::kGet, Method::kPost, Method::kPut, Method::kDelete, Method::kPatch})
    EXPECT_EQ(method_named(to_string(m)), m);
}

TEST(ApiReference, OpenApiNamesEveryRouteAndItsErrorCodes) {
  const auto specs = route_specs();
  const auto doc = nlohmann::json::parse(openapi_document(specs));
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const auto& r : specs) {
    std::string m(to_string(r.method));
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(doc["paths"].contains(std::string(r.path))) << r.path;
    const auto& op = doc["paths"][std::string(r.path)][m];
    ASSERT_TRUE(op.is_object()) << r.path;
    for (core::ErrorCode c : route_errors(r)) {
      const auto& info = core::error_info(c);
      const std::string status = std::to_string(info.http_status);
      ASSERT_TRUE(op["responses"].contains(status)) << r.path << " " << status;
      EXPECT_NE(op["responses"][status]["description"].get<std::string>().find(info.code),
                std::string::npos)
          << r.path << " " << info.code;
    }
  }
  // The confirm request refuses unknown fields, as the decoder does.
  const auto& schema = doc["paths"]["/v1/eligibility/confirm"]["post"]["requestBody"]["content"]
                          ["application/json"]["schema"];
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_EQ(schema["required"], nlohmann::json::array({"insurer_number", "number", "birth_date"}));
}

}  // namespace
}  // namespace onshi::api::http
