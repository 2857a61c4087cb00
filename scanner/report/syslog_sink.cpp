// --syslog: RFC 5424 messages over a Unix datagram socket, UDP (RFC 5426) or TCP with octet
// counting (RFC 6587). POSIX sockets, non-blocking with poll() so that every wait has a timeout.
#include "report/syslog_sink.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "report/baseline_impl.hpp"
#include "report/text.hpp"

namespace trustscan::report {
namespace {

using nlohmann::ordered_json;
using Transport = SyslogTarget::Transport;

constexpr std::array<std::string_view, 24> kFacilities = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7"};

// RFC 5424 severities.
constexpr int kCritical = 2, kError = 3, kWarning = 4, kNotice = 5, kInformational = 6;

/// Printable US-ASCII (33-126) only, at most `max` characters, "-" (NILVALUE) when empty.
std::string header_field(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s)
    if (c >= 33 && c <= 126 && out.size() < max) out += c;
  return out.empty() ? "-" : out;
}

/// Syslog severity and MSGID of an event.
std::pair<int, std::string_view> classify(const EventInfo& info, const pipeline::ScanResult& result,
                                          const RunInfo& run) {
  using Kind = EventInfo::Kind;
  switch (info.kind) {
    case Kind::File: {
      if (info.alert) {
        const RecordView* v = info.record;
        const std::string sev = !v                ? ""
                                : v->is_finding() ? v->finding->severity.value_or("")
                                                  : v->known_bad_severity.value_or("");
        int s = sev == "critical" ? kCritical : sev == "high" ? kError : sev == "medium" ? kWarning : kNotice;
        return {s, "finding"};
      }
      const bool gone = info.delta && info.delta->change == BaselineChange::Gone;
      return {gone ? kNotice : kInformational, "file"};
    }
    case Kind::Skipped: return {kInformational, "skipped"};
    case Kind::Error: return {kWarning, "error"};
    case Kind::Service: return {kInformational, "service"};
    case Kind::Summary: break;
  }
  const std::size_t findings = run.baseline ? run.baseline->impl().findings : result.summary.findings;
  return {findings > 0 ? kNotice : kInformational, "summary"};
}

struct Message {
  std::string text;
  std::string what;  ///< for errors: the event's file.path or dataset
};

/// An owned socket.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

std::string describe(const SyslogTarget& t) {
  switch (t.transport) {
    case Transport::Unix: return "unix:" + t.path;
    case Transport::Udp: return "udp://" + (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":" + t.port;
    case Transport::Tcp: break;
  }
  return "tcp://" + (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":" + t.port;
}

/// Waits for `events` on `fd`; false on timeout.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

Result<Socket> connect_unix(const SyslogTarget& t, std::chrono::milliseconds) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (t.path.size() >= sizeof addr.sun_path) return fail(Errc::Config, "syslog " + describe(t) + ": socket path too long");
  std::memcpy(addr.sun_path, t.path.data(), t.path.size());
  Socket s(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.fd() < 0) return fail(Errc::Io, "syslog " + describe(t) + ": socket: " + std::strerror(errno));
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    std::string why = e == EPROTOTYPE ? "it is a stream socket; only datagram sockets are supported (use tcp://)"
                                      : std::strerror(e);
    return fail(Errc::Io, "syslog " + describe(t) + ": connect: " + why);
  }
  return s;
}

Result<Socket> connect_inet(const SyslogTarget& t, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = t.transport == Transport::Tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  if (int rc = ::getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &list); rc != 0)
    return fail(Errc::Io, "syslog " + describe(t) + ": cannot resolve '" + t.host + "': " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list, &::freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = list; a; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (s.fd() < 0) {
      last = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    if (::connect(s.fd(), a->ai_addr, a->ai_addrlen) == 0) return s;
    if (errno != EINPROGRESS) {
      last = std::string("connect: ") + std::strerror(errno);
      continue;
    }
    if (!wait_for(s.fd(), POLLOUT, timeout)) {
      last = "connect: timed out after " + std::to_string(timeout.count()) + " ms";
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) return s;
    last = std::string("connect: ") + std::strerror(err);
  }
  return fail(Errc::Io, "syslog " + describe(t) + ": " + last);
}

/// Sends all of `data` (stream) or `data` as one datagram, waiting at most `timeout` whenever
/// the socket is not writable. Returns errno, 0 on success.
int send_all(int fd, std::string_view data, bool stream, std::chrono::milliseconds timeout) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_for(fd, POLLOUT, timeout)) return ETIMEDOUT;
        continue;
      }
      return errno;
    }
    if (!stream) return static_cast<std::size_t>(n) == data.size() ? 0 : EMSGSIZE;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

/// The messages of the run, in event order.
std::vector<Message> build_messages(const pipeline::ScanResult& result, const RunInfo& run, const SyslogOptions& o) {
  bool datagram = o.target.transport != Transport::Tcp;
  std::string hostname = header_field(run.hostname, 255);
  std::string procid = std::to_string(::getpid());
  std::string sd_origin = "[origin software=\"trustscan\" swVersion=\"" + sd_param_escape(run.tool_version) + "\"]";
  std::vector<Message> out;
  std::size_t sequence = 0;
  report_events(result, run, [&](ordered_json&& ev, const EventInfo& info) {
    const bool summary = info.kind == EventInfo::Kind::Summary;
    if (!o.all && !summary && !info.alert) return;
    auto [severity, msgid] = classify(info, result, run);
    if (datagram && info.kind == EventInfo::Kind::File) compact_event(ev);
    // meta sequenceId (RFC 5424 §7.3.1): 1, 2, ...; lets a receiver see datagrams that were lost.
    std::string sd = sd_origin + "[meta sequenceId=\"" + std::to_string(++sequence) + "\"]";
    std::string what = summary ? "the summary" : std::string(info.path);
    out.push_back({rfc5424_message(o.facility, severity, rfc3339(std::chrono::system_clock::now()), hostname, "trustscan", procid, msgid, sd,
                                   dump_json(ev, -1)),
                   what});
  });
  return out;
}

}  // namespace

std::string sd_param_escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string rfc5424_message(int facility, int severity, std::string_view timestamp, std::string_view hostname,
                            std::string_view app_name, std::string_view procid, std::string_view msgid,
                            std::string_view structured_data, std::string_view msg) {
  std::string out = "<" + std::to_string(facility * 8 + severity) + ">1 ";
  out += header_field(timestamp, 64) + ' ' + header_field(hostname, 255) + ' ' + header_field(app_name, 48) + ' ' +
         header_field(procid, 128) + ' ' + header_field(msgid, 32) + ' ';
  out += structured_data.empty() ? std::string_view("-") : structured_data;
  if (!msg.empty()) out.append(" ").append(msg);
  return out;
}

Result<SyslogTarget> parse_syslog_target(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return fail(Errc::Config, "--syslog '" + std::string(text) + "': " + why +
                                  " (expected unix, unix:PATH, udp://HOST[:PORT] or tcp://HOST[:PORT])");
  };
  SyslogTarget t;
  if (text == "unix") {
    t.path = "/dev/log";
    return t;
  }
  if (text.starts_with("unix:")) {
    t.path = std::string(text.substr(5));
    if (t.path.empty()) return bad("no socket path");
    return t;
  }
  std::string_view rest;
  if (text.starts_with("udp://")) {
    t.transport = Transport::Udp;
    rest = text.substr(6);
  } else if (text.starts_with("tcp://")) {
    t.transport = Transport::Tcp;
    rest = text.substr(6);
  } else {
    return bad("unknown transport");
  }
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("no ']' after the IPv6 address");
    t.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return bad("junk after ']'");
    if (!after.empty()) port = after.substr(1);
  } else {
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && rest.find(':') != colon) return bad("write an IPv6 address as [ADDR]");
    t.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (t.host.empty()) return bad("no host");
  if (t.host.find('/') != std::string::npos) return bad("no path is allowed after the host");
  if (port.empty() && rest.find(':') == std::string_view::npos) port = "514";
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
    return bad("the port must be a number 1-65535");
  t.port = std::to_string(value);
  return t;
}

Result<int> parse_syslog_facility(std::string_view text) {
  for (std::size_t i = 0; i < kFacilities.size() && !text.empty(); ++i)
    if (kFacilities[i] == text) return static_cast<int>(i);
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc{} && end == text.data() + text.size() && value >= 0 && value <= 23) return value;
  return fail(Errc::Config, "--syslog-facility: expected a facility name (user, daemon, local0..local7, ...) or "
                            "0-23, found '" + std::string(text) + "'");
}

Result<SyslogStats> send_syslog(const pipeline::ScanResult& result, const RunInfo& run, const SyslogOptions& o) {
  std::vector<Message> messages = build_messages(result, run, o);
  const SyslogTarget& t = o.target;
  auto sock = t.transport == Transport::Unix ? connect_unix(t, o.timeout) : connect_inet(t, o.timeout);
  if (!sock) return std::unexpected(sock.error());
  bool stream = t.transport == Transport::Tcp;
  SyslogStats stats;
  std::string too_large;
  for (const Message& m : messages) {
    if (!stream && m.text.size() > kMaxDatagram) {
      // Never truncated (that would cut the JSON): reported, and the others are still sent.
      too_large = "the message for " + m.what + " is " + std::to_string(m.text.size()) +
                  " bytes, above the datagram limit of " + std::to_string(kMaxDatagram) + " (use tcp://)";
      continue;
    }
    // RFC 6587 §3.4.1 octet counting: MSG-LEN SP SYSLOG-MSG.
    std::string frame = stream ? std::to_string(m.text.size()) + " " + m.text : m.text;
    if (int e = send_all(sock->fd(), frame, stream, o.timeout); e != 0) {
      std::string why = e == ECONNREFUSED ? "connection refused (is a syslog receiver listening?)" : std::strerror(e);
      return fail(Errc::Io, "syslog " + describe(t) + ": sending message " + std::to_string(stats.messages + 1) +
                                " of " + std::to_string(messages.size()) + ": " + why);
    }
    ++stats.messages;
    stats.bytes += m.text.size();
  }
  if (!stream) {
    // A UDP receiver that is not there answers with ICMP port unreachable, which the connected
    // socket reports as a pending error (on loopback at once; over a network it may never come).
    wait_for(sock->fd(), 0, std::chrono::milliseconds(50));
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(sock->fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0)
      return fail(Errc::Io, "syslog " + describe(t) + ": " +
                                (err == ECONNREFUSED ? "connection refused (is a syslog receiver listening?)"
                                                     : std::string(std::strerror(err))));
  } else {
    // Half-close and wait briefly for the receiver to close too: then it has read everything.
    ::shutdown(sock->fd(), SHUT_WR);
    auto limit = std::min(o.timeout, std::chrono::milliseconds(2000));
    char buf[256];
    while (wait_for(sock->fd(), POLLIN, limit)) {
      ssize_t n = ::recv(sock->fd(), buf, sizeof buf, 0);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return fail(Errc::Io, "syslog " + describe(t) + ": after sending: " + std::strerror(errno));
      break;
    }
  }
  if (!too_large.empty()) return fail(Errc::Io, "syslog " + describe(t) + ": " + too_large);
  return stats;
}

}  // namespace trustscan::report
