#include "report/kernel_load_json.hpp"

#include <string>

#include "report/text.hpp"

namespace trustscan::report {

void add_kernel_load(const record::FileRecord& r, nlohmann::ordered_json& trustscan) {
  if (!r.kernel_load) return;
  nlohmann::ordered_json& windows = trustscan["windows"];
  windows["kernel_load"] = std::string(verify::to_string(r.kernel_load->value));
  windows["kernel_load_basis"] = std::string(verify::to_string(r.kernel_load->basis));
  windows["kernel_load_reason"] = utf8_escaped(r.kernel_load->reason);
}

}  // namespace trustscan::report
