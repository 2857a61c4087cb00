// The syslog sink: target parsing, RFC 5424 framing, and real loopback sockets (UDP, TCP with
// octet counting, refused connections). The CTest syslog_rsyslog test checks the same against a
// real rsyslogd.
#include "report/syslog_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <future>
#include <regex>
#include <thread>

using namespace trustscan;
using Transport = report::SyslogTarget::Transport;

namespace {

/// A socket bound to 127.0.0.1 on a free port.
struct Bound {
  int fd = -1;
  std::string port;
  explicit Bound(int type) {
    fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = std::to_string(ntohs(a.sin_port));
  }
  ~Bound() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

/// A scan result with no records: its events are the summary only.
pipeline::ScanResult empty_result() {
  pipeline::ScanResult r;
  r.options.roots = {"/nonexistent-root"};
  r.threads_used = 1;
  r.policy_name = "test";
  return r;
}

const std::regex kRfc5424(R"(<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?\](?:\[.*?\])*) (.*))");

}  // namespace

TEST_CASE("syslog: targets", "[report][syslog]") {
  auto t = report::parse_syslog_target("unix");
  REQUIRE(t);
  CHECK((t->transport == Transport::Unix && t->path == "/dev/log"));
  t = report::parse_syslog_target("unix:/run/x.sock");
  REQUIRE(t);
  CHECK(t->path == "/run/x.sock");
  t = report::parse_syslog_target("udp://collector.example:5514");
  REQUIRE(t);
  CHECK((t->transport == Transport::Udp && t->host == "collector.example" && t->port == "5514"));
  t = report::parse_syslog_target("tcp://[::1]:601");
  REQUIRE(t);
  CHECK((t->transport == Transport::Tcp && t->host == "::1" && t->port == "601"));
  t = report::parse_syslog_target("udp://10.0.0.1");
  REQUIRE(t);
  CHECK(t->port == "514");
  for (const char* bad : {"", "unix:", "http://x:1", "udp://", "udp://:514", "tcp://h:0", "tcp://h:65536", "tcp://h:x",
                          "tcp://::1:514", "tcp://[::1", "tcp://[::1]x", "udp://h:514/path", "tcp://h:"}) {
    INFO(bad);
    auto r = report::parse_syslog_target(bad);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("expected unix, unix:PATH"));
  }
}

TEST_CASE("syslog: facilities by name or number", "[report][syslog]") {
  CHECK(report::parse_syslog_facility("kern").value() == 0);
  CHECK(report::parse_syslog_facility("user").value() == 1);
  CHECK(report::parse_syslog_facility("local0").value() == 16);
  CHECK(report::parse_syslog_facility("local7").value() == 23);
  CHECK(report::parse_syslog_facility("3").value() == 3);
  for (const char* bad : {"", "24", "-1", "local8", "USER"}) CHECK_FALSE(report::parse_syslog_facility(bad));
}

TEST_CASE("syslog: RFC 5424 message layout", "[report][syslog]") {
  std::string m = report::rfc5424_message(16, 2, "2026-01-02T03:04:05.678Z", "my host\x01", "trustscan", "42", "finding",
                                          "[meta sequenceId=\"1\"]", "{\"a\":1}");
  CHECK(m == "<130>1 2026-01-02T03:04:05.678Z myhost trustscan 42 finding [meta sequenceId=\"1\"] {\"a\":1}");
  CHECK(report::rfc5424_message(1, 6, "", "", "a", "", "", "", "") == "<14>1 - - a - - -");
  CHECK(report::rfc5424_message(1, 6, "t", std::string(300, 'h'), "a", "1", std::string(40, 'm'), "", "x") ==
        "<14>1 t " + std::string(255, 'h') + " a 1 " + std::string(32, 'm') + " - x");
  CHECK(report::sd_param_escape("a\"b\\c]d") == "a\\\"b\\\\c\\]d");
}

TEST_CASE("syslog: UDP datagrams and TCP octet-counted frames reach a loopback receiver", "[report][syslog]") {
  auto result = empty_result();
  report::RunInfo run{"9.9.9", "testhost"};
  SECTION("udp") {
    Bound rx(SOCK_DGRAM);
    report::SyslogOptions o{*report::parse_syslog_target("udp://127.0.0.1:" + rx.port), 16, false};
    auto sent = report::send_syslog(result, run, o);
    REQUIRE(sent);
    CHECK(sent->messages == 1);
    char buf[70000];
    ssize_t n = ::recv(rx.fd, buf, sizeof buf, MSG_DONTWAIT);
    REQUIRE(n > 0);
    std::string msg(buf, static_cast<std::size_t>(n));
    CHECK(static_cast<std::size_t>(n) == sent->bytes);
    std::smatch m;
    REQUIRE(std::regex_match(msg, m, kRfc5424));
    CHECK(m[1] == "134");  // local0.info: a summary without findings
    CHECK(m[3] == "testhost");
    CHECK(m[4] == "trustscan");
    CHECK(m[5] == std::to_string(::getpid()));
    CHECK(m[6] == "summary");
    CHECK(m[7] == "[origin software=\"trustscan\" swVersion=\"9.9.9\"][meta sequenceId=\"1\"]");
    auto ev = nlohmann::json::parse(m[8].str());
    CHECK(ev["event"]["dataset"] == "trustscan.summary");
    CHECK(ev["trustscan"]["scan"]["roots"][0] == "/nonexistent-root");
  }
  SECTION("tcp") {
    Bound rx(SOCK_STREAM);
    REQUIRE(::listen(rx.fd, 1) == 0);
    auto received = std::async(std::launch::async, [&] {
      int c = ::accept(rx.fd, nullptr, nullptr);
      std::string all;
      char buf[4096];
      for (ssize_t n; (n = ::read(c, buf, sizeof buf)) > 0;) all.append(buf, static_cast<std::size_t>(n));
      ::close(c);
      return all;
    });
    report::SyslogOptions o{*report::parse_syslog_target("tcp://127.0.0.1:" + rx.port), 1, true};
    auto sent = report::send_syslog(result, run, o);
    REQUIRE(sent);
    std::string all = received.get();
    auto space = all.find(' ');
    REQUIRE(space != std::string::npos);
    std::size_t len = std::stoul(all.substr(0, space));
    CHECK(len == sent->bytes);
    CHECK(all.size() == space + 1 + len);  // exactly one frame, nothing else
    std::smatch m;
    std::string msg = all.substr(space + 1);
    REQUIRE(std::regex_match(msg, m, kRfc5424));
    CHECK(m[1] == "14");
  }
}

TEST_CASE("syslog: a receiver that is not there is an error naming the target", "[report][syslog]") {
  auto result = empty_result();
  report::RunInfo run{"9.9.9", "testhost"};
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    std::string port;
    {
      Bound gone(type);  // a port that was free a moment ago: now nothing listens there
      port = gone.port;
    }
    std::string target = std::string(type == SOCK_STREAM ? "tcp" : "udp") + "://127.0.0.1:" + port;
    INFO(target);
    report::SyslogOptions o{*report::parse_syslog_target(target), 1, false};
    auto sent = report::send_syslog(result, run, o);
    REQUIRE_FALSE(sent);
    CHECK_THAT(sent.error().message, Catch::Contains(target) && Catch::Contains("refused"));
  }
  report::SyslogOptions o{*report::parse_syslog_target("unix:/nonexistent/dev-log"), 1, false};
  auto sent = report::send_syslog(result, run, o);
  REQUIRE_FALSE(sent);
  CHECK_THAT(sent.error().message, Catch::Contains("unix:/nonexistent/dev-log") && Catch::Contains("No such file"));
}
