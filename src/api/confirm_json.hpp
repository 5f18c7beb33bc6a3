#pragma once
// The JSON form of a counter confirmation (POST /v1/eligibility/confirm): request decoding
// and answer encoding. The field list is documented in docs/api.md.
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "services/eligibility_service.hpp"

namespace onshi::api {

core::Result<services::ConfirmRequest> decode_confirm_request(std::string_view body);
std::string encode_confirm_outcome(const services::ConfirmOutcome& outcome);

}  // namespace onshi::api
