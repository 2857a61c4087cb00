# Fills the output formats into the man page and the shell completions (cmake -P, at build time).
#
#   cmake -DTRUSTSCAN=<built binary> -DSOURCE_DIR=<repository> -DOUTPUT_DIR=<build dir> -P format_docs.cmake
#
# The formats come from the binary itself (`trustscan __formats`: report/formats.cpp, the one list
# of formats), one per line: name, summary, description, line_per_event, baseline, tab-separated.
# Templates and what replaces their placeholders:
#   docs/man/trustscan.1.in                 -> man/trustscan.1
#     @TRUSTSCAN_FORMAT_CHOICES@   \fItable\fR|\fIjson\fR|...   (the --format entry)
#     @TRUSTSCAN_DEFAULT_FORMAT@   table                        (the first format)
#     @TRUSTSCAN_FORMAT_LIST@      one .TP entry per format with its description
#   packaging/completion/trustscan.bash.in  -> completion/trustscan.bash
#     @TRUSTSCAN_FORMAT_NAMES@     table json ndjson cef
#   packaging/completion/_trustscan.in      -> completion/_trustscan
#     @TRUSTSCAN_FORMAT_ZSH@       table\:"a summary for people" json\:"one document" ...

foreach(var TRUSTSCAN SOURCE_DIR OUTPUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "format_docs.cmake: -D${var}= is required")
  endif()
endforeach()

execute_process(COMMAND ${TRUSTSCAN} __formats OUTPUT_VARIABLE listing RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR listing STREQUAL "")
  message(FATAL_ERROR "format_docs.cmake: '${TRUSTSCAN} __formats' failed (${rc}): ${err}")
endif()
if(listing MATCHES ";")
  message(FATAL_ERROR "format_docs.cmake: the format list holds a ';' (report/formats.cpp must not)")
endif()

set(choices "")
set(names "")
set(zsh "")
set(man_list "")
set(default "")
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" fields "${line}")
  list(LENGTH fields count)
  if(NOT count EQUAL 5)
    message(FATAL_ERROR "format_docs.cmake: expected 5 tab-separated fields, got '${line}'")
  endif()
  list(GET fields 0 name)
  list(GET fields 1 summary)
  list(GET fields 2 description)
  if(default STREQUAL "")
    set(default "${name}")
  endif()
  # roff: a hyphen is \- (a minus), so that it is not hyphenated or rendered as a dash.
  string(REPLACE "-" "\\-" man_description "${description}")
  list(APPEND choices "\\fI${name}\\fR")
  list(APPEND names "${name}")
  list(APPEND zsh "${name}\\:\"${summary}\"")
  # Source lines of at most 80 bytes (mandoc -T lint); a word that would start a line with '.' or
  # "'" (a roff request there) gets the zero-width \& before it.
  string(REPLACE " " ";" words "${man_description}")
  set(wrapped "")
  set(current "")
  foreach(word IN LISTS words)
    if(word MATCHES "^[.']")
      set(word "\\&${word}")
    endif()
    string(LENGTH "${current} ${word}" len)
    if(current STREQUAL "")
      set(current "${word}")
    elseif(len GREATER 80)
      string(APPEND wrapped "${current}\n")
      set(current "${word}")
    else()
      string(APPEND current " ${word}")
    endif()
  endforeach()
  string(APPEND man_list ".TP\n.I ${name}\n${wrapped}${current}\n")
endforeach()
list(JOIN choices "|" TRUSTSCAN_FORMAT_CHOICES)
list(JOIN names " " TRUSTSCAN_FORMAT_NAMES)
list(JOIN zsh " " TRUSTSCAN_FORMAT_ZSH)
string(STRIP "${man_list}" TRUSTSCAN_FORMAT_LIST)
set(TRUSTSCAN_DEFAULT_FORMAT "${default}")

# Writes `output`: `template` with its placeholders replaced.
function(fill_template template output)
  file(READ "${template}" text)
  foreach(var TRUSTSCAN_FORMAT_CHOICES TRUSTSCAN_DEFAULT_FORMAT TRUSTSCAN_FORMAT_LIST TRUSTSCAN_FORMAT_NAMES
              TRUSTSCAN_FORMAT_ZSH)
    string(REPLACE "@${var}@" "${${var}}" text "${text}")
  endforeach()
  if(text MATCHES "@TRUSTSCAN_[A-Z_]+@")
    message(FATAL_ERROR "format_docs.cmake: ${template}: unknown placeholder ${CMAKE_MATCH_0}")
  endif()
  file(WRITE "${output}" "${text}")
endfunction()

fill_template("${SOURCE_DIR}/docs/man/trustscan.1.in" "${OUTPUT_DIR}/man/trustscan.1")
fill_template("${SOURCE_DIR}/packaging/completion/trustscan.bash.in" "${OUTPUT_DIR}/completion/trustscan.bash")
fill_template("${SOURCE_DIR}/packaging/completion/_trustscan.in" "${OUTPUT_DIR}/completion/_trustscan")
