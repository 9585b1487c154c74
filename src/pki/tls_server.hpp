#pragma once
// The TLS listener's OpenSSL side. web/server_restinio.cpp runs the listener on Asio's OpenSSL
// stream and hands its native handles over as void* (an SSL_CTX*, an SSL*), so that only pki/
// names OpenSSL: the server context's policy, and what a client's handshake left.
#include <string>
#include <vector>

namespace onshi::pki {

struct TlsServerFiles {
  std::string cert_pem;             // the server's certificate, then the issuing CA's
  std::string key_pem;              // its private key
  std::string cert_file, key_file;  // their paths, for the messages
  // PEM certificates a client's certificate is verified against (the CA's issuing and root
  // certificates); their subjects are the CA names the CertificateRequest lists. Empty: no client
  // certificate is asked for.
  std::string client_ca_pem;
};

// TLS 1.2 and 1.3 only; for 1.2 only forward-secret AEAD suites; no resumption, compression or
// renegotiation; the certificate and key (checked to match); a client certificate asked for,
// never required and never refused at the handshake. Throws std::runtime_error naming the file or
// setting that is wrong.
void configure_tls_server(void* ssl_ctx, const TlsServerFiles& files);

struct TlsClient {
  std::vector<std::string> certificates;  // DER, the client's own first; empty when it sent none
  bool verified = false;                  // the chain verified against client_ca_pem
  // Why it did not, in OpenSSL's words ("unable to get local issuer certificate"); empty when
  // verified or when the client sent no certificate.
  std::string verify_error;
  std::string version;  // "TLSv1.3"
  std::string cipher;
};
// What the handshake of `ssl` left: read once, when the connection is accepted.
TlsClient tls_client_of(void* ssl);

}  // namespace onshi::pki
