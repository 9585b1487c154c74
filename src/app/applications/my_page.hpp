#pragma once
// What マイページ shows an institution, read in one transaction so that its parts agree.
#include <map>
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "store/records.hpp"

namespace onshi::app {

struct MyPage {
  std::vector<store::UsageApplicationRecord> usage_applications;
  std::vector<store::CertificateApplicationRecord> certificate_applications;  // newest first
  std::map<store::Id, store::NoticeLetterRecord> letters;  // by certificate application id
  std::vector<store::CertificateRow> certificates;         // the current one of each 発行番号
  bool any_renewable = false;  // renewable_certificates would not be empty
};

MyPage my_page(const Services& s, store::Id institution_id);

}  // namespace onshi::app
