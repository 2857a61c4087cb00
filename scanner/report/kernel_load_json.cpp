#include "report/kernel_load_json.hpp"

namespace trustscan::report {

void add_kernel_load(JsonSink& w, const record::FileRecord& r) {
  if (!r.kernel_load) return;
  w.member("kernel_load", verify::to_string(r.kernel_load->value));
  w.member("kernel_load_basis", verify::to_string(r.kernel_load->basis));
  w.text_member("kernel_load_reason", r.kernel_load->reason);
}

}  // namespace trustscan::report
