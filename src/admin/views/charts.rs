//! Bar charts drawn as SVG on the server: no library, no script. Each is `role="img"`, named by
//! its `<title>` and described by its `<desc>`; the page puts a table of the same numbers next
//! to it for screen readers and for anyone who wants the figures.

use leptos::prelude::*;

/// One bar: its label, its value, and the text shown at its end.
#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 210;
const ROW_HEIGHT: i64 = 40;
const BAR_HEIGHT: i64 = 24;
const BAR_AREA: i64 = 340;

/// Horizontal bars, one per row, their lengths proportional to their values.
pub fn horizontal_bars(id: &str, title: &str, description: String, bars: Vec<Bar>) -> AnyView {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    let height = ROW_HEIGHT * i64::try_from(bars.len()).unwrap_or(0).max(1);
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(index, bar)| {
            let top = ROW_HEIGHT * i64::try_from(index).unwrap_or(0);
            let length = bar.value * BAR_AREA / max;
            let text_y = top + ROW_HEIGHT / 2 + 5;
            view! {
                <g>
                    <text x="0" y=text_y.to_string() class="chart-label">{bar.label}</text>
                    <rect x=LABEL_WIDTH.to_string() y=(top + (ROW_HEIGHT - BAR_HEIGHT) / 2).to_string()
                        width=length.to_string() height=BAR_HEIGHT.to_string() class="chart-bar"/>
                    <text x=(LABEL_WIDTH + length + 8).to_string() y=text_y.to_string() class="chart-value">
                        {bar.shown}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" role="img" aria-labelledby=labelled_by
            viewBox=format!("0 0 {WIDTH} {height}") xmlns="http://www.w3.org/2000/svg">
            <title id=title_id>{title.to_owned()}</title>
            <desc id=desc_id>{description}</desc>
            {rows}
        </svg>
    }
    .into_any()
}

const COLUMNS_HEIGHT: i64 = 220;
const PLOT_TOP: i64 = 20;
const PLOT_BOTTOM: i64 = 190;
const PLOT_LEFT: i64 = 40;

/// Vertical bars, one per column (a day), with the highest value marked on the axis and the
/// first and last labels under the plot.
pub fn columns(id: &str, title: &str, description: String, bars: Vec<Bar>) -> AnyView {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    let count = i64::try_from(bars.len()).unwrap_or(0).max(1);
    let slot = (WIDTH - PLOT_LEFT) / count;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let first = bars
        .first()
        .map(|bar| bar.label.clone())
        .unwrap_or_default();
    let last = bars.last().map(|bar| bar.label.clone()).unwrap_or_default();
    let plot_height = PLOT_BOTTOM - PLOT_TOP;
    let rects = bars
        .into_iter()
        .enumerate()
        .map(|(index, bar)| {
            let height = bar.value * plot_height / max;
            let x = PLOT_LEFT + slot * i64::try_from(index).unwrap_or(0) + 1;
            view! {
                <rect x=x.to_string() y=(PLOT_BOTTOM - height).to_string()
                    width=(slot - 2).max(1).to_string() height=height.to_string() class="chart-bar"/>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" role="img" aria-labelledby=labelled_by
            viewBox=format!("0 0 {WIDTH} {COLUMNS_HEIGHT}") xmlns="http://www.w3.org/2000/svg">
            <title id=title_id>{title.to_owned()}</title>
            <desc id=desc_id>{description}</desc>
            <line x1=PLOT_LEFT.to_string() y1=PLOT_TOP.to_string() x2=WIDTH.to_string()
                y2=PLOT_TOP.to_string() class="chart-grid"/>
            <text x="0" y=(PLOT_TOP + 5).to_string() class="chart-value">{max.to_string()}</text>
            <text x="0" y=(PLOT_BOTTOM).to_string() class="chart-value">"0"</text>
            {rects}
            <line x1=PLOT_LEFT.to_string() y1=PLOT_BOTTOM.to_string() x2=WIDTH.to_string()
                y2=PLOT_BOTTOM.to_string() class="chart-axis"/>
            <text x=PLOT_LEFT.to_string() y=(COLUMNS_HEIGHT - 6).to_string() class="chart-label">{first}</text>
            <text x=WIDTH.to_string() y=(COLUMNS_HEIGHT - 6).to_string() text-anchor="end" class="chart-label">{last}</text>
        </svg>
    }
    .into_any()
}
