// The ptrace backend behind the engine's Backend interface: a dedicated
// tracer thread runs PtraceTracer (the kernel takes a tracee's ptrace
// requests only from the thread that seized it); the engine's calls become
// commands for that thread, and records come back through a queue and an
// eventfd, like the BPF ring.
#include "backend.h"
#include "ptrace_tracer.h"

#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace gotrace::tracer {
namespace {

// Interrupts the tracer thread's waitpid so it picks up a command. Installed
// without SA_RESTART; only ever sent to the tracer thread (tgkill).
int wake_signal() { return SIGRTMIN + 3; }
void on_wake(int) {}

void install_wake_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = on_wake;
    sigemptyset(&sa.sa_mask);
    sigaction(wake_signal(), &sa, nullptr);
  });
}

// Records the consumer has not drained yet are bounded: past this, hits are
// counted as lost, as when the BPF ring is full.
constexpr size_t kMaxQueuedBytes = 64u << 20;
constexpr size_t kWakeupBytes = 256u << 10;
constexpr int64_t kSpinMicros = 100;

class PtraceBackend final : public Backend {
  // A record, or a message about the target at its place among them.
  struct Entry {
    std::vector<uint8_t> record;
    std::string notice;
  };

 public:
  explicit PtraceBackend(const BackendConfig& cfg)
      : specs_(cfg.max_specs ? cfg.max_specs : 4096),
        counters_(cfg.max_specs ? cfg.max_specs : 4096),
        event_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    config_.pid = cfg.pid;
    config_.await_exec = cfg.await_exec;
    config_.kill_on_exit = cfg.kill_on_exit;
  }

  void set_g_layout(const gt_g_layout& l) {
    config_.goid_offset = l.goid_offset;
    config_.stack_hi_offset = l.stack_hi_offset;
    config_.g_tls_offset = l.g_tls_offset;
    config_.m_offset = l.m_offset;
    config_.curg_offset = l.curg_offset;
  }

  ~PtraceBackend() override {
    (void)call([this]() -> Result<void> {
      tracer_->detach_all();
      quit_ = true;
      return {};
    });
    if (thread_.joinable()) thread_.join();
  }

  Result<void> start() {
    install_wake_handler();
    std::promise<Result<void>> seized;
    auto seized_future = seized.get_future();
    thread_ = std::thread([this, &seized] { run(seized); });
    auto r = seized_future.get();
    if (!r && thread_.joinable()) thread_.join();
    return r;
  }

  Result<void> set_spec(uint32_t id, const gt_spec& spec) override {
    std::lock_guard lock(specs_mu_);
    if (id >= specs_.size())
      return make_error(Errc::unsupported, "spec id " + std::to_string(id) + " out of range");
    specs_[id] = {true, spec};
    return {};
  }
  Result<uint64_t> attach(const std::string& path, std::span<const bpf::Site> sites) override {
    uint64_t handle = next_handle_++;
    // call() returns once the tracer thread ran it: `sites` outlives it.
    auto r = call([&]() { return tracer_->add(handle, path, sites); });
    if (!r) return r.error();
    return handle;
  }
  void detach(uint64_t handle) override {
    (void)call([&]() -> Result<void> {
      tracer_->remove(handle);
      return {};
    });
  }
  void detach_all() override {
    (void)call([&]() -> Result<void> {
      tracer_->detach_all();
      return {};
    });
  }
  int wait_fd() const override { return event_fd_.get(); }
  Result<size_t> drain(const bpf::TraceProgram::RecordFn& fn,
                       const std::function<void(const std::string&)>& notice) override {
    std::deque<Entry> batch;
    {
      std::lock_guard lock(queue_mu_);
      batch.swap(queue_);
      queued_bytes_ = 0;
      uint64_t v;
      (void)!read(event_fd_.get(), &v, sizeof v);
    }
    size_t n = 0;
    for (const Entry& e : batch) {
      if (e.notice.empty()) {
        fn(e.record);
        n++;
      } else {
        notice(e.notice);
      }
    }
    return n;
  }
  uint64_t lost() const override { return lost_.load(); }
  Result<uint64_t> hit_count(uint32_t counter) const override {
    auto n = counters_.get(counter);
    if (!n) return make_error(Errc::invalid_argument, "no hit counter " + std::to_string(counter));
    return *n;
  }
  Result<void> set_hit_count(uint32_t counter, uint64_t value) override {
    if (!counters_.set(counter, value))
      return make_error(Errc::invalid_argument, "no hit counter " + std::to_string(counter));
    return {};
  }
  bool reads_float_registers() const override { return true; }

 private:
  void run(std::promise<Result<void>>& seized) {
    tid_ = static_cast<pid_t>(syscall(SYS_gettid));
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, wake_signal());
    pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
    PtraceSink sink;
    sink.record = [this](std::vector<uint8_t> rec) { push({std::move(rec), {}}); };
    sink.notice = [this](std::string text) { push({{}, std::move(text)}); };
    sink.spec = [this](uint32_t id, gt_spec* out) {
      std::lock_guard lock(specs_mu_);
      if (id >= specs_.size() || !specs_[id].first) return false;
      *out = specs_[id].second;
      return true;
    };
    tracer_ = std::make_unique<PtraceTracer>(config_, std::move(sink), counters_);
    auto r = tracer_->seize();
    bool ok = static_cast<bool>(r);
    seized.set_value(std::move(r));
    if (!ok) {
      tracer_.reset();
      return;
    }
    while (!quit_) {
      run_commands();
      if (quit_) break;
      if (!tracer_->tracing()) {
        std::unique_lock lock(cmd_mu_);
        cmd_cv_.wait(lock, [&] { return !commands_.empty(); });
        continue;
      }
      int status = 0;
      pid_t w = spin_wait(&status);
      if (w == 0) w = waitpid(-1, &status, __WALL | __WNOTHREAD);
      if (w > 0) {
        note_stop();
        tracer_->on_wait_status(w, status);
      }
      else if (errno == ECHILD)
        tracer_->forget_all_threads();  // they went without a word (reaped elsewhere)
    }
    tracer_.reset();
  }

  // While stops come close together, polls for the next one for a little
  // longer than the usual gap before sleeping in waitpid: on a VM, waking an
  // idled vCPU costs far more than the stop itself (loop-O: ~110 us per
  // traced call without polling, ~60 us with it). Stops further apart than
  // kSpinMicros never spin, so a quiet target costs no CPU. Returns 0 when
  // nothing came.
  pid_t spin_wait(int* status) {
    using namespace std::chrono;
    if (gap_ns_ > kSpinMicros * 1000) return 0;
    auto until = steady_clock::now() + nanoseconds(std::min<int64_t>(2 * gap_ns_, kSpinMicros * 1000));
    do {
      pid_t w = waitpid(-1, status, __WALL | __WNOTHREAD | WNOHANG);
      if (w != 0) return w < 0 ? 0 : w;
    } while (steady_clock::now() < until && !commands_pending_.load(std::memory_order_relaxed));
    return 0;
  }

  // A moving average of the time between stops.
  void note_stop() {
    auto now = std::chrono::steady_clock::now();
    int64_t gap = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_stop_).count();
    last_stop_ = now;
    gap_ns_ = (3 * gap_ns_ + gap) / 4;
  }

  void run_commands() {
    std::deque<std::function<void()>> todo;
    {
      std::lock_guard lock(cmd_mu_);
      todo.swap(commands_);
      commands_pending_ = false;
    }
    for (auto& c : todo) c();
  }

  // Runs `fn` on the tracer thread and returns its result.
  Result<void> call(const std::function<Result<void>()>& fn) {
    if (!thread_.joinable() || quit_) return make_error(Errc::not_found, "the tracer has stopped");
    if (std::this_thread::get_id() == thread_.get_id()) return fn();
    std::promise<Result<void>> done;
    auto f = done.get_future();
    {
      std::lock_guard lock(cmd_mu_);
      commands_.push_back([&] { done.set_value(fn()); });
      commands_pending_ = true;
    }
    cmd_cv_.notify_one();
    // The signal can land just before the thread enters waitpid; repeat it
    // until the command has run.
    while (f.wait_for(std::chrono::milliseconds(2)) != std::future_status::ready)
      syscall(SYS_tgkill, getpid(), tid_.load(), wake_signal());
    return f.get();
  }

  void push(Entry e) {
    bool wake = false;
    {
      std::lock_guard lock(queue_mu_);
      if (queued_bytes_ + e.record.size() > kMaxQueuedBytes) {
        lost_++;
        return;
      }
      // Like the BPF ring's batched wakeups: the consumer drains on a timer
      // of a few milliseconds, and is woken early only when the queue fills
      // (a wakeup per record costs the traced thread a context switch on a
      // busy machine). Notices wake it at once.
      wake = !e.notice.empty() || (queued_bytes_ < kWakeupBytes &&
                                   queued_bytes_ + e.record.size() >= kWakeupBytes);
      queued_bytes_ += e.record.size();
      queue_.push_back(std::move(e));
    }
    if (wake) {
      uint64_t one = 1;
      (void)!write(event_fd_.get(), &one, sizeof one);
    }
  }

  PtraceConfig config_;
  std::mutex specs_mu_;
  std::vector<std::pair<bool, gt_spec>> specs_;
  mutable HitCounters counters_;
  UniqueFd event_fd_;
  std::thread thread_;
  std::atomic<pid_t> tid_{0};
  std::unique_ptr<PtraceTracer> tracer_;
  std::atomic<bool> quit_{false};
  std::mutex cmd_mu_;
  std::condition_variable cmd_cv_;
  std::deque<std::function<void()>> commands_;
  std::mutex queue_mu_;
  std::deque<Entry> queue_;
  size_t queued_bytes_ = 0;
  std::atomic<uint64_t> lost_{0};
  std::chrono::steady_clock::time_point last_stop_{};
  int64_t gap_ns_ = INT64_MAX / 4;
  std::atomic<bool> commands_pending_{false};
  uint64_t next_handle_ = 1;
};

}  // namespace

Result<std::unique_ptr<Backend>> make_ptrace_backend(const BackendConfig& cfg) {
#if defined(__x86_64__)
  auto layout = cfg.g_layout();
  if (!layout) return layout.error();
  auto be = std::make_unique<PtraceBackend>(cfg);
  be->set_g_layout(*layout);
  if (auto r = be->start(); !r) return r.error();
  return std::unique_ptr<Backend>(std::move(be));
#else
  (void)cfg;
  return make_error(Errc::unsupported, "the ptrace backend supports amd64 only");
#endif
}

}  // namespace gotrace::tracer
