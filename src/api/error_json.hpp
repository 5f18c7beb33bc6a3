#pragma once
// The error body every adapter sends: stable code, Japanese and English message, remedy.
#include <string>

#include "core/result.hpp"

namespace onshi::api {

// {"error":{"code":..,"message_ja":..,"message_en":..,"remedy_ja":..,"remedy_en":..,"detail":..}}
std::string error_json(const core::Error& error);
// Appends the "reason" object of a non-valid confirmation, or of a rejected row.
class JsonWriter;
void write_error_fields(JsonWriter& w, const core::Error& error);
int http_status_of(const core::Error& error);

}  // namespace onshi::api
