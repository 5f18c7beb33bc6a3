#include "api/http/api_reference.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error_catalogue.hpp"

namespace onshi::api::http {
namespace {

using core::ErrorCode;
using ojson = nlohmann::ordered_json;

constexpr std::string_view kVersion = "0.1.0";

// ---- OpenAPI

ojson schema_of(const Field& f, bool closed);

ojson object_schema(std::span<const Field> fields, bool closed) {
  ojson s = {{"type", "object"}};
  ojson props = ojson::object();
  ojson required = ojson::array();
  for (const Field& f : fields) {
    props[std::string(f.name)] = schema_of(f, closed);
    if (f.required) required.push_back(std::string(f.name));
  }
  s["properties"] = std::move(props);
  if (!required.empty()) s["required"] = std::move(required);
  // Requests: unknown fields are refused. Answers: a client may rely on the list being whole.
  if (closed) s["additionalProperties"] = false;
  return s;
}

ojson schema_of(const Field& f, bool closed) {
  ojson s;
  if (f.type == "object") {
    s = object_schema(f.fields, closed);
  } else if (f.type == "array") {
    s = {{"type", "array"}};
    s["items"] =
        f.fields.empty() ? ojson{{"type", std::string(f.items)}} : object_schema(f.fields, closed);
  } else {
    s = {{"type", std::string(f.type)}};
  }
  if (f.nullable) s["type"] = ojson::array({s["type"], "null"});
  if (!f.format.empty()) s["format"] = std::string(f.format);
  if (!f.description.empty()) s["description"] = std::string(f.description);
  return s;
}

ojson body_schema(const Body& b) {
  if (b.fields.empty()) return {{"type", "string"}};
  ojson item = object_schema(b.fields, true);
  if (!b.is_array) return item;
  return {{"type", "array"}, {"items", std::move(item)}};
}

std::string operation_id(const RouteSpec& r) {
  return std::string(to_string(r.method)) + "_" + std::string(r.metric);
}

std::vector<std::string_view> path_param_names(std::string_view path) {
  std::vector<std::string_view> names;
  for (auto open = path.find('{'); open != std::string_view::npos; open = path.find('{', open)) {
    const auto close = path.find('}', open);
    names.push_back(path.substr(open + 1, close - open - 1));
    open = close;
  }
  return names;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string kib(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

// ---- Markdown / HTML helpers

void flatten(std::span<const Field> fields, const std::string& prefix,
             std::vector<std::pair<std::string, const Field*>>& out) {
  for (const Field& f : fields) {
    std::string name = prefix + std::string(f.name);
    out.emplace_back(name, &f);
    if (!f.fields.empty()) flatten(f.fields, name + (f.type == "array" ? "[]." : "."), out);
  }
}

std::string type_text(const Field& f) {
  std::string t(f.type);
  if (!f.format.empty()) t += " (" + std::string(f.format) + ")";
  if (f.nullable) t += " or null";
  return t;
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string access_text(Access a) {
  return a == Access::kPublic ? "public (no credential)"
                              : "a " + std::string(to_string(a)) + " credential (Bearer)";
}

}  // namespace

std::vector<ErrorCode> route_errors(const RouteSpec& route) {
  std::set<ErrorCode> codes(route.doc->errors.begin(), route.doc->errors.end());
  codes.insert(ErrorCode::kRequestTooLarge);
  codes.insert(ErrorCode::kInternal);
  if (route.access != Access::kPublic) {
    codes.insert(ErrorCode::kUnauthenticated);
    codes.insert(ErrorCode::kForbidden);
  }
  return {codes.begin(), codes.end()};
}

std::string openapi_document(std::span<const RouteSpec> routes) {
  ojson doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {
      {"title", "onshi"},
      {"version", std::string(kVersion)},
      {"summary", "Online eligibility confirmation (オンライン資格確認)"},
      {"description",
       "Generated from the route table the server dispatches with. Every error body is "
       "{\"error\": {code, message_ja, message_en, remedy_ja, remedy_en, detail}}; the codes are "
       "stable and listed at GET /v1/errors. A path asked with a method it does not answer gets "
       "405 METHOD_NOT_ALLOWED with an Allow header."},
  };
  // Relative: the node that serves this document answers its paths.
  doc["servers"] = ojson::array({{{"url", "/"}, {"description", "this node"}}});
  ojson paths = ojson::object();
  for (const RouteSpec& r : routes) {
    const RouteDoc& d = *r.doc;
    ojson op;
    op["operationId"] = operation_id(r);
    op["summary"] = std::string(d.summary);
    if (!d.description.empty()) op["description"] = std::string(d.description);
    op["x-onshi-access"] = std::string(to_string(r.access));
    op["x-onshi-body-limit"] = r.body_limit;
    if (r.access == Access::kPublic)
      op["security"] = ojson::array();
    else
      op["security"] = ojson::array({{{"bearer", ojson::array()}}});
    ojson params = ojson::array();
    for (std::string_view name : path_param_names(r.path))
      params.push_back({{"name", std::string(name)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    for (const QueryParam& q : d.query)
      params.push_back({{"name", std::string(q.name)},
                        {"in", "query"},
                        {"required", q.required},
                        {"description", std::string(q.description)},
                        {"schema", {{"type", std::string(q.type)}}}});
    if (!params.empty()) op["parameters"] = std::move(params);
    if (!d.request.empty()) {
      ojson content = ojson::object();
      for (const Body& b : d.request)
        content[std::string(b.media_type)] = {{"schema", body_schema(b)}};
      op["requestBody"] = {{"required", true},
                           {"description", std::string(d.request.front().description)},
                           {"content", std::move(content)}};
    }
    ojson responses = ojson::object();
    responses["200"] = {
        {"description", d.answer.description.empty() ? "OK" : std::string(d.answer.description)},
        {"content", {{std::string(d.answer.media_type), {{"schema", body_schema(d.answer)}}}}}};
    // Error answers by status, each naming the codes it may carry.
    std::map<int, std::vector<std::string>> by_status;
    for (ErrorCode c : route_errors(r)) {
      const auto& info = core::error_info(c);
      by_status[info.http_status].push_back(std::string(info.code));
    }
    for (const auto& [status, codes] : by_status) {
      std::string text;
      for (const auto& c : codes) text += (text.empty() ? "" : ", ") + c;
      responses[std::to_string(status)] = {
          {"description", text},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    }
    op["responses"] = std::move(responses);
    paths[std::string(r.path)][lower(to_string(r.method))] = std::move(op);
  }
  doc["paths"] = std::move(paths);
  ojson error_body = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message_ja", "message_en", "remedy_ja", "remedy_en"}},
          {"properties",
           {{"code", {{"type", "string"}}},
            {"message_ja", {{"type", "string"}}},
            {"message_en", {{"type", "string"}}},
            {"remedy_ja", {{"type", "string"}}},
            {"remedy_en", {{"type", "string"}}},
            {"detail", {{"type", "string"}}}}}}}}}};
  doc["components"] = {
      {"securitySchemes",
       {{"bearer",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"description", "A token issued with `onshi credential issue`."}}}}},
      {"schemas", {{"Error", std::move(error_body)}}},
  };
  return doc.dump(2) + "\n";
}

std::string reference_markdown(std::span<const RouteSpec> routes) {
  std::string out;
  out += "| method | path | access | body limit | summary |\n|---|---|---|---|---|\n";
  for (const RouteSpec& r : routes)
    out += "| " + std::string(to_string(r.method)) + " | `" + std::string(r.path) + "` | " +
           std::string(to_string(r.access)) + " | " + kib(r.body_limit) + " | " +
           std::string(r.doc->summary) + " |\n";
  for (const RouteSpec& r : routes) {
    const RouteDoc& d = *r.doc;
    out += "\n### " + std::string(to_string(r.method)) + " " + std::string(r.path) + " — " +
           std::string(d.summary) + "\n\n";
    if (!d.description.empty()) out += std::string(d.description) + "\n\n";
    out += "Access: " + access_text(r.access) + ". Body: at most " + kib(r.body_limit) + ".\n";
    if (!d.query.empty()) {
      out += "\nQuery parameters:\n\n| name | type | required | meaning |\n|---|---|---|---|\n";
      for (const QueryParam& q : d.query)
        out += "| `" + std::string(q.name) + "` | " + std::string(q.type) + " | " +
               (q.required ? "yes" : "no") + " | " + std::string(q.description) + " |\n";
    }
    for (const Body& b : d.request) {
      out += "\nRequest `" + std::string(b.media_type) + "`: " + std::string(b.description) + "\n";
      if (b.fields.empty()) continue;
      out += "\n| field | type | required | meaning |\n|---|---|---|---|\n";
      std::vector<std::pair<std::string, const Field*>> flat;
      flatten(b.fields, "", flat);
      for (const auto& [name, f] : flat)
        out += "| `" + name + "` | " + type_text(*f) + " | " + (f->required ? "yes" : "no") +
               " | " + std::string(f->description) + " |\n";
    }
    out += "\nAnswer `200` `" + std::string(d.answer.media_type) + "`" +
           (d.answer.is_array ? ", an array of objects" : "") +
           (d.answer.description.empty() ? "" : ": " + std::string(d.answer.description)) + "\n";
    if (!d.answer.fields.empty()) {
      out += "\n| field | type | always | meaning |\n|---|---|---|---|\n";
      std::vector<std::pair<std::string, const Field*>> flat;
      flatten(d.answer.fields, "", flat);
      for (const auto& [name, f] : flat)
        out += "| `" + name + "` | " + type_text(*f) + " | " + (f->required ? "yes" : "no") +
               " | " + std::string(f->description) + " |\n";
    }
    out += "\nErrors:";
    for (ErrorCode c : route_errors(r)) {
      const auto& info = core::error_info(c);
      out += " `" + std::to_string(info.http_status) + " " + std::string(info.code) + "`";
    }
    out += ".\n";
  }
  return out;
}

std::string reference_html(std::span<const RouteSpec> routes) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>onshi API</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:70em;"
      "margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0}td,th{border:"
      "1px solid #ccc;padding:.2em .5em;vertical-align:top;text-align:left}code{background:"
      "#f4f4f4}h2{border-top:1px solid #ddd;padding-top:.8em}.m{font-weight:bold}</style>"
      "</head><body>\n<h1>onshi API v1</h1>\n<p>Generated from the route table the server "
      "dispatches with; also as <a href=\"/openapi.json\">OpenAPI 3.1</a>. Errors: <a "
      "href=\"/v1/errors\">/v1/errors</a>.</p>\n<ul>\n";
  for (const RouteSpec& r : routes)
    out += "<li><a href=\"#" + operation_id(r) + "\"><span class=\"m\">" +
           std::string(to_string(r.method)) + "</span> <code>" + escape_html(r.path) +
           "</code></a> — " + escape_html(r.doc->summary) + "</li>\n";
  out += "</ul>\n";
  const auto field_table = [&](std::span<const Field> fields, const char* third) {
    std::vector<std::pair<std::string, const Field*>> flat;
    flatten(fields, "", flat);
    out += "<table><tr><th>field</th><th>type</th><th>";
    out += third;
    out += "</th><th>meaning</th></tr>\n";
    for (const auto& [name, f] : flat)
      out += "<tr><td><code>" + escape_html(name) + "</code></td><td>" +
             escape_html(type_text(*f)) + "</td><td>" + (f->required ? "yes" : "no") + "</td><td>" +
             escape_html(f->description) + "</td></tr>\n";
    out += "</table>\n";
  };
  for (const RouteSpec& r : routes) {
    const RouteDoc& d = *r.doc;
    out += "<h2 id=\"" + operation_id(r) + "\"><span class=\"m\">" +
           std::string(to_string(r.method)) + "</span> <code>" + escape_html(r.path) +
           "</code> — " + escape_html(d.summary) + "</h2>\n<p>" + escape_html(d.description) +
           "</p>\n<p>Access: " + escape_html(access_text(r.access)) + ". Body: at most " +
           kib(r.body_limit) + ".</p>\n";
    for (const Body& b : d.request) {
      out += "<p>Request <code>" + escape_html(b.media_type) +
             "</code>: " + escape_html(b.description) + "</p>\n";
      if (!b.fields.empty()) field_table(b.fields, "required");
    }
    out += "<p>Answer <code>200 " + escape_html(d.answer.media_type) + "</code> " +
           escape_html(d.answer.description) + "</p>\n";
    if (!d.answer.fields.empty()) field_table(d.answer.fields, "always");
    out += "<p>Errors:";
    for (ErrorCode c : route_errors(r)) {
      const auto& info = core::error_info(c);
      out +=
          " <code>" + std::to_string(info.http_status) + " " + std::string(info.code) + "</code>";
    }
    out += "</p>\n";
  }
  out += "</body></html>\n";
  return out;
}

std::string home_html() {
  return "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>onshi</title>"
         "</head><body><h1>onshi</h1><p>オンライン資格確認 — online eligibility confirmation.</p>"
         "<ul><li><a href=\"/docs\">API reference</a></li><li><a href=\"/openapi.json\">OpenAPI "
         "3.1</a></li><li><a href=\"/v1/errors\">Error catalogue</a></li><li><a "
         "href=\"/healthz\">Health</a></li></ul></body></html>\n";
}

}  // namespace onshi::api::http
