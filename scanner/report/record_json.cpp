#include "report/record_json.hpp"

#include "report/json_model.hpp"
#include "report/json_sink.hpp"

namespace trustscan::report {

std::string record_json_text(const record::FileRecord& r) {
  std::string text;
  JsonText w(text, -1);
  write_record(w, r);
  return text;
}

}  // namespace trustscan::report
