#include "app/output_spec.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "app/dated_path.hpp"

namespace trustscan::app {

std::string OutputSpec::label() const {
  return std::string(format.name) + (to_stdout() ? " on standard output" : "=" + path);
}

namespace {

/// One `-o` value; `legacy` is set when it uses the `-f` format.
Result<OutputSpec> parse_one(const std::string& value, const report::OutputFormat& fallback, bool& legacy) {
  legacy = false;
  if (value == "-") {
    legacy = true;
    return OutputSpec{fallback, ""};
  }
  if (auto eq = value.find('='); eq != std::string::npos && value.substr(0, eq).find('/') == std::string::npos) {
    const std::string name = value.substr(0, eq), file = value.substr(eq + 1);
    auto format = report::find_output_format(name);
    if (!format)
      return fail(Errc::Config, "-o " + value + ": '" + name + "' is no output format (" +
                                    report::output_formats_help() + "); a file whose name holds '=' is ./" + value);
    if (file.empty()) return fail(Errc::Config, "-o " + value + ": no FILE after '=' ('-' for standard output)");
    return OutputSpec{*format, file == "-" ? std::string() : file};
  }
  if (auto format = report::find_output_format(value)) return OutputSpec{*format, ""};
  legacy = true;
  return OutputSpec{fallback, value};
}

/// A format with a required file suffix (OutputFormat::file_suffix: prometheus' *.prom) written to
/// a regular file must be named so. A device or FIFO (-o prometheus=/dev/stdout) is written in
/// place and may be called anything.
bool file_name_ok(const OutputSpec& s) {
  if (s.format.file_suffix.empty() || s.to_stdout() || s.path.ends_with(s.format.file_suffix)) return true;
  struct stat st {};
  return ::stat(s.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

}  // namespace

Result<std::vector<OutputSpec>> parse_outputs(const std::vector<std::string>& values, std::string_view format_name,
                                              bool format_given) {
  const report::OutputFormat fallback = *report::find_output_format(format_name);  // CLI11 checked it
  std::vector<OutputSpec> specs;
  bool format_used = false;
  for (const std::string& value : values) {
    bool legacy = false;
    auto spec = parse_one(value, fallback, legacy);
    if (!spec) return std::unexpected(spec.error());
    if (!spec->to_stdout())
      if (auto checked = check_dated_pattern(spec->path); !checked)
        return fail(Errc::Config, "-o " + value + ": " + checked.error().message);
    if (!file_name_ok(*spec))
      return fail(Errc::Config, "-o " + value + ": " + std::string(spec->format.file_suffix_reason));
    format_used = format_used || legacy;
    specs.push_back(std::move(*spec));
  }
  if (specs.empty() || (format_given && !format_used)) specs.push_back({fallback, ""});
  std::optional<std::string> on_stdout;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const OutputSpec& s = specs[i];
    if (s.to_stdout() && on_stdout)
      return fail(Errc::Config, "two outputs on standard output (" + *on_stdout + " and " + std::string(s.format.name) +
                                    "): give all but one a file, -o FORMAT=FILE");
    if (s.to_stdout()) on_stdout = std::string(s.format.name);
    for (std::size_t j = 0; j < i; ++j)
      if (!s.to_stdout() && specs[j].path == s.path)
        return fail(Errc::Config,
                    "two outputs to the same file " + s.path + " (" + specs[j].label() + ", " + s.label() + ")");
  }
  return specs;
}

}  // namespace trustscan::app
