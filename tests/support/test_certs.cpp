#include "test_certs.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include <dirent.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

namespace respan::test {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "no OpenSSL error";
  if (const unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw std::runtime_error("test certificates: " + what + ": " + buf);
}

Key make_key() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr);
  EVP_PKEY* key = nullptr;
  const bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
                  EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) == 1 &&
                  EVP_PKEY_keygen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) fail("EC key generation");
  return Key(key);
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) fail(std::string("extension ") + value);
  X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by `issuer_key` (issuer == null: self-signed), valid from
// now + `from_s` to now + `to_s` seconds. `sans` empty: a CA.
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
               const std::string& sans, long from_s, long to_s, long serial) {
  Cert cert(X509_new());
  X509* c = cert.get();
  if (c == nullptr) fail("X509_new");
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), from_s);
  X509_gmtime_adj(X509_getm_notAfter(c), to_s);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("respan-cpp tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : c;
  add_ext(c, signer, NID_subject_key_identifier, "hash");
  add_ext(c, signer, NID_authority_key_identifier, "keyid:always");
  if (sans.empty()) {
    add_ext(c, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(c, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(c, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c, signer, NID_key_usage, "critical,digitalSignature");
    add_ext(c, signer, NID_ext_key_usage, "serverAuth");
    add_ext(c, signer, NID_subject_alt_name, sans.c_str());
  }
  if (X509_sign(c, issuer_key, EVP_sha256()) == 0) fail("X509_sign");
  return cert;
}

void write_cert(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("test certificates: cannot write " + path);
  const int ok = PEM_write_X509(f, cert);
  std::fclose(f);
  if (ok != 1) fail("PEM_write_X509");
}

void write_key(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("test certificates: cannot write " + path);
  const int ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  if (ok != 1) fail("PEM_write_PrivateKey");
}

}  // namespace

TestCertificates TestCertificates::make() {
  TestCertificates out;
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/respan-certs-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("test certificates: mkdtemp");
  out.dir = buf.data();

  constexpr long kDay = 24L * 3600L;
  const std::string local = "IP:127.0.0.1,IP:::1,DNS:localhost";
  Key ca_key = make_key();
  Cert ca =
      make_cert(ca_key.get(), "respan-cpp test CA", nullptr, ca_key.get(), "", -kDay, 30 * kDay, 1);
  out.ca_cert = out.dir + "/ca.pem";
  write_cert(out.ca_cert, ca.get());

  struct Leaf {
    std::string* cert;
    std::string* key;
    const char* name;
    std::string sans;
    long from_s, to_s;
  };
  const Leaf leaves[] = {
      {&out.server_cert, &out.server_key, "server", local, -kDay, 30 * kDay},
      {&out.wrong_host_cert, &out.wrong_host_key, "wrong-host", "DNS:other.example", -kDay,
       30 * kDay},
      {&out.expired_cert, &out.expired_key, "expired", local, -3 * kDay, -kDay},
  };
  long serial = 2;
  for (const Leaf& leaf : leaves) {
    Key key = make_key();
    Cert cert = make_cert(key.get(), leaf.name, ca.get(), ca_key.get(), leaf.sans, leaf.from_s,
                          leaf.to_s, serial++);
    *leaf.cert = out.dir + "/" + leaf.name + ".pem";
    *leaf.key = out.dir + "/" + leaf.name + "-key.pem";
    write_cert(*leaf.cert, cert.get());
    write_key(*leaf.key, key.get());
  }
  return out;
}

TestCertificates::TestCertificates(TestCertificates&& other) noexcept
    : dir(std::move(other.dir)),
      ca_cert(std::move(other.ca_cert)),
      server_cert(std::move(other.server_cert)),
      server_key(std::move(other.server_key)),
      wrong_host_cert(std::move(other.wrong_host_cert)),
      wrong_host_key(std::move(other.wrong_host_key)),
      expired_cert(std::move(other.expired_cert)),
      expired_key(std::move(other.expired_key)) {
  other.dir.clear();
}

TestCertificates::~TestCertificates() {
  if (dir.empty()) return;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") ::unlink((dir + "/" + name).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

}  // namespace respan::test
