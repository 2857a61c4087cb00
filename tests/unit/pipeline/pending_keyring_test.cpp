// pipeline::PendingKeyring: the module-signing keyring loaded once, by the first thread that needs
// it or offers to (load_here), never on a thread of its own.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/deadline.hpp"
#include "pipeline/context.hpp"

using namespace trustscan;
using namespace std::chrono_literals;

namespace {

struct Counter {
  std::atomic<int> runs{0};
  std::atomic<std::thread::id> on{};
  std::atomic<bool> under_deadline{false};
};

pipeline::PendingKeyring counting(Counter& c, std::chrono::milliseconds takes = 0ms) {
  return pipeline::PendingKeyring([&c, takes] {
    ++c.runs;
    c.on = std::this_thread::get_id();
    c.under_deadline = current_deadline() != nullptr;
    std::this_thread::sleep_for(takes);
    pipeline::LoadedKeyring k;
    k.key_sources.push_back("loaded");
    return k;
  });
}

}  // namespace

TEST_CASE("PendingKeyring: nothing runs until a thread offers; then once, on that thread", "[pipeline][keyring]") {
  Counter c;
  pipeline::PendingKeyring keys = counting(c);
  std::this_thread::sleep_for(50ms);
  CHECK(c.runs == 0);  // no thread of its own
  CHECK_FALSE(keys.ready());
  keys.load_here();
  CHECK(c.runs == 1);
  CHECK(c.on.load() == std::this_thread::get_id());
  CHECK(keys.ready());
  keys.load_here();  // done: nothing runs again
  const pipeline::PendingKeyring copy = keys;
  CHECK(copy.wait().key_sources == std::vector<std::string>{"loaded"});
  CHECK(c.runs == 1);
}

TEST_CASE("PendingKeyring: a thread that needs the keys first loads them, outside its file's budget",
          "[pipeline][keyring]") {
  Counter c;
  pipeline::PendingKeyring keys = counting(c, 30ms);
  const Deadline budget(10ms);  // shorter than the load
  {
    const DeadlineScope scope(&budget);
    (void)keys.keys();
    CHECK(current_deadline() == &budget);  // restored after the load
  }
  CHECK(c.runs == 1);
  CHECK_FALSE(c.under_deadline.load());
  CHECK(keys.wait().key_sources == std::vector<std::string>{"loaded"});
}

TEST_CASE("PendingKeyring: others wait for the thread loading; one with a budget no longer than it",
          "[pipeline][keyring]") {
  Counter c;
  pipeline::PendingKeyring keys = counting(c, 300ms);
  std::thread loader([&] { keys.load_here(); });
  while (c.runs == 0) std::this_thread::sleep_for(1ms);
  {
    const Deadline budget(20ms);
    const DeadlineScope scope(&budget);
    CHECK(keys.keys().keys().empty());  // gave up waiting: an empty keyring, and the file timed out
    CHECK(budget.fired());
  }
  keys.load_here();                                                      // taken by the loader: returns at once
  CHECK(keys.wait().key_sources == std::vector<std::string>{"loaded"});  // waits for it
  loader.join();
  CHECK(c.runs == 1);
}
