#include "report/record_json.hpp"

#include "report/json_model.hpp"

namespace trustscan::report {

std::string record_json_text(const record::FileRecord& r) { return dump_json(record_object(r), -1); }

}  // namespace trustscan::report
