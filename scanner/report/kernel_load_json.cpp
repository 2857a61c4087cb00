#include "report/kernel_load_json.hpp"

#include <string>

#include "report/text.hpp"

namespace trustscan::report {

void add_kernel_load(JsonSink& w, const record::FileRecord& r) {
  if (!r.kernel_load) return;
  w.member("kernel_load", verify::to_string(r.kernel_load->value));
  w.member("kernel_load_basis", verify::to_string(r.kernel_load->basis));
  w.member("kernel_load_reason", utf8_escaped(r.kernel_load->reason));
}

}  // namespace trustscan::report
