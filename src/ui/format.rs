//! Numbers for people, in the reader's locale (`Intl.NumberFormat`): `12 345` or `12,345`,
//! percentages with at most one decimal.

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

fn format_with(value: f64, options: &[(&str, JsValue)]) -> String {
    let opts = Object::new();
    for (key, v) in options {
        let _ = Reflect::set(&opts, &JsValue::from_str(key), v);
    }
    let formatter = Intl::NumberFormat::new(&Array::new(), &opts);
    formatter
        .format()
        .call1(&formatter, &JsValue::from_f64(value))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| value.to_string())
}

/// A count or amount: whole numbers plainly, others with up to two decimals.
pub fn number(value: f64) -> String {
    format_with(value, &[("maximumFractionDigits", JsValue::from_f64(2.0))])
}

/// A count with its noun, singular for one: "1 lone outlier", "12,345 people".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", number(n as f64), if n == 1 { one } else { many })
}

/// A share (0–1) as a percentage with at most one decimal.
pub fn percent(share: f64) -> String {
    format_with(
        share,
        &[
            ("style", JsValue::from_str("percent")),
            ("maximumFractionDigits", JsValue::from_f64(1.0)),
        ],
    )
}

/// A share as [`percent`] writes it, but "under 0.1%" for a share above 0 that would read
/// "0%" (8 of 200,000 customers matched is not none).
pub fn share(share: f64) -> String {
    if share > 0.0 && share < 0.0005 {
        format!("under {}", percent(0.001))
    } else {
        percent(share)
    }
}

/// A file size in KB or MB.
pub fn bytes(b: f64) -> String {
    if b >= 1_000_000.0 {
        format!(
            "{} MB",
            format_with(
                b / 1_000_000.0,
                &[("maximumFractionDigits", JsValue::from_f64(1.0))]
            )
        )
    } else {
        format!(
            "{} KB",
            format_with(
                (b / 1000.0).ceil(),
                &[("maximumFractionDigits", JsValue::from_f64(0.0))]
            )
        )
    }
}
