// An open-loop HTTP load generator for latency at a fixed rate (Debian has no wrk2): requests
// are scheduled at RATE per second regardless of how fast answers come, spread over CONNS
// keep-alive connections, and each latency is measured from the request's *scheduled* time,
// so a stall shows up in the percentiles instead of silently lowering the rate (no coordinated
// omission).
//
//   paced_load HOST PORT PATH TOKEN BODIES_FILE RATE SECONDS [CONNS]
//
// BODIES_FILE holds one JSON body per line, sent in turn. Prints one line:
//   sent=N answered=N non2xx=N rate=R p50_ms=.. p90_ms=.. p99_ms=.. p999_ms=.. max_ms=..
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  std::string out;                          // bytes still to write
  std::string in;                           // bytes read, not yet a whole answer
  std::deque<Clock::time_point> scheduled;  // of the requests written and not yet answered
};

int connect_to(const char* host, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host, &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Length of the first whole HTTP answer in `in` (headers + Content-Length body), or 0.
std::size_t answer_length(const std::string& in, int& status) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  status = std::atoi(in.c_str() + 9);
  std::size_t length = 0;
  for (std::size_t p = in.find("\r\n"); p < end; p = in.find("\r\n", p + 2)) {
    if (strncasecmp(in.c_str() + p + 2, "content-length:", 15) == 0)
      length = std::strtoul(in.c_str() + p + 17, nullptr, 10);
  }
  const std::size_t total = end + 4 + length;
  return in.size() >= total ? total : 0;
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: paced_load HOST PORT PATH TOKEN BODIES RATE SECONDS [CONNS]\n");
    return 2;
  }
  const char* host = argv[1];
  const int port = std::atoi(argv[2]);
  const std::string path = argv[3], token = argv[4];
  const double rate = std::atof(argv[6]);
  const double seconds = std::atof(argv[7]);
  const int conns = argc > 8 ? std::atoi(argv[8]) : 32;
  std::vector<std::string> requests;
  {
    std::ifstream f(argv[5]);
    for (std::string body; std::getline(f, body);)
      if (!body.empty())
        requests.push_back(
            "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body);
  }
  if (requests.empty()) return 2;
  std::vector<Conn> c(static_cast<std::size_t>(conns));
  for (auto& k : c) k.fd = connect_to(host, port);

  const auto start = Clock::now();
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const std::size_t total =
      static_cast<std::size_t>(rate * seconds);  // requests to schedule in all
  std::vector<double> latencies_ms;
  latencies_ms.reserve(total);
  std::size_t sent = 0, non2xx = 0;
  std::vector<pollfd> fds(c.size());
  char buf[65536];
  while (latencies_ms.size() < sent || sent < total) {
    const auto now = Clock::now();
    // Hand every request whose time has come to the connection with the fewest outstanding.
    while (sent < total && start + std::chrono::duration_cast<Clock::duration>(
                                       interval * static_cast<double>(sent)) <=
                               now) {
      auto& k = *std::min_element(c.begin(), c.end(), [](const Conn& a, const Conn& b) {
        return a.scheduled.size() < b.scheduled.size();
      });
      k.out += requests[sent % requests.size()];
      k.scheduled.push_back(start + std::chrono::duration_cast<Clock::duration>(
                                        interval * static_cast<double>(sent)));
      ++sent;
    }
    for (std::size_t i = 0; i < c.size(); ++i) {
      fds[i].fd = c[i].fd;
      fds[i].events = static_cast<short>(POLLIN | (c[i].out.empty() ? 0 : POLLOUT));
      fds[i].revents = 0;
    }
    // Sleep until an answer comes or the next request is due (ppoll: nanosecond timeout, so a
    // request does not leave up to a millisecond late, which would count as latency).
    timespec wait{0, 100'000'000};
    if (sent < total) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(sent));
      const auto ns = std::max<long long>(
          0, std::chrono::duration_cast<std::chrono::nanoseconds>(due - Clock::now()).count());
      wait = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    }
    ::ppoll(fds.data(), fds.size(), &wait, nullptr);
    for (std::size_t i = 0; i < c.size(); ++i) {
      Conn& k = c[i];
      if ((fds[i].revents & POLLOUT) && !k.out.empty()) {
        const ssize_t n = ::send(k.fd, k.out.data(), k.out.size(), MSG_NOSIGNAL);
        if (n > 0) k.out.erase(0, static_cast<std::size_t>(n));
      }
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::recv(k.fd, buf, sizeof buf, 0);
        if (n <= 0) {
          std::fprintf(stderr, "connection closed by the server\n");
          return 1;
        }
        k.in.append(buf, static_cast<std::size_t>(n));
        int status = 0;
        for (std::size_t len; (len = answer_length(k.in, status)) != 0;) {
          const auto done = Clock::now();
          latencies_ms.push_back(
              std::chrono::duration<double, std::milli>(done - k.scheduled.front()).count());
          k.scheduled.pop_front();
          if (status < 200 || status > 299) ++non2xx;
          k.in.erase(0, len);
        }
      }
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const std::size_t answered = latencies_ms.size();
  std::vector<double> v = latencies_ms;
  std::printf(
      "sent=%zu answered=%zu non2xx=%zu rate=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
      "p999_ms=%.3f max_ms=%.3f\n",
      sent, answered, non2xx, static_cast<double>(answered) / elapsed, percentile(v, 0.50),
      percentile(v, 0.90), percentile(v, 0.99), percentile(v, 0.999),
      v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  for (auto& k : c) ::close(k.fd);
  return 0;
}
