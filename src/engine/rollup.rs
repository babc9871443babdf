//! A file of orders (or visits, or tickets) made into a file of customers.
//!
//! A shop's order export lists each customer once per order, under their email address or
//! customer id. Read as it is, every order would count as a person: a wholesale buyer with
//! thirty orders would weigh thirty times, and the segments would be segments of orders.
//! So when many rows share a customer's key, and those rows differ, the file is rolled up
//! to one row per customer before anything else, the way RFM analysis (recency, frequency,
//! monetary value; Hughes 1994) reads a transaction log:
//!
//! - how many rows each customer has ("Orders"), or, in an export of line items whose
//!   order's number is on each of its items' rows (Shopify's "Name", "#1001"; an "Order
//!   ID"), how many different orders,
//! - each date column's first and last date (tenure and recency),
//! - each amount of money's total and average, and each other number's average,
//! - each category's most frequent value, each multi-select's choices together,
//! - each free-text column's different answers together,
//! - each other personal column's first value; identifiers of the rows themselves (an
//!   order number) are left out, counted in "Orders".
//!
//! The key is an email address, or an identifier whose header names a person ("Customer
//! ID", "Client", "Account no"), never a store's or a product's. Rows that repeat an
//! earlier row in every cell are counted once.
//!
//! Hughes, A. M. (1994). Strategic Database Marketing. Probus.

use super::ingest::join::normalise_key;
use super::schema::{self, Kind, Role, Schema, dates};
use super::table::{Column, Table};
use std::collections::{BTreeMap, HashMap};

/// Header words that say an identifier names a person.
const PERSON_WORDS: &[&str] = &[
    "customer",
    "customers",
    "client",
    "user",
    "member",
    "account",
    "buyer",
    "shopper",
    "contact",
    "subscriber",
    "guest",
    "patient",
    "person",
    "respondent",
    "participant",
    "individual",
    "email",
];

/// At most this share of a file's keyed rows may have a key of their own for the file to be
/// read as rows of customers who repeat: at least one row in five repeats a key.
const MOST_KEYS_PER_ROW: f64 = 0.8;

/// Different free-text answers of one customer kept, at most.
const MOST_ANSWERS: usize = 5;

/// A file rolled up to one row per customer.
#[derive(Debug)]
pub struct RolledUp {
    /// One row per customer, in the order each first appears.
    pub table: Table,
    /// The key column's name.
    pub key: String,
    /// The rows read, counting a row repeated in every cell once.
    pub rows: usize,
    /// Rows left out for repeating an earlier row in every cell (a customer's row exported
    /// twice; CDNOW's log of orders has 255 among 69,659).
    pub copies: usize,
    /// What each column became, for the user.
    pub columns: Vec<String>,
    /// Each new column's name with the name of the column it was made from, so that a role
    /// the user gave a column of the orders reaches what it became ([`RolledUp::roles`]).
    pub sources: Vec<(String, String)>,
}

impl RolledUp {
    /// `roles`, given by the names of the orders' columns, with each also given to the
    /// columns made from that column ("Total" → "Total (total)", "Total (average)"),
    /// unless one of those has a role of its own.
    pub fn roles(&self, roles: &BTreeMap<String, Role>) -> BTreeMap<String, Role> {
        let mut all = roles.clone();
        for (made, from) in &self.sources {
            if let Some(&role) = roles.get(from) {
                all.entry(made.clone()).or_insert(role);
            }
        }
        all
    }
}

/// `table` rolled up to one row per customer, if it lists customers on several rows each
/// (see the module's documentation); `schema` is the table's own.
pub fn per_customer(table: &Table, schema: &Schema) -> Option<RolledUp> {
    let key = key_column(table, schema)?;
    let key_col = table.column(key)?;
    let copies: std::collections::HashSet<usize> = table
        .repeated_rows()
        .into_iter()
        .map(|(row, _)| row)
        .collect();
    // Each customer's rows, customers in the order they first appear; keys compared as a
    // join compares them (`Ann@Example.com ` is `ann@example.com`), each distinct text
    // normalised once; rows without a key are customers of their own.
    let mut by_code: HashMap<u32, usize> = HashMap::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut customers: Vec<Vec<usize>> = Vec::new();
    for row in (0..table.n_rows()).filter(|r| !copies.contains(r)) {
        let code = key_col.code(row);
        let slot = match by_code.get(&code) {
            Some(&slot) => slot,
            None => {
                let key = normalise_key(key_col.get(row));
                if code == 0 || key.is_empty() {
                    customers.len()
                } else {
                    let slot = *by_key.entry(key).or_insert(customers.len());
                    by_code.insert(code, slot);
                    slot
                }
            }
        };
        if slot == customers.len() {
            customers.push(Vec::new());
        }
        customers[slot].push(row);
    }
    let rows = customers.iter().map(Vec::len).sum::<usize>();
    // Rows that only repeat one another (a customer exported twice) are left to
    // `analysis::combine`'s copies: the file is one of customers who repeat only if rows
    // that differ share keys.
    if customers.len() as f64 > MOST_KEYS_PER_ROW * rows as f64 {
        return None;
    }
    // Order numbers count orders only where an order spans rows (copies aside).
    let order = order_column(table, schema, key).filter(|&o| {
        table.column(o).is_some_and(|col| {
            customers
                .iter()
                .map(|rows| orders_among(col, rows))
                .sum::<usize>()
                < rows
        })
    });
    let counted_word = if order.is_some()
        || table.columns().iter().any(|c| {
            schema::read::header_words(&c.name)
                .iter()
                .any(|w| w.starts_with("order"))
        })
        || schema.columns.iter().any(|c| c.kind == Kind::Currency)
    {
        "Orders"
    } else {
        "Rows"
    };
    let mut columns = vec![Column::from_cells(
        &key_col.name,
        customers.iter().map(|rows| key_col.get(rows[0])),
    )];
    let mut said = vec![format!("“{}”: one row per customer", key_col.name)];
    let mut sources = vec![(key_col.name.clone(), key_col.name.clone())];
    // A shop's export of line items lists an order once per item, under its order number:
    // an order is counted once however many items it holds.
    let counts: Vec<String> = match order.and_then(|o| table.column(o)) {
        Some(col) => {
            said.push(format!(
                "“{counted_word}”: how many different “{}” each has (an order's rows, one per item, counted once)",
                col.name
            ));
            customers
                .iter()
                .map(|rows| orders_among(col, rows).to_string())
                .collect()
        }
        None => {
            said.push(format!("“{counted_word}”: how many rows each has"));
            customers.iter().map(|r| r.len().to_string()).collect()
        }
    };
    columns.push(Column::from_cells(
        counted_word,
        counts.iter().map(String::as_str),
    ));
    for (idx, (col, cs)) in table.columns().iter().zip(&schema.columns).enumerate() {
        if idx == key {
            continue;
        }
        if Some(idx) == order {
            said.push(format!(
                "“{}”: left out, counted in “{counted_word}”",
                col.name
            ));
            continue;
        }
        let name = &col.name;
        let before = columns.len();
        match &cs.kind {
            // An identifier of the rows themselves (each row's own, or nearly).
            Kind::Identifier if cs.n_distinct + cs.n_missing >= rows * 9 / 10 => {
                said.push(format!("“{name}”: left out, counted in “{counted_word}”"));
            }
            Kind::Date | Kind::DateTime => {
                let days = schema::read::numbers(col, cs);
                let first = fold(&customers, &days, f64::min);
                let last = fold(&customers, &days, f64::max);
                columns.push(day_column(&format!("First {name}"), &first));
                columns.push(day_column(&format!("Last {name}"), &last));
                said.push(format!("“{name}”: the first and the last"));
            }
            Kind::Currency => {
                let values = schema::read::numbers(col, cs);
                let total = fold(&customers, &values, |a, b| a + b);
                let mean = mean_of(&customers, &values);
                columns.push(number_column(&format!("{name} (total)"), &total));
                columns.push(number_column(&format!("{name} (average)"), &mean));
                said.push(format!("“{name}”: the total and the average"));
            }
            Kind::Count | Kind::Amount | Kind::Percent | Kind::Rating { .. } => {
                let values = schema::read::numbers(col, cs);
                let mean = mean_of(&customers, &values);
                columns.push(number_column(&format!("{name} (average)"), &mean));
                said.push(format!("“{name}”: the average"));
            }
            Kind::Categorical | Kind::Boolean | Kind::OrderedText | Kind::Code => {
                let cells = customers.iter().map(|rows| most_often(col, rows));
                columns.push(Column::from_cells(&format!("{name} (most often)"), cells));
                said.push(format!("“{name}”: the most frequent"));
            }
            Kind::MultiSelect | Kind::FreeText => {
                let sep = match cs.kind {
                    Kind::MultiSelect => format!("{} ", cs.separator.unwrap_or(';')),
                    _ => " / ".to_string(),
                };
                let joined: Vec<String> = customers
                    .iter()
                    .map(|rows| together(col, rows, &sep))
                    .collect();
                columns.push(Column::from_cells(name, joined.iter().map(String::as_str)));
                said.push(format!("“{name}”: their different answers together"));
            }
            _ => {
                let cells = customers.iter().map(|rows| first_filled(col, rows));
                columns.push(Column::from_cells(name, cells));
            }
        }
        for made in &columns[before..] {
            sources.push((made.name.clone(), name.clone()));
        }
    }
    Some(RolledUp {
        table: Table::new(columns),
        key: key_col.name.clone(),
        rows,
        copies: copies.len(),
        columns: said,
        sources,
    })
}

/// The column of order numbers in a file of line items, if any: an order's number on each of
/// its items' rows, so that some repeat ("Order ID", "Order number", WooCommerce's "Order
/// #", Shopify's "Name" holding "#1001").
fn order_column(table: &Table, schema: &Schema, key: usize) -> Option<usize> {
    const NUMBER_WORDS: &[&str] = &["id", "number", "no", "nr", "num", "ref", "reference"];
    table.columns().iter().enumerate().position(|(idx, col)| {
        let Some(cs) = schema.columns.get(idx) else {
            return false;
        };
        if idx == key || cs.n_missing >= table.n_rows() {
            return false;
        }
        let lower = col.name.trim().to_lowercase();
        let words = schema::read::header_words(&col.name);
        let names_orders = words.first().is_some_and(|w| w == "order")
            && (words.len() == 1
                || words
                    .iter()
                    .skip(1)
                    .all(|w| NUMBER_WORDS.contains(&w.as_str())))
            || lower == "order #";
        // Shopify's "Name": "#1001", "#1002", ….
        let numbered = lower == "name" && {
            let numbers = col
                .values()
                .iter()
                .filter(|v| {
                    let v = v.trim().trim_start_matches('#');
                    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
                })
                .count();
            numbers * 10 >= col.values().len().saturating_sub(1) * 9
        };
        names_orders || numbered
    })
}

/// How many different orders `rows` hold in `col` (a row without a number is an order of
/// its own).
fn orders_among(col: &Column, rows: &[usize]) -> usize {
    let mut numbers: Vec<u32> = Vec::with_capacity(rows.len());
    let mut unnumbered = 0;
    for &r in rows {
        if schema::read::is_missing(col.get(r)) {
            unnumbered += 1;
        } else {
            numbers.push(col.code(r));
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    numbers.len() + unnumbered
}

/// The column whose values are customers who repeat, if any.
fn key_column(table: &Table, schema: &Schema) -> Option<usize> {
    let n = table.n_rows();
    if n < 20 {
        return None;
    }
    let names_a_person = |cs: &schema::ColumnSchema| match cs.kind {
        Kind::Email => true,
        Kind::Identifier => {
            let words = schema::read::header_words(&cs.name);
            words.iter().any(|w| PERSON_WORDS.contains(&w.as_str()))
        }
        _ => false,
    };
    let persons: Vec<usize> = (0..schema.columns.len())
        .filter(|&c| names_a_person(&schema.columns[c]))
        .collect();
    // A person's column with a value of its own on nearly every row: the file is one row a
    // person already (another column may name someone else, a referrer).
    let one_each = persons.iter().any(|&c| {
        let cs = &schema.columns[c];
        cs.n_distinct as f64 >= 0.95 * (n - cs.n_missing) as f64
    });
    if one_each {
        return None;
    }
    persons.into_iter().find(|&c| {
        let cs = &schema.columns[c];
        let keyed = n - cs.n_missing;
        keyed >= 20
            && cs.n_distinct >= 2
            && (cs.n_distinct as f64) <= MOST_KEYS_PER_ROW * keyed as f64
            && cs.n_missing * 2 < n
    })
}

/// Each customer's `values` folded by `f`, missing values skipped (NaN if all are missing).
fn fold(customers: &[Vec<usize>], values: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    customers
        .iter()
        .map(|rows| {
            rows.iter()
                .map(|&r| values[r])
                .filter(|v| v.is_finite())
                .reduce(&f)
                .unwrap_or(f64::NAN)
        })
        .collect()
}

/// Each customer's mean of `values`, missing values skipped.
fn mean_of(customers: &[Vec<usize>], values: &[f64]) -> Vec<f64> {
    customers
        .iter()
        .map(|rows| {
            let filled: Vec<f64> = rows
                .iter()
                .map(|&r| values[r])
                .filter(|v| v.is_finite())
                .collect();
            if filled.is_empty() {
                f64::NAN
            } else {
                filled.iter().sum::<f64>() / filled.len() as f64
            }
        })
        .collect()
}

/// Numbers as cells, to the cent at most; missing as empty cells.
fn number_column(name: &str, values: &[f64]) -> Column {
    let cells: Vec<String> = values
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                return String::new();
            }
            let cents = (v * 100.0).round() / 100.0;
            if cents.fract() == 0.0 {
                format!("{cents:.0}")
            } else {
                format!("{cents:.2}")
            }
        })
        .collect();
    Column::from_cells(name, cells.iter().map(String::as_str))
}

/// Days since 1970 as `yyyy-mm-dd` cells; missing as empty cells.
fn day_column(name: &str, days: &[f64]) -> Column {
    let cells: Vec<String> = days
        .iter()
        .map(|&d| {
            if d.is_finite() {
                dates::format_day(d)
            } else {
                String::new()
            }
        })
        .collect();
    Column::from_cells(name, cells.iter().map(String::as_str))
}

/// The value most of `rows` hold in `col` (the first to reach that count on a tie), blanks
/// aside.
fn most_often<'a>(col: &'a Column, rows: &[usize]) -> &'a str {
    let mut counts: Vec<(u32, usize)> = Vec::new();
    for &r in rows {
        let code = col.code(r);
        if schema::read::is_missing(col.get(r)) {
            continue;
        }
        match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    let best = counts.iter().map(|&(_, n)| n).max().unwrap_or(0);
    counts
        .iter()
        .find(|&&(_, n)| n == best)
        .and_then(|&(code, _)| rows.iter().find(|&&r| col.code(r) == code))
        .map_or("", |&r| col.get(r))
}

/// The different filled values of `rows` in `col`, in order, joined by `sep` (at most
/// [`MOST_ANSWERS`]).
fn together(col: &Column, rows: &[usize], sep: &str) -> String {
    let mut seen: Vec<u32> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for &r in rows {
        let text = col.get(r);
        if schema::read::is_missing(text) || seen.contains(&col.code(r)) {
            continue;
        }
        seen.push(col.code(r));
        texts.push(text.trim());
        if texts.len() == MOST_ANSWERS {
            break;
        }
    }
    texts.join(sep)
}

/// The first filled value of `rows` in `col`.
fn first_filled<'a>(col: &'a Column, rows: &[usize]) -> &'a str {
    rows.iter()
        .map(|&r| col.get(r))
        .find(|t| !schema::read::is_missing(t))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::schema::SchemaParams;

    fn table_of(header: &[&str], rows: &[Vec<String>]) -> (Table, Schema) {
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let table = Table::from_rows(header, &rows);
        let schema = schema::infer(&table, &[], &SchemaParams::default()).0;
        (table, schema)
    }

    /// The cell of `col` at `row`.
    fn cell_of(t: &Table, col: &str, row: usize) -> String {
        t.column(t.column_index(col).expect(col))
            .expect(col)
            .get(row)
            .to_string()
    }

    /// Forty customers, customer `c` with `c % 4 + 1` orders on days `c` onwards, each of
    /// 10 × (c + 1) and a channel, the second under the email typed otherwise; the first
    /// order is listed twice.
    fn orders() -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut id = 5000;
        for c in 0..40 {
            for k in 0..c % 4 + 1 {
                id += 1;
                let channel = if k == 0 && c % 2 == 0 { "store" } else { "web" };
                // The second order's email typed otherwise: the same customer.
                let email = match k {
                    1 => format!(" C{c}@Example.com"),
                    _ => format!("c{c}@example.com"),
                };
                rows.push(vec![
                    id.to_string(),
                    email,
                    dates::format_day(20_000.0 + (c + k) as f64),
                    format!("{}.50", 10 * (c + 1)),
                    channel.to_string(),
                ]);
            }
            rows.push(rows[rows.len() - 1 - c % 4].clone());
        }
        rows
    }

    #[test]
    fn orders_listed_by_email_become_one_row_per_customer() {
        let header = ["Order ID", "Email", "Created at", "Total", "Channel"];
        let (table, schema) = table_of(&header, &orders());
        let rolled = per_customer(&table, &schema).expect("rolled up by email");
        let t = &rolled.table;
        assert_eq!((t.n_rows(), rolled.key.as_str()), (40, "Email"));
        let names: Vec<&str> = t.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Email",
                "Orders",
                "First Created at",
                "Last Created at",
                "Total (total)",
                "Total (average)",
                "Channel (most often)"
            ]
        );
        // Customer 7: four orders (the repeated first counted once), days 7 to 10.
        let cell = |col: &str, row: usize| cell_of(t, col, row);
        assert_eq!(cell("Email", 7), "c7@example.com");
        assert_eq!(cell("Orders", 7), "4");
        assert_eq!(cell("First Created at", 7), dates::format_day(20_007.0));
        assert_eq!(cell("Last Created at", 7), dates::format_day(20_010.0));
        assert_eq!(cell("Total (total)", 7), "322");
        assert_eq!(cell("Total (average)", 7), "80.50");
        assert_eq!(cell("Channel (most often)", 7), "web");
        // Customer 0: one order, in the store.
        assert_eq!(
            (cell("Orders", 0), cell("Channel (most often)", 0)),
            ("1".into(), "store".into())
        );
        assert_eq!(rolled.rows, orders().len() - 40);
        assert_eq!(rolled.copies, 40, "the repeated rows, left out");
    }

    #[test]
    fn a_file_of_one_row_a_customer_or_keyed_by_a_store_is_left_as_it_is() {
        let header = ["Order ID", "Email", "Created at", "Total", "Channel"];
        let once: Vec<Vec<String>> = orders()
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r[1] = format!("p{i}@example.com");
                r
            })
            .collect();
        let (table, schema) = table_of(&header, &once);
        assert!(
            per_customer(&table, &schema).is_none(),
            "one row a customer"
        );
        let by_store: Vec<Vec<String>> = orders()
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r[1] = format!("{}", 100 + i % 5);
                r
            })
            .collect();
        let header = ["Order ID", "Store ID", "Created at", "Total", "Channel"];
        let (table, schema) = table_of(&header, &by_store);
        assert!(
            per_customer(&table, &schema).is_none(),
            "a store is not a customer"
        );
        let header = ["Order ID", "Customer ID", "Created at", "Total", "Channel"];
        let (table, schema) = table_of(&header, &by_store);
        assert!(per_customer(&table, &schema).is_some(), "a customer's id");
    }

    /// A shop's export of line items (Shopify's layout): an order's number on each of its
    /// items' rows, the order's total on its first row only. Orders are counted once each,
    /// and the total is the orders'; the buyer's billing name and address lines are a
    /// person's, never used (`kinds`).
    #[test]
    fn an_orders_items_on_rows_of_their_own_count_as_one_order() {
        let header = [
            "Name",
            "Email",
            "Created at",
            "Total",
            "Lineitem name",
            "Billing Name",
            "Billing Address1",
        ];
        let mut rows = Vec::new();
        let mut number = 1000;
        for c in 0..30 {
            for k in 0..c % 3 + 1 {
                number += 1;
                // Order k of customer c holds k + 1 items.
                for item in 0..=k {
                    rows.push(vec![
                        format!("#{number}"),
                        format!("c{c}@example.com"),
                        dates::format_day(20_000.0 + (c + k) as f64),
                        if item == 0 {
                            format!("{}", 20 + c)
                        } else {
                            String::new()
                        },
                        ["Espresso 1kg", "Filter papers", "Grinder"][item].to_string(),
                        format!(
                            "{} {}",
                            ["Ann", "Bob", "Eve"][c % 3],
                            ["Smith", "Nowak"][c % 2]
                        ),
                        format!("{} High Street", 1 + c),
                    ]);
                }
            }
        }
        let (table, schema) = table_of(&header, &rows);
        let kind = |name: &str| {
            schema
                .columns
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.kind.clone())
        };
        assert_eq!(kind("Billing Name"), Some(Kind::PersonName));
        assert_eq!(kind("Billing Address1"), Some(Kind::Address));
        let rolled = per_customer(&table, &schema).expect("rolled up by email");
        let t = &rolled.table;
        let cell = |col: &str, row: usize| cell_of(t, col, row);
        // Customer 2: three orders of one, two and three items (six rows).
        assert_eq!(cell("Orders", 2), "3");
        assert_eq!(cell("Total (total)", 2), "66");
        assert_eq!(cell("Total (average)", 2), "22");
        assert_eq!(cell("Orders", 0), "1");
        assert!(
            t.column_index("Name").is_none(),
            "the order numbers are counted, not kept"
        );
        assert!(
            rolled
                .columns
                .iter()
                .any(|said| said.contains("how many different “Name”")),
            "{:?}",
            rolled.columns
        );
        // One row an order: the order number is an order's, each counted as a row.
        let once: Vec<Vec<String>> = rows.iter().filter(|r| !r[3].is_empty()).cloned().collect();
        let (table, schema) = table_of(&header, &once);
        let rolled = per_customer(&table, &schema).expect("rolled up by email");
        assert!(
            rolled
                .columns
                .iter()
                .any(|said| said.contains("how many rows each has"))
        );
    }
}
