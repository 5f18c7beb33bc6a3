#include "api/error_json.hpp"

#include "api/json_writer.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::api {

void write_error_fields(JsonWriter& w, const core::Error& error) {
  const core::ErrorInfo& info = core::error_info(error.code);
  w.field("code", info.code)
      .field("message_ja", info.message_ja)
      .field("message_en", info.message_en)
      .field("remedy_ja", info.remedy_ja)
      .field("remedy_en", info.remedy_en);
  if (!error.detail.empty()) w.field("detail", error.detail);
}

std::string error_json(const core::Error& error) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("error").begin_object();
  write_error_fields(w, error);
  w.end_object().end_object();
  out += '\n';
  return out;
}

int http_status_of(const core::Error& error) {
  return core::error_info(error.code).http_status;
}

}  // namespace onshi::api
