#include "api/http/route.hpp"

namespace onshi::api::http {

std::string_view to_string(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kPatch:
      return "PATCH";
  }
  return "GET";
}

std::optional<Method> method_named(std::string_view name) {
  for (Method m : {Method::kGet, Method::kPost, Method::kPut, Method::kDelete, Method::kPatch})
    if (to_string(m) == name) return m;
  return std::nullopt;
}

std::string_view to_string(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kFacility:
      return "facility";
    case Access::kInsurer:
      return "insurer";
    case Access::kOperator:
      return "operator";
  }
  return "public";
}

std::string_view PathParams::get(std::string_view name) const {
  for (std::size_t i = 0; i < count; ++i)
    if (names[i] == name) return values[i];
  return {};
}

bool path_matches(std::string_view pattern, std::string_view path, PathParams& params) {
  params.count = 0;
  for (;;) {
    const auto brace = pattern.find('{');
    if (brace == std::string_view::npos) return pattern == path;
    // The literal part before the parameter must match exactly.
    if (path.substr(0, brace) != pattern.substr(0, brace)) return false;
    const auto close = pattern.find('}', brace);
    if (close == std::string_view::npos || params.count == PathParams::kMax) return false;
    path.remove_prefix(brace);
    // A parameter is one non-empty segment: up to the next '/'.
    const auto end = path.find('/');
    const std::string_view value = path.substr(0, end);
    if (value.empty()) return false;
    params.names[params.count] = pattern.substr(brace + 1, close - brace - 1);
    params.values[params.count] = value;
    ++params.count;
    pattern.remove_prefix(close + 1);
    path.remove_prefix(value.size());
  }
}

}  // namespace onshi::api::http
