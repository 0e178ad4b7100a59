// A progress line on stderr while layers are read, shown only on a
// terminal and only when the read takes long enough to need one.
#ifndef CINCH_CLI_PROGRESS_H_
#define CINCH_CLI_PROGRESS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cinch {

class Progress {
 public:
  // `total` is the number of bytes `counter` will reach. Draws nothing when
  // `enabled` is false.
  Progress(std::string label, uint64_t total, bool enabled);
  ~Progress();  // erases the line

  std::atomic<uint64_t>* counter() { return &counter_; }

 private:
  void Run();

  std::string label_;
  uint64_t total_;
  std::atomic<uint64_t> counter_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace cinch

#endif  // CINCH_CLI_PROGRESS_H_
