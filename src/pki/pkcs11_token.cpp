// Key pair generation inside a PKCS#11 token through the module's C API (dlopen), because the
// libp11 engine can only use keys, not create them. Signing goes through pkcs11_engine.cpp.
#include "pki/key_store.hpp"
#include "pki/x509_build.hpp"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace onshi::pki::detail {
namespace {

[[noreturn]] void pkcs11_fail(const char* what, CK_RV rv) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%08lx", static_cast<unsigned long>(rv));
  throw std::runtime_error(std::string("PKCS#11 ") + what + " failed: " + buf);
}

// Loads the module, and initializes it unless something in this process (the engine) already did;
// only then is it finalized again, so the engine's sessions survive.
class Module {
 public:
  explicit Module(const std::string& path) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw std::runtime_error("cannot load PKCS#11 module " + path);
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle_, "C_GetFunctionList"));
    if (get_list == nullptr || get_list(&f_) != CKR_OK) {
      dlclose(handle_);
      throw std::runtime_error("not a PKCS#11 module: " + path);
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = f_->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      dlclose(handle_);
      pkcs11_fail("C_Initialize", rv);
    }
    finalize_ = rv == CKR_OK;
  }
  ~Module() {
    if (finalize_) f_->C_Finalize(nullptr);
    dlclose(handle_);
  }
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  CK_FUNCTION_LIST* operator->() const { return f_; }

 private:
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* f_ = nullptr;
  bool finalize_ = false;
};

class Session {
 public:
  Session(const Module& m, CK_SLOT_ID slot) : m_(m) {
    const CK_RV rv =
        m_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h_);
    if (rv != CKR_OK) pkcs11_fail("C_OpenSession", rv);
  }
  ~Session() { m_->C_CloseSession(h_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  CK_SESSION_HANDLE get() const { return h_; }

 private:
  const Module& m_;
  CK_SESSION_HANDLE h_ = 0;
};

CK_SLOT_ID find_token(const Module& m, const std::string& label) {
  CK_ULONG count = 0;
  CK_RV rv = m->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv != CKR_OK) pkcs11_fail("C_GetSlotList", rv);
  std::vector<CK_SLOT_ID> slots(count);
  rv = m->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) pkcs11_fail("C_GetSlotList", rv);
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_TOKEN_INFO info{};
    if (m->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
    std::string text(reinterpret_cast<const char*>(info.label), sizeof info.label);
    text.erase(text.find_last_not_of(' ') + 1);  // labels are blank-padded
    if (text == label) return slots[i];
  }
  throw std::runtime_error("PKCS#11 token not found: " + label);
}

std::string get_attribute(const Module& m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                          CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  CK_RV rv = m->C_GetAttributeValue(s, o, &a, 1);
  if (rv != CKR_OK) pkcs11_fail("C_GetAttributeValue", rv);
  std::string value(a.ulValueLen, '\0');
  a.pValue = value.data();
  rv = m->C_GetAttributeValue(s, o, &a, 1);
  if (rv != CKR_OK) pkcs11_fail("C_GetAttributeValue", rv);
  return value;
}

ossl::Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM_free>> params(
      ossl::check(OSSL_PARAM_BLD_to_param(bld), "OSSL_PARAM_BLD_to_param"));
  ossl::PkeyCtx ctx(ossl::check(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), "ctx"));
  ossl::check(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
  EVP_PKEY* key = nullptr;
  ossl::check(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()),
              "EVP_PKEY_fromdata");
  return ossl::Pkey(key);
}

// The token's public key object as an OpenSSL key, to compute its identifier.
ossl::Pkey read_public_key(const Module& m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub,
                           KeyAlgorithm algorithm) {
  std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD_free>> bld(
      ossl::check(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
  if (algorithm == KeyAlgorithm::ec_p256 || algorithm == KeyAlgorithm::ec_p384) {
    const std::string point_attr = get_attribute(m, s, pub, CKA_EC_POINT);
    const std::size_t raw_size = algorithm == KeyAlgorithm::ec_p256 ? 65 : 97;
    std::string point = point_attr;
    // PKCS#11 says DER OCTET STRING; some modules give the bare point.
    if (point_attr.size() != raw_size) {
      const auto* p = reinterpret_cast<const unsigned char*>(point_attr.data());
      ossl::OctetString os(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(point.size())));
      if (!os) ossl::fail("CKA_EC_POINT");
      point.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(os.get())),
                   static_cast<std::size_t>(ASN1_STRING_length(os.get())));
    }
    const char* group = algorithm == KeyAlgorithm::ec_p256 ? "P-256" : "P-384";
    ossl::check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                "group");
    ossl::check(OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                                 point.size()),
                "point");
    return from_params("EC", bld.get());
  }
  const std::string n = get_attribute(m, s, pub, CKA_MODULUS);
  const std::string e = get_attribute(m, s, pub, CKA_PUBLIC_EXPONENT);
  auto bn = [](const std::string& bytes) {
    return ossl::BigNum(ossl::check(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), nullptr),
                                    "BN_bin2bn"));
  };
  ossl::BigNum bn_n = bn(n), bn_e = bn(e);
  ossl::check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()), "n");
  ossl::check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()), "e");
  return from_params("RSA", bld.get());
}

}  // namespace

ossl::Pkey token_generate_key_pair(const KeyStoreConfig& cfg, const std::string& label,
                                   KeyAlgorithm algorithm) {
  Module m(cfg.pkcs11_module);
  const CK_SLOT_ID slot = find_token(m, cfg.pkcs11_token_label);
  Session session(m, slot);
  CK_RV rv = m->C_Login(session.get(), CKU_USER,
                        reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(cfg.pkcs11_pin.data())),
                        cfg.pkcs11_pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) pkcs11_fail("C_Login (check the PIN)", rv);

  // A random temporary CKA_ID, replaced below by the key identifier once the key is known.
  std::array<unsigned char, 20> temp_id{};
  ossl::check(RAND_bytes(temp_id.data(), static_cast<int>(temp_id.size())), "RAND_bytes");
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_BYTE p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
  CK_BYTE exponent[] = {0x01, 0x00, 0x01};
  CK_ULONG bits = algorithm == KeyAlgorithm::rsa_3072 ? 3072 : 2048;
  std::string label_copy = label;
  const bool ec = algorithm == KeyAlgorithm::ec_p256 || algorithm == KeyAlgorithm::ec_p384;

  std::vector<CK_ATTRIBUTE> pub_tpl = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_VERIFY, &yes, sizeof yes},
      {CKA_ENCRYPT, &no, sizeof no},
      {CKA_WRAP, &no, sizeof no},
      {CKA_LABEL, label_copy.data(), label_copy.size()},
      {CKA_ID, temp_id.data(), temp_id.size()},
  };
  if (ec) {
    if (algorithm == KeyAlgorithm::ec_p256) {
      pub_tpl.push_back({CKA_EC_PARAMS, p256, sizeof p256});
    } else {
      pub_tpl.push_back({CKA_EC_PARAMS, p384, sizeof p384});
    }
  } else {
    pub_tpl.push_back({CKA_MODULUS_BITS, &bits, sizeof bits});
    pub_tpl.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof exponent});
  }
  // CPIPCS 6.2.1: the private key can never leave the token, and it only signs.
  std::vector<CK_ATTRIBUTE> priv_tpl = {
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_SIGN, &yes, sizeof yes},
      {CKA_DECRYPT, &no, sizeof no},
      {CKA_UNWRAP, &no, sizeof no},
      {CKA_DERIVE, &no, sizeof no},
      {CKA_LABEL, label_copy.data(), label_copy.size()},
      {CKA_ID, temp_id.data(), temp_id.size()},
  };
  CK_MECHANISM mech{ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE pub = 0, priv = 0;
  rv = m->C_GenerateKeyPair(session.get(), &mech, pub_tpl.data(), pub_tpl.size(), priv_tpl.data(),
                            priv_tpl.size(), &pub, &priv);
  if (rv != CKR_OK) pkcs11_fail("C_GenerateKeyPair", rv);

  ossl::Pkey public_key = read_public_key(m, session.get(), pub, algorithm);
  std::string id = key_identifier(public_key.get());
  CK_ATTRIBUTE id_attr{CKA_ID, id.data(), id.size()};
  for (CK_OBJECT_HANDLE h : {pub, priv}) {
    rv = m->C_SetAttributeValue(session.get(), h, &id_attr, 1);
    if (rv != CKR_OK) pkcs11_fail("C_SetAttributeValue(CKA_ID)", rv);
  }
  return public_key;
}

}  // namespace onshi::pki::detail
