// Runs the respan binary as a child process for the CLI tests (POSIX): arguments, a clean
// environment (no RESPAN_* or proxy variables from the caller's), stdin text, and stdout,
// stderr and the exit status collected.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace respan::cli_test {

struct ProcessResult {
  int status = -1;  ///< Exit status, or 128 + signal.
  std::string out;
  std::string err;
};

/// A child process with pipes to its stdin, stdout and stderr.
class Process {
 public:
  Process(const std::string& program, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env) {
    // Everything the child needs is prepared before fork(): the child only calls
    // async-signal-safe functions (the test process has threads).
    std::vector<std::string> argv_s{program};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> env_s;
    static const char* const kDropped[] = {
        "RESPAN_",     "KEYWORDSAI_",  "http_proxy=", "https_proxy=",
        "HTTP_PROXY=", "HTTPS_PROXY=", "all_proxy=",  "ALL_PROXY="};
    for (char** e = environ; *e != nullptr; ++e) {
      bool drop = false;
      for (const char* p : kDropped)
        drop = drop || std::strncmp(*e, p, std::strlen(p)) == 0;
      if (!drop) env_s.emplace_back(*e);
    }
    for (const auto& [k, v] : env)
      env_s.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s)
      envp.push_back(e.data());
    envp.push_back(nullptr);

    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
      for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
        close(fd);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    signal(SIGPIPE, SIG_IGN);  // the child may exit before reading its stdin
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    for (int fd : {in_, out_, err_}) {
      if (fd >= 0) close(fd);
    }
  }

  pid_t pid() const { return pid_; }

  /// Writes `text` to the child's stdin and keeps it open.
  void write_stdin(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t w = write(in_, text.data() + done, text.size() - done);
      if (w <= 0) throw std::runtime_error("write to the child's stdin");
      done += static_cast<std::size_t>(w);
    }
  }

  /// Reads stdout until it holds a full line (or the child closes it); returns that line.
  std::string read_line(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = out_text_.find('\n'); nl != std::string::npos) {
        std::string line = out_text_.substr(0, nl);
        out_text_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) return {};
      out_text_.append(buf, static_cast<std::size_t>(n));
    }
  }

  /// Writes `input` to the child's stdin, closes it, collects stdout and stderr until both
  /// close and waits for the child.
  /// With `close_stdin` false (and no input) stdin stays open until the child exits.
  ProcessResult finish(const std::string& input = "", bool close_stdin = true) {
    ProcessResult r;
    r.out = std::move(out_text_);
    std::size_t written = 0;
    if (input.empty() && !close_stdin) {
      // Kept open (closed by the destructor); not polled.
    } else if (input.empty()) {
      close(in_);
      in_ = -1;
    } else {
      fcntl(in_, F_SETFL, fcntl(in_, F_GETFL) | O_NONBLOCK);
    }
    while (out_ >= 0 || err_ >= 0) {
      pollfd fds[3];
      int n = 0;
      int idx_in = -1, idx_out = -1, idx_err = -1;
      if (in_ >= 0 && written < input.size()) {
        idx_in = n;
        fds[n++] = {in_, POLLOUT, 0};
      }
      if (out_ >= 0) {
        idx_out = n;
        fds[n++] = {out_, POLLIN, 0};
      }
      if (err_ >= 0) {
        idx_err = n;
        fds[n++] = {err_, POLLIN, 0};
      }
      if (poll(fds, static_cast<nfds_t>(n), 120000) <= 0) break;
      if (idx_in >= 0 && fds[idx_in].revents != 0) {
        const ssize_t w = write(in_, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written == input.size()) {
          close(in_);
          in_ = -1;
        }
      }
      for (auto [idx, fd, text] : {std::tuple<int, int*, std::string*>{idx_out, &out_, &r.out},
                                   std::tuple<int, int*, std::string*>{idx_err, &err_, &r.err}}) {
        if (idx < 0 || fds[idx].revents == 0) continue;
        char buf[65536];
        const ssize_t got = read(*fd, buf, sizeof buf);
        if (got > 0) {
          text->append(buf, static_cast<std::size_t>(got));
        } else {
          close(*fd);
          *fd = -1;
        }
      }
    }
    int st = 0;
    waitpid(pid_, &st, 0);
    reaped_ = true;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_text_;
};

/// Runs `program args...` to completion with `input` on its stdin.
inline ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env,
                                 const std::string& input = "") {
  Process p(program, args, env);
  return p.finish(input);
}

}  // namespace respan::cli_test
