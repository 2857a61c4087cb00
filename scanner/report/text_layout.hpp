#pragma once
/// \file
/// Laying out the table report at a given width (issue 20): prose wrapped at spaces, paths kept
/// whole on continuation lines, rows of columns that fit. Nothing is cut: every line is at most the
/// width (0 = no limit: one line per item), counted in display columns (text.hpp). The strings
/// given here must already be terminal-safe.

#include <algorithm>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace trustscan::report {

/// Marks a line that continues the path on the line above: join the two by dropping the newline,
/// the indentation and this marker (README.md, trustscan(1)).
inline constexpr std::string_view kPathContinuation = "↳ ";

/// The narrowest width laid out; a narrower terminal gets lines of this width.
inline constexpr std::size_t kMinTableWidth = 40;

/// Writes lines of at most `width` display columns (0: no limit) to a stream.
class TextOut {
 public:
  TextOut(std::ostream& out, std::size_t width) : out_(out), width_(width == 0 ? 0 : std::max(width, kMinTableWidth)) {}

  [[nodiscard]] std::size_t width() const noexcept { return width_; }
  [[nodiscard]] std::ostream& stream() const noexcept { return out_; }

  /// `indent` spaces, `label`, then `text` word-wrapped; continuation lines start under the text
  /// after a short label (up to 24 columns), else four columns in.
  void prose(std::size_t indent, std::string_view label, std::string_view text);
  /// A path on lines of its own, `indent` spaces in; each further piece is marked kPathContinuation.
  void path(std::size_t indent, std::string_view path);
  /// One line "`lead``path``sep``tail`" when it fits; else `lead` and the path (as path() puts
  /// it, two columns further in when it does not fit after `lead`), then `tail` as prose below.
  void item(std::size_t indent, std::string_view lead, std::string_view path, std::string_view tail,
            std::string_view sep = "  ");
  /// An empty line.
  void blank();
  /// A line as it is (the caller made it fit), trailing spaces dropped.
  void line(std::string line);

 private:
  std::ostream& out_;
  std::size_t width_;
};

/// Rows of short columns followed by a path: the columns as wide as their longest cell (narrowed,
/// their cells wrapped, only when they cannot all fit), separated by at least one space; the path
/// at the end of the row when it fits, else on the lines below it (TextOut::path).
class RowTable {
 public:
  /// `headers`: the columns before the path; `path_header` names the path column ("" for none).
  RowTable(std::size_t indent, std::vector<std::string> headers, std::string path_header = "PATH");

  /// Adds a row: one cell per header, and its path (may be "").
  void add(std::vector<std::string> cells, std::string path);
  [[nodiscard]] std::size_t size() const noexcept { return rows_.size(); }

  /// The header line; lays the table out for `out`'s width on the first call.
  void write_header(TextOut& out);
  /// Row `i` (the header must have been written).
  void write_row(TextOut& out, std::size_t i);

 private:
  struct Row {
    std::vector<std::string> cells;
    std::string path;
  };
  void lay_out(std::size_t width);
  void write_cells(TextOut& out, const std::vector<std::string>& cells, const std::string& path, bool header);

  std::size_t indent_;
  std::vector<std::string> headers_;
  std::string path_header_;
  std::vector<Row> rows_;
  std::vector<std::size_t> widths_;
  std::size_t sep_ = 2;
  bool laid_out_ = false;
};

}  // namespace trustscan::report
