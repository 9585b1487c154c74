#include <gtest/gtest.h>

#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/usage_application.hpp"
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

using namespace std::chrono;

TEST(UsageApplication, EditConfirmFinalize) {
  auto app = start_usage_application();
  EXPECT_EQ(app.state, UsageApplicationState::editing);
  EXPECT_FALSE(app.is_change());
  auto s = confirm(app.state).value();
  EXPECT_EQ(s, UsageApplicationState::confirming);
  EXPECT_EQ(back_to_editing(s).value(), UsageApplicationState::editing);
  EXPECT_EQ(finalize(s).value(), UsageApplicationState::finalized);
}

TEST(UsageApplication, RefusesSkippedOrRepeatedSteps) {
  EXPECT_EQ(error_of(finalize(UsageApplicationState::editing)),
            UsageApplicationError::not_confirming);
  EXPECT_EQ(error_of(confirm(UsageApplicationState::confirming)),
            UsageApplicationError::not_editing);
  EXPECT_EQ(error_of(confirm(UsageApplicationState::finalized)),
            UsageApplicationError::not_editing);
  EXPECT_EQ(error_of(finalize(UsageApplicationState::finalized)),
            UsageApplicationError::not_confirming);
  EXPECT_EQ(error_of(back_to_editing(UsageApplicationState::finalized)),
            UsageApplicationError::not_confirming);
}

TEST(UsageApplication, ChangeApplicationReferencesAFinalizedOne) {
  auto change = start_change_application(42, UsageApplicationState::finalized).value();
  EXPECT_TRUE(change.is_change());
  EXPECT_EQ(change.changes, 42);
  EXPECT_EQ(change.state, UsageApplicationState::editing);
  EXPECT_EQ(error_of(start_change_application(42, UsageApplicationState::confirming)),
            UsageApplicationError::target_not_finalized);
  EXPECT_EQ(error_key(UsageApplicationError::target_not_finalized),
            "usage_application.target_not_finalized");
}

using CA = CertificateApplicationState;

TEST(CertificateApplication, TheHappyPath) {
  CA s = CA::applied;
  s = start_review(s).value();
  EXPECT_EQ(s, CA::under_review);
  s = approve(s).value();
  s = issue(s).value();
  EXPECT_EQ(s, CA::issued);
  s = record_notice_sent(s).value();
  EXPECT_EQ(s, CA::notice_sent);
}

TEST(CertificateApplication, ReturnedThenResubmittedOrRejected) {
  CA s = return_for_correction(CA::under_review).value();
  EXPECT_EQ(s, CA::returned);
  EXPECT_EQ(resubmit(s).value(), CA::applied);
  EXPECT_EQ(reject(CA::under_review).value(), CA::rejected);
  EXPECT_EQ(error_of(resubmit(CA::rejected)), CertificateApplicationError::not_returned);
}

TEST(CertificateApplication, CancellableOnlyBeforeApproval) {
  for (CA s : {CA::applied, CA::under_review, CA::returned}) {
    EXPECT_TRUE(can_cancel(s));
    EXPECT_EQ(cancel(s).value(), CA::cancelled);
  }
  for (CA s : {CA::approved, CA::issued, CA::notice_sent, CA::rejected, CA::cancelled}) {
    EXPECT_FALSE(can_cancel(s));
    EXPECT_EQ(error_of(cancel(s)), CertificateApplicationError::too_late_to_cancel) << state_key(s);
  }
}

// What the pages ask: who acts next, whether a letter can still come, whether a reviewer decides.
TEST(CertificateApplication, WhatEachStateLeadsTo) {
  for (CA s : {CA::applied, CA::under_review, CA::returned, CA::rejected, CA::approved, CA::issued,
               CA::notice_sent, CA::cancelled}) {
    EXPECT_EQ(awaits_applicant(s), s == CA::returned) << state_key(s);
    EXPECT_EQ(notice_letter_expected(s), s != CA::rejected && s != CA::cancelled) << state_key(s);
    EXPECT_EQ(can_decide(s), s == CA::applied || s == CA::under_review) << state_key(s);
  }
}

TEST(CertificateApplication, RefusesEveryOtherMove) {
  EXPECT_EQ(error_of(approve(CA::applied)), CertificateApplicationError::not_under_review);
  EXPECT_EQ(error_of(issue(CA::under_review)), CertificateApplicationError::not_approved);
  EXPECT_EQ(error_of(record_notice_sent(CA::approved)), CertificateApplicationError::not_issued);
  EXPECT_EQ(error_of(start_review(CA::cancelled)), CertificateApplicationError::not_applied);
  EXPECT_EQ(error_of(approve(CA::cancelled)), CertificateApplicationError::not_under_review);
  EXPECT_EQ(error_of(issue(CA::issued)), CertificateApplicationError::not_approved);
}

const sys_seconds not_after = sys_days{year{2027} / March / day{31}} + hours{14} + minutes{59};

TEST(Certificate, PickUpThenRevoke) {
  const sys_seconds now = sys_days{year{2024} / April / day{1}};
  auto s = pick_up(CertificateState::issued, now, not_after).value();
  EXPECT_EQ(s, CertificateState::active);
  EXPECT_EQ(revoke(s, RevocationReason::key_compromise).value(), CertificateState::revoked);
  EXPECT_EQ(error_of(pick_up(s, now, not_after)), CertificateError::not_issued);
}

TEST(Certificate, UnpickedCertificateCanBeRevokedButNotPickedUpLate) {
  EXPECT_EQ(revoke(CertificateState::issued, RevocationReason::unspecified).value(),
            CertificateState::revoked);
  EXPECT_EQ(error_of(pick_up(CertificateState::issued, not_after, not_after)),
            CertificateError::already_expired);
  EXPECT_EQ(error_of(pick_up(CertificateState::revoked, not_after - seconds{1}, not_after)),
            CertificateError::already_revoked);
}

TEST(Certificate, ExpiresAtNotAfter) {
  EXPECT_EQ(error_of(expire(CertificateState::active, not_after - seconds{1}, not_after)),
            CertificateError::not_yet_expired);
  EXPECT_EQ(expire(CertificateState::active, not_after, not_after).value(),
            CertificateState::expired);
  EXPECT_EQ(expire(CertificateState::issued, not_after, not_after).value(),
            CertificateState::expired);
  EXPECT_EQ(error_of(expire(CertificateState::revoked, not_after, not_after)),
            CertificateError::already_revoked);
  EXPECT_EQ(error_of(revoke(CertificateState::expired, RevocationReason::superseded)),
            CertificateError::already_expired);
}

TEST(Certificate, RevocationReasons) {
  EXPECT_EQ(error_of(revoke(CertificateState::active, RevocationReason::certificate_hold)),
            CertificateError::reason_not_allowed);
  EXPECT_EQ(error_of(revoke(CertificateState::active, RevocationReason::remove_from_crl)),
            CertificateError::reason_not_allowed);
  // CPIPCS 4.9.1: only five reasons for terminal certificates.
  for (auto r : {RevocationReason::ca_compromise, RevocationReason::privilege_withdrawn,
                 RevocationReason::aa_compromise}) {
    EXPECT_EQ(error_of(revoke(CertificateState::active, r)), CertificateError::reason_not_allowed);
  }
  for (auto r : {RevocationReason::unspecified, RevocationReason::key_compromise,
                 RevocationReason::affiliation_changed, RevocationReason::superseded,
                 RevocationReason::cessation_of_operation}) {
    EXPECT_TRUE(revoke(CertificateState::active, r).has_value());
  }
  EXPECT_EQ(revocation_reason_from_code(1).value(), RevocationReason::key_compromise);
  EXPECT_EQ(revocation_reason_from_code(10).value(), RevocationReason::aa_compromise);
  EXPECT_EQ(error_of(revocation_reason_from_code(7)), CertificateError::unknown_reason);
  EXPECT_EQ(error_of(revocation_reason_from_code(11)), CertificateError::unknown_reason);
  EXPECT_EQ(error_of(revocation_reason_from_code(-1)), CertificateError::unknown_reason);
  EXPECT_EQ(reason_key(RevocationReason::cessation_of_operation), "cessationOfOperation");
}

}  // namespace
}  // namespace onshi::domain
