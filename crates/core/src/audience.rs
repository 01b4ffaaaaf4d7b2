//! Who a policy, a course or a campaign is for.
//!
//! An [`Audience`] names roles, teams and sites. Within one dimension any listed value
//! matches; across dimensions all non-empty ones must match ("agents at the Lisbon
//! site" is `roles = [agent], sites = [lisbon]`). An audience with nothing listed is
//! everyone. Teams match the person's own team only, not its sub-teams: a rule that
//! should cover a whole branch lists its teams or its site.
//!
//! The audience is stored as JSON (see [`Audience::to_json`]); the web layer turns the
//! stored ids back into names for display.

use crate::ids::{SiteId, TeamId};
use crate::roles::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<SiteId>,
}

/// What [`Audience::includes`] needs to know of a person.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub roles: &'a [Role],
    pub team: Option<TeamId>,
    pub site: Option<SiteId>,
}

impl Audience {
    /// Everyone: no role, team or site listed.
    pub fn everyone() -> Self {
        Self::default()
    }

    pub fn is_everyone(&self) -> bool {
        self.roles.is_empty() && self.teams.is_empty() && self.sites.is_empty()
    }

    pub fn includes(&self, m: Member<'_>) -> bool {
        let role_ok = self.roles.is_empty() || m.roles.iter().any(|r| self.roles.contains(r));
        let team_ok = self.teams.is_empty() || m.team.is_some_and(|t| self.teams.contains(&t));
        let site_ok = self.sites.is_empty() || m.site.is_some_and(|s| self.sites.contains(&s));
        role_ok && team_ok && site_ok
    }

    /// The stored form: a JSON object with the non-empty lists (`{}` for everyone).
    #[expect(
        clippy::expect_used,
        reason = "lists of enums and UUIDs always serialize; a fallback such as `{}` would widen the audience to everyone"
    )]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an audience always serializes")
    }

    /// Reads the stored form. An unknown role name is an error naming it, so a stored
    /// audience is never silently widened.
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("audience: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn team(n: u128) -> TeamId {
        TeamId(Uuid::from_u128(n))
    }
    fn site(n: u128) -> SiteId {
        SiteId(Uuid::from_u128(n))
    }

    #[test]
    fn nothing_listed_is_everyone_even_without_a_team() {
        let a = Audience::everyone();
        assert!(a.is_everyone());
        assert!(a.includes(Member {
            roles: &[],
            team: None,
            site: None
        }));
    }

    #[test]
    fn any_value_within_a_dimension_all_dimensions_together() {
        let a = Audience {
            roles: vec![Role::Agent, Role::TeamLead],
            teams: vec![],
            sites: vec![site(1)],
        };
        let agent_at = |s| Member {
            roles: &[Role::Agent],
            team: Some(team(9)),
            site: Some(site(s)),
        };
        assert!(a.includes(agent_at(1)));
        assert!(!a.includes(agent_at(2)), "wrong site");
        assert!(!a.includes(Member {
            roles: &[Role::QaAnalyst],
            team: Some(team(9)),
            site: Some(site(1)),
        }));
        assert!(!a.includes(Member {
            roles: &[Role::Agent],
            team: None,
            site: None,
        }));
    }

    #[test]
    fn stored_form_round_trips_and_rejects_unknown_roles() {
        let a = Audience {
            roles: vec![Role::Agent],
            teams: vec![team(3)],
            sites: vec![],
        };
        assert_eq!(Audience::from_json(&a.to_json()).unwrap(), a);
        assert_eq!(Audience::everyone().to_json(), "{}");
        let err = Audience::from_json(r#"{"roles":["wizard"]}"#).unwrap_err();
        assert!(err.contains("wizard"), "{err}");
    }
}
