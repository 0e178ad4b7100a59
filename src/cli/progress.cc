#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "report/inspect_report.h"

namespace cinch {
namespace {

using namespace std::chrono_literals;
constexpr auto kFirstDraw = 700ms;  // quick reads show nothing
constexpr auto kRedraw = 150ms;
constexpr int kBarWidth = 30;

}  // namespace

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total) {
  if (enabled && total_ > 0) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Progress::Run() {
  auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  if (cv_.wait_for(lock, kFirstDraw, [this] { return done_; })) return;
  while (true) {
    uint64_t now = std::min(counter_.load(), total_);
    double share = double(now) / double(total_);
    int filled = int(share * kBarWidth);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    std::string line = fmt::format(
        "\r{} [{}{}] {:3.0f}% {} / {}", label_, std::string(filled, '#'),
        std::string(kBarWidth - filled, '.'), share * 100, HumanBytes(now),
        HumanBytes(total_));
    if (seconds > 0.5) {
      line += fmt::format(" {}/s", HumanBytes(uint64_t(now / seconds)));
    }
    std::fputs(line.c_str(), stderr);
    std::fputs("\033[K", stderr);
    std::fflush(stderr);
    drawn_ = true;
    if (cv_.wait_for(lock, kRedraw, [this] { return done_; })) break;
  }
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

}  // namespace cinch
