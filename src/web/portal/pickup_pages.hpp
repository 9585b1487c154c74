#pragma once
// 取得用ページ, shared by its two halves: the pair typed and the certificate's page
// (portal/pickup.cpp), and what that page hands over (portal/pickup_downloads.cpp). No session:
// after the pair, the page's forms carry the grant (app/ca/pickup.hpp) in a hidden field, never
// the code.
#include <string>
#include <variant>

#include "app/ca/pickup.hpp"
#include "web/site.hpp"

namespace onshi::web {

// The address the throttle counts and the mail names; IPv4 on an IPv6 socket reads as IPv4.
std::string pickup_client_address(const Ctx& ctx);

// The first form: 発行番号 (prefilled with `number`) and 取得コード, with `d`'s errors.
Response pickup_entry_page(Ctx& ctx, int status, const std::string& number,
                           util::TemplateData d = {});
// The certificate's page of an open pickup; `d` may carry field errors of its forms or notices.
Response pickup_certificate_page(Ctx& ctx, int status, const app::PickupGrant& grant,
                                 util::TemplateData d = {});
// A pickup that cannot go on (locked, window over, closed, throttled, ...): what to do instead.
Response pickup_refused(Ctx& ctx, const app::Failure& f, const std::string& number = {});

// The open grant of a posted form, or the answer when it is gone: the first form again for an
// expired one (the number kept from the form), the refusal page for a pickup closed meanwhile.
std::variant<app::PickupGrant, Response> resumed_grant(Ctx& ctx);

// POST /pickup/pkcs12, /pickup/chain, /pickup/csr.
void add_pickup_download_routes(Routes& routes);

}  // namespace onshi::web
