//! Deciding a column's role from its kind, header and values.
//!
//! Personal data, identifiers, codes, survey metadata ([`is_survey_metadata`]: when and how a
//! form was filled in) and columns without variety are never used; demographics describe
//! segments and never form them — recognised by their header in English and nine other
//! languages ([`is_demographic`]) or by their values ([`demographic_values`]: genders, age
//! bands, countries, postcodes); free text, ratings and survey questions are what people say;
//! the rest is what they do. The user's overrides are applied afterwards
//! (`schema::apply_overrides`).

use super::read::{header_words, is_missing};
use super::{ColumnSchema, Kind, Role};
use crate::engine::table::Column;

const DEMOGRAPHIC_WORDS: &[&str] = &[
    "age",
    "ages",
    "gender",
    "sex",
    "location",
    "city",
    "town",
    "country",
    "region",
    "state",
    "province",
    "county",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "income",
    "salary",
    "education",
    "degree",
    "ethnicity",
    "ethnic",
    "race",
    "religion",
    "religious",
    "marital",
    "occupation",
    "profession",
    "birth",
    "dob",
    "born",
    "birthday",
    "nationality",
    "household",
    "children",
    "kids",
    "generation",
    "pronouns",
    "orientation",
    "disability",
    "language",
    // Where someone is, as mailing tools export it (Mailchimp's LATITUDE, LONGITUDE,
    // TIMEZONE, GMTOFF, DSTOFF): a location, like a country or city.
    "latitude",
    "longitude",
    "lat",
    "lng",
    "lon",
    "timezone",
    "tz",
    "gmtoff",
    "dstoff",
    "geolocation",
    "coordinates",
    // German, French, Spanish, Italian, Dutch, Portuguese, Polish, Swedish/Danish/Norwegian.
    "alter",
    "geschlecht",
    "wohnort",
    "land",
    "bundesland",
    "einkommen",
    "bildung",
    "familienstand",
    "beruf",
    "âge",
    "sexe",
    "pays",
    "ville",
    "revenu",
    "revenus",
    "profession",
    "edad",
    "sexo",
    "género",
    "genero",
    "país",
    "pais",
    "ciudad",
    "ingresos",
    "estudios",
    "età",
    "sesso",
    "paese",
    "città",
    "reddito",
    "leeftijd",
    "geslacht",
    "woonplaats",
    "inkomen",
    "opleiding",
    "idade",
    "cidade",
    "renda",
    "wiek",
    "płeć",
    "plec",
    "kraj",
    "miasto",
    "ålder",
    "alder",
    "kön",
    "køn",
    "kjønn",
];

/// Survey tools' own columns (Qualtrics, SurveyMonkey, Typeform, Google and Microsoft
/// Forms), by header with case, spaces and punctuation removed: when and how the form was
/// filled in, not what anyone said or did. A timestamp of submission used to take half the
/// weight of a survey with no other behaviour column, and drowned every answer.
const SURVEY_METADATA: &[&str] = &[
    "startdate",
    "enddate",
    "startdateutc",
    "submitdate",
    "submitdateutc",
    "submitted",
    "submittedat",
    "submissiondate",
    "recordeddate",
    "responseid",
    "responsetype",
    "respondentid",
    "collectorid",
    "ipaddress",
    "durationinseconds",
    "locationlatitude",
    "locationlongitude",
    "distributionchannel",
    "userlanguage",
    "networkid",
    "token",
    "timestamp",
    "starttime",
    "completiontime",
    "lastmodifiedtime",
    "externalreference",
    "externaldatareference",
    "useragent",
];

/// Headers a survey tool adds that a shop or CRM export uses for behaviour too (a call's or a
/// contract's duration, a course's progress): survey metadata only in a file that also has one
/// of [`SURVEY_METADATA`]'s headers. Qualtrics' "Duration (in seconds)", "Progress" and
/// "Finished" always come with its "StartDate" and "ResponseId"; R's geyser records with a
/// plain `duration` were read as a survey's own timing and left out. (Qualtrics' "Status",
/// a preview, spam or a real response, is named by its question-text row "Response Type";
/// a plain "status" beside a form's timestamp is an employee's, in openintro's
/// blizzard_salary.)
const SURVEY_METADATA_WITH_A_TOOL: &[&str] = &["duration", "progress", "finished", "token"];

/// A header with case, spaces and punctuation removed.
fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when the header is one only a survey tool adds: its file is a survey tool's export.
pub fn is_survey_tool_header(name: &str) -> bool {
    SURVEY_METADATA.contains(&header_key(name).as_str())
}

/// True when the header is one a survey tool adds about the response itself, in a file that
/// is a survey tool's export (`from_a_tool`, [`is_survey_tool_header`]) or not.
pub fn is_survey_metadata(name: &str, from_a_tool: bool) -> bool {
    let key = header_key(name);
    SURVEY_METADATA.contains(&key.as_str())
        || from_a_tool && SURVEY_METADATA_WITH_A_TOOL.contains(&key.as_str())
}

/// Gender values in the languages of [`DEMOGRAPHIC_WORDS`] (lower case).
const GENDERS: &[&str] = &[
    "male",
    "female",
    "m",
    "f",
    "man",
    "woman",
    "men",
    "women",
    "non-binary",
    "nonbinary",
    "non binary",
    "other",
    "prefer not to say",
    "diverse",
    "divers",
    "x",
    "homme",
    "femme",
    "autre",
    "mann",
    "frau",
    "männlich",
    "weiblich",
    "hombre",
    "mujer",
    "masculino",
    "femenino",
    "otro",
    "uomo",
    "donna",
    "maschio",
    "femmina",
    "man",
    "vrouw",
    "homem",
    "mulher",
    "mężczyzna",
    "kobieta",
    "kvinna",
    "kvinde",
    "kvinne",
    "mand",
    "mann",
];

/// Countries as exports write them: English names, some native names, ISO 3166 alpha-3 codes
/// (lower case). Alpha-2 codes are left out: "no" and "it" are words.
const COUNTRIES: &[&str] = &[
    "afghanistan",
    "albania",
    "algeria",
    "argentina",
    "armenia",
    "australia",
    "austria",
    "azerbaijan",
    "bangladesh",
    "belarus",
    "belgium",
    "bolivia",
    "bosnia and herzegovina",
    "brazil",
    "bulgaria",
    "cambodia",
    "cameroon",
    "canada",
    "chile",
    "china",
    "colombia",
    "costa rica",
    "croatia",
    "cuba",
    "cyprus",
    "czech republic",
    "czechia",
    "denmark",
    "dominican republic",
    "ecuador",
    "egypt",
    "el salvador",
    "estonia",
    "ethiopia",
    "finland",
    "france",
    "georgia",
    "germany",
    "ghana",
    "greece",
    "guatemala",
    "honduras",
    "hong kong",
    "hungary",
    "iceland",
    "india",
    "indonesia",
    "iran",
    "iraq",
    "ireland",
    "israel",
    "italy",
    "jamaica",
    "japan",
    "jordan",
    "kazakhstan",
    "kenya",
    "korea",
    "south korea",
    "kuwait",
    "latvia",
    "lebanon",
    "lithuania",
    "luxembourg",
    "malaysia",
    "malta",
    "mexico",
    "moldova",
    "morocco",
    "nepal",
    "netherlands",
    "the netherlands",
    "new zealand",
    "nigeria",
    "north macedonia",
    "norway",
    "pakistan",
    "panama",
    "paraguay",
    "peru",
    "philippines",
    "poland",
    "portugal",
    "qatar",
    "romania",
    "russia",
    "saudi arabia",
    "serbia",
    "singapore",
    "slovakia",
    "slovenia",
    "south africa",
    "spain",
    "sri lanka",
    "sweden",
    "switzerland",
    "taiwan",
    "tanzania",
    "thailand",
    "tunisia",
    "turkey",
    "türkiye",
    "uganda",
    "ukraine",
    "united arab emirates",
    "uae",
    "united kingdom",
    "uk",
    "great britain",
    "england",
    "scotland",
    "wales",
    "northern ireland",
    "united states",
    "united states of america",
    "usa",
    "us",
    "uruguay",
    "venezuela",
    "vietnam",
    "zimbabwe",
    "deutschland",
    "österreich",
    "schweiz",
    "suisse",
    "svizzera",
    "españa",
    "italia",
    "nederland",
    "belgië",
    "belgique",
    "polska",
    "brasil",
    "méxico",
    "sverige",
    "norge",
    "danmark",
    "suomi",
    "éire",
    "česko",
    "magyarország",
    "ελλάδα",
    "россия",
    "日本",
    "中国",
    "aus",
    "aut",
    "bel",
    "bra",
    "can",
    "che",
    "chn",
    "deu",
    "dnk",
    "esp",
    "fin",
    "fra",
    "gbr",
    "grc",
    "hun",
    "ind",
    "irl",
    "ita",
    "jpn",
    "kor",
    "mex",
    "nld",
    "nor",
    "nzl",
    "pol",
    "prt",
    "rou",
    "rus",
    "swe",
    "tur",
    "ukr",
    "zaf",
];

/// What a column's values show it to be, when they are demographic: genders, age bands,
/// countries or postcodes, in most of its rows (90 %; 80 % for countries, whose lists are
/// never complete). `None` otherwise. Columns read as numbers are never taken for
/// postcodes: five-digit amounts are common.
pub fn demographic_values(col: &Column, numeric: bool) -> Option<&'static str> {
    let counts = col.counts();
    let answered = |(value, count): &(&str, usize)| *count > 0 && !is_missing(value);
    let mut total = 0;
    let mut distinct = 0;
    let values = || {
        col.values()
            .iter()
            .zip(counts.iter().copied())
            .filter(answered)
    };
    for (_, count) in values() {
        distinct += 1;
        total += count;
    }
    if total == 0 || distinct < 2 {
        return None;
    }
    let (mut gender, mut band, mut country, mut postcode) = (0, 0, 0, 0);
    let most = |hits: usize, share: f64| hits as f64 >= share * total as f64;
    // Rows seen so far that matched no test: once every test has missed more rows than it may,
    // none can pass (a column of emails or free text stops after a fifth of its rows).
    let mut seen = 0;
    let out_of_reach =
        |hits: usize, seen: usize, share: f64| (seen - hits) as f64 > (1.0 - share) * total as f64;
    for (value, count) in values() {
        seen += count;
        let v = value.trim().to_lowercase();
        if GENDERS.contains(&v.as_str()) {
            gender += count;
        }
        if is_age_band(&v) {
            band += count;
        }
        if COUNTRIES.contains(&v.as_str()) {
            country += count;
        }
        if !numeric && is_postcode(value.trim()) {
            postcode += count;
        }
        if (distinct > 8 || out_of_reach(gender, seen, 0.9))
            && out_of_reach(band, seen, 0.9)
            && out_of_reach(country, seen, 0.8)
            && (distinct < 10 || out_of_reach(postcode, seen, 0.9))
        {
            return None;
        }
    }
    if distinct <= 8 && most(gender, 0.9) {
        Some("genders")
    } else if most(band, 0.9) {
        Some("age bands")
    } else if most(country, 0.8) {
        Some("countries")
    } else if distinct >= 10 && most(postcode, 0.9) {
        Some("postcodes")
    } else {
        None
    }
}

/// "18-24", "25 – 34", "65+", "under 18", "over 65" (ages between 10 and 110).
fn is_age_band(v: &str) -> bool {
    let age = |t: &str| {
        t.trim()
            .parse::<u32>()
            .is_ok_and(|a| (10..=110).contains(&a))
    };
    if let Some(rest) = v.strip_suffix('+') {
        return age(rest);
    }
    for prefix in [
        "under ",
        "over ",
        "below ",
        "above ",
        "unter ",
        "über ",
        "moins de ",
        "plus de ",
    ] {
        if let Some(rest) = v.strip_prefix(prefix) {
            return age(rest.trim_end_matches(" years").trim_end_matches(" ans"));
        }
    }
    let mut parts = v.split(['-', '–', '—']);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) => {
            age(a) && age(b.trim_end_matches(" years").trim_end_matches(" ans"))
        }
        _ => false,
    }
}

/// UK ("SW1A 1AA"), Canadian ("K1A 0B1"), Dutch ("1012 AB") and Polish ("00-950") postcodes,
/// and five-digit ZIP codes ("02139", "90210-1234").
fn is_postcode(v: &str) -> bool {
    let chars: Vec<char> = v.chars().collect();
    let digit = |c: &char| c.is_ascii_digit();
    let letter = |c: &char| c.is_ascii_alphabetic();
    match chars.as_slice() {
        [a, b, c, d, e] => [a, b, c, d, e].iter().all(|c| digit(c)),
        [a, b, c, d, e, '-', f, g, h, i] => [a, b, c, d, e, f, g, h, i].iter().all(|c| digit(c)),
        [a, b, '-', c, d, e] => [a, b, c, d, e].iter().all(|c| digit(c)),
        [a, b, c, d, ' ', e, f] => [a, b, c, d].iter().all(|c| digit(c)) && letter(e) && letter(f),
        [a, b, c, ' ', d, e, f] => {
            // Canadian A1A 1A1, or a UK outward code of three characters.
            (letter(a) && digit(b) && letter(c) && digit(d) && letter(e) && digit(f))
                || (letter(a) && (digit(b) || letter(b)) && digit(d) && letter(e) && letter(f))
        }
        [a, _, _, _, ' ', d, e, f] | [a, _, ' ', d, e, f] => {
            letter(a) && digit(d) && letter(e) && letter(f)
        }
        _ => false,
    }
}

/// True when the header names a demographic. A question's option ("Which do you buy? —
/// household", as a survey tool's columns of one option each are named) is judged by its
/// question.
pub fn is_demographic(name: &str) -> bool {
    let name = super::read::question_and_option(name).map_or(name, |(question, _)| question);
    let words = header_words(name);
    let lower = name.to_lowercase();
    words
        .iter()
        .any(|w| DEMOGRAPHIC_WORDS.contains(&w.as_str()))
        || lower.contains("job title")
        || lower.contains("time zone")
        // Longitude beside "lat" (R's quakes); "long" in a longer header is not.
        || lower.trim() == "long"
        || lower.contains("age group")
        || lower.contains("year of birth")
}

/// True when the header names how a company keeps someone's account rather than anything
/// they did: who looks after it in a CRM ("Contact owner", "Account manager", "Assigned
/// to") or the details of their payment card (Stripe's "Card Brand", "Card Exp
/// Year", "Card Funding"). HubSpot's "Contact owner" formed a segment of one salesperson's
/// contacts.
fn keeps_the_account(name: &str) -> bool {
    let words = header_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    // A record's owner (HubSpot's "Contact owner", Salesforce's "Account Owner"), not a
    // home owner; a record assigned to someone, not a hotel's "assigned_room_type".
    let owner = (has("owner")
        && [
            "contact", "account", "lead", "deal", "record", "company", "hubspot", "ticket",
        ]
        .iter()
        .any(|w| has(w)))
        || words
            .windows(2)
            .any(|pair| pair[0] == "assigned" && pair[1] == "to")
        || (has("account") && (has("manager") || has("executive")));
    let card = ["card", "cc"].iter().any(|c| has(c))
        && [
            "exp",
            "expiry",
            "expires",
            "expiration",
            "last4",
            "brand",
            "funding",
            "fingerprint",
            "type",
            "issuer",
            "bin",
            "wallet",
            "cvc",
        ]
        .iter()
        .any(|w| has(w));
    owner || card
}

/// True when the whole header names segments already made ("Segment", "Customer segment",
/// "Audience"): an Intercom export's "Segment" of two values (active, slipping away) gave
/// back its own two segments and hid the groups within them. A "market_segment" of a
/// hotel's bookings (groups, corporate, online) is how they booked, and stays.
fn names_a_segmentation(name: &str) -> bool {
    let words = header_words(name);
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["segment" | "segments" | "audience" | "audiences" | "persona" | "personas"]
            | ["customer" | "user" | "contact", "segment" | "segments"]
    )
}

/// True when the header names the browser or device someone uses (Intercom's "Browser",
/// "Browser version", "OS"; "Operating system", "User agent"): who they are, not what they do.
fn names_their_device(name: &str) -> bool {
    let words = header_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let lower = name.trim().to_lowercase();
    has("browser")
        || lower == "os"
        || lower.starts_with("os version")
        || lower.contains("operating system")
        || lower.contains("user agent")
        || lower.contains("device model")
}

/// True for Mailchimp's "CC", a country's code ("US", "GB"), when its values are not
/// numbers: "cc" also counts the people copied on an email.
pub fn is_country_code(name: &str, numeric: bool) -> bool {
    !numeric && name.trim().eq_ignore_ascii_case("cc")
}

/// True when the header names a score a mailing or CRM tool gives for how someone engages
/// (Mailchimp's "MEMBER_RATING", one to five stars from opens and clicks; "Engagement
/// score"; "Lead rating"), not a rating they gave.
fn scores_engagement(name: &str) -> bool {
    let words = header_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    has("engagement")
        || ((has("member") || has("lead") || has("contact")) && (has("rating") || has("score")))
}

/// True when the header is a survey question ("What …?", "How …", "Please …").
pub(crate) fn is_question(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    lower.ends_with('?')
        || [
            "what ",
            "why ",
            "how ",
            "which ",
            "when ",
            "do you",
            "did you",
            "are you",
            "would you",
            "tell us",
            "describe",
            "please ",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// The role of a column of kind `c.kind` named `name`, with the reason in words;
/// `from_a_tool` when its file is a survey tool's export ([`is_survey_tool_header`]).
pub(super) fn decide_role(c: &ColumnSchema, name: &str, from_a_tool: bool) -> (Role, String) {
    let question = is_question(name);
    match &c.kind {
        Kind::Empty => (Role::Ignore, "no values".into()),
        Kind::Constant => (Role::Ignore, "cannot tell people apart".into()),
        k if k.is_personal() => (
            Role::Ignore,
            "personal data: never used, masked on screen, kept in the export".into(),
        ),
        Kind::Identifier => (
            Role::Ignore,
            "identifies records; used only to join files".into(),
        ),
        _ if is_survey_metadata(name, from_a_tool) => (
            Role::Ignore,
            "when and how the survey was filled in, not what anyone said or did".into(),
        ),
        _ if names_a_segmentation(name) => (
            Role::DescribeOnly,
            "an earlier segmentation: describes the new segments, never forms them".into(),
        ),
        _ if names_their_device(name) => (
            Role::DescribeOnly,
            "the device or browser they use: describes segments, never forms them".into(),
        ),
        _ if keeps_the_account(name) => (
            Role::DescribeOnly,
            "how your company keeps their account (who looks after it, their payment card): describes segments, never forms them".into(),
        ),
        _ if c.demographic => (
            Role::DescribeOnly,
            "a demographic: describes segments, never forms them".into(),
        ),
        Kind::Code => (Role::Ignore, "a code, not a measure".into()),
        Kind::FreeText => (
            Role::StatedJobs,
            "what people say in their own words".into(),
        ),
        Kind::Rating { .. } if scores_engagement(name) => (
            Role::Behaviour,
            "a score your mailing or CRM tool gives for how they engage: what people do".into(),
        ),
        Kind::Rating { .. } | Kind::OrderedText => (
            Role::StatedJobs,
            "how people rate what matters to them".into(),
        ),
        _ if question => (Role::StatedJobs, "a survey answer: what people say".into()),
        Kind::Date | Kind::DateTime => {
            (Role::Behaviour, "recency and tenure: what people do".into())
        }
        _ => (Role::Behaviour, "recorded activity: what people do".into()),
    }
}
