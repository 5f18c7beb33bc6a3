#include "api/load_receipt_json.hpp"

#include "api/error_json.hpp"
#include "api/json_writer.hpp"

namespace onshi::api {
namespace {

void write_rejected(JsonWriter& w, const std::vector<ingest::RowError>& rejected) {
  w.key("rejected").begin_array();
  for (const auto& r : rejected) {
    w.begin_object().field("line", static_cast<std::int64_t>(r.line));
    write_error_fields(w, r.error);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string encode_load_receipt(const services::LoadReceipt& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (r.file_error) {
    w.key("error").begin_object();
    write_error_fields(w, *r.file_error);
    w.end_object();
  }
  w.field("load_id", r.load_id)
      .field("rows_total", r.rows_total)
      .field("rows_applied", r.rows_applied)
      .field("rows_already_applied", r.rows_already_applied)
      .field("rows_rejected", static_cast<std::int64_t>(r.rejected.size()));
  write_rejected(w, r.rejected);
  w.end_object();
  out += '\n';
  return out;
}

std::string encode_reference_receipt(const services::ReferenceLoadReceipt& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (r.file_error) {
    w.key("error").begin_object();
    write_error_fields(w, *r.file_error);
    w.end_object();
  }
  w.field("loaded", static_cast<std::int64_t>(r.loaded))
      .field("rows_rejected", static_cast<std::int64_t>(r.rejected.size()));
  write_rejected(w, r.rejected);
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace onshi::api
