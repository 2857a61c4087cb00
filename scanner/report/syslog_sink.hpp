#pragma once
/// \file
/// `--syslog TARGET`: sends the run's events as RFC 5424 syslog messages whose MSG is the NDJSON
/// event (compact JSON). POSIX sockets only. Transports:
///
/// | TARGET                         | socket                         | framing                              |
/// |--------------------------------|--------------------------------|--------------------------------------|
/// | `unix` / `unix:PATH`           | AF_UNIX datagram (`/dev/log`)  | one message per datagram             |
/// | `udp://HOST[:PORT]` (514)      | UDP, IPv4 or IPv6 (`[::1]`)    | one message per datagram (RFC 5426)  |
/// | `tcp://HOST[:PORT]` (514)      | TCP                            | octet counting (RFC 6587 §3.4.1)     |
///
/// Messages: one per finding (event.kind alert), then one summary; with `all`, every event. In
/// baseline mode the events are those of the baseline (RunInfo::baseline). Datagram transports
/// carry the *compact* event (signature structures, YARA matches and warnings left out;
/// docs/siem.md) and never truncate: a message above kMaxDatagram is not sent and is an error.
/// Nothing is retried.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "pipeline/pipeline.hpp"
#include "report/report.hpp"

namespace trustscan::report {

/// Largest syslog message sent in one datagram: the IPv4 UDP payload limit (65535 - 20 - 8).
/// Receivers often accept less (rsyslog's default maxMessageSize is 8 KiB): docs/siem.md.
inline constexpr std::size_t kMaxDatagram = 65507;

struct SyslogTarget {
  enum class Transport { Unix, Udp, Tcp };
  Transport transport = Transport::Unix;
  std::string host;  ///< udp/tcp: name or address (IPv6 without brackets)
  std::string port;  ///< udp/tcp: decimal port
  std::string path;  ///< unix: socket path
};

/// Parses `unix`, `unix:PATH`, `udp://HOST[:PORT]`, `tcp://HOST[:PORT]` (IPv6 as `[ADDR]`). A bad
/// target is Errc::Config with a message saying what is expected.
[[nodiscard]] Result<SyslogTarget> parse_syslog_target(std::string_view text);

/// Facility by name (`kern`, `user`, `mail`, `daemon`, `auth`, `syslog`, `lpr`, `news`, `uucp`,
/// `cron`, `authpriv`, `ftp`, `local0`..`local7`) or number 0-23.
[[nodiscard]] Result<int> parse_syslog_facility(std::string_view text);

struct SyslogOptions {
  SyslogTarget target;
  int facility = 1;  ///< user
  bool all = false;  ///< every event, not only findings and the summary
  std::chrono::milliseconds timeout{10'000};  ///< for connecting and for each send
};

struct SyslogStats {
  std::size_t messages = 0;  ///< messages handed to the transport
  std::size_t bytes = 0;     ///< their size, framing excluded
};

/// Builds the messages, connects and sends them. An error (target unreachable, connection
/// refused or reset, a message too large for a datagram) names the target and what failed;
/// messages sent before it stay sent.
[[nodiscard]] Result<SyslogStats> send_syslog(const pipeline::ScanResult& result, const RunInfo& run,
                                              const SyslogOptions& options);

/// One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`.
/// Header fields are made valid (printable US-ASCII, their maximum lengths; "-" when empty);
/// `structured_data` is used as given; `msg` follows one space (no BOM: the JSON is UTF-8 by its
/// own definition, RFC 8259).
[[nodiscard]] std::string rfc5424_message(int facility, int severity, std::string_view timestamp,
                                          std::string_view hostname, std::string_view app_name,
                                          std::string_view procid, std::string_view msgid,
                                          std::string_view structured_data, std::string_view msg);

/// An SD-PARAM value with `"`, `\` and `]` escaped (RFC 5424 §6.3.3).
[[nodiscard]] std::string sd_param_escape(std::string_view value);

}  // namespace trustscan::report
