use super::*;

const HEADER: &str =
    "username,display_name,email,team,site,manager,roles,hire_date,job_level,employment_status";

fn file(lines: &[&str]) -> String {
    std::iter::once(HEADER)
        .chain(lines.iter().copied())
        .collect::<Vec<_>>()
        .join("\n")
}

fn people(lines: &[&str]) -> Vec<Person> {
    let (good, errors) = parse(&file(lines));
    assert_eq!(errors, vec![], "the test file parses");
    good
}

fn existing(username: &str, team: Option<&str>, managed: bool) -> Existing {
    Existing {
        username: username.into(),
        display_name: username.to_uppercase(),
        team: team.map(Into::into),
        roles: vec![Role::Agent],
        disabled: false,
        service: false,
        profile: managed.then(|| Profile {
            status: Some(Status::Active),
            ..Profile::default()
        }),
        deactivated_by_import: false,
        last_case_key: false,
    }
}

fn messages(r: Result<Plan, Vec<LineError>>) -> Vec<String> {
    r.expect_err("the plan is refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn header_names_are_forgiving_and_required_columns_are_named() {
    let (good, errors) = parse("User Name,Display-Name,E-mail\nana,Ana,ana@example.com\n");
    assert_eq!(errors, vec![]);
    assert_eq!(good[0].profile.email.as_deref(), Some("ana@example.com"));
    let (good, errors) = parse("username,email\nana,a@example.com\n");
    assert!(good.is_empty());
    assert_eq!(
        errors[0].to_string(),
        "line 1: header: the columns username and display_name are required"
    );
    assert_eq!(
        parse("").1[0].to_string(),
        format!("line 1: the file is empty; expected a header: {COLUMNS}")
    );
}

#[test]
fn each_bad_cell_is_named_by_line_and_column_and_good_lines_are_kept() {
    let text = file(&[
        "ana,Ana,ana@example.com,Lisbon A,Lisbon,,agent,2024-02-30,,",
        "bo,Bo,not-an-address,,,,,,,",
        "cy,Cy,,,,,admin,,,",
        "dee,Dee,,,,,chef,,,",
        "eve,Eve,,,,,,,,retired",
        "fay,,,,,,,,,",
        "g h,G,,,,,,,,",
        "ivy,Ivy,,,,ivy,,,,",
        "ana,Ana again,,,,,,,,",
        "jo,Jo,jo@example.com,,,,team lead;QA analyst,2020-01-01,L2,on leave",
    ]);
    let (good, errors) = parse(&text);
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            "line 2: column hire_date: expected a date (YYYY-MM-DD)",
            "line 3: column email: expected an address like name@example.com",
            "line 4: column roles: Admin is granted by an admin on the Users page, not by an HR file",
            "line 5: column roles: \"chef\" is not a role; use agent, team_lead, qa_analyst",
            "line 6: column employment_status: expected active, on leave or left",
            "line 7: column display_name is empty",
            "line 8: column username: use 1 to 64 letters, digits, '.', '_', '-' or '@'",
            "line 9: column manager: a person cannot be their own manager",
        ]
    );
    // Line 10 repeats ana, whose own line was refused: it stands on its own.
    assert_eq!(good.len(), 2);
    let jo = &good[1];
    assert_eq!(jo.roles, Some(vec![Role::TeamLead, Role::QaAnalyst]));
    assert_eq!(jo.profile.status, Some(Status::OnLeave));
    assert_eq!(jo.profile.job_level.as_deref(), Some("L2"));
}

#[test]
fn a_username_twice_is_refused_on_its_second_line() {
    let (good, errors) = parse(&file(&["ana,Ana,,,,,,,,", "ANA,Ana B,,,,,,,,"]));
    assert_eq!(good.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "line 3: column username: \"ANA\" already has line 2"
    );
}

#[test]
fn a_new_directory_gets_sites_teams_people_leads_and_the_team_tree() {
    let p = people(&[
        "mia,Mia,,Lisbon managers,Lisbon,,team_lead,,,",
        "lee,Lee,,Lisbon A,Lisbon,mia,team_lead,,,",
        "ana,Ana,,Lisbon A,Lisbon,lee,,,,",
        "bo,Bo,,Lisbon A,Lisbon,lee,,,,",
        "cy,Cy,,Manila A,Manila,mia,,,,",
    ]);
    let plan = plan(&p, &Current::default(), None, false).expect("a plan");
    assert_eq!(plan.new_sites, vec!["Lisbon", "Manila"]);
    assert_eq!(plan.new_teams.len(), 3);
    assert_eq!(plan.create.len(), 5);
    let leads: Vec<(&str, &str)> = plan
        .leads
        .iter()
        .map(|c| (c.team.as_str(), c.to.as_str()))
        .collect();
    assert_eq!(leads, vec![("Lisbon A", "lee"), ("Manila A", "mia")]);
    let parents: Vec<(&str, &str)> = plan
        .parents
        .iter()
        .map(|c| (c.team.as_str(), c.to.as_str()))
        .collect();
    assert_eq!(
        parents,
        vec![
            ("Lisbon A", "Lisbon managers"),
            ("Manila A", "Lisbon managers")
        ]
    );
}

#[test]
fn a_team_with_mixed_managers_gets_the_majority_and_a_note() {
    let p = people(&[
        "lee,Lee,,Boss,Lisbon,,,,,",
        "kim,Kim,,Boss,Lisbon,,,,,",
        "ana,Ana,,A,Lisbon,lee,,,,",
        "bo,Bo,,A,Lisbon,lee,,,,",
        "cy,Cy,,A,Lisbon,kim,,,,",
    ]);
    let plan = plan(&p, &Current::default(), None, false).expect("a plan");
    assert_eq!(plan.leads[0].to, "lee");
    assert_eq!(
        plan.notes,
        vec!["team A: 2 of its 3 people report to lee, who becomes its lead"]
    );
}

#[test]
fn unknown_managers_loops_and_site_conflicts_are_refused() {
    let p = people(&[
        "ana,Ana,,A,Lisbon,ghost,,,,",
        "bo,Bo,,A,Manila,cy,,,,",
        "cy,Cy,,B,,bo,,,,",
        "dee,Dee,,,Lisbon,,,,,",
    ]);
    assert_eq!(
        messages(plan(&p, &Current::default(), None, false)),
        vec![
            "line 2: column manager: no one named ghost in the file or the directory",
            "line 3: column site: line 2 puts team A at Lisbon, not Manila",
            "line 3: column manager: the reporting line comes back to this person",
            "line 4: column site is empty: team B is new and needs a site",
            "line 4: column manager: the reporting line comes back to this person",
            "line 5: column team is empty: a site is given only with a team",
        ]
    );
}

#[test]
fn the_same_file_again_changes_nothing_and_a_change_is_shown_field_by_field() {
    let p = people(&["ana,Ana Silva,ana@example.com,A,Lisbon,,,2021-03-01,L1,active"]);
    let mut now = existing("ana", Some("A"), true);
    now.display_name = "Ana Silva".into();
    now.profile = Some(Profile {
        email: Some("ana@example.com".into()),
        manager: None,
        hire_date: Some(jiff::civil::date(2021, 3, 1)),
        job_level: Some("L1".into()),
        status: Some(Status::Active),
    });
    let mut current = Current {
        people: vec![now],
        teams: vec![ExistingTeam {
            name: "A".into(),
            site: "Lisbon".into(),
            lead: None,
            parent: None,
        }],
        sites: vec!["Lisbon".into()],
    };
    let same = plan(&p, &current, None, false).expect("a plan");
    assert!(same.is_empty(), "{:?}", same.lines());

    current.people[0].display_name = "Ana S.".into();
    current.people[0].roles = vec![Role::Agent, Role::Admin];
    let p = people(&["ana,Ana Silva,ana@example.com,A,Lisbon,,agent;team_lead,2021-03-01,L1,"]);
    let changed = plan(&p, &current, None, false).expect("a plan");
    assert_eq!(
        changed.lines(),
        vec!["change ana: display_name: Ana S. → Ana Silva; roles: agent;admin → agent;team_lead;admin"]
    );
    // The privileged role an admin granted is kept.
    assert!(changed.update[0]
        .roles
        .as_ref()
        .is_some_and(|r| r.contains(&Role::Admin)));
}

#[test]
fn leavers_are_deactivated_local_accounts_never_and_a_truncated_file_is_refused() {
    let mut current = Current::default();
    current.people.push(existing("root", None, false));
    for i in 0..40 {
        current.people.push(existing(&format!("p{i}"), None, true));
    }
    // p0 left, p1 is not in the file, everyone else stays.
    let mut lines = vec!["p0,P0,,,,,,,,left".to_owned()];
    lines.extend((2..40).map(|i| format!("p{i},P{i},,,,,,,,")));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let plan1 = plan(&people(&refs), &current, Some("root"), false).expect("a plan");
    assert_eq!(
        plan1.deactivate,
        vec![
            Leaver {
                username: "p0".into(),
                why: Leaving::Left
            },
            Leaver {
                username: "p1".into(),
                why: Leaving::NotInFile
            },
        ]
    );
    // A file cut after 20 lines would sign out half the company: refused unless confirmed.
    let cut: Vec<&str> = refs[..20].to_vec();
    let refused = messages(plan(&people(&cut), &current, Some("root"), false));
    assert_eq!(
        refused,
        vec!["line 1: the file leaves out 20 of the 40 people it manages; if they really left, confirm the leavers and import again"]
    );
    assert_eq!(
        plan(&people(&cut), &current, Some("root"), true)
            .expect("confirmed")
            .deactivate
            .len(),
        21
    );
}

#[test]
fn nobody_deactivates_themselves_or_the_last_key_holder_and_admin_deactivations_stick() {
    let mut current = Current::default();
    let mut me = existing("me", None, true);
    me.roles = vec![Role::Admin];
    let mut keeper = existing("keeper", None, true);
    keeper.last_case_key = true;
    let mut benched = existing("benched", None, true);
    benched.disabled = true;
    current.people = vec![me, keeper, benched];
    let p = people(&[
        "me,Me,,,,,,,,left",
        "keeper,Keeper,,,,,,,,left",
        "benched,Benched,,,,,,,,",
    ]);
    assert_eq!(
        messages(plan(&p, &current, Some("me"), false)),
        vec![
            "line 2: me: you cannot deactivate yourself",
            "line 3: keeper holds the last key to a hotline case: hand their cases over before they leave",
        ]
    );
    let p = people(&[
        "me,ME,,,,,,,,",
        "keeper,KEEPER,,,,,,,,",
        "benched,BENCHED,,,,,,,,",
    ]);
    let ok = plan(&p, &current, Some("me"), false).expect("a plan");
    assert!(ok.reactivate.is_empty());
    assert_eq!(
        ok.notes,
        vec!["benched was deactivated by an admin and stays so; reactivate them on the Users page"]
    );
}

#[test]
fn a_team_is_never_placed_below_its_own_descendant() {
    let current = Current {
        people: vec![existing("lee", Some("B"), true)],
        teams: vec![
            ExistingTeam {
                name: "A".into(),
                site: "L".into(),
                lead: None,
                parent: None,
            },
            ExistingTeam {
                name: "B".into(),
                site: "L".into(),
                lead: None,
                parent: Some("A".into()),
            },
        ],
        sites: vec!["L".into()],
    };
    // Lee sits in B (below A) and leads A: A cannot go below B.
    let p = people(&["lee,LEE,,B,L,,,,,", "ana,Ana,,A,L,lee,,,,"]);
    let plan = plan(&p, &current, None, false).expect("a plan");
    assert!(plan.parents.is_empty());
    assert_eq!(
        plan.notes,
        vec!["team A is not placed below B: that team already sits below it"]
    );
}

#[test]
fn a_team_whose_members_all_left_keeps_its_lead() {
    let mut current = Current::default();
    for (u, team) in [("mgr", "Top"), ("lee", "A"), ("ana", "A")] {
        current.people.push(existing(u, Some(team), true));
    }
    current.teams = vec![
        ExistingTeam {
            name: "Top".into(),
            site: "L".into(),
            lead: None,
            parent: None,
        },
        ExistingTeam {
            name: "A".into(),
            site: "L".into(),
            lead: Some("lee".into()),
            parent: Some("Top".into()),
        },
    ];
    current.sites = vec!["L".into()];
    let p = people(&[
        "mgr,MGR,,Top,L,,,,,",
        "lee,LEE,,A,L,mgr,,,,",
        "ana,ANA,,A,L,lee,,,,left",
    ]);
    let plan = plan(&p, &current, None, false).expect("a plan");
    assert!(plan.leads.is_empty(), "{:?}", plan.leads);
    assert_eq!(
        plan.deactivate,
        vec![Leaver {
            username: "ana".into(),
            why: Leaving::Left
        }]
    );
}
