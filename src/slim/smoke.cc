#include "slim/smoke.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "image/source.h"
#include "slim/spool.h"

extern char** environ;

namespace cinch::slim {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxOutput = 64 << 10;

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    size_t b = s.find_first_not_of(" \t\n", i);
    if (b == std::string_view::npos) break;
    size_t e = s.find_first_of(" \t\n", b);
    if (e == std::string_view::npos) e = s.size();
    words.emplace_back(s.substr(b, e - b));
    i = e;
  }
  return words;
}

// Writes the merged tree below `root`. Paths come from a tree merged from
// normalised entry paths, so none climbs out of `root`.
Status Unpack(const Tree& tree, const Spool& spool, const std::string& root) {
  for (const auto& [path, node] : tree) {
    std::string target = root + "/" + path;
    const Entry& e = node.entry;
    switch (e.type) {
      case EntryType::kDirectory:
        if (::mkdir(target.c_str(), 0755) != 0 && errno != EEXIST) {
          return Fail("cannot create {}: {}", target, std::strerror(errno));
        }
        break;
      case EntryType::kSymlink:
        if (::symlink(e.link_target.c_str(), target.c_str()) != 0) {
          return Fail("cannot create {}: {}", target, std::strerror(errno));
        }
        break;
      case EntryType::kRegular:
      case EntryType::kHardlink: {
        int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                        0600);
        if (fd < 0) {
          return Fail("cannot create {}: {}", target, std::strerror(errno));
        }
        Status copied =
            spool.Copy(node, [&](std::span<const char> b) -> Status {
              if (::write(fd, b.data(), b.size()) != ssize_t(b.size())) {
                return Fail("cannot write {}: {}", target,
                            std::strerror(errno));
              }
              return {};
            });
        ::close(fd);
        CINCH_TRY(copied);
        break;
      }
      case EntryType::kFifo:
        ::mkfifo(target.c_str(), 0600);
        break;
      default:
        continue;  // devices and sockets are not recreated
    }
    // Ownership and modes as the image says; a failure here shows up as
    // the program's own error when it runs.
    if (::lchown(target.c_str(), uid_t(e.uid), gid_t(e.gid)) != 0) continue;
    if (e.type != EntryType::kSymlink &&
        ::chmod(target.c_str(), e.mode & 07777) != 0) {
      continue;
    }
  }
  return {};
}

// "UID[:GID]" or "NAME[:GROUP]" resolved against the unpacked passwd.
std::pair<uid_t, gid_t> LookUpUser(const std::string& root,
                                   const std::string& user) {
  std::string name = user.substr(0, user.find(':'));
  std::string group = user.find(':') == std::string::npos
                          ? ""
                          : user.substr(user.find(':') + 1);
  uid_t uid = 0;
  gid_t gid = 0;
  bool numeric = !name.empty() &&
                 name.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) uid = uid_t(std::stoul(name));
  auto passwd = ReadFileLimited(root + "/etc/passwd", 4 << 20);
  if (passwd) {
    size_t start = 0;
    while (start < passwd->size()) {
      size_t end = passwd->find('\n', start);
      if (end == std::string::npos) end = passwd->size();
      std::string line = passwd->substr(start, end - start);
      start = end + 1;
      std::vector<std::string> f;
      size_t s = 0;
      for (size_t c; (c = line.find(':', s)) != std::string::npos; s = c + 1) {
        f.push_back(line.substr(s, c - s));
      }
      f.push_back(line.substr(s));
      if (f.size() < 4 || f[2].empty() ||
          f[2].find_first_not_of("0123456789") != std::string::npos ||
          f[3].find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      if ((numeric && f[2] == name) || (!numeric && f[0] == name)) {
        uid = uid_t(std::stoul(f[2]));
        gid = f[3].empty() ? gid : gid_t(std::stoul(f[3]));
        break;
      }
    }
  }
  if (numeric && group.empty() && !passwd) gid = gid_t(uid);
  if (!group.empty() &&
      group.find_first_not_of("0123456789") == std::string::npos) {
    gid = gid_t(std::stoul(group));
  }
  return {uid, gid};
}

}  // namespace

Result<SmokeResult> SmokeTest(const std::string& reference,
                              const std::string& args, int timeout_seconds) {
  if (::geteuid() != 0) {
    return Fail("--smoke-test needs root (it unpacks the image and chroots)");
  }
  CINCH_ASSIGN(auto source, OpenImage(reference, OpenOptions{}));
  const Image& image = source->image();
  std::vector<std::string> argv = image.config.entrypoint;
  std::vector<std::string> extra =
      args.empty() ? image.config.cmd : Words(args);
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (argv.empty()) return Fail("{} has no ENTRYPOINT or CMD", reference);

  std::error_code ec;
  std::string dir =
      (fs::temp_directory_path(ec) / "cinch-smoke-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    return Fail("cannot create a directory for the smoke test: {}",
                std::strerror(errno));
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  std::string root = dir + "/root";
  ::mkdir(root.c_str(), 0755);
  Spool spool(dir, image.layers.size());
  Analyzer* analyzers[] = {&spool};
  auto walked = WalkLayers(*source, analyzers, WalkOptions{});
  if (!walked) return Fail(walked.error());
  CINCH_TRY(spool.Finish());
  CINCH_TRY(Unpack(spool.Merge(image.layers.size(), nullptr), spool, root));

  auto [uid, gid] = LookUpUser(root, image.config.user);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Fail("cannot create a pipe: {}", std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) return Fail("cannot fork: {}", std::strerror(errno));
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec, in spirit.
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    std::string wd =
        image.config.working_dir.empty() ? "/" : image.config.working_dir;
    if (::chroot(root.c_str()) != 0 || ::chdir(wd.c_str()) != 0 ||
        ::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 ||
        ::setuid(uid) != 0) {
      ::dprintf(2, "smoke test: cannot enter the image: %s\n",
                std::strerror(errno));
      ::_exit(127);
    }
    std::vector<char*> cargv, cenv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> env = image.config.env;
    for (std::string& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    environ = cenv.data();
    ::execvp(cargv[0], cargv.data());
    ::dprintf(2, "smoke test: cannot run %s: %s\n", cargv[0],
              std::strerror(errno));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);

  SmokeResult result;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char buffer[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      result.output += "\n[smoke test: timed out]\n";
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) continue;
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.output.size() < kMaxOutput) {
      result.output.append(
          buffer, std::min(size_t(n), kMaxOutput - result.output.size()));
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
                     : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                           : -1;
  return result;
}

}  // namespace cinch::slim
