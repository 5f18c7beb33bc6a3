#pragma once
// The answer to an insurer's load: counts, and each rejected row with its line, code, reason
// and remedy.
#include <string>

#include "services/reference_data_service.hpp"
#include "services/registry_service.hpp"

namespace onshi::api {

std::string encode_load_receipt(const services::LoadReceipt& receipt);
std::string encode_reference_receipt(const services::ReferenceLoadReceipt& receipt);

}  // namespace onshi::api
