//! A second domain for the generator: a B2B software company's two exports.
//!
//! `crm.csv` has one row per account (plan, seats, revenue, API use, projects, integrations,
//! tickets, dates, country, company size); `survey.csv` has the answers of the 65 % of
//! accounts whose admin replied (the job they hire the product for, what gets in the way,
//! importance and satisfaction of three outcomes, likelihood to recommend, their role). The
//! two join on the admin's email, written differently in each file.
//!
//! Planted groups, each with its own behaviour *and* words unless said otherwise:
//! * three **mass** groups — agencies running client projects, in-house product teams, solo
//!   trialists — that differ in plan, seats, activity and stated job;
//! * three **edge** groups of 1–1.5 % (regulated firms that need audit trails, developers
//!   building on the API, consultants reselling to their clients);
//! * two **say-only** groups of 1.5 % (charities coordinating volunteers, schools tracking
//!   coursework) whose accounts behave exactly like a mass group's, and who differ only in
//!   their job (worded seven ways) and one outcome rated important and badly served. A
//!   say-only account whose admin did not answer the survey cannot be told apart by anyone:
//!   its truth is the mass group it behaves like;
//! * **lone outliers** (0.3 %) from a mass group, each with one value far beyond anyone's —
//!   803,262 API calls where the busiest group makes 90,000 — or a one-off mix of answers.
//!
//! Nothing here depends on the engine's thresholds: the shapes (log-normal usage, seat-priced
//! revenue, survey non-response, emails typed differently) are those of real exports.

use super::{Generated, Planted, pick, rating, sentence_with};
use crate::engine::linalg::gaussian;
use crate::engine::schema::dates::{days_from_civil, format_day};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

struct Account {
    name: &'static str,
    share: f64,
    plans: &'static [(&'static str, f64)],
    /// Seats: log-uniform between the bounds.
    seats: (f64, f64),
    /// API calls in 30 days: log-uniform between the bounds (0 allowed at the low end).
    api: (f64, f64),
    projects: (f64, f64),
    integrations: &'static [(&'static str, f64)],
    tickets: (f64, f64),
    /// Days since last active.
    idle: (f64, f64),
    sso: f64,
    employees: (f64, f64),
    jobs: &'static [&'static str],
    obstacles: &'static [&'static str],
    roles: &'static [(&'static str, f64)],
    /// (importance, satisfaction) of the three outcomes, 1–5.
    outcomes: [(f64, f64); 3],
    nps: (f64, f64),
}

/// The three outcomes asked about, in the survey's order.
const OUTCOMES: [&str; 3] = [
    "see every project's status at a glance",
    "get a new teammate productive in a day",
    "show auditors who changed what and when",
];

const MASS: [Account; 3] = [
    Account {
        name: "agencies running client projects",
        share: 0.5,
        plans: &[("Starter", 0.55), ("Team", 0.45)],
        seats: (2.0, 12.0),
        api: (0.0, 2_000.0),
        projects: (8.0, 40.0),
        integrations: &[("Slack", 0.7), ("Google Drive", 0.6), ("Harvest", 0.3)],
        tickets: (0.0, 2.0),
        idle: (0.0, 6.0),
        sso: 0.02,
        employees: (3.0, 40.0),
        jobs: &[
            "keep our client projects on schedule",
            "juggle several client projects without dropping deadlines",
            "show clients where their project stands",
            "run all our client work in one place",
            "track billable work across client projects",
            "keep {client} projects moving and on budget",
        ],
        obstacles: &[
            "clients cannot see only their own projects",
            "time tracking is separate",
            "too many notifications",
            "Gantt view is slow with big projects",
        ],
        roles: &[
            ("Founder", 0.4),
            ("Project manager", 0.45),
            ("Designer", 0.15),
        ],
        outcomes: [(4.5, 3.6), (3.0, 3.5), (2.0, 3.2)],
        nps: (6.0, 10.0),
    },
    Account {
        name: "in-house product teams",
        share: 0.36,
        plans: &[("Business", 0.85), ("Team", 0.15)],
        seats: (15.0, 90.0),
        api: (5_000.0, 90_000.0),
        projects: (3.0, 12.0),
        integrations: &[("GitHub", 0.85), ("Jira", 0.6), ("Slack", 0.9)],
        tickets: (1.0, 5.0),
        idle: (0.0, 3.0),
        sso: 0.5,
        employees: (60.0, 800.0),
        jobs: &[
            "plan sprints and ship features on time",
            "keep the product roadmap and the {sprint} in one place",
            "coordinate engineers and designers on releases",
            "ship our releases without surprises",
            "turn the roadmap into {sprint} the team can follow",
            "know what every squad is building this {sprint}",
        ],
        obstacles: &[
            "GitHub sync misses some pull requests",
            "reports need too many clicks",
            "permissions are too coarse",
            "hard to plan across teams",
        ],
        roles: &[
            ("Engineering manager", 0.45),
            ("Product manager", 0.4),
            ("Engineer", 0.15),
        ],
        outcomes: [(3.6, 3.6), (4.3, 3.3), (2.4, 3.0)],
        nps: (5.0, 9.0),
    },
    Account {
        name: "solo trialists",
        share: 0.14,
        plans: &[("Free", 1.0)],
        seats: (1.0, 1.0),
        api: (0.0, 60.0),
        projects: (1.0, 3.0),
        integrations: &[("Google Drive", 0.2)],
        tickets: (0.0, 0.6),
        idle: (20.0, 120.0),
        sso: 0.0,
        employees: (1.0, 5.0),
        jobs: &[
            "try it out for a side project",
            "organise my own to-do list",
            "see if it beats my {notes} app",
            "plan a personal project",
            "testing it before I suggest it at work",
        ],
        obstacles: &[
            "too many features for one person",
            "free plan limits",
            "nothing yet",
        ],
        roles: &[("Freelancer", 0.6), ("Student", 0.4)],
        outcomes: [(3.0, 3.2), (2.0, 3.0), (1.5, 3.0)],
        nps: (3.0, 9.0),
    },
];

const EDGES: [Account; 3] = [
    Account {
        name: "regulated firms needing audit trails",
        share: 0.015,
        plans: &[("Enterprise", 1.0)],
        seats: (120.0, 600.0),
        api: (8_000.0, 40_000.0),
        projects: (20.0, 80.0),
        integrations: &[("Okta", 0.95), ("Splunk", 0.7), ("Slack", 0.5)],
        tickets: (6.0, 15.0),
        idle: (0.0, 2.0),
        sso: 1.0,
        employees: (800.0, 6_000.0),
        jobs: &[
            "prove to auditors who changed what",
            "keep a compliant audit trail of every change",
            "pass our SOC 2 audit without spreadsheets",
            "show regulators a full history of approvals",
            "meet HIPAA record keeping for patient projects",
            "evidence for compliance reviews",
        ],
        obstacles: &[
            "audit log export is incomplete",
            "data residency in the EU",
            "retention settings",
        ],
        roles: &[("Compliance officer", 0.6), ("IT director", 0.4)],
        outcomes: [(3.5, 3.5), (3.0, 3.5), (4.9, 1.6)],
        nps: (2.0, 7.0),
    },
    Account {
        name: "developers building on the API",
        share: 0.015,
        plans: &[("Team", 1.0)],
        seats: (1.0, 3.0),
        api: (60_000.0, 140_000.0),
        projects: (1.0, 4.0),
        integrations: &[("Webhooks", 0.95), ("GitHub", 0.7)],
        tickets: (3.0, 9.0),
        idle: (0.0, 1.0),
        sso: 0.0,
        employees: (2.0, 20.0),
        jobs: &[
            "sync our own app's tasks through your API",
            "automate project creation from our backend",
            "use the API as the task engine behind our product",
            "push tickets from our system via webhooks",
            "build an integration for our customers on the API",
            "script everything through the REST API",
        ],
        obstacles: &[
            "rate limits",
            "webhooks arrive out of order",
            "no bulk endpoints",
        ],
        roles: &[("Developer", 0.8), ("CTO", 0.2)],
        outcomes: [(2.0, 3.5), (2.0, 3.5), (2.5, 3.0)],
        nps: (4.0, 9.0),
    },
    Account {
        name: "consultants reselling to their clients",
        share: 0.01,
        plans: &[("Business", 1.0)],
        seats: (3.0, 8.0),
        api: (500.0, 5_000.0),
        projects: (150.0, 450.0),
        integrations: &[("QuickBooks", 0.85), ("Slack", 0.5), ("Zapier", 0.7)],
        tickets: (2.0, 6.0),
        idle: (0.0, 3.0),
        sso: 0.1,
        employees: (2.0, 15.0),
        jobs: &[
            "give each of my clients their own branded workspace",
            "resell the tool to my consulting clients under my brand",
            "set up a white-label workspace per customer",
            "bill my clients for the workspaces I run for them",
            "onboard each consulting client into their own space",
            "manage dozens of client accounts as a partner",
        ],
        obstacles: &[
            "no white-label option",
            "billing per client workspace",
            "switching between workspaces",
        ],
        roles: &[("Consultant", 0.8), ("Founder", 0.2)],
        outcomes: [(4.0, 3.0), (4.0, 3.0), (2.0, 3.0)],
        nps: (5.0, 10.0),
    },
];

/// Say-only groups: (name, share, mass group they behave like, jobs, obstacles, outcomes, role).
struct SayOnly {
    name: &'static str,
    share: f64,
    behaves_like: usize,
    jobs: &'static [&'static str],
    obstacles: &'static [&'static str],
    outcomes: [(f64, f64); 3],
    roles: &'static [(&'static str, f64)],
}

/// Each planted account group's stated jobs without `{placeholders}` (see
/// `synth::goal_wordings`).
pub fn job_wordings() -> Vec<(&'static str, Vec<&'static str>)> {
    let plain = |jobs: &[&'static str]| -> Vec<&'static str> {
        jobs.iter().copied().filter(|j| !j.contains('{')).collect()
    };
    let mut out: Vec<_> = MASS
        .iter()
        .chain(&EDGES)
        .map(|a| (a.name, plain(a.jobs)))
        .collect();
    out.extend(SAY_ONLY.iter().map(|g| (g.name, plain(g.jobs))));
    out
}

const SAY_ONLY: [SayOnly; 2] = [
    SayOnly {
        name: "charities coordinating volunteers",
        share: 0.015,
        behaves_like: 0,
        jobs: &[
            "coordinate volunteers for our charity events",
            "organise the rota for our volunteer helpers",
            "run fundraising days with unpaid helpers",
            "get new volunteers briefed before the food bank opens",
            "keep our non-profit's helpers on the same page",
            "plan shifts for the people who give their time to our cause",
            "manage the volunteers at our community {event}",
        ],
        obstacles: &[
            "volunteers will not create accounts",
            "new helpers get lost in the tool",
            "paying per seat for unpaid people",
        ],
        outcomes: [(3.5, 3.4), (4.9, 1.5), (1.8, 3.2)],
        roles: &[("Volunteer coordinator", 0.7), ("Founder", 0.3)],
    },
    SayOnly {
        name: "schools tracking coursework",
        share: 0.015,
        behaves_like: 1,
        jobs: &[
            "track my pupils' coursework and deadlines",
            "see which students have handed in their assignments",
            "plan the term's lessons with the other teachers",
            "follow each class's homework in one place",
            "keep our department's marking on schedule",
            "make sure no student falls behind on their projects",
            "organise the school's {exam} preparation",
        ],
        obstacles: &[
            "parents cannot see progress",
            "students share one email domain",
            "term dates do not fit sprints",
        ],
        outcomes: [(4.9, 1.5), (3.8, 3.4), (2.2, 3.0)],
        roles: &[("Teacher", 0.7), ("Head of department", 0.3)],
    },
];

const OUTLIER_JOBS: &[&str] = &[
    "mirror every public GitHub repository for research",
    "load testing your servers before we buy",
    "run a 2,000 person hackathon for one weekend",
    "migrating ten years of tickets from our mainframe",
    "a wedding seating plan",
    "complaint: charged twice, want a refund",
];

const SYNONYMS: &[(&str, &[&str])] = &[
    ("{client}", &["client", "customer", "agency"]),
    ("{sprint}", &["sprint", "sprints", "iteration"]),
    ("{notes}", &["notes", "to-do", "kanban"]),
    ("{event}", &["fair", "festival", "fun run", "fete"]),
    ("{exam}", &["exam", "GCSE", "end of year"]),
];

const COUNTRIES: &[(&str, f64)] = &[
    ("United States", 0.4),
    ("United Kingdom", 0.15),
    ("Germany", 0.12),
    ("France", 0.08),
    ("Canada", 0.08),
    ("Australia", 0.07),
    ("Netherlands", 0.05),
    ("India", 0.05),
];

/// Price per seat per month, by plan.
fn price(plan: &str) -> f64 {
    match plan {
        "Starter" => 8.0,
        "Team" => 12.0,
        "Business" => 20.0,
        "Enterprise" => 32.0,
        _ => 0.0,
    }
}

/// The CRM's columns.
pub const CRM_COLUMNS: [&str; 15] = [
    "Account ID",
    "Admin email",
    "Company",
    "Plan",
    "Seats",
    "MRR (USD)",
    "Signed up",
    "Last active",
    "API calls (30 days)",
    "Projects",
    "Integrations",
    "Support tickets (90 days)",
    "SSO enabled",
    "Country",
    "Employees",
];

/// The survey's columns.
pub fn survey_columns() -> Vec<String> {
    let mut c = vec![
        "Email address".to_string(),
        "What job do you hire our product to do?".to_string(),
        "What gets in the way?".to_string(),
    ];
    for o in OUTCOMES {
        c.push(format!("How important is it to {o}?"));
        c.push(format!("How satisfied are you with how well you can {o}?"));
    }
    c.push("How likely are you to recommend us to a colleague? (0-10)".into());
    c.push("What is your role?".into());
    c
}

/// Names of the planted groups, for reports.
pub fn planted_name(p: Planted) -> String {
    match p {
        Planted::Mass(i) => format!("mass: {}", MASS.get(i).map_or("?", |g| g.name)),
        Planted::Edge(i) => match EDGES.get(i) {
            Some(g) => format!("edge: {}", g.name),
            None => format!(
                "say only: {}",
                SAY_ONLY.get(i - EDGES.len()).map_or("?", |g| g.name)
            ),
        },
        Planted::Outlier => "lone outlier".into(),
    }
}

/// The two exports of `n` accounts: (CRM, survey). The CRM lists every account in order, so
/// its rows are the joined table's rows and `truth` follows them.
pub fn generate(n: usize, seed: u64) -> (Generated, Generated) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5aa5);
    let n_outliers = ((n as f64) * 0.003).round().max(3.0) as usize;
    let mut planted: Vec<Planted> = Vec::with_capacity(n);
    for (i, g) in EDGES.iter().enumerate() {
        planted.extend(std::iter::repeat_n(
            Planted::Edge(i),
            (n as f64 * g.share).round() as usize,
        ));
    }
    for (i, g) in SAY_ONLY.iter().enumerate() {
        planted.extend(std::iter::repeat_n(
            Planted::Edge(EDGES.len() + i),
            (n as f64 * g.share).round() as usize,
        ));
    }
    planted.extend(std::iter::repeat_n(Planted::Outlier, n_outliers));
    let rest = n.saturating_sub(planted.len());
    let mut assigned = 0;
    for (i, g) in MASS.iter().enumerate() {
        let count = if i == MASS.len() - 1 {
            rest - assigned
        } else {
            (rest as f64 * g.share).round() as usize
        };
        planted.extend(std::iter::repeat_n(Planted::Mass(i), count));
        assigned += count;
    }
    planted.truncate(n);
    planted.shuffle(&mut rng);

    let latest = days_from_civil(2026, 11, 30) as f64;
    let mut crm = Vec::with_capacity(n);
    let mut survey = Vec::new();
    let mut truth = Vec::with_capacity(n);
    for (i, &p) in planted.iter().enumerate() {
        let says = match p {
            Planted::Edge(e) => e.checked_sub(EDGES.len()).and_then(|s| SAY_ONLY.get(s)),
            _ => None,
        };
        let outlier = p == Planted::Outlier;
        let g = match (p, says) {
            (_, Some(s)) => &MASS[s.behaves_like],
            (Planted::Mass(m), _) => &MASS[m],
            (Planted::Edge(e), _) => &EDGES[e],
            (Planted::Outlier, _) => &MASS[rng.gen_range(0..2)],
        };
        let plan = pick(&mut rng, g.plans);
        let mut seats = log_uniform(&mut rng, g.seats).round().max(1.0);
        let mut api = log_uniform(&mut rng, g.api).round();
        let mut projects = log_uniform(&mut rng, g.projects).round();
        let mut tickets = (g.tickets.0 + (g.tickets.1 - g.tickets.0) * rng.r#gen::<f64>()).round();
        let idle = g.idle.0 + (g.idle.1 - g.idle.0) * rng.r#gen::<f64>();
        let tenure = 30.0 + rng.r#gen::<f64>() * 1500.0;
        let employees = log_uniform(&mut rng, g.employees).round().max(seats);
        let integrations: Vec<&str> = g
            .integrations
            .iter()
            .filter(|(_, q)| rng.r#gen::<f64>() < *q)
            .map(|(c, _)| *c)
            .collect();
        let sso = rng.r#gen::<f64>() < g.sso;
        let mut job = sentence_with(&mut rng, says.map_or(g.jobs, |s| s.jobs), SYNONYMS);
        let obstacle_pool = says.map_or(g.obstacles, |s| s.obstacles);
        let obstacle = obstacle_pool
            .choose(&mut rng)
            .copied()
            .unwrap_or("")
            .to_string();
        if outlier {
            // One value far beyond anyone's, the rest of an ordinary account.
            match rng.gen_range(0..4) {
                0 => api = (400_000.0 + rng.r#gen::<f64>() * 600_000.0).round(),
                1 => seats = (1_500.0 + rng.r#gen::<f64>() * 2_500.0).round(),
                2 => tickets = (45.0 + rng.r#gen::<f64>() * 60.0).round(),
                _ => projects = (2_000.0 + rng.r#gen::<f64>() * 3_000.0).round(),
            }
            job = OUTLIER_JOBS
                .choose(&mut rng)
                .copied()
                .unwrap_or("")
                .to_string();
        }
        let mrr = seats * price(plan);
        // Company names, like real ones, are nearly all different.
        let company = format!(
            "{}{} {}",
            COMPANY_WORDS.choose(&mut rng).copied().unwrap_or("Blue"),
            syllables(&mut rng),
            COMPANY_KINDS.choose(&mut rng).copied().unwrap_or("Labs")
        );
        let email = format!(
            "admin{}@{}.example",
            i,
            company.to_lowercase().replace(' ', "")
        );
        crm.push(vec![
            format!("ACC-{:05}", 10_000 + i),
            email.clone(),
            company,
            plan.to_string(),
            format!("{seats}"),
            format!("{mrr:.2}"),
            format_day(latest - idle - tenure),
            format_day(latest - idle),
            format!("{api}"),
            format!("{projects}"),
            integrations.join("; "),
            format!("{tickets}"),
            if sso { "yes" } else { "no" }.to_string(),
            pick(&mut rng, COUNTRIES).to_string(),
            format!("{employees}"),
        ]);
        let answered = rng.r#gen::<f64>() < 0.65;
        // An account whose only difference is what its admin says is, unheard, its mass group.
        truth.push(match (says, answered) {
            (Some(s), false) => Planted::Mass(s.behaves_like),
            _ => p,
        });
        if !answered {
            continue;
        }
        let outcomes = says.map_or(g.outcomes, |s| s.outcomes);
        let mut row = vec![survey_email(&mut rng, &email), job, obstacle];
        for (imp, sat) in outcomes {
            row.push(rating(&mut rng, imp));
            row.push(rating(&mut rng, sat));
        }
        let nps = g.nps.0 + (g.nps.1 - g.nps.0) * rng.r#gen::<f64>();
        row.push(format!(
            "{}",
            (nps + gaussian(&mut rng) * 0.5).round().clamp(0.0, 10.0)
        ));
        row.push(pick(&mut rng, says.map_or(g.roles, |s| s.roles)).to_string());
        survey.push((i, row));
    }
    // Survey tools list answers in the order they arrived, not the CRM's.
    survey.shuffle(&mut rng);
    let survey_truth = survey.iter().map(|(i, _)| truth[*i]).collect();
    (
        Generated {
            header: CRM_COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: crm,
            truth,
        },
        Generated {
            header: survey_columns(),
            rows: survey.into_iter().map(|(_, r)| r).collect(),
            truth: survey_truth,
        },
    )
}

/// An email as a person types it into a survey: sometimes capitalised, sometimes with a space.
fn survey_email(rng: &mut Xoshiro256PlusPlus, email: &str) -> String {
    let mut e = if rng.r#gen::<f64>() < 0.3 {
        email.to_uppercase()
    } else {
        email.to_string()
    };
    if rng.r#gen::<f64>() < 0.1 {
        e.push(' ');
    }
    e
}

/// Log-uniform between the bounds; a lower bound of 0 draws from [1, hi] and subtracts 1.
fn log_uniform(rng: &mut Xoshiro256PlusPlus, (lo, hi): (f64, f64)) -> f64 {
    let (a, b) = (libm::log(lo + 1.0), libm::log(hi + 1.0));
    libm::exp(a + (b - a) * rng.r#gen::<f64>()) - 1.0
}

/// Two made-up syllables ("vo", "rak"), to tell companies apart.
fn syllables(rng: &mut Xoshiro256PlusPlus) -> String {
    const ONSETS: &[&str] = &["b", "d", "f", "k", "l", "m", "n", "r", "s", "t", "v", "z"];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u"];
    (0..2)
        .map(|_| {
            format!(
                "{}{}",
                ONSETS.choose(rng).copied().unwrap_or("b"),
                VOWELS.choose(rng).copied().unwrap_or("a")
            )
        })
        .collect()
}

const COMPANY_WORDS: &[&str] = &[
    "Blue", "North", "Bright", "Oak", "Pixel", "Harbour", "Summit", "River", "Copper", "Maple",
    "Nimbus", "Atlas", "Cedar", "Falcon", "Lumen",
];
const COMPANY_KINDS: &[&str] = &[
    "Labs",
    "Studio",
    "Partners",
    "Works",
    "Group",
    "Digital",
    "Systems",
    "Co",
    "Collective",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_exports_plant_every_group_and_join_on_email() {
        let (crm, survey) = generate(4000, 3);
        assert_eq!(crm.rows.len(), 4000);
        assert!(
            (2400..2800).contains(&survey.rows.len()),
            "{}",
            survey.rows.len()
        );
        for e in 0..EDGES.len() + SAY_ONLY.len() {
            let n = crm.truth.iter().filter(|t| **t == Planted::Edge(e)).count();
            assert!(n >= 20, "edge {e}: {n}");
        }
        let emails: std::collections::BTreeSet<String> =
            crm.rows.iter().map(|r| r[1].to_lowercase()).collect();
        assert!(
            survey
                .rows
                .iter()
                .all(|r| emails.contains(r[0].trim().to_lowercase().as_str()))
        );
        // Outliers carry one value far beyond any group's.
        let api = |r: &Vec<String>| r[8].parse::<f64>().unwrap_or(0.0);
        let busiest = (0..4000)
            .filter(|&i| crm.truth[i] != Planted::Outlier)
            .map(|i| api(&crm.rows[i]))
            .fold(0.0, f64::max);
        assert!(busiest <= 140_000.0, "{busiest}");
    }
}
