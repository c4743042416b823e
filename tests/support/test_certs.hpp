// Throwaway TLS certificates for tests and benchmarks, made at run time with the OpenSSL API
// (no private key is ever committed): a CA, and certificates it signs.
#pragma once

#include <string>

namespace respan::test {

/// A temporary directory of PEM files, removed by the destructor.
struct TestCertificates {
  std::string dir;
  std::string ca_cert;  ///< The test CA (trust it with ClientOptions::ca_bundle).
  /// Valid for 127.0.0.1, ::1 and localhost (subjectAltName), signed by the CA.
  std::string server_cert, server_key;
  /// Signed by the CA, but for "other.example" only.
  std::string wrong_host_cert, wrong_host_key;
  /// For 127.0.0.1 and localhost, signed by the CA, expired yesterday.
  std::string expired_cert, expired_key;

  /// Makes every file in a new temporary directory. @throws std::runtime_error.
  static TestCertificates make();

  TestCertificates() = default;
  TestCertificates(TestCertificates&& other) noexcept;
  TestCertificates& operator=(TestCertificates&&) = delete;
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;
  ~TestCertificates();
};

}  // namespace respan::test
