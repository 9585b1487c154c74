#include <gtest/gtest.h>

#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/usage_application.hpp"

namespace onshi::domain {
namespace {

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
  EXPECT_EQ(finalize(UsageApplicationState::editing).error(),
            UsageApplicationError::not_confirming);
  EXPECT_EQ(confirm(UsageApplicationState::confirming).error(), UsageApplicationError::not_editing);
  EXPECT_EQ(confirm(UsageApplicationState::finalized).error(), UsageApplicationError::not_editing);
  EXPECT_EQ(finalize(UsageApplicationState::finalized).error(),
            UsageApplicationError::not_confirming);
  EXPECT_EQ(back_to_editing(UsageApplicationState::finalized).error(),
            UsageApplicationError::not_confirming);
}

TEST(UsageApplication, ChangeApplicationReferencesAFinalizedOne) {
  auto change = start_change_application(42, UsageApplicationState::finalized).value();
  EXPECT_TRUE(change.is_change());
  EXPECT_EQ(change.changes, 42);
  EXPECT_EQ(change.state, UsageApplicationState::editing);
  EXPECT_EQ(start_change_application(42, UsageApplicationState::confirming).error(),
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
  EXPECT_EQ(resubmit(CA::rejected).error(), CertificateApplicationError::not_returned);
}

TEST(CertificateApplication, CancellableOnlyBeforeApproval) {
  for (CA s : {CA::applied, CA::under_review, CA::returned}) {
    EXPECT_TRUE(can_cancel(s));
    EXPECT_EQ(cancel(s).value(), CA::cancelled);
  }
  for (CA s : {CA::approved, CA::issued, CA::notice_sent, CA::rejected, CA::cancelled}) {
    EXPECT_FALSE(can_cancel(s));
    EXPECT_EQ(cancel(s).error(), CertificateApplicationError::too_late_to_cancel) << state_key(s);
  }
}

TEST(CertificateApplication, RefusesEveryOtherMove) {
  EXPECT_EQ(approve(CA::applied).error(), CertificateApplicationError::not_under_review);
  EXPECT_EQ(issue(CA::under_review).error(), CertificateApplicationError::not_approved);
  EXPECT_EQ(record_notice_sent(CA::approved).error(), CertificateApplicationError::not_issued);
  EXPECT_EQ(start_review(CA::cancelled).error(), CertificateApplicationError::not_applied);
  EXPECT_EQ(approve(CA::cancelled).error(), CertificateApplicationError::not_under_review);
  EXPECT_EQ(issue(CA::issued).error(), CertificateApplicationError::not_approved);
}

const sys_seconds not_after = sys_days{year{2027} / March / day{31}} + hours{14} + minutes{59};

TEST(Certificate, PickUpThenRevoke) {
  const sys_seconds now = sys_days{year{2024} / April / day{1}};
  auto s = pick_up(CertificateState::issued, now, not_after).value();
  EXPECT_EQ(s, CertificateState::active);
  EXPECT_EQ(revoke(s, RevocationReason::key_compromise).value(), CertificateState::revoked);
  EXPECT_EQ(pick_up(s, now, not_after).error(), CertificateError::not_issued);
}

TEST(Certificate, UnpickedCertificateCanBeRevokedButNotPickedUpLate) {
  EXPECT_EQ(revoke(CertificateState::issued, RevocationReason::unspecified).value(),
            CertificateState::revoked);
  EXPECT_EQ(pick_up(CertificateState::issued, not_after, not_after).error(),
            CertificateError::already_expired);
  EXPECT_EQ(pick_up(CertificateState::revoked, not_after - seconds{1}, not_after).error(),
            CertificateError::already_revoked);
}

TEST(Certificate, ExpiresAtNotAfter) {
  EXPECT_EQ(expire(CertificateState::active, not_after - seconds{1}, not_after).error(),
            CertificateError::not_yet_expired);
  EXPECT_EQ(expire(CertificateState::active, not_after, not_after).value(),
            CertificateState::expired);
  EXPECT_EQ(expire(CertificateState::issued, not_after, not_after).value(),
            CertificateState::expired);
  EXPECT_EQ(expire(CertificateState::revoked, not_after, not_after).error(),
            CertificateError::already_revoked);
  EXPECT_EQ(revoke(CertificateState::expired, RevocationReason::superseded).error(),
            CertificateError::already_expired);
}

TEST(Certificate, RevocationReasons) {
  EXPECT_EQ(revoke(CertificateState::active, RevocationReason::certificate_hold).error(),
            CertificateError::reason_not_allowed);
  EXPECT_EQ(revoke(CertificateState::active, RevocationReason::remove_from_crl).error(),
            CertificateError::reason_not_allowed);
  // CPIPCS 4.9.1: only five reasons for terminal certificates.
  for (auto r : {RevocationReason::ca_compromise, RevocationReason::privilege_withdrawn,
                 RevocationReason::aa_compromise}) {
    EXPECT_EQ(revoke(CertificateState::active, r).error(), CertificateError::reason_not_allowed);
  }
  for (auto r : {RevocationReason::unspecified, RevocationReason::key_compromise,
                 RevocationReason::affiliation_changed, RevocationReason::superseded,
                 RevocationReason::cessation_of_operation}) {
    EXPECT_TRUE(revoke(CertificateState::active, r).has_value());
  }
  EXPECT_EQ(revocation_reason_from_code(1).value(), RevocationReason::key_compromise);
  EXPECT_EQ(revocation_reason_from_code(10).value(), RevocationReason::aa_compromise);
  EXPECT_EQ(revocation_reason_from_code(7).error(), CertificateError::unknown_reason);
  EXPECT_EQ(revocation_reason_from_code(11).error(), CertificateError::unknown_reason);
  EXPECT_EQ(revocation_reason_from_code(-1).error(), CertificateError::unknown_reason);
  EXPECT_EQ(reason_key(RevocationReason::cessation_of_operation), "cessationOfOperation");
}

}  // namespace
}  // namespace onshi::domain
