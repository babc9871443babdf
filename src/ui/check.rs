//! "Check the data": how each file was read, what was noticed, how files were joined, and
//! every column grouped by role — with a control to move it and a one-line reason.

use super::format;
use crate::protocol::{
    ColumnView, Decimal, FileSummary, IngestParams, InspectView, Role, Severity,
};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`Check`].
#[derive(Properties, PartialEq)]
pub struct CheckProps {
    /// What the worker found.
    pub view: Rc<InspectView>,
    /// How each file is to be read (`None` = detect).
    pub ingest: Vec<IngestParams>,
    /// The user chose how to read a file.
    pub on_ingest: Callback<(usize, IngestParams)>,
    /// The say/do balance (0 = do, 1 = say).
    pub balance: f64,
    /// Settings changed since the results shown.
    pub dirty: bool,
    /// Work under way.
    pub busy: bool,
    /// A column was moved.
    pub on_role: Callback<(String, Role)>,
    /// The balance moved.
    pub on_balance: Callback<f64>,
    /// "Find segments again".
    pub on_rerun: Callback<MouseEvent>,
}

const ROLES: [Role; 4] = [
    Role::StatedJobs,
    Role::Behaviour,
    Role::DescribeOnly,
    Role::Ignore,
];

fn role_key(role: Role) -> &'static str {
    match role {
        Role::StatedJobs => "stated",
        Role::Behaviour => "behaviour",
        Role::DescribeOnly => "describe",
        Role::Ignore => "ignore",
    }
}

fn column_row(c: &ColumnView, on_role: &Callback<(String, Role)>) -> Html {
    let name = c.name.clone();
    let on_role = on_role.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(select) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            && let Some(role) = Role::parse(&select.value())
        {
            on_role.emit((name.clone(), role));
        }
    });
    html! {
        <li class="column" data-testid="column" data-column={c.name.clone()} data-role={role_key(c.role)}>
            <div class="column-head">
                <span class="column-name">{ c.name.clone() }</span>
                <span class="kind">{ c.kind.clone() }</span>
                if c.overridden { <span class="badge">{"your choice"}</span> }
            </div>
            <p class="reason">{ c.reason.clone() }</p>
            if c.demographic && c.role.forms_segments() {
                <p class="warning" role="alert" data-testid="demographic-warning">
                    { format!("“{}” is a demographic and would now form segments: this is how personas and stereotypes creep back in. Segments should come from what people say and do.", c.name) }
                </p>
            }
            <label class="role-select">
                <span class="visually-hidden">{ format!("Role of {}", c.name) }</span>
                <select data-testid="role-select" {onchange} aria-label={format!("Role of {}", c.name)}>
                    { for ROLES.iter().map(|r| html! {
                        <option value={role_key(*r)} selected={*r == c.role}>{ r.label() }</option>
                    }) }
                </select>
            </label>
        </li>
    }
}

/// Encodings offered when detection guessed wrong (labels `encoding_rs` knows).
const ENCODINGS: [&str; 7] = [
    "UTF-8",
    "windows-1252",
    "ISO-8859-15",
    "UTF-16LE",
    "UTF-16BE",
    "macintosh",
    "windows-1250",
];

/// A `<select>` of (value, label) options whose change calls `set` with the chosen value
/// (`""` = detect).
fn choice(
    testid: &'static str,
    label: String,
    options: Vec<(String, String)>,
    current: String,
    set: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        if let Some(select) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
        {
            set.emit(select.value());
        }
    });
    html! {
        <label class="choice">
            <span>{ label.clone() }</span>
            <select data-testid={testid} {onchange} aria-label={label}>
                { for options.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    html! { <option {selected} {value}>{ text }</option> }
                }) }
            </select>
        </label>
    }
}

/// The reading choices for one file: each shows what was detected and can be overridden.
fn reading_choices(
    index: usize,
    f: &FileSummary,
    params: &IngestParams,
    on_ingest: &Callback<(usize, IngestParams)>,
) -> Html {
    let set = |apply: fn(&mut IngestParams, &str)| {
        let params = params.clone();
        let on_ingest = on_ingest.clone();
        Callback::from(move |value: String| {
            let mut p = params.clone();
            apply(&mut p, &value);
            on_ingest.emit((index, p));
        })
    };
    let delimiter_name = |d: u8| match d {
        b',' => "comma".to_string(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe".into(),
        other => format!("“{}”", other as char),
    };
    let detected = |what: String| format!("detect (found {what})");
    html! {
        <div class="reading" data-testid="reading" data-file={f.name.clone()}>
            { choice("delimiter-select", format!("Delimiter of {}", f.name),
                std::iter::once((String::new(), detected(delimiter_name(f.dialect.delimiter))))
                    .chain([b',', b';', b'\t', b'|'].map(|d| (String::from(d as char), delimiter_name(d))))
                    .collect(),
                params.delimiter.map(|d| String::from(d as char)).unwrap_or_default(),
                set(|p, v| p.delimiter = v.bytes().next())) }
            { choice("decimal-select", format!("Decimal separator of {}", f.name),
                vec![(String::new(), detected(format!("“{}”", f.dialect.decimal.char()))),
                     ("dot".into(), "dot: 1,234.56".into()), ("comma".into(), "comma: 1.234,56".into())],
                match params.decimal { Some(Decimal::Dot) => "dot".into(), Some(Decimal::Comma) => "comma".into(), None => String::new() },
                set(|p, v| p.decimal = match v { "dot" => Some(Decimal::Dot), "comma" => Some(Decimal::Comma), _ => None })) }
            { choice("encoding-select", format!("Encoding of {}", f.name),
                std::iter::once((String::new(), detected(f.dialect.encoding.clone())))
                    .chain(ENCODINGS.iter().map(|e| (e.to_string(), e.to_string())))
                    .collect(),
                params.encoding.clone().unwrap_or_default(),
                set(|p, v| p.encoding = (!v.is_empty()).then(|| v.to_string()))) }
            { choice("header-select", format!("Header row of {}", f.name),
                vec![(String::new(), detected(if f.dialect.has_header { "a header row".into() } else { "no header row".into() })),
                     ("yes".into(), "first row is the header".into()), ("no".into(), "no header row".into())],
                match params.has_header { Some(true) => "yes".into(), Some(false) => "no".into(), None => String::new() },
                set(|p, v| p.has_header = match v { "yes" => Some(true), "no" => Some(false), _ => None })) }
        </div>
    }
}

/// The heading of the notes about reading the files: "1 note about reading the files",
/// "12 notes about reading the files, 2 of them warnings".
fn notes_summary(notes: usize, warnings: usize) -> String {
    let heading = format!(
        "{} about reading the files",
        format::count(notes, "note", "notes")
    );
    match warnings {
        0 => heading,
        w if w == notes && w == 1 => format!("{heading}: a warning"),
        w if w == notes => format!("{heading}, all warnings"),
        1 => format!("{heading}, one of them a warning"),
        w => format!("{heading}, {} of them warnings", format::number(w as f64)),
    }
}

/// The check panel.
#[component]
pub fn Check(props: &CheckProps) -> Html {
    let v = &props.view;
    let warnings = v
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let on_balance = {
        let cb = props.on_balance.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                cb.emit(input.value_as_number() / 100.0);
            }
        })
    };
    let summary = format!(
        "{} · {} · {}",
        v.files
            .iter()
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
            .join(" + "),
        format::count(v.n_rows, "person", "people"),
        format::count(v.columns.len(), "column", "columns")
    );
    html! {
        <details class="check" open={props.dirty}>
            <summary><h2>{"Your data"}</h2><span class="summary-line">{summary}</span></summary>
            <div class="files">
                { for v.files.iter().enumerate().map(|(i, f)| html! {
                    <div class="file">
                        <strong>{ f.name.clone() }</strong>
                        <span>{ format!("{} · {} · {}", format::count(f.rows, "row", "rows"), format::count(f.columns, "column", "columns"), format::bytes(f.bytes as f64)) }</span>
                        <span class="dialect">{ format!("{} ({}) · {} · decimal “{}” · {}",
                            f.dialect.encoding, f.dialect.encoding_source,
                            match f.dialect.delimiter { b',' => "comma", b';' => "semicolon", b'\t' => "tab", b'|' => "pipe", _ => "other delimiter" },
                            f.dialect.decimal.char(),
                            match (f.dialect.has_header, f.dialect.header_rows) {
                                (false, _) => "no header row".to_string(),
                                (true, 0 | 1) => "header row".to_string(),
                                (true, n) => format!("{n} header rows"),
                            }) }</span>
                        <details class="reading-choices">
                            <summary>{"Read this file differently"}</summary>
                            { reading_choices(i, f, props.ingest.get(i).unwrap_or(&IngestParams::default()), &props.on_ingest) }
                        </details>
                    </div>
                }) }
            </div>
            { for v.joins.iter().map(|j| html! {
                <p class="join" data-testid="join">
                    { format!("Joined {} on “{}” = “{}”: {} of {} people matched ({}); {} of the {} in {} ({}).",
                        j.right_file, j.key.left_column, j.key.right_column,
                        format::number(j.n_matched as f64), format::number(j.n_left as f64), format::share(j.match_rate()),
                        format::number(j.n_matched as f64), format::number(j.n_right as f64), j.right_file,
                        format::share(j.right_match_rate())) }
                </p>
            }) }
            { for v.unjoined.iter().map(|f| html! { <p class="warning">{ format!("{f} shares no column with the other files and was left out.") }</p> }) }
            if !v.diagnostics.is_empty() {
                // Open when something was changed, set aside or repeated: a warning should be
                // read before the segments are.
                <details class="diagnostics" open={warnings > 0}>
                    <summary>{ notes_summary(v.diagnostics.len(), warnings) }</summary>
                    <ul>
                        { for v.diagnostics.iter().map(|d| html! {
                            <li class={classes!("diagnostic", format!("{:?}", d.severity).to_lowercase())}>
                                { d.to_string() }
                            </li>
                        }) }
                    </ul>
                </details>
            }
            { for v.warnings.iter().map(|w| html! { <p class="warning" role="alert">{ w.clone() }</p> }) }
            <div class="roles">
                { for ROLES.iter().map(|role| {
                    let cols: Vec<&ColumnView> = v.columns.iter().filter(|c| c.role == *role).collect();
                    let hint = match role {
                        Role::StatedJobs => "What people say they are trying to get done: free-text answers and ratings.",
                        Role::Behaviour => "What people do: orders, spend, recency, channel, plan.",
                        Role::DescribeOnly => "Demographics describe segments afterwards; they never form them unless you move them.",
                        Role::Ignore => "Identifiers and personal data: kept in the export, never used, masked on screen.",
                    };
                    html! {
                        <div class={classes!("role-group", role_key(*role))}>
                            <h3>{ format!("{} ({})", role.label(), cols.len()) }</h3>
                            <p class="hint">{ hint }</p>
                            <ul>{ for cols.iter().map(|c| column_row(c, &props.on_role)) }</ul>
                        </div>
                    }
                }) }
            </div>
            <div class="balance">
                <label for="balance">{"Form segments from"}</label>
                <span>{"what they do"}</span>
                <input id="balance" data-testid="balance" type="range" min="0" max="100" step="5"
                    value={((props.balance * 100.0).round()).to_string()} oninput={on_balance} />
                <span>{"what they say"}</span>
            </div>
            <button data-testid="find-segments" class="primary" onclick={props.on_rerun.clone()} disabled={props.busy}>
                { if props.dirty { "Find segments again" } else { "Find segments" } }
            </button>
            <details class="preview">
                <summary>{"Preview the first rows"}</summary>
                <div class="table-wrap">
                    <table>
                        <thead><tr>{ for v.columns.iter().map(|c| html! { <th>{ c.name.clone() }</th> }) }</tr></thead>
                        <tbody>
                            { for v.preview.iter().map(|row| html! {
                                <tr>{ for row.iter().map(|cell| html! { <td>{ cell.clone() }</td> }) }</tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </details>
        </details>
    }
}
