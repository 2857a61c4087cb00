#include "pipeline/worker_pool.hpp"

#include "pipeline/memory_budget.hpp"

#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace trustscan::pipeline {
namespace {

std::atomic<std::size_t> g_abandoned{0};

enum Slot : int { Pending, Running, Claimed, Done, TimedOut };
constexpr std::size_t kIdle = std::numeric_limits<std::size_t>::max();

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Shared by the watchdog and every worker (abandoned ones included) through shared_ptrs.
struct State {
  explicit State(const std::vector<std::size_t>& o, const PoolOptions& opt)
      : order(o),
        slot(new std::atomic<int>[o.size()]),
        started(new std::atomic<std::int64_t>[o.size()]),
        back(o.size()),
        stop(opt.stop),
        spare_cores(opt.spare_cores),
        first_worker(opt.first_worker),
        on_start(opt.on_start) {
    for (std::size_t k = 0; k < o.size(); ++k) {
      slot[k].store(Pending, std::memory_order_relaxed);
      started[k].store(0, std::memory_order_relaxed);
    }
  }
  std::vector<std::size_t> order;
  std::unique_ptr<std::atomic<int>[]> slot;
  std::unique_ptr<std::atomic<std::int64_t>[]> started;
  /// Positions not taken yet: [front, back), and those given back (an item from the end
  /// postponed beside a held one, the held item of an abandoned worker), taken first from the
  /// front. Workers take from the front; a worker whose item is postponed takes from the back
  /// (Postpone).
  std::mutex ends_mutex;
  std::size_t front = 0;                ///< guarded by ends_mutex
  std::size_t back;                     ///< guarded by ends_mutex
  std::vector<std::size_t> given_back;  ///< guarded by ends_mutex
  std::atomic<std::size_t> completed{0};
  std::atomic<bool> halt{false};
  const std::atomic<int>* stop;
  SpareCores* spare_cores;
  std::function<void()> first_worker;
  std::atomic<bool> first_worker_taken{false};
  std::function<void(std::size_t)> on_start;
  std::mutex m;
  std::condition_variable cv;
  std::size_t active = 0;  ///< live, non-abandoned workers (guarded by m)

  [[nodiscard]] bool stopping() const noexcept {
    return halt.load(std::memory_order_relaxed) || (stop && stop->load(std::memory_order_relaxed) != 0);
  }
  /// From the front: a position given back, else the first not taken yet. From the back: the
  /// last not taken yet. Now taken; none when there is none.
  [[nodiscard]] std::optional<std::size_t> take(bool from_back) {
    std::lock_guard lock(ends_mutex);
    if (!from_back && !given_back.empty()) {
      const std::size_t k = given_back.back();
      given_back.pop_back();
      return k;
    }
    if (front == back) return std::nullopt;
    return from_back ? --back : front++;
  }
  [[nodiscard]] bool all_taken() {
    std::lock_guard lock(ends_mutex);
    return front == back && given_back.empty();
  }
  /// Whether positions are left between the two ends.
  [[nodiscard]] bool range_left() {
    std::lock_guard lock(ends_mutex);
    return front < back;
  }
  void give_back(std::size_t k) {
    std::lock_guard lock(ends_mutex);
    given_back.push_back(k);
  }
};

struct Worker {
  std::thread thread;
  std::atomic<std::size_t> current{kIdle};  ///< position in order being worked on
  /// Its postponed item (Postpone), waiting while it runs others; given back to the pool by the
  /// watchdog when the worker is abandoned (the abandoned thread never touches it again).
  std::atomic<std::size_t> held{kIdle};
  bool abandoned = false;  ///< watchdog only
};

/// Runs position `k`; false when the thread was given up on (its item timed out) and must stop.
/// An item postponed (Postpone) as it was allowed to (not Run::Last) goes back to Pending, and
/// its test is left in `postponed` (cleared otherwise: such an item is done when it returns).
bool run_item(State& st, Worker& self, const ItemFunction& item, std::size_t k, Run run, Postpone& postponed) {
  st.started[k].store(now_ns(), std::memory_order_relaxed);
  self.current.store(k, std::memory_order_relaxed);
  st.slot[k].store(Running, std::memory_order_release);
  bool claimed = false, refused = false;
  const Claim claim = [&] {
    if (claimed) return true;  // asked again (an item's error path after a throw): still its own
    int expected = Running;
    claimed = st.slot[k].compare_exchange_strong(expected, Claimed);
    refused = !claimed;
    return claimed;
  };
  postponed = item(st.order[k], claim, run);
  if (run != Run::Last && postponed.postponed() && !claimed && !refused) {
    int expected = Running;
    if (!st.slot[k].compare_exchange_strong(expected, Pending)) return false;  // timed out meanwhile
    self.current.store(kIdle, std::memory_order_relaxed);
    return true;
  }
  postponed = {};
  if (!claimed && !refused) {  // returned without a result to store: done, unless timed out
    int expected = Running;
    refused = !st.slot[k].compare_exchange_strong(expected, Claimed);
  }
  if (refused) return false;  // this thread was given up on: it no longer counts, and stops here
  st.slot[k].store(Done, std::memory_order_release);
  self.current.store(kIdle, std::memory_order_relaxed);
  st.completed.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void work(const std::shared_ptr<State>& st, const std::shared_ptr<Worker>& self, const ItemFunction& item) {
  if (st->first_worker && !st->first_worker_taken.exchange(true)) st->first_worker();
  Postpone waiting;  // when the held item (Worker::held) can run
  while (!st->stopping()) {
    std::optional<std::size_t> k;
    Run run = Run::Last;
    if (self->held.load() != kIdle) {
      // Items from the end while the postponed one cannot run; then it, postponable again
      // while other items are left between the ends.
      if (!waiting.ready()) k = st->take(true);
      if (k) {
        run = Run::BesideHeld;
      } else {
        k = self->held.exchange(kIdle);
        if (st->range_left()) run = Run::MayPostpone;
      }
    } else {
      k = st->take(false);
      if (!k) break;
      if (!st->all_taken()) run = Run::MayPostpone;
      if (st->on_start) st->on_start(*k);
    }
    Postpone postponed;
    if (!run_item(*st, *self, item, *k, run, postponed)) return;
    if (!postponed.postponed()) continue;
    if (run == Run::BesideHeld) {
      st->give_back(*k);  // for a worker that holds none (taken before the items in order)
      continue;
    }
    waiting = std::move(postponed);
    self->held.store(*k);
  }
  if (st->spare_cores) st->spare_cores->give();  // this thread ends: its core is free for the items still running
  std::lock_guard lock(st->m);
  --st->active;
  st->cv.notify_all();
}

}  // namespace

std::size_t abandoned_threads() noexcept { return g_abandoned.load(); }

PoolReport run_pool(const std::vector<std::size_t>& order, const PoolOptions& options,
                    const WorkerFactory& make_worker) {
  auto st = std::make_shared<State>(order, options);
  std::vector<std::shared_ptr<Worker>> workers;
  PoolReport report;
  auto spawn = [&] {  // called with st->m held
    auto w = std::make_shared<Worker>();
    ++st->active;
    w->thread = std::thread([st, w, item = make_worker()] { work(st, w, item); });
    workers.push_back(std::move(w));
  };
  const unsigned n = std::max(1u, options.threads);
  const auto tick = options.item_timeout.count() > 0
                        ? std::min(std::chrono::milliseconds(250),
                                   std::max(std::chrono::milliseconds(10), options.item_timeout / 4))
                        : std::chrono::milliseconds(250);
  {
    std::unique_lock lock(st->m);
    for (unsigned t = 0; t < n; ++t) spawn();
    while (st->active > 0) {
      st->cv.wait_for(lock, tick);
      if (options.on_tick) {
        lock.unlock();  // workers finishing their items must not wait for the report
        options.on_tick();
        lock.lock();
        if (st->active == 0) break;
      }
      if (options.item_timeout.count() <= 0) continue;
      const std::int64_t limit = std::chrono::duration_cast<std::chrono::nanoseconds>(options.item_timeout).count();
      const std::int64_t now = now_ns();
      for (std::size_t i = 0, count = workers.size(); i < count; ++i) {
        Worker& w = *workers[i];
        std::size_t k = w.current.load(std::memory_order_relaxed);
        if (w.abandoned || k == kIdle || st->slot[k].load(std::memory_order_acquire) != Running) continue;
        if (now - st->started[k].load(std::memory_order_relaxed) < limit) continue;
        int expected = Running;
        if (!st->slot[k].compare_exchange_strong(expected, TimedOut)) continue;  // it just finished
        report.timed_out.push_back(order[k]);
        if (const std::size_t held = w.held.exchange(kIdle); held != kIdle) st->give_back(held);
        w.abandoned = true;
        w.thread.detach();
        --st->active;
        ++report.abandoned_threads;
        g_abandoned.fetch_add(1);
        if (report.abandoned_threads > options.max_abandoned) {
          st->halt.store(true);
          report.stopped_by_abandon_limit = true;
        } else {
          spawn();
        }
      }
    }
  }
  for (auto& w : workers)
    if (!w->abandoned && w->thread.joinable()) w->thread.join();
  report.completed = st->completed.load();
  for (std::size_t k = 0; k < order.size(); ++k)
    if (st->slot[k].load() == Pending) ++report.not_started;
  return report;
}

}  // namespace trustscan::pipeline
