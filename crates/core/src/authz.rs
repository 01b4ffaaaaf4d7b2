//! The authorization table: one place that says which role may do what.
//!
//! **Architecture Invariant:** every route of the web crate names exactly one
//! [`Action`] (or is public), and the server checks [`allowed`] before the handler runs.
//! A test in `crates/web` walks every route with every role and compares the outcome
//! with this table, so a route without a rule cannot ship.
//!
//! API tokens are further limited by [`Scope`]: a token acts as its user, but only for
//! actions whose [`Action::scope`] the token carries.

use crate::roles::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See one's own account, home page, roles.
    ViewSelf,
    /// Change one's own password and two-factor settings.
    ManageOwnAccount,
    /// Browse and filter the audit trail.
    AuditRead,
    /// List users, teams and sites.
    DirectoryRead,
    /// Create users, change roles and teams, issue and revoke API tokens.
    UserAdmin,
    /// Submit interactions for scanning and storage (machine clients).
    InteractionIngest,
    /// Read a stored (redacted) interaction with its findings and score.
    InteractionRead,
    /// See the commitments ledger.
    CommitmentRead,
    /// Mark a commitment kept.
    CommitmentFulfil,
    /// See one's own interactions, scorecards and commitments (agents).
    ViewOwnWork,
    /// Override a scorecard item, with a written justification.
    ScoreOverride,
    /// Open an interaction's sealed original in the privacy vault (also needs current
    /// data-privacy training and a written reason; every opening is audited).
    VaultOpen,
    /// See calibration sessions one takes part in or created, and closed results.
    CalibrationRead,
    /// Score the interactions of a calibration session one takes part in.
    CalibrationScore,
    /// Create and close calibration sessions.
    CalibrationManage,
    /// Dispute an item of one's own scorecard, with a reason (agents).
    DisputeOpen,
    /// See the dispute queue and disputes (QA analysts).
    DisputeRead,
    /// Resolve a dispute: uphold the score or accept and change it.
    DisputeResolve,
    /// Mint a single-use customer feedback link for an interaction (machine clients).
    FeedbackLinkCreate,
    /// See and work the hotline cases one's key is wrapped for: read, notes, messages to
    /// the reporter, status. Which cases is decided by the wraps, not by this table:
    /// investigators hold keys only to cases assigned to them, and no one excluded by a
    /// conflict of interest holds one.
    CaseWork,
    /// Triage, assign, hand over, place legal holds (case managers).
    CaseManage,
    /// Decide requests to open a reporter's identity envelope.
    IdentityDecide,
    /// Configure the hotline: categories and questions, jurisdictions, retention.
    HotlineConfigure,
    /// See hotline statistics (cases one can see, plus destroyed cases' statistics).
    HotlineAnalytics,
    /// See the ethics-health dashboard (counts and rates only; hotline figures over the
    /// cases one can read).
    DashboardRead,
    /// See fairness analytics: workload spread, QA scores by team, site and evaluator,
    /// evaluator leniency, training effectiveness (individual agents' loads included).
    FairnessRead,
    // Conflicts of interest (issue 9).
    /// Declare one's own conflicts of interest (or nothing to declare) and see them.
    ConflictDisclose,
    /// Review disclosures (decide, mitigate), run campaigns, set the gift threshold.
    ConflictReview,
    /// Conflict-of-interest reports: campaign coverage, open mitigations, gifts register.
    ConflictReports,
    /// See conflict findings: an agent handled a disclosed relation's account (team
    /// leads see their reporting line's, ethics officers all).
    ConflictFindings,
    /// Ask whether a customer should be routed away from an agent (telephony clients).
    ConflictRouting,
    /// Answer the climate surveys one is invited to (every employee).
    SurveyRespond,
    /// Build surveys, prepare, launch and close waves, raise their thresholds.
    SurveyManage,
    /// See survey results (suppressed below the thresholds), export them, hot-spots.
    SurveyResults,
    /// See internal audits and answer their checklists (auditors).
    AuditPerform,
    /// Create audit templates and schedules.
    AuditManage,
    /// See and work corrective actions (CAPA): raise, own, move through the states.
    CapaManage,
    /// Record discipline decisions; see one's own decisions and comparable cases.
    DisciplineRecord,
    /// Approve deviating decisions as second approver; see every decision and the
    /// disparity report.
    DisciplineApprove,
    /// See the discipline decisions in force about oneself, with what was weighed and why.
    DisciplineOwn,
    /// Give kudos, and see and consent to kudos one received.
    KudosGive,
    /// Configure violation classes and the values kudos are tied to.
    ConductConfigure,
    // Policies and attestation (issue #6).
    /// Read published policies and one's own attestations.
    PolicyRead,
    /// Take a policy's quiz and attest (one's own attestations only).
    PolicyAttest,
    /// Write, approve (four eyes), publish and retire policies; settings and quizzes.
    PolicyManage,
    /// Attestation coverage, overdue lists, evidence and question failure rates.
    PolicyReport,
    /// See which people in the teams one leads have open or overdue attestations.
    PolicyTeam,
    /// See one's own training, take assigned courses, print one's certificates.
    TrainingTake,
    /// Create and edit courses and assignment rules, import external completions,
    /// record offline completions.
    TrainingManage,
    /// See training coverage, overdue lists and trends; verify certificates.
    TrainingReport,
    // The auditor's evidence binder (issue #8).
    /// Read and export the evidence binder (ECCP questions with live figures).
    BinderRead,
    /// Write the binder's narratives.
    BinderWrite,
    // Pay equity.
    /// Import pay data from an HR file and decide whether sex is collected.
    PayManage,
    /// See the pay gap report (suppressed below the group minimum) and export it.
    PayReport,
    /// Ask for the average pay of one's own category of workers, by sex.
    PayOwnCategory,
    // Leadership.
    /// See the leadership view of oneself and of the leaders below one's teams.
    LeadershipView,
    /// See the leadership view of every leader.
    LeadershipOversee,
    // Coaching and upward feedback.
    /// Record coaching sessions with the agents of one's reporting line, follow their
    /// goals up, see their effect (team leads).
    CoachingRecord,
    /// See one's own coaching sessions (agents).
    CoachingView,
    /// Acknowledge one's own coaching sessions and comment on them (agents).
    CoachingRespond,
    /// Rate the coaching and fairness of the leads of one's reporting line, anonymously.
    UpwardFeedbackGive,
    /// See upward feedback released above the threshold: one's own as a lead, every
    /// lead's for the ethics office.
    UpwardFeedbackView,
}

/// What an API token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Ingest,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Ingest, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Ingest => "ingest",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

use Role::*;

/// Every role: for what each person with an account does for themselves (their account,
/// their policies, training, surveys and disclosures).
const EVERYONE: &[Role] = &Role::ALL;

/// The table. One row per action: the roles that may perform it.
const TABLE: &[(Action, &[Role])] = &[
    (Action::ViewSelf, EVERYONE),
    (Action::ManageOwnAccount, EVERYONE),
    (Action::AuditRead, &[EthicsOfficer, Admin]),
    (
        Action::DirectoryRead,
        &[TeamLead, QaAnalyst, EthicsOfficer, Admin],
    ),
    (Action::UserAdmin, &[Admin]),
    (Action::InteractionIngest, &[Admin, QaAnalyst]),
    (
        Action::InteractionRead,
        &[TeamLead, QaAnalyst, EthicsOfficer],
    ),
    (
        Action::CommitmentRead,
        &[TeamLead, QaAnalyst, EthicsOfficer],
    ),
    (Action::CommitmentFulfil, &[TeamLead, QaAnalyst]),
    (Action::ViewOwnWork, &[Agent]),
    (Action::ScoreOverride, &[QaAnalyst]),
    (Action::VaultOpen, &[QaAnalyst, EthicsOfficer]),
    // Team leads coach their agents on the same scorecard, so they calibrate too; only
    // QA analysts run sessions.
    (Action::CalibrationRead, &[QaAnalyst, TeamLead]),
    (Action::CalibrationScore, &[QaAnalyst, TeamLead]),
    (Action::CalibrationManage, &[QaAnalyst]),
    (Action::DisputeOpen, &[Agent]),
    (Action::DisputeRead, &[QaAnalyst]),
    (Action::DisputeResolve, &[QaAnalyst]),
    (Action::FeedbackLinkCreate, &[Admin, QaAnalyst]),
    (
        Action::CaseWork,
        &[
            EthicsOfficer,
            Investigator,
            AuditCommittee,
            IdentityCustodian,
        ],
    ),
    (Action::CaseManage, &[EthicsOfficer, AuditCommittee]),
    (Action::IdentityDecide, &[IdentityCustodian]),
    // Configuration holds no case content: admins own retention (PRODUCT.md).
    (Action::HotlineConfigure, &[EthicsOfficer, Admin]),
    (Action::HotlineAnalytics, &[EthicsOfficer, AuditCommittee]),
    (Action::DashboardRead, &[EthicsOfficer, AuditCommittee]),
    // QA analysts see how evenly they and their peers score; no hotline data here.
    (
        Action::FairnessRead,
        &[EthicsOfficer, QaAnalyst, AuditCommittee],
    ),
    // Conflicts of interest (issue 9): everyone with an account declares; the
    // disclosures themselves are further limited to the discloser, ethics officers and
    // the assigned reviewer by the handlers.
    (Action::ConflictDisclose, EVERYONE),
    (Action::ConflictReview, &[EthicsOfficer]),
    (Action::ConflictReports, &[EthicsOfficer]),
    (Action::ConflictFindings, &[TeamLead, EthicsOfficer]),
    (Action::ConflictRouting, &[Admin, QaAnalyst]),
    // Surveys: everyone is an employee who may be asked; the ethics office runs them;
    // the audit committee oversees the program and reads the (suppressed) results.
    (Action::SurveyRespond, EVERYONE),
    (Action::SurveyManage, &[EthicsOfficer]),
    (Action::SurveyResults, &[EthicsOfficer, AuditCommittee]),
    // Issue #7. Team leads audit their sites and own corrective actions; discipline
    // decisions are sensitive: the decision makers (team leads, ethics officers) and the
    // ethics office as the HR-like second line.
    (Action::AuditPerform, &[QaAnalyst, EthicsOfficer, TeamLead]),
    (Action::AuditManage, &[QaAnalyst, EthicsOfficer]),
    (Action::CapaManage, &[QaAnalyst, EthicsOfficer, TeamLead]),
    (Action::DisciplineRecord, &[TeamLead, EthicsOfficer]),
    (Action::DisciplineApprove, &[EthicsOfficer]),
    (Action::DisciplineOwn, EVERYONE),
    (
        Action::KudosGive,
        &[Agent, TeamLead, QaAnalyst, EthicsOfficer],
    ),
    (Action::ConductConfigure, &[EthicsOfficer]),
    // Policies and attestation (issue #6): every employee reads and attests.
    (Action::PolicyRead, EVERYONE),
    (Action::PolicyAttest, EVERYONE),
    (Action::PolicyManage, &[EthicsOfficer]),
    (Action::PolicyReport, &[EthicsOfficer, AuditCommittee]),
    (Action::PolicyTeam, &[TeamLead]),
    // Everyone is assigned training, so everyone takes it.
    (Action::TrainingTake, EVERYONE),
    (Action::TrainingManage, &[EthicsOfficer]),
    // Team leads get their team's overdue escalations and chase them.
    (Action::TrainingReport, &[EthicsOfficer, TeamLead]),
    // The evidence binder: the ethics office prepares it, the audit committee reads it.
    (Action::BinderRead, &[EthicsOfficer, AuditCommittee]),
    (Action::BinderWrite, &[EthicsOfficer]),
    // Pay equity: the ethics office runs the pay transparency report and the joint pay
    // assessment; the audit committee oversees it; every employee may ask for the
    // averages of their own category (the right to information).
    (Action::PayManage, &[EthicsOfficer]),
    (Action::PayReport, &[EthicsOfficer, AuditCommittee]),
    (Action::PayOwnCategory, EVERYONE),
    // Leaders are held to what they ask of others: each lead sees their own view and
    // those of the leads below them; the ethics office and the audit committee see all.
    (
        Action::LeadershipView,
        &[TeamLead, EthicsOfficer, AuditCommittee],
    ),
    (Action::LeadershipOversee, &[EthicsOfficer, AuditCommittee]),
    // Coaching goes both ways: leads coach the agents of their reporting line, agents
    // answer their own sessions and rate their leads; each lead reads their own ratings
    // once released, the ethics office every lead's.
    (Action::CoachingRecord, &[TeamLead]),
    (Action::CoachingView, &[Agent]),
    (Action::CoachingRespond, &[Agent]),
    (Action::UpwardFeedbackGive, &[Agent]),
    (Action::UpwardFeedbackView, &[TeamLead, EthicsOfficer]),
];

impl Action {
    pub const ALL: [Action; 62] = [
        Action::ViewSelf,
        Action::ManageOwnAccount,
        Action::AuditRead,
        Action::DirectoryRead,
        Action::UserAdmin,
        Action::InteractionIngest,
        Action::InteractionRead,
        Action::CommitmentRead,
        Action::CommitmentFulfil,
        Action::ViewOwnWork,
        Action::ScoreOverride,
        Action::VaultOpen,
        Action::CalibrationRead,
        Action::CalibrationScore,
        Action::CalibrationManage,
        Action::DisputeOpen,
        Action::DisputeRead,
        Action::DisputeResolve,
        Action::FeedbackLinkCreate,
        Action::CaseWork,
        Action::CaseManage,
        Action::IdentityDecide,
        Action::HotlineConfigure,
        Action::HotlineAnalytics,
        Action::DashboardRead,
        Action::FairnessRead,
        Action::ConflictDisclose,
        Action::ConflictReview,
        Action::ConflictReports,
        Action::ConflictFindings,
        Action::ConflictRouting,
        Action::SurveyRespond,
        Action::SurveyManage,
        Action::SurveyResults,
        Action::AuditPerform,
        Action::AuditManage,
        Action::CapaManage,
        Action::DisciplineRecord,
        Action::DisciplineApprove,
        Action::DisciplineOwn,
        Action::KudosGive,
        Action::ConductConfigure,
        Action::PolicyRead,
        Action::PolicyAttest,
        Action::PolicyManage,
        Action::PolicyReport,
        Action::PolicyTeam,
        Action::TrainingTake,
        Action::TrainingManage,
        Action::TrainingReport,
        Action::BinderRead,
        Action::BinderWrite,
        Action::PayManage,
        Action::PayReport,
        Action::PayOwnCategory,
        Action::LeadershipView,
        Action::LeadershipOversee,
        Action::CoachingRecord,
        Action::CoachingView,
        Action::CoachingRespond,
        Action::UpwardFeedbackGive,
        Action::UpwardFeedbackView,
    ];

    /// The token scope an API token needs for this action.
    pub fn scope(self) -> Scope {
        match self {
            Action::ViewSelf
            | Action::AuditRead
            | Action::DirectoryRead
            | Action::InteractionRead
            | Action::CommitmentRead
            | Action::ViewOwnWork
            | Action::CalibrationRead
            | Action::DisputeRead
            | Action::CaseWork
            | Action::HotlineAnalytics
            | Action::DashboardRead
            | Action::FairnessRead
            | Action::SurveyResults
            | Action::PolicyRead
            | Action::PolicyReport
            | Action::PolicyTeam
            | Action::TrainingTake
            | Action::TrainingReport => Scope::Read,
            Action::PolicyAttest | Action::PolicyManage | Action::TrainingManage => Scope::Admin,
            Action::InteractionIngest | Action::CommitmentFulfil | Action::FeedbackLinkCreate => {
                Scope::Ingest
            }
            Action::ScoreOverride
            | Action::VaultOpen
            | Action::CalibrationScore
            | Action::CalibrationManage
            | Action::DisputeOpen
            | Action::DisputeResolve
            | Action::CaseManage
            | Action::IdentityDecide
            | Action::HotlineConfigure => Scope::Admin,
            Action::ManageOwnAccount | Action::UserAdmin => Scope::Admin,
            Action::ConflictReports | Action::ConflictFindings => Scope::Read,
            Action::ConflictRouting => Scope::Ingest,
            Action::ConflictDisclose | Action::ConflictReview => Scope::Admin,
            Action::SurveyRespond | Action::SurveyManage => Scope::Admin,
            Action::AuditPerform
            | Action::CapaManage
            | Action::DisciplineRecord
            | Action::DisciplineOwn => Scope::Read,
            Action::AuditManage
            | Action::DisciplineApprove
            | Action::KudosGive
            | Action::ConductConfigure => Scope::Admin,
            Action::BinderRead => Scope::Read,
            Action::BinderWrite => Scope::Admin,
            Action::PayReport | Action::PayOwnCategory => Scope::Read,
            Action::PayManage => Scope::Admin,
            Action::LeadershipView | Action::LeadershipOversee => Scope::Read,
            Action::CoachingRecord | Action::CoachingView | Action::UpwardFeedbackView => {
                Scope::Read
            }
            Action::CoachingRespond | Action::UpwardFeedbackGive => Scope::Admin,
        }
    }

    /// Is this something every person does for themselves (their account, policies,
    /// training, surveys, disclosures)? A person's API token may do these even when all
    /// of the person's roles need a second factor (and so act only through a session).
    pub fn for_everyone(self) -> bool {
        let permitted = self.roles();
        Role::ALL.iter().all(|r| permitted.contains(r))
    }

    pub fn roles(self) -> &'static [Role] {
        TABLE
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, r)| *r)
            .unwrap_or(&[])
    }
}

/// May a holder of `roles` perform `action`?
pub fn allowed(roles: &[Role], action: Action) -> bool {
    let permitted = action.roles();
    roles.iter().any(|r| permitted.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_row() {
        for a in Action::ALL {
            assert!(TABLE.iter().any(|(x, _)| *x == a), "{a:?} has no row");
        }
        assert_eq!(TABLE.len(), Action::ALL.len());
    }

    #[test]
    fn everyone_is_every_role() {
        let mut all = Role::ALL.to_vec();
        let mut everyone = EVERYONE.to_vec();
        all.sort();
        everyone.sort();
        assert_eq!(everyone, all, "a new role must be added to EVERYONE");
    }

    #[test]
    fn admins_do_not_read_what_they_are_not_given() {
        assert!(allowed(&[Admin], Action::UserAdmin));
        assert!(!allowed(&[Agent], Action::UserAdmin));
        assert!(!allowed(&[Agent, TeamLead], Action::AuditRead));
        assert!(allowed(&[Agent, EthicsOfficer], Action::AuditRead));
        assert!(!allowed(&[], Action::ViewSelf));
    }
}
