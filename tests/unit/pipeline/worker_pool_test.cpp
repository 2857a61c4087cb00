#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "pipeline/worker_pool.hpp"

using namespace trustscan::pipeline;
using namespace std::chrono_literals;

namespace {
std::vector<std::size_t> iota(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

/// One worker over `n` items, each logged as (item, may_postpone) as it runs: item 0 is postponed
/// until item `ready_after` has run; item `given_back`, run before item 0 is done, is postponed
/// too (as the scan does with a binary beside a held one). Every item is claimed exactly once.
std::vector<std::pair<std::size_t, bool>> run_logged(std::size_t n, std::size_t ready_after,
                                                     std::optional<std::size_t> given_back) {
  std::vector<std::pair<std::size_t, bool>> log;
  std::vector<int> claims(n, 0);
  const PoolReport r = run_pool(iota(n), {1, 0ms, nullptr}, [&] {
    return [&](std::size_t i, const Claim& claim, Run run) -> Postpone {
      const bool may_postpone = run == Run::MayPostpone;
      log.emplace_back(i, may_postpone);
      const auto ready = [&] { return claims[ready_after] > 0; };
      if (i == 0 && may_postpone && !ready()) return Postpone{ready};
      if (given_back && i == *given_back && claims[0] == 0) return Postpone{[] { return true; }};
      if (claim()) ++claims[i];
      return {};
    };
  });
  CHECK(r.completed == n);
  CHECK(r.not_started == 0);
  for (int c : claims) CHECK(c == 1);
  return log;
}
}  // namespace

TEST_CASE("run_pool runs every item exactly once", "[pipeline][pool]") {
  auto done = std::make_shared<std::vector<std::atomic<int>>>(500);
  PoolReport r = run_pool(iota(500), {3, 0ms, nullptr}, [done] {
    return [done](std::size_t i, const Claim& claim, Run) -> Postpone {
      if (claim()) ++(*done)[i];
      return {};
    };
  });
  CHECK(r.completed == 500);
  CHECK(r.timed_out.empty());
  CHECK(r.not_started == 0);
  for (auto& d : *done) CHECK(d == 1);
}

TEST_CASE("run_pool: an item that claims, throws and claims again in its error path is done once", "[pipeline][pool]") {
  // The scan's worker claims, streams the record to the client's sink, and flags the file when
  // anything after the claim throws. Before claim() answered a repeated call, that second call
  // was refused as for a timed-out item and the pool waited for it forever.
  auto again = std::make_shared<std::vector<std::atomic<int>>>(50);
  // On its own thread, detached: a pool that never returns fails the test instead of hanging it.
  auto report = std::make_shared<std::promise<PoolReport>>();
  std::future<PoolReport> pool = report->get_future();
  std::thread([again, report] {
    report->set_value(run_pool(iota(50), {2, 0ms, nullptr}, [again] {
      return [again](std::size_t i, const Claim& claim, Run) -> Postpone {
        try {
          if (claim() && i % 5 == 0) throw std::runtime_error("the sink failed");
        } catch (const std::runtime_error&) {
          if (claim()) ++(*again)[i];
        }
        return {};
      };
    }));
  }).detach();
  REQUIRE(pool.wait_for(20s) == std::future_status::ready);
  const PoolReport r = pool.get();
  CHECK(r.completed == 50);
  CHECK(r.timed_out.empty());
  CHECK(r.abandoned_threads == 0);
  for (std::size_t i = 0; i < 50; ++i) CHECK((*again)[i] == (i % 5 == 0 ? 1 : 0));
}

TEST_CASE("run_pool gives up on an item over its time budget and goes on at full width", "[pipeline][pool]") {
  // Item 7 blocks until released; every other item is instant.
  auto release = std::make_shared<std::promise<void>>();
  auto gate = std::make_shared<std::shared_future<void>>(release->get_future().share());
  auto late = std::make_shared<std::atomic<int>>(0);  // results of the abandoned item that got stored
  auto finished = std::make_shared<std::atomic<int>>(0);
  auto threads = std::make_shared<std::mutex>();
  auto ids = std::make_shared<std::set<std::thread::id>>();
  std::size_t before = abandoned_threads();
  PoolReport r = run_pool(iota(40), {2, 100ms, nullptr}, [=] {
    return [=](std::size_t i, const Claim& claim, Run) -> Postpone {
      {
        std::lock_guard lock(*threads);
        ids->insert(std::this_thread::get_id());
      }
      if (i == 7) gate->wait();
      bool mine = claim();
      if (i == 7 && mine) ++*late;
      if (i == 7) ++*finished;
      return {};
    };
  });
  CHECK(r.timed_out == std::vector<std::size_t>{7});
  CHECK(r.completed == 39);
  CHECK(r.abandoned_threads == 1);
  CHECK(r.not_started == 0);
  CHECK(abandoned_threads() == before + 1);
  CHECK(ids->size() >= 2);
  // The abandoned thread finishes later: its claim is refused and nothing is stored.
  release->set_value();
  for (int i = 0; i < 200 && *finished == 0; ++i) std::this_thread::sleep_for(5ms);
  CHECK(*finished == 1);
  CHECK(*late == 0);
}

TEST_CASE("run_pool stops starting items when asked to", "[pipeline][pool]") {
  auto stop = std::make_shared<std::atomic<int>>(0);
  auto ran = std::make_shared<std::atomic<int>>(0);
  PoolReport r = run_pool(iota(100), {1, 0ms, stop.get()}, [=] {
    return [=](std::size_t i, const Claim& claim, Run) -> Postpone {
      ++*ran;
      if (i == 9) stop->store(2);  // as the SIGINT handler would
      (void)claim();
      return {};
    };
  });
  CHECK(*ran == 10);
  CHECK(r.completed == 10);
  CHECK(r.not_started == 90);
}

TEST_CASE("run_pool stops when too many items hang", "[pipeline][pool]") {
  auto release = std::make_shared<std::promise<void>>();
  auto gate = std::make_shared<std::shared_future<void>>(release->get_future().share());
  PoolOptions opt{2, 50ms, nullptr};
  opt.max_abandoned = 1;
  PoolReport r = run_pool(iota(20), opt, [=] {
    return [=](std::size_t i, const Claim& claim, Run) -> Postpone {
      if (i < 3) gate->wait();
      (void)claim();
      return {};
    };
  });
  CHECK(r.stopped_by_abandon_limit);
  // Items 0 and 1 hang on both threads: the second abandonment passes the limit. A replacement
  // thread may already have taken item 2 (which hangs too) and, on a loaded machine, been
  // abandoned before the pool stopped: 3. Items from 3 on never hang.
  CHECK(r.abandoned_threads >= 2);
  CHECK(r.abandoned_threads <= 3);
  CHECK(r.not_started > 0);
  release->set_value();
  std::this_thread::sleep_for(50ms);
}

TEST_CASE("run_pool lends the core of a worker that found no item left to an item still running", "[pipeline][pool]") {
  SpareCores spare;
  PoolOptions options{2, 0ms, nullptr};
  options.spare_cores = &spare;
  auto borrowed = std::make_shared<std::atomic<bool>>(false);
  // Item 0 waits (at most 10 s) for a spare core: only the other worker, done with item 1 and
  // finding nothing left, can give it one.
  PoolReport r = run_pool(iota(2), options, [&spare, borrowed] {
    return [&spare, borrowed](std::size_t i, const Claim&, Run) -> Postpone {
      if (i != 0) return {};
      for (int k = 0; k < 1000 && !borrowed->load(); ++k) {
        if (spare.take()) {
          spare.count_lent();
          borrowed->store(true);
          spare.give();
        } else {
          std::this_thread::sleep_for(10ms);
        }
      }
      return {};
    };
  });
  CHECK(r.completed == 2);
  CHECK(borrowed->load());
  CHECK(spare.lent() == 1);
  CHECK(spare.available() == 2);  // both workers gave their core when they ended
}

TEST_CASE("run_pool lends no core while every worker has items", "[pipeline][pool]") {
  SpareCores none;
  PoolOptions one{1, 0ms, nullptr};
  one.spare_cores = &none;
  auto got = std::make_shared<std::atomic<int>>(0);
  PoolReport r = run_pool(iota(20), one, [&none, got] {
    return [&none, got](std::size_t, const Claim&, Run) -> Postpone {
      if (none.take()) ++*got;
      return {};
    };
  });
  CHECK(r.completed == 20);
  CHECK(*got == 0);
  CHECK(none.available() == 1);  // given when the only worker ended
}

TEST_CASE("run_pool: first_worker runs once, on a worker, before that worker's first item", "[pipeline][pool]") {
  for (unsigned threads : {1u, 3u}) {
    std::mutex m;
    std::thread::id loader;
    int runs = 0;
    std::set<std::thread::id> item_threads;
    bool loader_item_before_load = false;
    std::vector<std::size_t> loader_items;
    PoolOptions options{threads, 0ms, nullptr};
    options.first_worker = [&] {
      std::lock_guard lock(m);
      ++runs;
      loader = std::this_thread::get_id();
    };
    PoolReport r = run_pool(iota(40), options, [&] {
      return [&](std::size_t i, const Claim& claim, Run) -> Postpone {
        std::lock_guard lock(m);
        item_threads.insert(std::this_thread::get_id());
        if (std::this_thread::get_id() == loader)
          loader_items.push_back(i);
        else if (threads == 1)
          loader_item_before_load = true;  // an item ran before the load
        claim();
        return {};
      };
    });
    CHECK(r.completed == 40);
    CHECK(runs == 1);
    CHECK(loader != std::this_thread::get_id());  // on a worker, not on the caller
    CHECK(item_threads.contains(loader));         // that worker went on to items
    CHECK_FALSE(loader_item_before_load);
    if (threads == 1) CHECK(loader_items.size() == 40);  // one thread: the load, then every item
  }
}

TEST_CASE("run_pool: a postponed item's worker runs items from the end until it is ready", "[pipeline][pool]") {
  // Item 0 cannot run until items 9 and 8 have (as a large binary waits for another's memory).
  const std::vector<std::pair<std::size_t, bool>> expected{{0, true}, {9, false}, {8, false}, {0, true},
                                                           {1, true}, {2, true},  {3, true},  {4, true},
                                                           {5, true}, {6, true},  {7, false}};
  CHECK(run_logged(10, 8, std::nullopt) == expected);
}

TEST_CASE("run_pool: a postponed item runs, told it may not postpone, when no other item is left", "[pipeline][pool]") {
  for (unsigned threads : {1u, 2u}) {
    std::mutex m;
    std::vector<bool> told;  // item 0's may_postpone, each time it runs
    std::atomic<int> done{0};
    PoolReport r = run_pool(iota(3), {threads, 0ms, nullptr}, [&] {
      return [&](std::size_t i, const Claim& claim, Run run) -> Postpone {
        const bool may_postpone = run == Run::MayPostpone;
        if (i == 0) {
          std::lock_guard lock(m);
          told.push_back(may_postpone);
          if (may_postpone) return Postpone{[] { return false; }};  // never ready
        }
        if (claim()) ++done;
        return {};
      };
    });
    CHECK(r.completed == 3);
    CHECK(done == 3);
    REQUIRE_FALSE(told.empty());
    CHECK(told.front());
    CHECK_FALSE(told.back());  // its last run waits for what it needs instead
  }
}

TEST_CASE("run_pool: an item postponed when the pool stops is not started", "[pipeline][pool]") {
  auto stop = std::make_shared<std::atomic<int>>(0);
  std::vector<std::size_t> ran;
  PoolReport r = run_pool(iota(6), {1, 0ms, stop.get()}, [&] {
    return [&](std::size_t i, const Claim& claim, Run run) -> Postpone {
      const bool may_postpone = run == Run::MayPostpone;
      if (i == 0 && may_postpone) return Postpone{[] { return false; }};
      ran.push_back(i);
      if (i == 5) stop->store(15);
      (void)claim();
      return {};
    };
  });
  CHECK(ran == std::vector<std::size_t>{5});
  CHECK(r.completed == 1);
  CHECK(r.not_started == 5);  // item 0 (postponed) and items 1 to 4
}

TEST_CASE("run_pool: the postponed item of an abandoned worker is run by another", "[pipeline][pool]") {
  // One worker: item 0 is postponed (never ready), item 4 (the first from the end) hangs until
  // released and its worker is abandoned; its replacement must still run item 0.
  auto release = std::make_shared<std::promise<void>>();
  auto gate = std::make_shared<std::shared_future<void>>(release->get_future().share());
  auto claims = std::make_shared<std::vector<std::atomic<int>>>(5);
  PoolReport r = run_pool(iota(5), {1, 100ms, nullptr}, [=] {
    return [=](std::size_t i, const Claim& claim, Run run) -> Postpone {
      const bool may_postpone = run == Run::MayPostpone;
      if (i == 0 && may_postpone) return Postpone{[] { return false; }};
      if (i == 4) gate->wait();
      if (claim()) ++(*claims)[i];
      return {};
    };
  });
  CHECK(r.timed_out == std::vector<std::size_t>{4});
  CHECK(r.completed == 4);
  CHECK(r.not_started == 0);
  for (std::size_t i = 0; i < 4; ++i) CHECK((*claims)[i] == 1);
  release->set_value();
  std::this_thread::sleep_for(50ms);
  CHECK((*claims)[4] == 0);  // the abandoned thread's late result was refused
}

TEST_CASE("run_pool: an item from the end postponed beside a held one is given back and run first from the front",
          "[pipeline][pool]") {
  // Item 0 waits until item 4 has run; item 5, the first from the end, is postponed as the scan
  // does with a binary beside a held one.
  const std::vector<std::pair<std::size_t, bool>> expected{{0, true}, {5, false}, {4, false}, {0, true},
                                                           {5, true}, {1, true},  {2, true},  {3, false}};
  CHECK(run_logged(6, 4, 5) == expected);
}
