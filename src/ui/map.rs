//! The map of everyone, coloured by segment, lone outliers marked; the selected segment's
//! people are drawn on top. Clicking a point opens that person.

use crate::protocol::ResultView;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

/// Properties of [`Map`].
#[derive(Properties, PartialEq)]
pub struct MapProps {
    /// The results.
    pub result: Rc<ResultView>,
    /// The selected segment.
    pub selected: Option<usize>,
    /// A person was clicked.
    pub on_person: Callback<u32>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;
const MARGIN: f64 = 12.0;

/// Share of each side of the canvas given to the far ones (see [`View`]).
const BAND: f64 = 0.1;

/// Screen placement of map coordinates: the middle 99 % of people fill the inner part of the
/// canvas, to scale; the far ones are drawn in an outer band, nearer than they are but in
/// their order, so a small segment far from everyone keeps its shape rather than being
/// flattened against the canvas's edge (see [`squeeze`]).
#[derive(Clone, Copy, Default)]
struct View {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl View {
    fn of(r: &ResultView) -> View {
        let bounds = |v: &[f32]| {
            let mut s: Vec<f32> = v.iter().copied().filter(|x| x.is_finite()).collect();
            s.sort_by(f32::total_cmp);
            if s.is_empty() {
                return (0.0, 1.0);
            }
            let lo = f64::from(s[s.len() / 200]);
            let hi = f64::from(s[s.len() - 1 - s.len() / 200]);
            if hi > lo {
                (lo, hi)
            } else {
                (lo - 1.0, lo + 1.0)
            }
        };
        let (x0, x1) = bounds(&r.map_x);
        let (y0, y1) = bounds(&r.map_y);
        View { x0, x1, y0, y1 }
    }

    fn screen_from_map(&self, x: f32, y: f32) -> (f64, f64) {
        let u = (f64::from(x) - self.x0) / (self.x1 - self.x0);
        let v = (f64::from(y) - self.y0) / (self.y1 - self.y0);
        (
            MARGIN + squeeze(u) * (WIDTH - 2.0 * MARGIN),
            MARGIN + squeeze(v) * (HEIGHT - 2.0 * MARGIN),
        )
    }
}

/// Places a coordinate given as a share of the middle 99 %'s range (0 and 1 are its bounds)
/// on a 0–1 screen axis: linear inside, then compressed hyperbolically into a band of
/// [`BAND`] on each side — a point twice as far beyond the bound covers about half of what
/// is left of the band — with the same slope at the bounds, so the map has no kink or wall.
/// Monotone: who is farther out is still drawn farther out.
fn squeeze(u: f64) -> f64 {
    let inside = 1.0 - 2.0 * BAND;
    // Scale of the compression that matches the inner slope at the bounds.
    let scale = BAND / inside;
    if !u.is_finite() {
        return 0.5;
    }
    if u < 0.0 {
        BAND / (1.0 - u / scale)
    } else if u > 1.0 {
        1.0 - BAND / (1.0 + (u - 1.0) / scale)
    } else {
        BAND + u * inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_people_are_drawn_in_order_inside_the_canvas() {
        let shares = [
            -1e9, -50.0, -3.0, -0.5, -0.1, 0.0, 0.3, 1.0, 1.05, 1.5, 4.0, 1e9,
        ];
        let placed: Vec<f64> = shares.iter().map(|&u| squeeze(u)).collect();
        for pair in placed.windows(2) {
            assert!(pair[0] <= pair[1], "{placed:?}");
        }
        assert!(placed.iter().all(|&p| (0.0..=1.0).contains(&p)));
        // Distinct far points stay distinct: a segment beyond the bounds keeps its spread.
        assert!(squeeze(1.5) - squeeze(1.05) > 0.05);
        assert!(squeeze(-0.1) - squeeze(-0.5) > 0.03);
        assert!(squeeze(4.0) - squeeze(2.0) > 0.005);
        // Continuous at the bounds, to scale inside.
        assert!((squeeze(1.0) - (1.0 - BAND)).abs() < 1e-12);
        assert!((squeeze(1.0 + 1e-9) - squeeze(1.0)).abs() < 1e-6);
        assert!((squeeze(0.5) - 0.5).abs() < 1e-12);
        assert_eq!(squeeze(f64::NAN), 0.5);
    }
}

fn draw(canvas: &HtmlCanvasElement, r: &ResultView, selected: Option<usize>, view: View) {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, WIDTH, HEIGHT);
    let n = r.segment_of.len();
    // Thin out the mass middle on very large files so the edges stay visible.
    let step = (n / 40_000).max(1);
    for pass in 0..3 {
        for i in 0..n {
            let seg = r.segment_of[i];
            let mass = seg >= 0 && r.segments.get(seg as usize).is_some_and(|s| s.mass);
            let is_selected = seg >= 0 && Some(seg as usize) == selected;
            let layer = if is_selected {
                2
            } else if mass {
                0
            } else {
                1
            };
            if layer != pass || (mass && i % step != 0 && !is_selected) {
                continue;
            }
            let (x, y) = view.screen_from_map(r.map_x[i], r.map_y[i]);
            if seg < 0 {
                ctx.set_stroke_style_str("#202124");
                ctx.begin_path();
                ctx.move_to(x - 3.0, y - 3.0);
                ctx.line_to(x + 3.0, y + 3.0);
                ctx.move_to(x + 3.0, y - 3.0);
                ctx.line_to(x - 3.0, y + 3.0);
                ctx.stroke();
                continue;
            }
            let colour = super::colour(seg as usize, mass);
            ctx.set_fill_style_str(colour);
            ctx.set_global_alpha(if is_selected {
                1.0
            } else if selected.is_some() {
                0.35
            } else if mass {
                0.5
            } else {
                0.9
            });
            let size = if is_selected {
                3.5
            } else if mass {
                2.0
            } else {
                3.0
            };
            ctx.fill_rect(x - size / 2.0, y - size / 2.0, size, size);
        }
    }
    ctx.set_global_alpha(1.0);
}

/// The map.
#[component]
pub fn Map(props: &MapProps) -> Html {
    let canvas = use_node_ref();
    let view = use_memo(props.result.clone(), |r| View::of(r));
    {
        let canvas = canvas.clone();
        let view = *view;
        use_effect_with(
            (props.result.clone(), props.selected),
            move |(result, selected)| {
                if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                    draw(&c, result, *selected, view);
                }
                || ()
            },
        );
    }
    let onclick = {
        let result = props.result.clone();
        let on_person = props.on_person.clone();
        let canvas = canvas.clone();
        let view = *view;
        Callback::from(move |e: MouseEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let rect = c.get_bounding_client_rect();
            let scale = WIDTH / rect.width().max(1.0);
            let (px, py) = (
                (f64::from(e.client_x()) - rect.left()) * scale,
                (f64::from(e.client_y()) - rect.top()) * scale,
            );
            let nearest = (0..result.map_x.len())
                .map(|i| {
                    let (x, y) = view.screen_from_map(result.map_x[i], result.map_y[i]);
                    ((x - px) * (x - px) + (y - py) * (y - py), i)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((d2, i)) = nearest
                && d2 < 100.0
            {
                on_person.emit(i as u32);
            }
        })
    };
    html! {
        <figure class="map">
            <canvas ref={canvas} width={WIDTH.to_string()} height={HEIGHT.to_string()} {onclick}
                role="img" aria-label="Map of everyone: people close together are alike; colours are segments, crosses are people in no segment"></canvas>
            <figcaption>{"People close together are alike. Colours are segments, grey is the mass middle, crosses are people in no segment; the farthest are drawn in the map's outer band, nearer than they are. Click a point to see that person."}</figcaption>
        </figure>
    }
}
