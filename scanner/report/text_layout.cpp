#include "report/text_layout.hpp"

#include <algorithm>
#include <numeric>
#include <ostream>

#include "report/text.hpp"

namespace trustscan::report {
namespace {

/// The room a path piece may take `indent` columns in (never below 10).
std::size_t path_room(std::size_t width, std::size_t indent) {
  if (width == 0) return 0;
  const std::size_t used = indent + display_width(kPathContinuation);
  return width > used + 10 ? width - used : 10;
}

std::string padded(std::string s, std::size_t width) {
  const std::size_t cols = display_width(s);
  if (cols < width) s.append(width - cols, ' ');
  return s;
}

}  // namespace

void TextOut::line(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  out_ << s << '\n';
}

void TextOut::blank() { out_ << '\n'; }

void TextOut::prose(std::size_t indent, std::string_view label, std::string_view text) {
  const std::string lead = std::string(indent, ' ') + std::string(label);
  const std::size_t lead_cols = display_width(lead);
  // Under the text after a short label that leaves at least 40 columns, else four columns in.
  const std::size_t hang = width_ == 0 || (lead_cols <= indent + 24 && lead_cols + 40 <= width_) ? lead_cols
                                                                                                 : indent + 4;
  const std::size_t first_room = width_ == 0 ? 0 : width_ > lead_cols + 10 ? width_ - lead_cols : 0;
  if (width_ != 0 && first_room == 0) {  // the label alone fills the line
    line(lead);
    for (std::string& l : wrap_words(text, width_ - hang)) line(std::string(hang, ' ') + l);
    return;
  }
  std::vector<std::string> first = wrap_words(text, first_room);
  line(lead + first.front());
  if (first.size() == 1) return;
  // The rest, re-wrapped at the continuation lines' room.
  std::string rest;
  for (std::size_t k = 1; k < first.size(); ++k) rest += (k > 1 ? " " : "") + first[k];
  for (std::string& l : wrap_words(rest, width_ - hang)) line(std::string(hang, ' ') + l);
}

void TextOut::path(std::size_t indent, std::string_view path) {
  const std::vector<std::string> pieces = wrap_path(path, path_room(width_, indent));
  for (std::size_t k = 0; k < pieces.size(); ++k)
    line(std::string(indent, ' ') + (k ? std::string(kPathContinuation) : "") + pieces[k]);
}

void TextOut::item(std::size_t indent, std::string_view lead, std::string_view path, std::string_view tail,
                   std::string_view sep) {
  const std::string head = std::string(indent, ' ') + std::string(lead);
  const std::string with_path = head + std::string(path);
  const std::string whole = tail.empty() ? with_path : with_path + std::string(sep) + std::string(tail);
  if (width_ == 0 || display_width(whole) <= width_) return line(whole);
  if (display_width(with_path) <= width_) {
    line(with_path);
  } else if (lead.empty()) {
    this->path(indent, path);
  } else {
    line(head);
    this->path(indent + 2, path);
  }
  if (!tail.empty()) prose(indent + 4, "", tail);
}

RowTable::RowTable(std::size_t indent, std::vector<std::string> headers, std::string path_header)
    : indent_(indent), headers_(std::move(headers)), path_header_(std::move(path_header)) {}

void RowTable::add(std::vector<std::string> cells, std::string path) {
  cells.resize(headers_.size());
  rows_.push_back({std::move(cells), std::move(path)});
}

void RowTable::lay_out(std::size_t width) {
  widths_.assign(headers_.size(), 0);
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    widths_[c] = display_width(headers_[c]);
    for (const Row& r : rows_) widths_[c] = std::max(widths_[c], display_width(r.cells[c]));
  }
  laid_out_ = true;
  if (width == 0) return;
  // The columns and room for the path header; narrower separators first, then the widest column.
  const std::size_t path_min = std::max<std::size_t>(display_width(path_header_), 4);
  auto total = [&] {
    return indent_ + std::accumulate(widths_.begin(), widths_.end(), std::size_t{0}) + sep_ * headers_.size() +
           path_min;
  };
  if (total() > width) sep_ = 1;
  while (total() > width) {
    auto widest = std::ranges::max_element(widths_);
    if (widest == widths_.end() || *widest <= 4) break;
    --*widest;
  }
}

void RowTable::write_cells(TextOut& out, const std::vector<std::string>& cells, const std::string& path, bool header) {
  std::vector<std::vector<std::string>> wrapped(cells.size());
  std::size_t count = 1;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    wrapped[c] = display_width(cells[c]) <= widths_[c] ? std::vector<std::string>{cells[c]}
                                                       : wrap_words(cells[c], widths_[c]);
    count = std::max(count, wrapped[c].size());
  }
  std::vector<std::string> lines(count, std::string(indent_, ' '));
  for (std::size_t k = 0; k < count; ++k)
    for (std::size_t c = 0; c < cells.size(); ++c)
      lines[k] += padded(k < wrapped[c].size() ? wrapped[c][k] : "", widths_[c]) + std::string(sep_, ' ');
  // The path at the end of the row when it fits there, else on lines of its own below the row.
  const bool inline_path = header || (count == 1 && (out.width() == 0 ||
                                                     display_width(lines[0]) + display_width(path) <= out.width()));
  if (inline_path) lines[0] += path;
  for (std::string& l : lines) out.line(std::move(l));
  if (!inline_path && !path.empty()) out.path(indent_ + 2, path);
}

void RowTable::write_header(TextOut& out) {
  if (!laid_out_) lay_out(out.width());
  write_cells(out, headers_, path_header_, true);
}

void RowTable::write_row(TextOut& out, std::size_t i) { write_cells(out, rows_[i].cells, rows_[i].path, false); }

}  // namespace trustscan::report
