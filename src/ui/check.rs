//! "Check the data": how each file was read, what was noticed, how files were joined, and
//! every column grouped by role — with a control to move it and a one-line reason.

use super::format;
use crate::engine::schema::Role;
use crate::protocol::{ColumnView, InspectView};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties of [`Check`].
#[derive(Properties, PartialEq)]
pub struct CheckProps {
    /// What the worker found.
    pub view: Rc<InspectView>,
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

/// The check panel.
#[component]
pub fn Check(props: &CheckProps) -> Html {
    let v = &props.view;
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
        "{} · {} people · {} columns",
        v.files
            .iter()
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
            .join(" + "),
        format::number(v.n_rows as f64),
        v.columns.len()
    );
    html! {
        <details class="check" open={props.dirty}>
            <summary><h2>{"Your data"}</h2><span class="summary-line">{summary}</span></summary>
            <div class="files">
                { for v.files.iter().map(|f| html! {
                    <div class="file">
                        <strong>{ f.name.clone() }</strong>
                        <span>{ format!("{} rows · {} columns · {}", format::number(f.rows as f64), f.columns, format::bytes(f.bytes as f64)) }</span>
                        <span class="dialect">{ format!("{} ({}) · {} · decimal “{}” · {}",
                            f.dialect.encoding, f.dialect.encoding_source,
                            match f.dialect.delimiter { b',' => "comma", b';' => "semicolon", b'\t' => "tab", b'|' => "pipe", _ => "other delimiter" },
                            f.dialect.decimal.char(),
                            if f.dialect.has_header { "header row" } else { "no header row" }) }</span>
                    </div>
                }) }
            </div>
            { for v.joins.iter().map(|j| html! {
                <p class="join" data-testid="join">
                    { format!("Joined {} on “{}” = “{}”: {} of {} people matched ({}).",
                        j.right_file, j.key.left_column, j.key.right_column,
                        format::number(j.n_matched as f64), format::number(j.n_left as f64), format::percent(j.match_rate())) }
                </p>
            }) }
            { for v.unjoined.iter().map(|f| html! { <p class="warning">{ format!("{f} shares no column with the other files and was left out.") }</p> }) }
            if !v.diagnostics.is_empty() {
                <details class="diagnostics">
                    <summary>{ format!("{} notes about reading the files", v.diagnostics.len()) }</summary>
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
