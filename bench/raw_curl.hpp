// The baseline of the create benchmarks: a raw libcurl POST of fixed bytes over one reused easy
// handle, with the headers a minimal client sends.
#pragma once

#include <string>

#include <curl/curl.h>

namespace respan_bench {

class RawCurlPost {
 public:
  /// POSTs `body` to `url` with a bearer key; `ca_file` (when not empty) is the CA to trust.
  RawCurlPost(const std::string& url, const std::string& api_key, std::string body,
              const std::string& ca_file = {})
      : url_(url), body_(std::move(body)), ca_file_(ca_file) {
    h_ = curl_easy_init();
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + api_key).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(h_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &RawCurlPost::sink);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &response_);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_TCP_NODELAY, 1L);
    if (!ca_file_.empty()) curl_easy_setopt(h_, CURLOPT_CAINFO, ca_file_.c_str());
  }
  RawCurlPost(const RawCurlPost&) = delete;
  RawCurlPost& operator=(const RawCurlPost&) = delete;
  ~RawCurlPost() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(h_);
  }

  /// One POST; true when it got a 2xx answer.
  bool perform() {
    response_.clear();
    const CURLcode rc = curl_easy_perform(h_);
    long status = 0;
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &status);
    return rc == CURLE_OK && status >= 200 && status < 300;
  }

 private:
  static size_t sink(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
  }

  std::string url_;
  std::string body_;
  std::string ca_file_;
  std::string response_;
  CURL* h_ = nullptr;
  curl_slist* headers_ = nullptr;
};

}  // namespace respan_bench
