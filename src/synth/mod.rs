//! A generator of realistic exports with planted segments, for tests, benchmarks and the
//! example data the page ships.
//!
//! The shop is an online grocer. Every customer belongs to one planted group:
//! * three **mass** segments (the weekly family shop, the budget shop, the occasional top-up);
//! * six **edge** segments of 1–2 % each — small businesses buying for the office, coeliac and
//!   allergy households, people shopping for an elderly relative, party and event hosts,
//!   zero-waste shoppers, night-shift workers — each differing both in what they say and in
//!   what they do;
//! * a sprinkle of **lone outliers** with extreme behaviour and one-off answers.
//!
//! What people say is written from several templates per group, with synonyms and filler, so
//! that no group shares one fixed phrase. Demographic columns (age, gender, region, household
//! size) are drawn independently of the group: they carry no segment signal.
//!
//! The generator is seeded and deterministic. It never touches the engine.

pub mod saas;
pub mod survey;
pub mod wordings;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use wordings::{EDGES_DISJOINT, MASS_DISJOINT};

/// A planted group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Planted {
    /// One of the large segments (index 0–2).
    Mass(usize),
    /// One of the small edge segments (index 0–5).
    Edge(usize),
    /// A lone outlier.
    Outlier,
}

/// Names of the planted groups, for reports.
pub fn planted_name(p: Planted) -> String {
    match p {
        Planted::Mass(i) => format!("mass: {}", MASS[i].name),
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

struct Group {
    name: &'static str,
    share: f64,
    goals: &'static [&'static str],
    obstacles: &'static [&'static str],
    orders: (f64, f64),
    aov: (f64, f64),
    channel: &'static [(&'static str, f64)],
    plan: &'static [(&'static str, f64)],
    payment: &'static [(&'static str, f64)],
    slot: &'static [(&'static str, f64)],
    categories: &'static [(&'static str, f64)],
    eco: f64,
    newsletter: f64,
    tickets: (f64, f64),
    recency: (f64, f64),
    /// (importance, satisfaction) of delivery timing and diet fit, on 1–5.
    ratings: [(f64, f64); 2],
}

const MASS: [Group; 3] = [
    Group {
        name: "weekly family shop",
        share: 0.45,
        goals: &[
            "get the weekly family {shop} delivered so I {free}",
            "save time on the big weekly {shop} for the family",
            "not have to drag the kids round the supermarket every week",
            "the family's weekly {shop} at the door on the same day each week",
            "plan the family meals for the week and order it all in one go",
            "keep the fridge stocked for a busy family every week",
        ],
        obstacles: &[
            "delivery slots fill up fast",
            "substitutions when items are out of stock",
            "the app is slow when the basket is big",
            "minimum order for free delivery",
        ],
        orders: (16.0, 30.0),
        aov: (70.0, 100.0),
        channel: &[("app", 0.55), ("web", 0.45)],
        plan: &[("plus", 0.6), ("standard", 0.4)],
        payment: &[("card", 0.8), ("paypal", 0.2)],
        slot: &[("evening", 0.6), ("afternoon", 0.3), ("morning", 0.1)],
        categories: &[
            ("fresh", 0.9),
            ("bakery", 0.7),
            ("household", 0.8),
            ("drinks", 0.3),
        ],
        eco: 0.25,
        newsletter: 0.5,
        tickets: (0.0, 2.0),
        recency: (2.0, 14.0),
        ratings: [(4.2, 3.6), (3.0, 3.5)],
    },
    Group {
        name: "budget shop",
        share: 0.30,
        goals: &[
            "keep the {food} bill down and stick to a budget",
            "spend less on {food} with cheaper deals",
            "find the best deals and {promo} to save money",
            "stretch the budget as far as it goes with cheap offers",
            "save money on the {food} budget every month",
            "compare prices and only buy cheap deals on {promo}",
        ],
        obstacles: &[
            "prices went up again",
            "delivery fee on small orders",
            "offers end too soon",
            "own brand items often missing",
        ],
        orders: (8.0, 13.0),
        aov: (34.0, 46.0),
        channel: &[("web", 0.6), ("app", 0.4)],
        plan: &[("standard", 1.0)],
        payment: &[("card", 0.5), ("paypal", 0.5)],
        slot: &[("afternoon", 0.6), ("evening", 0.25), ("morning", 0.15)],
        categories: &[
            ("fresh", 0.7),
            ("household", 0.5),
            ("bakery", 0.4),
            ("drinks", 0.2),
        ],
        eco: 0.15,
        newsletter: 0.9,
        tickets: (0.0, 1.5),
        recency: (5.0, 25.0),
        ratings: [(3.5, 3.3), (2.8, 3.4)],
    },
    Group {
        name: "occasional top-up",
        share: 0.17,
        goals: &[
            "pick up the odd thing I forgot",
            "a quick top up when I run out of milk and bread",
            "a quick top up between big supermarket trips",
            "grab a few bits I forgot without going out",
            "top up the cupboard quickly now and then",
        ],
        obstacles: &[
            "minimum basket is too high",
            "delivery takes a day",
            "not worth it for two items",
        ],
        orders: (2.0, 4.0),
        aov: (15.0, 25.0),
        channel: &[("app", 0.8), ("web", 0.2)],
        plan: &[("standard", 1.0)],
        payment: &[("card", 0.6), ("paypal", 0.4)],
        slot: &[("evening", 0.7), ("afternoon", 0.3)],
        categories: &[("fresh", 0.5), ("bakery", 0.6), ("drinks", 0.4)],
        eco: 0.2,
        newsletter: 0.3,
        tickets: (0.0, 1.0),
        recency: (30.0, 120.0),
        ratings: [(3.2, 3.0), (2.5, 3.2)],
    },
];

const EDGES: [Group; 6] = [
    Group {
        name: "small business buying for the office",
        share: 0.015,
        goals: &[
            "invoices with VAT for my company",
            "proper VAT receipts so the business can claim it back",
            "order supplies for our office team every week",
            "expense the office kitchen order through the company account",
            "one monthly invoice for all the staff snacks and coffee",
            "get the accounts department a tax invoice for each delivery",
        ],
        obstacles: &[
            "no VAT number on the invoice",
            "cannot pay by bank transfer",
            "need several people to order on one account",
        ],
        orders: (25.0, 45.0),
        aov: (260.0, 520.0),
        channel: &[("web", 0.95), ("app", 0.05)],
        plan: &[("business", 0.9), ("plus", 0.1)],
        payment: &[("invoice", 0.85), ("card", 0.15)],
        slot: &[("morning", 0.9), ("afternoon", 0.1)],
        categories: &[("drinks", 0.9), ("household", 0.8), ("snacks", 0.9)],
        eco: 0.2,
        newsletter: 0.2,
        tickets: (2.0, 6.0),
        recency: (1.0, 6.0),
        ratings: [(4.6, 2.0), (2.0, 3.0)],
    },
    Group {
        name: "coeliac and allergy households",
        share: 0.012,
        goals: &[
            "gluten free {food} I can trust",
            "coeliac safe products that are clearly labelled",
            "avoid cross contamination with wheat",
            "allergen information for my son's nut allergy",
            "find safe options for a dairy and nut allergy",
            "be sure nothing with gluten ends up in the order",
        ],
        obstacles: &[
            "substitutions ignore allergies",
            "ingredient lists missing online",
            "gluten free range is small",
        ],
        orders: (10.0, 20.0),
        aov: (55.0, 85.0),
        channel: &[("app", 0.5), ("web", 0.5)],
        plan: &[("plus", 0.7), ("standard", 0.3)],
        payment: &[("card", 0.9), ("paypal", 0.1)],
        slot: &[("afternoon", 0.5), ("evening", 0.5)],
        categories: &[("free-from", 0.98), ("fresh", 0.8), ("bakery", 0.3)],
        eco: 0.3,
        newsletter: 0.6,
        tickets: (4.0, 9.0),
        recency: (3.0, 12.0),
        ratings: [(3.5, 3.5), (4.9, 1.6)],
    },
    Group {
        name: "shopping for an elderly relative",
        share: 0.01,
        goals: &[
            "deliver groceries to my mum who can't get out any more",
            "order for my elderly father who lives in another town",
            "shopping for my gran who lives on her own",
            "make sure my parents have food in the house",
            "send essentials to an older relative after her operation",
        ],
        obstacles: &[
            "cannot add a second delivery address easily",
            "driver leaves before my dad gets to the door",
            "no phone call before delivery",
        ],
        orders: (18.0, 30.0),
        aov: (40.0, 60.0),
        channel: &[("phone", 0.75), ("web", 0.25)],
        plan: &[("plus", 0.8), ("standard", 0.2)],
        payment: &[("card", 1.0)],
        slot: &[("morning", 0.95), ("afternoon", 0.05)],
        categories: &[("fresh", 0.9), ("bakery", 0.8), ("ready meals", 0.9)],
        eco: 0.1,
        newsletter: 0.3,
        tickets: (3.0, 7.0),
        recency: (2.0, 9.0),
        ratings: [(4.9, 2.2), (3.0, 3.5)],
    },
    Group {
        name: "party and event hosts",
        share: 0.013,
        goals: &[
            "bulk drinks and snacks for parties",
            "catering for birthdays and family celebrations",
            "big orders for barbecues in the summer",
            "stock up for a wedding or a big event",
            "enough food and drink for forty guests",
        ],
        obstacles: &[
            "not enough stock for large quantities",
            "cannot book a delivery weeks ahead",
            "glasses and ice not sold",
        ],
        orders: (1.5, 4.0),
        aov: (320.0, 780.0),
        channel: &[("web", 0.85), ("app", 0.15)],
        plan: &[("standard", 0.9), ("plus", 0.1)],
        payment: &[("card", 0.7), ("paypal", 0.3)],
        slot: &[("afternoon", 0.7), ("evening", 0.3)],
        categories: &[("drinks", 0.98), ("snacks", 0.9), ("party", 0.9)],
        eco: 0.1,
        newsletter: 0.4,
        tickets: (0.5, 3.0),
        recency: (30.0, 160.0),
        ratings: [(4.0, 3.0), (2.0, 3.5)],
    },
    Group {
        name: "zero-waste shoppers",
        share: 0.015,
        goals: &[
            "plastic free packaging",
            "reduce waste and recycle everything that comes in the box",
            "locally grown seasonal produce with less plastic",
            "cut down on single use packaging",
            "refillable containers and loose vegetables",
            "a smaller footprint from my weekly food",
        ],
        obstacles: &[
            "everything comes in plastic bags",
            "no way to return the crates",
            "too much cardboard",
        ],
        orders: (10.0, 22.0),
        aov: (45.0, 70.0),
        channel: &[("app", 0.85), ("web", 0.15)],
        plan: &[("plus", 0.6), ("standard", 0.4)],
        payment: &[("card", 0.6), ("paypal", 0.4)],
        slot: &[("afternoon", 0.5), ("evening", 0.5)],
        categories: &[("organic", 0.95), ("fresh", 0.95), ("refill", 0.8)],
        eco: 0.97,
        newsletter: 0.7,
        tickets: (1.0, 4.0),
        recency: (3.0, 15.0),
        ratings: [(3.5, 3.5), (4.0, 2.0)],
    },
    Group {
        name: "night-shift workers",
        share: 0.01,
        goals: &[
            "late night delivery slots after my shift",
            "I work nights so I need early morning drops",
            "have the {shop} arrive while I'm asleep during the day",
            "order at 3am and get it before I go to bed",
            "delivery that fits around night shifts at the hospital",
        ],
        obstacles: &[
            "no slots after 10pm",
            "driver rings the bell while I'm sleeping",
            "customer service closed at night",
        ],
        orders: (12.0, 24.0),
        aov: (35.0, 55.0),
        channel: &[("app", 0.9), ("web", 0.1)],
        plan: &[("plus", 0.5), ("standard", 0.5)],
        payment: &[("card", 0.8), ("paypal", 0.2)],
        slot: &[("night", 0.95), ("evening", 0.05)],
        categories: &[("ready meals", 0.9), ("drinks", 0.6), ("fresh", 0.5)],
        eco: 0.2,
        newsletter: 0.3,
        tickets: (1.0, 4.0),
        recency: (2.0, 10.0),
        ratings: [(4.9, 1.8), (3.0, 3.5)],
    },
];

/// An edge group that behaves like a mass group and differs only in what it says: its job, in
/// many wordings, and one need rated important and badly met.
pub struct SayOnly {
    /// For reports.
    pub name: &'static str,
    /// Share of customers.
    pub share: f64,
    /// The mass group (index into the mass groups) whose behaviour its members share.
    pub behaves_like: usize,
    goals: &'static [&'static str],
    /// Six wordings with no content word in common (`--wordings disjoint`).
    disjoint: &'static [&'static str],
    obstacles: &'static [&'static str],
    ratings: [(f64, f64); 2],
}

/// Each planted group's stated goals, for measuring how well meaning ties a group's
/// wordings together (`edgewise distil` prints it): in the disjoint wordings (no content word
/// shared within a group) or the usual ones without those holding a `{placeholder}`;
/// say-only groups included.
pub fn goal_wordings(disjoint: bool) -> Vec<(&'static str, Vec<&'static str>)> {
    let plain = |goals: &[&'static str]| -> Vec<&'static str> {
        goals.iter().copied().filter(|g| !g.contains('{')).collect()
    };
    let mut out = Vec::new();
    if disjoint {
        out.extend(
            MASS.iter()
                .zip(MASS_DISJOINT)
                .map(|(g, w)| (g.name, w.to_vec())),
        );
        out.extend(
            EDGES
                .iter()
                .zip(EDGES_DISJOINT)
                .map(|(g, w)| (g.name, w.to_vec())),
        );
        out.extend(SAY_ONLY.iter().map(|g| (g.name, g.disjoint.to_vec())));
    } else {
        out.extend(MASS.iter().chain(&EDGES).map(|g| (g.name, plain(g.goals))));
        out.extend(SAY_ONLY.iter().map(|g| (g.name, plain(g.goals))));
    }
    out
}

/// The grocer's say-only groups (`generate_grocer` with `say_only`).
pub const SAY_ONLY: [SayOnly; 2] = [
    SayOnly {
        name: "parents of a newborn",
        share: 0.015,
        behaves_like: 0,
        goals: &[
            "nappies and formula delivered while the baby sleeps",
            "keep up with a newborn without leaving the house",
            "baby milk and wipes at the door before we run out",
            "get through the first months with a new baby at home",
            "stock up on {baby} without taking the baby out",
            "survive the newborn weeks with {baby} brought to us",
            "we just had a baby and cannot get to the shops",
        ],
        disjoint: &[
            "nappies and formula before the little one wakes",
            "coping with sleepless nights after our daughter arrived",
            "wipes, bottles and muslins on our doorstep",
            "new mum stuck indoors recovering from a caesarean",
            "keeping the nursery supplied",
            "our son was born last month",
        ],
        obstacles: &[
            "delivery comes during nap time",
            "the driver rings the bell and wakes the baby",
            "formula often out of stock",
            "cannot choose a two hour window",
        ],
        ratings: [(4.9, 1.6), (3.0, 3.5)],
    },
    SayOnly {
        name: "athletes in training",
        share: 0.015,
        behaves_like: 1,
        goals: &[
            "enough protein for my marathon training",
            "fuel my gym sessions with high protein food",
            "eat clean while training for a triathlon",
            "hit my protein and calorie targets every day",
            "meal prep for {sport} training on a budget",
            "recover properly after long runs with the right food",
            "build muscle without spending a fortune on supplements",
        ],
        disjoint: &[
            "enough protein for marathon preparation",
            "fuelling workouts at the gym",
            "recovery after long cycling sessions",
            "hitting macros while bulking",
            "lean meals around triathlon practice",
            "carb loading ahead of race day",
        ],
        obstacles: &[
            "no way to filter by protein per serving",
            "nutrition labels missing online",
            "high protein products always sold out",
        ],
        ratings: [(3.5, 3.3), (4.9, 1.6)],
    },
];

const OUTLIER_ANSWERS: &[&str] = &[
    "chargeback dispute over a missing crate",
    "reselling imported sweets at a market stall",
    "testing your api for a price comparison site",
    "feeding a film crew on location",
    "stocking a narrowboat before a long trip",
    "buying for a remote research station",
    "complaint about a driver, want compensation",
    "trial for a hotel kitchen supplier",
];

const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "{shop}",
        &["shop", "shopping", "grocery order", "food order"],
    ),
    (
        "{free}",
        &[
            "am free",
            "get my weekends back",
            "have time off",
            "can relax",
        ],
    ),
    ("{food}", &["food", "grocery", "shopping", "supermarket"]),
    (
        "{baby}",
        &[
            "nappies",
            "baby food",
            "formula",
            "baby essentials",
            "wipes",
        ],
    ),
    ("{sport}", &["marathon", "gym", "cycling", "rowing"]),
    (
        "{promo}",
        &[
            "offers",
            "discounts",
            "special offers",
            "coupons",
            "vouchers",
        ],
    ),
];

const FILLERS: &[&str] = &[
    "",
    "",
    "",
    "Mostly ",
    "Honestly, ",
    "I just want to ",
    "Really ",
    "Basically ",
    "To ",
];
const GENERIC_OBSTACLES: &[&str] = &[
    "nothing really",
    "it's fine",
    "website logs me out",
    "delivery window too wide",
    "none",
    "app crashes sometimes",
];
const FIRST_NAMES: &[&str] = &[
    "Ann", "Bob", "Chloé", "Dev", "Eitan", "Fatima", "Grace", "Hugo", "Ines", "Jamal", "Kofi",
    "Lena", "Mateo", "Noor", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
    "Wen", "Yusuf", "Zoë",
];
const LAST_NAMES: &[&str] = &[
    "Abara",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hassan",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Neill",
    "Patel",
    "Quist",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Wójcik",
    "Yilmaz",
    "Zimmermann",
];
const REGIONS: &[&str] = &[
    "North", "South", "East", "West", "Midlands", "Scotland", "Wales",
];
const GENDERS: &[(&str, f64)] = &[
    ("Female", 0.49),
    ("Male", 0.47),
    ("Non-binary", 0.02),
    ("Prefer not to say", 0.02),
];

fn pick<'a>(rng: &mut Xoshiro256PlusPlus, weighted: &'a [(&'a str, f64)]) -> &'a str {
    let total: f64 = weighted.iter().map(|w| w.1).sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (v, w) in weighted {
        if x < *w {
            return v;
        }
        x -= w;
    }
    weighted.last().map_or("", |w| w.0)
}

fn uniform(rng: &mut Xoshiro256PlusPlus, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * rng.r#gen::<f64>()
}

fn sentence(rng: &mut Xoshiro256PlusPlus, templates: &[&str]) -> String {
    sentence_with(rng, templates, SYNONYMS)
}

/// A 1–5 rating around `mean`, as a survey exports it.
fn rating(rng: &mut Xoshiro256PlusPlus, mean: f64) -> String {
    ((mean + crate::engine::linalg::gaussian(rng) * 0.7)
        .round()
        .clamp(1.0, 5.0) as i64)
        .to_string()
}

/// One of `templates`, with `{key}`s replaced by one of their `synonyms` and a filler in front.
fn sentence_with(
    rng: &mut Xoshiro256PlusPlus,
    templates: &[&str],
    synonyms: &[(&str, &[&str])],
) -> String {
    let mut text = templates.choose(rng).copied().unwrap_or("").to_string();
    for (key, options) in synonyms {
        while let Some(pos) = text.find(key) {
            let word = options.choose(rng).copied().unwrap_or("");
            text.replace_range(pos..pos + key.len(), word);
        }
    }
    let filler = FILLERS.choose(rng).copied().unwrap_or("");
    let mut out = format!("{filler}{text}");
    if rng.r#gen::<f64>() < 0.15 {
        out.push_str(if rng.r#gen::<bool>() {
            ", that's all"
        } else {
            " really"
        });
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => out,
    }
}

/// One generated export: header, rows, and the planted group of each row.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Column names.
    pub header: Vec<String>,
    /// Cell texts.
    pub rows: Vec<Vec<String>>,
    /// Planted group per row.
    pub truth: Vec<Planted>,
}

impl Generated {
    /// The export as CSV text.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(&self.header);
        for row in &self.rows {
            let _ = w.write_record(row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Keeps only the named columns, in that order (for the survey and CRM halves).
    pub fn select(&self, columns: &[&str], rows: &[usize]) -> Generated {
        let idx: Vec<usize> = columns
            .iter()
            .filter_map(|c| self.header.iter().position(|h| h == c))
            .collect();
        Generated {
            header: idx.iter().map(|&i| self.header[i].clone()).collect(),
            rows: rows
                .iter()
                .map(|&r| idx.iter().map(|&i| self.rows[r][i].clone()).collect())
                .collect(),
            truth: rows.iter().map(|&r| self.truth[r]).collect(),
        }
    }
}

/// The 27 columns of a combined survey + CRM export.
pub const COLUMNS: [&str; 27] = [
    "Customer ID",
    "Email",
    "First name",
    "Last name",
    "Signed up",
    "Last order",
    "Orders (12 months)",
    "Total spend",
    "Average order value",
    "Channel",
    "Plan",
    "Payment method",
    "Delivery slot",
    "Newsletter",
    "Eco packaging",
    "Categories bought",
    "Support tickets",
    "What are you trying to get done when you shop with us?",
    "What gets in the way?",
    "Importance: get my delivery at a time that suits me",
    "Satisfaction: get my delivery at a time that suits me",
    "Importance: find products that fit my diet",
    "Satisfaction: find products that fit my diet",
    "Age",
    "Gender",
    "Region",
    "Household size",
];

/// How planted groups word their goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wordings {
    /// Templates with synonyms and filler; a group's answers share some words.
    #[default]
    Varied,
    /// Six wordings per group with no content word in common (`wordings`): only
    /// their meaning ties a group's answers together.
    Disjoint,
}

/// Generates `n` customers with planted segments, deterministically from `seed`.
pub fn generate(n: usize, seed: u64) -> Generated {
    generate_with(n, seed, Wordings::Varied)
}

/// [`generate`] with the group goals worded as `wordings` says.
pub fn generate_with(n: usize, seed: u64, wordings: Wordings) -> Generated {
    generate_grocer(n, seed, wordings, false)
}

/// The grocer's export; with `say_only`, two more edge groups ([`SAY_ONLY`]) that differ from
/// a mass group only in what they say: their job and one unmet need. Without it the export is
/// exactly [`generate_with`]'s.
pub fn generate_grocer(n: usize, seed: u64, wordings: Wordings, say_only: bool) -> Generated {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let n_outliers = ((n as f64) * 0.002).round().max(3.0) as usize;
    let mut truth = Vec::with_capacity(n);
    for (i, g) in EDGES.iter().enumerate() {
        truth.extend(std::iter::repeat_n(
            Planted::Edge(i),
            (n as f64 * g.share).round() as usize,
        ));
    }
    if say_only {
        for (i, g) in SAY_ONLY.iter().enumerate() {
            truth.extend(std::iter::repeat_n(
                Planted::Edge(EDGES.len() + i),
                (n as f64 * g.share).round() as usize,
            ));
        }
    }
    truth.extend(std::iter::repeat_n(Planted::Outlier, n_outliers));
    let rest = n.saturating_sub(truth.len());
    let mass_total: f64 = MASS.iter().map(|g| g.share).sum();
    let mut assigned = 0;
    for (i, g) in MASS.iter().enumerate() {
        let count = if i == MASS.len() - 1 {
            rest - assigned
        } else {
            (rest as f64 * g.share / mass_total).round() as usize
        };
        truth.extend(std::iter::repeat_n(Planted::Mass(i), count));
        assigned += count;
    }
    truth.truncate(n);
    truth.shuffle(&mut rng);

    let latest = crate::engine::schema::dates::days_from_civil(2026, 10, 31) as f64;
    let mut rows = Vec::with_capacity(n);
    for (i, &planted) in truth.iter().enumerate() {
        let says = match planted {
            Planted::Edge(e) => e.checked_sub(EDGES.len()).and_then(|s| SAY_ONLY.get(s)),
            _ => None,
        };
        let g = match (planted, says) {
            (_, Some(s)) => &MASS[s.behaves_like],
            (Planted::Mass(m), _) => &MASS[m],
            (Planted::Edge(e), _) => &EDGES[e],
            (Planted::Outlier, _) => &MASS[rng.gen_range(0..MASS.len())],
        };
        let first = FIRST_NAMES.choose(&mut rng).copied().unwrap_or("Ann");
        let last = LAST_NAMES.choose(&mut rng).copied().unwrap_or("Abara");
        let email = format!(
            "{}.{}{}@example.com",
            first.to_lowercase(),
            last.to_lowercase().replace(['\'', ' '], ""),
            i
        );
        let mut orders = uniform(&mut rng, g.orders).round();
        let mut aov = uniform(&mut rng, g.aov);
        let mut tickets = uniform(&mut rng, g.tickets).round();
        let recency = uniform(&mut rng, g.recency);
        let tenure = 60.0 + rng.r#gen::<f64>() * 1400.0;
        let goals = match (wordings, planted, says) {
            (Wordings::Disjoint, _, Some(s)) => s.disjoint,
            (_, _, Some(s)) => s.goals,
            (Wordings::Disjoint, Planted::Mass(m), _) => MASS_DISJOINT[m],
            (Wordings::Disjoint, Planted::Edge(e), _) => EDGES_DISJOINT[e],
            _ => g.goals,
        };
        let obstacles = says.map_or(g.obstacles, |s| s.obstacles);
        let (mut goal, mut obstacle) = (sentence(&mut rng, goals), sentence(&mut rng, obstacles));
        if rng.r#gen::<f64>() < 0.35 {
            obstacle = GENERIC_OBSTACLES
                .choose(&mut rng)
                .copied()
                .unwrap_or("none")
                .to_string();
        }
        let mut channel = pick(&mut rng, g.channel).to_string();
        let mut payment = pick(&mut rng, g.payment).to_string();
        if planted == Planted::Outlier {
            // Extreme, inconsistent behaviour and a one-off answer.
            orders = (80.0 + rng.r#gen::<f64>() * 150.0).round();
            aov = 900.0 + rng.r#gen::<f64>() * 2500.0;
            tickets = (15.0 + rng.r#gen::<f64>() * 30.0).round();
            goal = OUTLIER_ANSWERS
                .choose(&mut rng)
                .copied()
                .unwrap_or("")
                .to_string();
            obstacle = "refunds and chargebacks".into();
            channel = ["phone", "web", "app"]
                .choose(&mut rng)
                .copied()
                .unwrap_or("web")
                .to_string();
            payment = "bank transfer".into();
        }
        let cats: Vec<&str> = g
            .categories
            .iter()
            .filter(|(_, p)| rng.r#gen::<f64>() < *p)
            .map(|(c, _)| *c)
            .collect();
        let [(imp1, sat1), (imp2, sat2)] = says.map_or(g.ratings, |s| s.ratings);
        let day = |d: f64| crate::engine::schema::dates::format_day(d);
        rows.push(vec![
            format!("C{:06}", 100_000 + i),
            email,
            first.to_string(),
            last.to_string(),
            day(latest - recency - tenure),
            day(latest - recency),
            format!("{orders}"),
            format!("{:.2}", orders.max(1.0) * aov),
            format!("{aov:.2}"),
            channel,
            pick(&mut rng, g.plan).to_string(),
            payment,
            pick(&mut rng, g.slot).to_string(),
            if rng.r#gen::<f64>() < g.newsletter {
                "yes"
            } else {
                "no"
            }
            .to_string(),
            if rng.r#gen::<f64>() < g.eco {
                "yes"
            } else {
                "no"
            }
            .to_string(),
            cats.join("; "),
            format!("{tickets}"),
            goal,
            obstacle,
            rating(&mut rng, imp1),
            rating(&mut rng, sat1),
            rating(&mut rng, imp2),
            rating(&mut rng, sat2),
            format!("{}", rng.gen_range(18..=82)),
            pick(&mut rng, GENDERS).to_string(),
            REGIONS
                .choose(&mut rng)
                .copied()
                .unwrap_or("North")
                .to_string(),
            format!("{}", rng.gen_range(1..=6)),
        ]);
    }
    Generated {
        header: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
        truth,
    }
}

/// Two months of the grocer's export with planted changes, for comparing months: the second
/// month gains edge group 0 (new), loses edge group 1 (gone), doubles edge group 2 with new
/// customers who answer and behave as its members do (grew) and loses a third of edge group 3
/// (shrank); everyone else is the same people with the same answers.
pub fn months(n: usize, seed: u64) -> (Generated, Generated) {
    months_of(&generate(n, seed), &generate(n, newcomers_seed(seed)))
}

/// The seed of the export whose edge group 2 are [`months`]' new customers.
pub fn newcomers_seed(seed: u64) -> u64 {
    seed ^ 0x6e65_7763
}

/// [`months`] of any one-file export whose first column is its id (the grocer's customer id,
/// the survey's response id); an `Email` column, if any, is renewed for new people too. The
/// new customers are edge group 2 of `newcomers`, the same domain generated with another
/// seed: people of the same group, each with answers of their own. (Copies of the old
/// members' rows, as they once were, are no month's new customers: every answer twice, a
/// chance likeness among a dozen of them counted double, and the grown group came out as two
/// segments of 70 and 28.)
pub fn months_of(base: &Generated, newcomers: &Generated) -> (Generated, Generated) {
    let (new, gone, grows, shrinks) = (
        Planted::Edge(0),
        Planted::Edge(1),
        Planted::Edge(2),
        Planted::Edge(3),
    );
    let pick = |keep: &dyn Fn(usize, Planted) -> bool| {
        let rows: Vec<usize> = (0..base.rows.len())
            .filter(|&r| base.truth.get(r).is_some_and(|&t| keep(r, t)))
            .collect();
        Generated {
            header: base.header.clone(),
            rows: rows
                .iter()
                .filter_map(|&r| base.rows.get(r).cloned())
                .collect(),
            truth: rows
                .iter()
                .filter_map(|&r| base.truth.get(r).copied())
                .collect(),
        }
    };
    let first = pick(&|_, t| t != new);
    let mut second = pick(&|r, t| if t == shrinks { r % 3 != 0 } else { t != gone });
    let email = base.header.iter().position(|h| h == "Email");
    let mut k = 0;
    for (row, t) in newcomers.rows.iter().zip(&newcomers.truth) {
        if *t != grows {
            continue;
        }
        let mut row = row.clone();
        if let Some(cell) = row.get_mut(0) {
            *cell = format!("N{k:05}");
        }
        if let Some(cell) = email.and_then(|i| row.get_mut(i)) {
            *cell = format!("new.customer{k}@example.com");
        }
        second.rows.push(row);
        second.truth.push(grows);
        k += 1;
    }
    (first, second)
}

/// The example data the page ships: a survey export (70 % of customers answered) and a CRM
/// export of all customers, joined on email written with different case.
pub fn example_pair(n: usize, seed: u64) -> (Generated, Generated) {
    let all = generate(n, seed);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xabc);
    let answered: Vec<usize> = (0..n).filter(|_| rng.r#gen::<f64>() < 0.7).collect();
    let mut survey = all.select(
        &[
            "Email",
            "What are you trying to get done when you shop with us?",
            "What gets in the way?",
            "Importance: get my delivery at a time that suits me",
            "Satisfaction: get my delivery at a time that suits me",
            "Importance: find products that fit my diet",
            "Satisfaction: find products that fit my diet",
            "Age",
            "Gender",
            "Region",
            "Household size",
        ],
        &answered,
    );
    // Survey tools export emails as typed: mixed case, stray spaces.
    for row in &mut survey.rows {
        if let Some(email) = row.first_mut() {
            if rng.r#gen::<f64>() < 0.5 {
                let mut c = email.chars();
                *email = c
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>())
                    .unwrap_or_default()
                    + c.as_str();
            }
            if rng.r#gen::<f64>() < 0.1 {
                email.push(' ');
            }
        }
    }
    let crm_columns: Vec<&str> = COLUMNS[..17].to_vec();
    let crm = all.select(&crm_columns, &(0..n).collect::<Vec<_>>());
    (survey, crm)
}

/// The kinds of export the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// The online grocer's survey + CRM export (one file; [`generate_with`]).
    Grocer,
    /// The grocer with two say-only edge groups ([`SAY_ONLY`]).
    GrocerSayOnly,
    /// A B2B software company's CRM and survey, two files joined on email ([`saas`]).
    Saas,
    /// A preference survey of choices only ([`survey`]).
    Survey,
}

impl Domain {
    /// Every domain, for tables.
    pub const ALL: [Domain; 4] = [
        Domain::Grocer,
        Domain::GrocerSayOnly,
        Domain::Saas,
        Domain::Survey,
    ];

    /// Reads a domain's name as the command line writes it.
    pub fn parse(name: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The name the command line uses.
    pub fn name(self) -> &'static str {
        match self {
            Domain::Grocer => "grocer",
            Domain::GrocerSayOnly => "grocer-say",
            Domain::Saas => "saas",
            Domain::Survey => "survey",
        }
    }

    /// A planted group's name in this domain.
    pub fn planted_name(self, p: Planted) -> String {
        match self {
            Domain::Grocer | Domain::GrocerSayOnly => planted_name(p),
            Domain::Saas => saas::planted_name(p),
            Domain::Survey => survey::planted_name(p),
        }
    }

    /// Planted lone outliers that the best possible ranking puts in the top 2× their number,
    /// where the generator can say (`survey::outlier_ceiling`): the export of `n` rows of
    /// seed `seed` is generated again, so that exports do not pay for it.
    pub fn outlier_ceiling(self, n: usize, seed: u64) -> Option<usize> {
        (self == Domain::Survey).then(|| survey::outlier_ceiling(&survey::generate(n, seed)))
    }

    /// The export's files (name, CSV text) and the planted group of each row of the table
    /// they make once joined (the first file lists everyone, in order).
    pub fn export(self, n: usize, seed: u64, wordings: Wordings) -> Export {
        match self {
            Domain::Grocer | Domain::GrocerSayOnly => {
                let g = generate_grocer(n, seed, wordings, self == Domain::GrocerSayOnly);
                Export {
                    files: vec![("grocer.csv".into(), g.to_csv())],
                    truth: g.truth,
                }
            }
            Domain::Saas => {
                let (crm, survey) = saas::generate(n, seed);
                Export {
                    files: vec![
                        ("crm.csv".into(), crm.to_csv()),
                        ("survey.csv".into(), survey.to_csv()),
                    ],
                    truth: crm.truth,
                }
            }
            Domain::Survey => {
                let g = survey::generate(n, seed);
                Export {
                    files: vec![("survey.csv".into(), g.to_csv())],
                    truth: g.truth,
                }
            }
        }
    }
}

/// A generated export: its files and the truth about its rows.
#[derive(Debug, Clone)]
pub struct Export {
    /// (file name, CSV text), in the order they are joined.
    pub files: Vec<(String, String)>,
    /// Planted group per row of the joined table.
    pub truth: Vec<Planted>,
}

/// How well found segments recover the planted groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Per planted group (mass and edge): name, size, best F1, and the segment (index) that gave it.
    pub groups: Vec<(Planted, usize, f64, Option<u32>)>,
    /// Planted lone outliers among the top 2× their number by edge score.
    pub outliers_in_top: usize,
    /// Planted lone outliers.
    pub outliers: usize,
    /// Segments found.
    pub n_segments: usize,
    /// Share of people in no segment.
    pub unassigned: f64,
}

/// Scores found segments against the planted truth: for each planted group, the best F1
/// over found segments; for planted outliers, how many rank in the top 2× their number by
/// edge score.
pub fn evaluate(truth: &[Planted], segment_of: &[Option<u32>], edge_score: &[f64]) -> Evaluation {
    let n_segments = segment_of
        .iter()
        .flatten()
        .map(|&s| s as usize + 1)
        .max()
        .unwrap_or(0);
    let mut found_size = vec![0usize; n_segments];
    for s in segment_of.iter().flatten() {
        found_size[*s as usize] += 1;
    }
    let mut planted: Vec<Planted> = truth.to_vec();
    planted.sort();
    planted.dedup();
    let mut groups = Vec::new();
    for g in planted.into_iter().filter(|p| *p != Planted::Outlier) {
        let size = truth.iter().filter(|t| **t == g).count();
        let mut overlap = vec![0usize; n_segments];
        for (t, s) in truth.iter().zip(segment_of) {
            if *t == g
                && let Some(s) = s
            {
                overlap[*s as usize] += 1;
            }
        }
        let best = (0..n_segments)
            .map(|s| {
                (
                    2.0 * overlap[s] as f64 / (size + found_size[s]) as f64,
                    s as u32,
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        groups.push((g, size, best.map_or(0.0, |b| b.0), best.map(|b| b.1)));
    }
    let outliers = truth.iter().filter(|t| **t == Planted::Outlier).count();
    let mut order: Vec<usize> = (0..truth.len()).collect();
    order.sort_by(|&a, &b| edge_score[b].total_cmp(&edge_score[a]).then(a.cmp(&b)));
    let outliers_in_top = order
        .iter()
        .take(2 * outliers)
        .filter(|&&i| truth[i] == Planted::Outlier)
        .count();
    let unassigned =
        segment_of.iter().filter(|s| s.is_none()).count() as f64 / truth.len().max(1) as f64;
    Evaluation {
        groups,
        outliers_in_top,
        outliers,
        n_segments,
        unassigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_plants_every_group() {
        let a = generate(2000, 1);
        let b = generate(2000, 1);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.header.len(), 27);
        for e in 0..EDGES.len() {
            let count = a.truth.iter().filter(|t| **t == Planted::Edge(e)).count();
            assert!((20..=30).contains(&count), "edge {e}: {count}");
        }
        assert!(a.truth.iter().filter(|t| **t == Planted::Outlier).count() >= 3);
    }

    #[test]
    fn edge_groups_use_several_wordings() {
        let g = generate(3000, 2);
        let goal = 17;
        let answers: std::collections::BTreeSet<&str> = (0..3000)
            .filter(|&r| g.truth[r] == Planted::Edge(0))
            .map(|r| g.rows[r][goal].as_str())
            .collect();
        assert!(answers.len() >= 10, "varied wordings: {answers:?}");
    }
}
