#include "pki/tls_server.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace onshi::pki {
namespace {

std::string der_of(X509* cert) {
  const int size = i2d_X509(cert, nullptr);
  if (size <= 0) return {};
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  return der;
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
Bio memory_bio(const std::string& text) {
  return {BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free};
}

void use_key_and_chain(SSL_CTX* ctx, const TlsServerFiles& f) {
  // The key first: a certificate added after a key it does not match only drops the key, and the
  // check below says so plainly, where the other order fails as "not a private key".
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(memory_bio(f.key_pem).get(), nullptr, nullptr, nullptr),
      EVP_PKEY_free);
  if (!key || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error(
        fmt::format("server.tls_key_file {}: not a PEM private key", f.key_file));
  }
  const auto chain = memory_bio(f.cert_pem);
  const std::unique_ptr<X509, decltype(&X509_free)> leaf(
      PEM_read_bio_X509_AUX(chain.get(), nullptr, nullptr, nullptr), X509_free);
  if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error(
        fmt::format("server.tls_cert_file {}: not a PEM certificate chain", f.cert_file));
  }
  SSL_CTX_clear_chain_certs(ctx);
  while (X509* ca = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) {
    // add0 takes the reference on success only.
    if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
      X509_free(ca);
      throw std::runtime_error(
          fmt::format("server.tls_cert_file {}: cannot use its chain", f.cert_file));
    }
  }
  ERR_clear_error();  // the end of the PEM text, which the next TLS call on this thread would see
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    throw std::runtime_error(fmt::format(
        "server.tls_key_file {} is not the key of the certificate in server.tls_cert_file {}",
        f.key_file, f.cert_file));
  }
}

void ask_for_client_certificates(SSL_CTX* ctx, const std::string& client_ca_pem) {
  const auto pem = memory_bio(client_ca_pem);
  int loaded = 0;
  while (X509* ca = PEM_read_bio_X509(pem.get(), nullptr, nullptr, nullptr)) {
    const std::unique_ptr<X509, decltype(&X509_free)> owned(ca, X509_free);
    // The verify store and the CertificateRequest's list of CA names (which certificate curl or
    // a browser offers) hold the same certificates. Both calls take their own reference.
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) != 1 ||
        SSL_CTX_add_client_CA(ctx, ca) != 1)
      throw std::runtime_error("cannot load the CA certificates for client certificates");
    ++loaded;
  }
  ERR_clear_error();
  if (loaded == 0)
    throw std::runtime_error("the CA certificates for client certificates are no PEM");
  // Asked for, never required, never refused at the handshake: a client of another CA reaches
  // the route, which answers it properly (RFC 7030 error, a page) rather than with a TLS alert.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  SSL_CTX_set_verify_depth(ctx, 4);
}

}  // namespace

void configure_tls_server(void* ssl_ctx, const TlsServerFiles& files) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // For 1.2 only forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20); 1.3's suites are
  // all that already, OpenSSL's defaults stay.
  if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1)
    throw std::runtime_error("OpenSSL knows none of the TLS 1.2 cipher suites asked for");
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
  // Every connection does a full handshake: a resumed session does not carry the client's chain
  // again, and a certificate is then checked on every connection, not once per ticket.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  use_key_and_chain(ctx, files);
  if (!files.client_ca_pem.empty()) ask_for_client_certificates(ctx, files.client_ca_pem);
}

TlsClient tls_client_of(void* ssl_handle) {
  auto* ssl = static_cast<SSL*>(ssl_handle);
  TlsClient client;
  client.version = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) client.cipher = cipher;
  const std::unique_ptr<X509, decltype(&X509_free)> leaf(SSL_get1_peer_certificate(ssl), X509_free);
  if (!leaf) return client;
  client.certificates.push_back(der_of(leaf.get()));
  // On the server side OpenSSL keeps the rest of what the client sent, without its certificate.
  if (STACK_OF(X509)* rest = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(rest); ++i)
      client.certificates.push_back(der_of(sk_X509_value(rest, i)));
  }
  // The verify callback lets every chain through; OpenSSL still records why one failed.
  const long result = SSL_get_verify_result(ssl);
  client.verified = result == X509_V_OK;
  if (!client.verified) client.verify_error = X509_verify_cert_error_string(result);
  return client;
}

}  // namespace onshi::pki
