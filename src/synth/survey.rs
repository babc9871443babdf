//! A third domain for the generator: a preference survey made only of choices.
//!
//! A travel company's survey export: multiple-choice questions, yes/no questions, agreement
//! scales and one "choose all that apply" question, then age band, gender and region. There is
//! no free text and no behaviour: every column is something people *say*, and every one is a
//! category. Such files are where density clustering falls into confetti (every combination of
//! a few answers is a dense cell), so this domain checks that segments stay few and real.
//!
//! Planted groups are answer profiles: three **mass** groups (families on beach holidays,
//! couples on city breaks, budget solo travellers) that differ in half the questions, and four
//! **edge** groups of 1–1.5 % (digital nomads, travellers with a pet, travellers who need
//! step-free access, luxury cruisers), each set apart by three to five answers that are rare
//! elsewhere. Every answer strays to a random option with probability 0.1, as real answers do.
//! **Lone outliers** (0.3 %) answer at random. Demographics are drawn independently.

use super::{Generated, Planted, pick};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A question and its options.
struct Question {
    header: &'static str,
    options: &'static [&'static str],
    /// Several options per answer, joined with "; ".
    multi: bool,
}

const QUESTIONS: [Question; 14] = [
    Question {
        header: "How often do you travel for leisure?",
        options: &[
            "Less than once a year",
            "Once a year",
            "2-3 times a year",
            "Every month",
        ],
        multi: false,
    },
    Question {
        header: "Who do you usually travel with?",
        options: &[
            "Alone",
            "Partner",
            "Family with children",
            "Friends",
            "Colleagues",
        ],
        multi: false,
    },
    Question {
        header: "What kind of trip do you prefer?",
        options: &[
            "Beach",
            "City break",
            "Adventure",
            "Cultural tour",
            "Cruise",
        ],
        multi: false,
    },
    Question {
        header: "How do you usually book?",
        options: &[
            "Online travel agent",
            "Directly with the hotel",
            "High-street travel agent",
            "By phone",
        ],
        multi: false,
    },
    Question {
        header: "What do you usually spend per night?",
        options: &["Under 50", "50-100", "100-200", "Over 200"],
        multi: false,
    },
    Question {
        header: "How far ahead do you book?",
        options: &[
            "Last minute",
            "About a month",
            "About three months",
            "Six months or more",
        ],
        multi: false,
    },
    Question {
        header: "Do you travel with a pet?",
        options: &["No", "Yes"],
        multi: false,
    },
    Question {
        header: "Do you need step-free access?",
        options: &["No", "Yes"],
        multi: false,
    },
    Question {
        header: "Do you work while you travel?",
        options: &["No", "Yes"],
        multi: false,
    },
    Question {
        header: "Do you collect loyalty points?",
        options: &["No", "Yes"],
        multi: false,
    },
    Question {
        header: "How much do you agree: I plan every detail of a trip?",
        options: &[
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
        ],
        multi: false,
    },
    Question {
        header: "How much do you agree: I would pay more for sustainable options?",
        options: &[
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
        ],
        multi: false,
    },
    Question {
        header: "How much do you agree: I prefer places I already know?",
        options: &[
            "Strongly disagree",
            "Disagree",
            "Neither agree nor disagree",
            "Agree",
            "Strongly agree",
        ],
        multi: false,
    },
    Question {
        header: "Which of these matter most when you choose where to stay? (choose all that apply)",
        options: &[
            "Price",
            "Location",
            "Reviews",
            "Pool",
            "Fast wifi",
            "Breakfast",
            "Parking",
            "Accessibility",
            "Pets allowed",
            "Kids club",
        ],
        multi: true,
    },
];

/// A group's answers: for each question, a weight per option (single choice) or a
/// probability per option (multiple choice). Options not listed get weight 0.
struct Profile {
    name: &'static str,
    share: f64,
    answers: [&'static [f64]; 14],
}

const MASS: [Profile; 3] = [
    Profile {
        name: "families on beach holidays",
        share: 0.42,
        answers: [
            &[0.1, 0.6, 0.3, 0.0],
            &[0.0, 0.1, 0.9, 0.0, 0.0],
            &[0.8, 0.1, 0.05, 0.05, 0.0],
            &[0.6, 0.3, 0.1, 0.0],
            &[0.1, 0.6, 0.3, 0.0],
            &[0.0, 0.1, 0.5, 0.4],
            &[0.97, 0.03],
            &[0.98, 0.02],
            &[0.97, 0.03],
            &[0.5, 0.5],
            &[0.0, 0.1, 0.2, 0.5, 0.2],
            &[0.1, 0.3, 0.4, 0.2, 0.0],
            &[0.0, 0.1, 0.3, 0.4, 0.2],
            &[0.6, 0.4, 0.3, 0.8, 0.1, 0.5, 0.3, 0.0, 0.0, 0.7],
        ],
    },
    Profile {
        name: "couples on city breaks",
        share: 0.35,
        answers: [
            &[0.0, 0.1, 0.6, 0.3],
            &[0.05, 0.9, 0.0, 0.05, 0.0],
            &[0.1, 0.7, 0.0, 0.2, 0.0],
            &[0.5, 0.5, 0.0, 0.0],
            &[0.0, 0.3, 0.6, 0.1],
            &[0.2, 0.6, 0.2, 0.0],
            &[0.97, 0.03],
            &[0.98, 0.02],
            &[0.9, 0.1],
            &[0.3, 0.7],
            &[0.1, 0.3, 0.3, 0.3, 0.0],
            &[0.0, 0.2, 0.3, 0.4, 0.1],
            &[0.2, 0.5, 0.3, 0.0, 0.0],
            &[0.3, 0.9, 0.7, 0.05, 0.3, 0.4, 0.05, 0.0, 0.0, 0.0],
        ],
    },
    Profile {
        name: "budget solo travellers",
        share: 0.23,
        answers: [
            &[0.2, 0.5, 0.3, 0.0],
            &[0.8, 0.0, 0.0, 0.2, 0.0],
            &[0.1, 0.3, 0.5, 0.1, 0.0],
            &[1.0, 0.0, 0.0, 0.0],
            &[0.8, 0.2, 0.0, 0.0],
            &[0.7, 0.3, 0.0, 0.0],
            &[0.97, 0.03],
            &[0.98, 0.02],
            &[0.85, 0.15],
            &[0.7, 0.3],
            &[0.3, 0.4, 0.3, 0.0, 0.0],
            &[0.2, 0.3, 0.3, 0.2, 0.0],
            &[0.3, 0.4, 0.3, 0.0, 0.0],
            &[0.95, 0.3, 0.6, 0.0, 0.4, 0.1, 0.0, 0.0, 0.0, 0.0],
        ],
    },
];

const EDGES: [Profile; 4] = [
    Profile {
        name: "digital nomads",
        share: 0.015,
        answers: [
            &[0.0, 0.0, 0.0, 1.0],
            &[1.0, 0.0, 0.0, 0.0, 0.0],
            &[0.2, 0.6, 0.2, 0.0, 0.0],
            &[1.0, 0.0, 0.0, 0.0],
            &[0.3, 0.6, 0.1, 0.0],
            &[1.0, 0.0, 0.0, 0.0],
            &[0.95, 0.05],
            &[1.0, 0.0],
            &[0.0, 1.0],
            &[0.5, 0.5],
            &[0.4, 0.4, 0.2, 0.0, 0.0],
            &[0.1, 0.2, 0.4, 0.3, 0.0],
            &[0.5, 0.5, 0.0, 0.0, 0.0],
            &[0.5, 0.5, 0.5, 0.0, 1.0, 0.1, 0.0, 0.0, 0.0, 0.0],
        ],
    },
    Profile {
        name: "travellers with a pet",
        share: 0.015,
        answers: [
            &[0.0, 0.6, 0.4, 0.0],
            &[0.0, 0.7, 0.3, 0.0, 0.0],
            &[0.2, 0.0, 0.8, 0.0, 0.0],
            &[0.0, 1.0, 0.0, 0.0],
            &[0.0, 0.7, 0.3, 0.0],
            &[0.0, 0.3, 0.7, 0.0],
            &[0.0, 1.0],
            &[0.95, 0.05],
            &[0.9, 0.1],
            &[0.5, 0.5],
            &[0.0, 0.0, 0.2, 0.5, 0.3],
            &[0.0, 0.2, 0.4, 0.4, 0.0],
            &[0.0, 0.0, 0.3, 0.5, 0.2],
            &[0.3, 0.3, 0.5, 0.0, 0.1, 0.2, 1.0, 0.0, 1.0, 0.0],
        ],
    },
    Profile {
        name: "travellers who need step-free access",
        share: 0.015,
        answers: [
            &[0.3, 0.6, 0.1, 0.0],
            &[0.0, 0.6, 0.4, 0.0, 0.0],
            &[0.2, 0.2, 0.0, 0.6, 0.0],
            &[0.0, 0.2, 0.4, 0.4],
            &[0.0, 0.5, 0.5, 0.0],
            &[0.0, 0.0, 0.4, 0.6],
            &[0.95, 0.05],
            &[0.0, 1.0],
            &[1.0, 0.0],
            &[0.5, 0.5],
            &[0.0, 0.0, 0.0, 0.4, 0.6],
            &[0.0, 0.3, 0.4, 0.3, 0.0],
            &[0.0, 0.0, 0.2, 0.4, 0.4],
            &[0.2, 0.5, 0.3, 0.0, 0.0, 0.3, 0.6, 1.0, 0.0, 0.0],
        ],
    },
    Profile {
        name: "luxury cruisers",
        share: 0.01,
        answers: [
            &[0.0, 0.3, 0.7, 0.0],
            &[0.0, 0.8, 0.0, 0.2, 0.0],
            &[0.0, 0.0, 0.0, 0.0, 1.0],
            &[0.0, 0.0, 1.0, 0.0],
            &[0.0, 0.0, 0.0, 1.0],
            &[0.0, 0.0, 0.0, 1.0],
            &[1.0, 0.0],
            &[0.8, 0.2],
            &[1.0, 0.0],
            &[0.0, 1.0],
            &[0.0, 0.2, 0.3, 0.5, 0.0],
            &[0.3, 0.4, 0.3, 0.0, 0.0],
            &[0.0, 0.0, 0.0, 0.4, 0.6],
            &[0.0, 0.2, 0.2, 0.6, 0.0, 0.8, 0.0, 0.0, 0.0, 0.0],
        ],
    },
];

const AGE_BANDS: &[(&str, f64)] = &[
    ("18-24", 0.12),
    ("25-34", 0.22),
    ("35-44", 0.22),
    ("45-54", 0.18),
    ("55-64", 0.15),
    ("65+", 0.11),
];
const GENDERS: &[(&str, f64)] = &[
    ("Female", 0.5),
    ("Male", 0.47),
    ("Non-binary", 0.02),
    ("Prefer not to say", 0.01),
];
const REGIONS: &[(&str, f64)] = &[
    ("North", 0.2),
    ("Midlands", 0.2),
    ("South East", 0.25),
    ("South West", 0.15),
    ("Scotland", 0.1),
    ("Wales", 0.1),
];

/// How often an answer strays to a random option.
const STRAY: f64 = 0.1;

/// Names of the planted groups, for reports.
pub fn planted_name(p: Planted) -> String {
    match p {
        Planted::Mass(i) => format!("mass: {}", MASS.get(i).map_or("?", |g| g.name)),
        Planted::Edge(i) => format!("edge: {}", EDGES.get(i).map_or("?", |g| g.name)),
        Planted::Outlier => "lone outlier".into(),
    }
}

/// The survey export of `n` respondents.
pub fn generate(n: usize, seed: u64) -> Generated {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x7ea7);
    let n_outliers = ((n as f64) * 0.003).round().max(3.0) as usize;
    let mut truth: Vec<Planted> = Vec::with_capacity(n);
    for (i, g) in EDGES.iter().enumerate() {
        truth.extend(std::iter::repeat_n(
            Planted::Edge(i),
            (n as f64 * g.share).round() as usize,
        ));
    }
    truth.extend(std::iter::repeat_n(Planted::Outlier, n_outliers));
    let rest = n.saturating_sub(truth.len());
    let mut assigned = 0;
    for (i, g) in MASS.iter().enumerate() {
        let count = if i == MASS.len() - 1 {
            rest - assigned
        } else {
            (rest as f64 * g.share).round() as usize
        };
        truth.extend(std::iter::repeat_n(Planted::Mass(i), count));
        assigned += count;
    }
    truth.truncate(n);
    truth.shuffle(&mut rng);

    let mut header = vec!["Response ID".to_string(), "Submitted".to_string()];
    header.extend(QUESTIONS.iter().map(|q| q.header.to_string()));
    header.extend(["Age band", "Gender", "Region"].map(String::from));
    let mut rows = Vec::with_capacity(n);
    for (i, &p) in truth.iter().enumerate() {
        let profile = match p {
            Planted::Mass(m) => Some(&MASS[m]),
            Planted::Edge(e) => Some(&EDGES[e]),
            Planted::Outlier => None,
        };
        let mut row = vec![
            format!("R_{:08x}", (i as u64).wrapping_mul(2_654_435_761) ^ seed),
            format!(
                "2026-10-{:02} {:02}:{:02}",
                1 + rng.gen_range(0..28),
                rng.gen_range(7..23),
                rng.gen_range(0..60)
            ),
        ];
        for (q, question) in QUESTIONS.iter().enumerate() {
            let k = question.options.len();
            let weights: Vec<f64> = match profile {
                Some(g) => (0..k)
                    .map(|o| g.answers[q].get(o).copied().unwrap_or(0.0))
                    .collect(),
                None => vec![if question.multi { 0.5 } else { 1.0 }; k],
            };
            let answer = if question.multi {
                let chosen: Vec<&str> = (0..k)
                    .filter(|&o| {
                        let p = if rng.r#gen::<f64>() < STRAY {
                            0.5
                        } else {
                            weights[o]
                        };
                        rng.r#gen::<f64>() < p
                    })
                    .map(|o| question.options[o])
                    .collect();
                chosen.join("; ")
            } else if rng.r#gen::<f64>() < STRAY {
                question
                    .options
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or("")
                    .to_string()
            } else {
                let weighted: Vec<(&str, f64)> = question
                    .options
                    .iter()
                    .copied()
                    .zip(weights.iter().copied())
                    .collect();
                pick(&mut rng, &weighted).to_string()
            };
            row.push(answer);
        }
        row.push(pick(&mut rng, AGE_BANDS).to_string());
        row.push(pick(&mut rng, GENDERS).to_string());
        row.push(pick(&mut rng, REGIONS).to_string());
        rows.push(row);
    }
    Generated {
        header,
        rows,
        truth,
    }
}

/// How many planted lone outliers the best possible ranking puts in the top 2× their number:
/// the ranking by each respondent's odds of answering at random, computed from the
/// generator's own probabilities (its groups' shares in this file, their answer weights and
/// the stray rate), which by the Neyman–Pearson lemma no ranking from the answers can beat
/// on average. A random answerer who happens to answer as a family on a beach holiday does
/// is indistinguishable from one, so this is the ceiling the accuracy table's "outliers in
/// top 2×" is measured against. Demographics and submission times, drawn alike for
/// everyone, carry no odds and are left out.
pub fn outlier_ceiling(g: &Generated) -> usize {
    let profiles: Vec<(&Profile, usize)> = MASS
        .iter()
        .enumerate()
        .map(|(i, p)| (p, Planted::Mass(i)))
        .chain(EDGES.iter().enumerate().map(|(i, p)| (p, Planted::Edge(i))))
        .map(|(p, planted)| (p, g.truth.iter().filter(|t| **t == planted).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let members: usize = profiles.iter().map(|p| p.1).sum();
    let log_odds: Vec<f64> = g
        .rows
        .iter()
        .map(|row| {
            let answers = row.get(2..2 + QUESTIONS.len()).unwrap_or(&[]);
            let at_random = log_likelihood(answers, None);
            let terms: Vec<f64> = profiles
                .iter()
                .map(|(p, n)| (*n as f64 / members as f64).ln() + log_likelihood(answers, Some(p)))
                .collect();
            let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mixture = top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln();
            at_random - mixture
        })
        .collect();
    let outliers = g.truth.iter().filter(|t| **t == Planted::Outlier).count();
    let mut order: Vec<usize> = (0..g.rows.len()).collect();
    order.sort_by(|&a, &b| log_odds[b].total_cmp(&log_odds[a]).then(a.cmp(&b)));
    order
        .iter()
        .take(2 * outliers)
        .filter(|&&i| g.truth[i] == Planted::Outlier)
        .count()
}

/// The log-probability of one respondent's answers under a group's profile, or at random
/// (`None`), exactly as [`generate`] draws them.
fn log_likelihood(answers: &[String], profile: Option<&Profile>) -> f64 {
    answers
        .iter()
        .enumerate()
        .map(|(q, answer)| probability(q, answer, profile).ln())
        .sum()
}

/// The probability of the answer to question `q` under a group's profile, or at random.
fn probability(q: usize, answer: &str, profile: Option<&Profile>) -> f64 {
    let Some(question) = QUESTIONS.get(q) else {
        return 1.0;
    };
    let k = question.options.len();
    let (stray, weight): (f64, &dyn Fn(usize) -> f64) = match profile {
        Some(p) => (STRAY, &|o| p.answers[q].get(o).copied().unwrap_or(0.0)),
        None if question.multi => (0.0, &|_| 0.5),
        None => (0.0, &|_| 1.0 / k as f64),
    };
    if question.multi {
        let chosen: Vec<&str> = answer.split("; ").collect();
        (0..k)
            .map(|o| {
                let p = (1.0 - stray) * weight(o) + stray * 0.5;
                if chosen.contains(&question.options[o]) {
                    p
                } else {
                    1.0 - p
                }
            })
            .product()
    } else {
        question
            .options
            .iter()
            .position(|x| *x == answer)
            .map_or(0.0, |o| (1.0 - stray) * weight(o) + stray / k as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_odds_of_answering_at_random_are_probabilities_and_have_a_ceiling() {
        // Every question's possible answers sum to one under each group and at random.
        for profile in MASS.iter().chain(&EDGES).map(Some).chain([None]) {
            for (q, question) in QUESTIONS.iter().enumerate() {
                let answers: Vec<String> = if question.multi {
                    (0..1u32 << question.options.len())
                        .map(|set| {
                            let chosen: Vec<&str> = (0..question.options.len())
                                .filter(|o| set & (1 << o) != 0)
                                .map(|o| question.options[o])
                                .collect();
                            chosen.join("; ")
                        })
                        .collect()
                } else {
                    question.options.iter().map(|o| o.to_string()).collect()
                };
                let total: f64 = answers.iter().map(|a| probability(q, a, profile)).sum();
                assert!((total - 1.0).abs() < 1e-9, "q{q}: {total}");
            }
        }
        // Some random answerers answer as a group does: even the best ranking misses them.
        let g = generate(20_000, 1);
        let ceiling = outlier_ceiling(&g);
        assert!((40..60).contains(&ceiling), "{ceiling} of 60");
    }

    #[test]
    fn every_profile_is_a_distribution_over_its_question() {
        for g in MASS.iter().chain(&EDGES) {
            for (q, question) in QUESTIONS.iter().enumerate() {
                assert_eq!(
                    g.answers[q].len(),
                    question.options.len(),
                    "{} q{q}",
                    g.name
                );
                if !question.multi {
                    let total: f64 = g.answers[q].iter().sum();
                    assert!((total - 1.0).abs() < 1e-9, "{} q{q}: {total}", g.name);
                }
            }
        }
    }

    #[test]
    fn answers_are_choices_only_and_every_group_is_planted() {
        let g = generate(3000, 5);
        assert_eq!(g.rows.len(), 3000);
        for e in 0..EDGES.len() {
            let n = g.truth.iter().filter(|t| **t == Planted::Edge(e)).count();
            assert!(n >= 25, "edge {e}: {n}");
        }
        let pets = g.header.iter().position(|h| h.contains("pet")).unwrap_or(0);
        let yes = g.rows.iter().filter(|r| r[pets] == "Yes").count();
        assert!(yes < 300, "a pet is rare: {yes}");
    }
}
