// A Transport that answers from a script and records what it was asked: unit tests of the
// pipeline and the resources run without sockets or sleeps.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <respan/transport.hpp>

namespace respan::test {

class ScriptedTransport : public Transport {
 public:
  std::deque<Result<HttpResponse>> script;  ///< Answers, in order.
  std::vector<HttpRequest> seen;            ///< Requests received, in order.

  Result<HttpResponse> send(const HttpRequest& r) override {
    seen.push_back(r);
    if (script.empty()) return Error::make(ErrorCode::network, "script exhausted");
    auto next = std::move(script.front());
    script.pop_front();
    return next;
  }
};

/// An HTTP response of `status` with `body` and `headers`.
inline HttpResponse resp(int status, std::string body = "{}", HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace respan::test
