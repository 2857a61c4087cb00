#pragma once
/// \file
/// report/ internal: where the JSON emitters of a report record write, token by token. One
/// emitter (json_report.cpp, signature_json.cpp, known_bad_json.cpp, kernel_load_json.cpp)
/// serves two sinks: JsonTree builds the nlohmann document (NDJSON events, the baseline, the
/// record views, the C API), JsonText writes the very text nlohmann's dump would write of that
/// document, without building it (the "files" array of `--format json`, which is most of a
/// cached re-scan's work). So every field name stays spelled once, and the two cannot disagree:
/// tests/unit/report/record_view_test.cpp and json_writer_test.cpp compare them on every sample record.
///
/// Every member must be written once per object: JsonTree would replace a repeated key in place,
/// JsonText would write it twice (the emitters de-duplicate the keys of escaped maps).

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace trustscan::report {

/// The receiving end of a JSON emitter: a well-nested sequence of values; inside an object each
/// value is preceded by key().
class JsonSink {
 public:
  JsonSink() = default;
  JsonSink(const JsonSink&) = delete;
  JsonSink& operator=(const JsonSink&) = delete;
  JsonSink(JsonSink&&) = delete;
  JsonSink& operator=(JsonSink&&) = delete;
  virtual ~JsonSink() = default;

  virtual void begin_object() = 0;
  virtual void end_object() = 0;
  virtual void begin_array() = 0;
  virtual void end_array() = 0;
  /// The key of the next value, inside an object (written as given: nlohmann escapes it).
  virtual void key(std::string_view k) = 0;
  virtual void string(std::string_view s) = 0;
  virtual void number(std::int64_t v) = 0;
  virtual void number(std::uint64_t v) = 0;
  virtual void boolean(bool v) = 0;
  virtual void null() = 0;
  /// A whole value prepared as a document (what has no typed call above).
  virtual void json(const nlohmann::ordered_json& j) = 0;

  /// `s` made valid UTF-8 as utf8_escaped() makes it (an invalid byte as the text \xNN),
  /// without a copy when it is ASCII, as nearly every string of a record is.
  void text(std::string_view s);

  // Typed members: `key` then the value.
  void member(std::string_view k, std::string_view v) { key(k), string(v); }
  /// `v` as text() writes it.
  void text_member(std::string_view k, std::string_view v) { key(k), text(v); }
  void member(std::string_view k, const char* v) { key(k), string(v); }
  void member(std::string_view k, const std::string& v) { key(k), string(v); }
  void member(std::string_view k, bool v) { key(k), boolean(v); }
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) void member(std::string_view k, T v) {
    key(k);
    if constexpr (std::signed_integral<T>)
      number(static_cast<std::int64_t>(v));
    else
      number(static_cast<std::uint64_t>(v));
  }
  /// A string or null.
  void member(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    if (v)
      string(*v);
    else
      null();
  }
  /// An array of strings, as they are (nlohmann makes invalid UTF-8 valid).
  void member(std::string_view k, const std::vector<std::string>& v);
  /// Opens member `k` as an object / an array (close with end_object / end_array).
  void object(std::string_view k) { key(k), begin_object(); }
  void array(std::string_view k) { key(k), begin_array(); }
};

/// Builds the document in `root` (the caller's, null until written): each value is inserted as
/// nlohmann's operator[] / push_back would.
class JsonTree final : public JsonSink {
 public:
  explicit JsonTree(nlohmann::ordered_json& root) : root_(root) {}

  void begin_object() override { open(nlohmann::ordered_json::object()); }
  void end_object() override { stack_.pop_back(); }
  void begin_array() override { open(nlohmann::ordered_json::array()); }
  void end_array() override { stack_.pop_back(); }
  void key(std::string_view k) override { key_.assign(k); }
  void string(std::string_view s) override { put(std::string(s)); }
  void number(std::int64_t v) override { put(v); }
  void number(std::uint64_t v) override { put(v); }
  void boolean(bool v) override { put(v); }
  void null() override { put(nullptr); }
  void json(const nlohmann::ordered_json& j) override { put(j); }

 private:
  nlohmann::ordered_json& put(nlohmann::ordered_json v);
  void open(nlohmann::ordered_json empty) { stack_.push_back(&put(std::move(empty))); }

  nlohmann::ordered_json& root_;
  std::vector<nlohmann::ordered_json*> stack_;  // the open containers, innermost last
  std::string key_;
};

/// Writes the text of the document, exactly as dump_json (json_model.hpp) writes it: `indent` 2
/// (pretty, the value starting `depth` levels deep: its first line is not indented, its others
/// are by 2 × depth more) or -1 (one compact line).
class JsonText final : public JsonSink {
 public:
  JsonText(std::string& out, int indent, int depth = 0) : out_(out), pretty_(indent >= 0), depth_(depth) {}

  void begin_object() override { open(true); }
  void end_object() override { close('{', '}'); }
  void begin_array() override { open(false); }
  void end_array() override { close('[', ']'); }
  void key(std::string_view k) override;
  void string(std::string_view s) override;
  void number(std::int64_t v) override;
  void number(std::uint64_t v) override;
  void boolean(bool v) override;
  void null() override;
  void json(const nlohmann::ordered_json& j) override;

 private:
  struct Open {
    bool object = false;
    std::size_t members = 0;
  };
  /// Before a value: inside an array, the separator and the indentation of a new element (an
  /// object's key() did this for its member).
  void element();
  template <class Integer>
  void integer(Integer v);
  void open(bool object);
  void close(char open_char, char close_char);
  void newline_indent(std::size_t level);
  void quoted(std::string_view s);

  std::string& out_;
  bool pretty_;
  int depth_;
  std::vector<Open> stack_;
};

/// Member `key` of the current object: an array of the strings, each made valid UTF-8.
void safe_strings(JsonSink& w, std::string_view key, const std::vector<std::string>& strings);

}  // namespace trustscan::report
