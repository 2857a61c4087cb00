#pragma once
/// \file
/// The outputs of one scan (`-o FORMAT[=FILE]`, repeatable; `-f FORMAT -o FILE` as before): which
/// formats go where. The scan runs once; every output is written from the same result.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "report/formats.hpp"

namespace trustscan::app {

/// One output: a format and where it goes.
struct OutputSpec {
  report::OutputFormat format;
  /// The file, possibly with strftime placeholders (dated_path.hpp); "" = standard output.
  std::string path;

  [[nodiscard]] bool to_stdout() const noexcept { return path.empty(); }
  /// How messages name it: "json=/var/lib/r.json", "table on standard output".
  [[nodiscard]] std::string label() const;
};

/// The outputs that the `-o` values and `-f` ask for. Each `-o` value is read in this order:
/// - `-`: standard output in the `-f` format;
/// - `FORMAT=FILE` where FORMAT is a format name (`FORMAT=-`: standard output);
/// - `FORMAT`, a format name alone: that format on standard output;
/// - `NAME=...` where NAME has no '/' but is no format: a usage error (write `./NAME=...` for a
///   file whose name holds '=');
/// - anything else: a FILE for the `-f` format (as before issue 20).
/// Without any `-o`, the `-f` format goes to standard output; a `-f` that is given but used by no
/// `-o` (all of the FORMAT forms) also goes to standard output. At most one output may go to
/// standard output, and no file twice; a placeholder is checked (dated_path.hpp); a prometheus
/// file must end in `.prom` (what node_exporter reads; a device or FIFO may be anything). Errors are
/// Errc::Config naming the `-o` value.
[[nodiscard]] Result<std::vector<OutputSpec>> parse_outputs(const std::vector<std::string>& values,
                                                            std::string_view format_name, bool format_given);

}  // namespace trustscan::app
