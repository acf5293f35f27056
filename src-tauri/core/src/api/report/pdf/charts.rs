//! The meeting report's sections: bars drawn as filled rectangles, tables as text in columns.
//! Every figure a bar shows is also written as text beside it or in a table.

use super::super::{AreaCoverage, FollowUps, Report, Stickers, Week};
use super::table::{block, right_aligned, right_aligned_line, small_table, table_blocks};
use super::{count, day_text, share, Block, Colour, BLACK, GREY, LEFT, RIGHT, WIDTH};
use crate::domain::Status;
use crate::stickers::text::Weight;
use crate::walk::sheet::pen::{Mark, Pen};

const KNOWN: Colour = (0.72, 0.77, 0.84);
const CONTACTED: Colour = (0.24, 0.47, 0.76);
const AGREED: Colour = (0.16, 0.55, 0.36);
const PLACED: Colour = (0.86, 0.47, 0.08);
const TRACK: Colour = (0.92, 0.93, 0.95);

/// The funnel as horizontal bars against the restaurants known, and what is beside it.
pub(super) fn funnel(pen: &mut Pen<'_>, r: &Report) -> Block {
    block(pen, |pen| {
        let f = &r.funnel;
        let mut stages = vec![
            ("Known", f.known, KNOWN),
            ("Contacted", f.contacted, CONTACTED),
            ("Agreed", f.agreed, AGREED),
            ("Sticker placed", f.sticker_placed, PLACED),
        ];
        // Only once the campaign's web service counts scans: left out, not faked.
        if let Some(up) = f.sticker_still_up {
            stages.push(("Seen recently", up, PLACED));
        }
        let (label_w, figure_w) = (95.0, 95.0);
        let bar_x = LEFT + label_w;
        let bar_w = WIDTH - label_w - figure_w;
        let mut y = -8.0;
        for (label, n, colour) in stages {
            y -= 17.0;
            pen.say(label, Weight::Regular, 10.0, LEFT, y + 3.5, BLACK);
            pen.marks.push(Mark::Fill { x: bar_x, y, w: bar_w, h: 13.0, colour: TRACK });
            if f.known > 0 && n > 0 {
                let w = (bar_w * f64::from(n) / f64::from(f.known)).max(1.0);
                pen.marks.push(Mark::Fill { x: bar_x, y, w, h: 13.0, colour });
            }
            let figure =
                if label == "Known" { count(n) } else { format!("{}  ({})", count(n), share(n, f.known)) };
            right_aligned(pen, &figure, Weight::Bold, 10.0, RIGHT, y + 3.5, BLACK);
        }
        y -= 16.0;
        let beside = format!(
            "Beside the funnel (status on {}): declined {}, do not contact {}, closed {}.",
            day_text(r.as_of),
            count(r.beside.declined),
            count(r.beside.do_not_contact),
            count(r.beside.closed)
        );
        let (line, size) = pen.fit(&beside, Weight::Regular, 9.0, 7.0, WIDTH);
        pen.text(line, size, LEFT, y, GREY);
        y -= 12.0;
        let statuses: Vec<String> = r
            .by_status
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| format!("{} {}", status_words(c.status), count(c.count as u32)))
            .collect();
        if !statuses.is_empty() {
            let lines =
                pen.wrap(&format!("Every status: {}.", statuses.join(", ")), Weight::Regular, 8.5, WIDTH, 2);
            for line in lines {
                pen.text(line, 8.5, LEFT, y, GREY);
                y -= 11.0;
            }
        }
        -y + 4.0
    })
}

fn status_words(s: Status) -> &'static str {
    match s {
        Status::NotContacted => "not contacted",
        Status::Contacted => "contacted",
        Status::FollowUp => "follow-up",
        Status::Agreed => "agreed",
        Status::StickerPlaced => "sticker placed",
        Status::Declined => "declined",
        Status::DoNotContact => "do not contact",
        Status::Closed => "closed",
    }
}

/// Grouped bars per week (visits, agreements, stickers placed) over a scale with three lines,
/// the week's figures over its bars where they fit, and a table when the weeks are few.
pub(super) fn weeks(pen: &mut Pen<'_>, weeks: &[Week]) -> Block {
    block(pen, |pen| {
        let series: [(&str, Colour, fn(&Week) -> u32); 3] = [
            ("visits", CONTACTED, |w| w.visits),
            ("agreements", AGREED, |w| w.agreed),
            ("stickers placed", PLACED, |w| w.sticker_placed),
        ];
        let top = weeks.iter().flat_map(|w| series.iter().map(move |s| (s.2)(w))).max().unwrap_or(0);
        let (step, steps) = scale_for(top);
        let scale = f64::from(step) * f64::from(steps);
        let (axis_w, chart_h) = (34.0, 110.0);
        let x0 = LEFT + axis_w;
        let plot_w = WIDTH - axis_w;
        let base = -14.0 - chart_h;
        for k in 0..=steps {
            let value = u64::from(step) * u64::from(k);
            let y = base + chart_h * f64::from(k) / f64::from(steps);
            pen.marks.push(Mark::Rule {
                x1: x0,
                x2: RIGHT,
                y,
                line: 0.4,
                grey: if k == 0 { 0.3 } else { 0.8 },
            });
            right_aligned(pen, &count(value), Weight::Regular, 7.5, x0 - 4.0, y - 2.5, GREY);
        }
        let n = weeks.len().max(1) as f64;
        let group = plot_w / n;
        let bar = (group * 0.8 / 3.0).min(22.0);
        let label_every = (30.0 / group).ceil().max(1.0) as usize;
        for (i, w) in weeks.iter().enumerate() {
            let gx = x0 + group * i as f64 + (group - bar * 3.0) / 2.0;
            for (k, (_, colour, value)) in series.iter().enumerate() {
                let v = value(w);
                let h = chart_h * f64::from(v) / scale;
                let x = gx + bar * k as f64;
                if v > 0 {
                    pen.marks.push(Mark::Fill { x, y: base, w: bar * 0.9, h: h.max(0.8), colour: *colour });
                }
                if bar >= 11.0 {
                    let text = count(v);
                    let line = pen.shape(&text, Weight::Regular);
                    let tw = line.width_at(6.5);
                    pen.text(line, 6.5, x + (bar * 0.9 - tw) / 2.0, base + h + 2.5, GREY);
                }
            }
            if i % label_every == 0 {
                let text = w.start.format("%-d %b").to_string();
                let line = pen.shape(&text, Weight::Regular);
                let tw = line.width_at(7.5);
                pen.text(line, 7.5, x0 + group * i as f64 + (group - tw) / 2.0, base - 10.0, GREY);
            }
        }
        // The legend.
        let mut x = x0;
        let y = base - 24.0;
        for (name, colour, _) in series {
            pen.marks.push(Mark::Fill { x, y: y - 1.0, w: 8.0, h: 8.0, colour });
            x += 11.0 + pen.say(name, Weight::Regular, 8.5, x + 11.0, y, BLACK) + 14.0;
        }
        let sum = |f: fn(&Week) -> u32| weeks.iter().map(f).sum::<u32>();
        let totals = format!(
            "In all: {} visits, {} agreements, {} stickers placed.",
            count(sum(|w| w.visits)),
            count(sum(|w| w.agreed)),
            count(sum(|w| w.sticker_placed))
        );
        let line = pen.shape(&totals, Weight::Bold);
        right_aligned_line(pen, line, 8.5, y);
        let mut y = y - 8.0;
        if weeks.len() <= 6 {
            let columns = [("Week of", 0.0), ("Visits", 0.0), ("Agreements", 0.0), ("Stickers placed", 0.0)];
            y = small_table(
                pen,
                y,
                &columns.map(|c| c.0),
                weeks
                    .iter()
                    .map(|w| {
                        vec![day_text(w.start), count(w.visits), count(w.agreed), count(w.sticker_placed)]
                    })
                    .collect(),
            );
        }
        -y + 6.0
    })
}

/// The chart's scale for a largest value `n`: a round step (1, 2 or 5 x 10^k) and how many
/// steps (1 to 4) reach `n`, so every line of the scale is a whole number.
fn scale_for(n: u32) -> (u32, u32) {
    let n = n.max(1);
    let step = nice_ceiling(n.div_ceil(4));
    (step, n.div_ceil(step))
}

/// The smallest of 1, 2, 5 x 10^k at least `n`.
fn nice_ceiling(n: u32) -> u32 {
    let mut unit = 1u32;
    loop {
        for m in [1, 2, 5] {
            if let Some(v) = unit.checked_mul(m).filter(|v| *v >= n) {
                return v;
            }
        }
        match unit.checked_mul(10) {
            Some(u) => unit = u,
            None => return u32::MAX,
        }
    }
}

/// Columns of a wide table: where each right-aligned column ends.
const AREA_COLUMNS: [(&str, f64); 4] =
    [("Restaurants", 0.45), ("Visited", 0.56), ("Sticker placed", 0.70), ("Share visited", 1.0)];

/// One row per area with its share visited as a bar; the header moves with the first row.
pub(super) fn areas(pen: &mut Pen<'_>, areas: &[AreaCoverage]) -> Vec<Block> {
    let mut out = Vec::with_capacity(areas.len() + 1);
    let mut header = block(pen, |pen| {
        let y = -12.0;
        pen.say("Area", Weight::Bold, 8.5, LEFT, y, BLACK);
        for (title, at) in AREA_COLUMNS {
            right_aligned(pen, title, Weight::Bold, 8.5, LEFT + WIDTH * at, y, BLACK);
        }
        pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y: y - 4.0, line: 0.4, grey: 0.5 });
        16.0
    });
    header.keep_with_next = true;
    out.push(header);
    for a in areas {
        out.push(block(pen, |pen| {
            let y = -11.0;
            let (line, size) = pen.fit(&a.name, Weight::Regular, 8.5, 6.5, WIDTH * 0.33);
            pen.text(line, size, LEFT, y, BLACK);
            let placed =
                a.by_status.iter().find(|c| c.status == Status::StickerPlaced).map_or(0, |c| c.count as u32);
            let cells = [count(a.restaurants), count(a.contacted), count(placed)];
            for (cell, (_, at)) in cells.iter().zip(AREA_COLUMNS) {
                right_aligned(pen, cell, Weight::Regular, 8.5, LEFT + WIDTH * at, y, BLACK);
            }
            let figure = share(a.contacted, a.restaurants);
            right_aligned(pen, &figure, Weight::Bold, 8.5, RIGHT, y, BLACK);
            let (bar_x, bar_w) = (LEFT + WIDTH * 0.74, WIDTH * 0.18);
            pen.marks.push(Mark::Fill { x: bar_x, y: y - 1.0, w: bar_w, h: 8.0, colour: TRACK });
            if a.contacted > 0 {
                let w = (bar_w * a.share_contacted.clamp(0.0, 1.0)).max(0.8);
                pen.marks.push(Mark::Fill { x: bar_x, y: y - 1.0, w, h: 8.0, colour: CONTACTED });
            }
            14.0
        }));
    }
    out
}

/// The stock in all as one stacked bar with its figures, then a table per batch.
pub(super) fn stickers(pen: &mut Pen<'_>, s: &Stickers) -> Vec<Block> {
    let all = s.all;
    let parts = [
        ("in drawers", all.printed, KNOWN),
        ("with volunteers", all.with_volunteer, CONTACTED),
        ("placed", all.placed, PLACED),
        ("missing", all.missing, (0.7, 0.1, 0.1)),
        ("replaced", all.replaced, (0.55, 0.55, 0.55)),
    ];
    let total: u32 = parts.iter().map(|p| p.1).sum();
    let mut out = vec![block(pen, |pen| {
        let mut y = -20.0;
        if total == 0 {
            pen.say(
                "No stickers printed yet: print a batch in the Stickers tab.",
                Weight::Regular,
                9.0,
                LEFT,
                y + 4.0,
                GREY,
            );
            return 24.0;
        }
        let mut x = LEFT;
        for (_, n, colour) in parts {
            let w = WIDTH * f64::from(n) / f64::from(total);
            if n > 0 {
                pen.marks.push(Mark::Fill { x, y, w, h: 12.0, colour });
            }
            x += w;
        }
        y -= 13.0;
        let mut x = LEFT;
        for (name, n, colour) in parts {
            pen.marks.push(Mark::Fill { x, y: y - 1.0, w: 8.0, h: 8.0, colour });
            let line = pen.shape(&format!("{name} {}", count(n)), Weight::Regular);
            x += 11.0 + pen.text(line, 8.5, x + 11.0, y, BLACK) + 14.0;
        }
        let line = pen.shape(&format!("{} printed in all", count(total)), Weight::Bold);
        right_aligned_line(pen, line, 8.5, y);
        -y + 6.0
    })];
    if s.batches.is_empty() {
        return out;
    }
    let rows = s
        .batches
        .iter()
        .map(|b| {
            vec![
                format!("{} · {}", day_text(b.printed_at.date_naive()), b.template_name),
                count(b.stickers),
                count(b.counts.printed),
                count(b.counts.with_volunteer),
                count(b.counts.placed),
                count(b.counts.missing),
            ]
        })
        .collect();
    out.extend(table_blocks(
        pen,
        &["Batch printed", "Stickers", "In drawers", "With volunteers", "Placed", "Missing"],
        rows,
    ));
    out
}

pub(super) fn follow_ups(pen: &mut Pen<'_>, f: &FollowUps, as_of: chrono::NaiveDate) -> Block {
    block(pen, |pen| {
        let mut y = -16.0;
        let first = format!("{} due on {}, {} overdue.", count(f.due), day_text(as_of), count(f.overdue));
        pen.say(&first, Weight::Bold, 10.0, LEFT, y, BLACK);
        y -= 13.0;
        let mut detail = format!(
            "Overdue by up to a week {}, up to a month {}, longer {}.",
            count(f.overdue_up_to_a_week),
            count(f.overdue_up_to_a_month),
            count(f.overdue_longer)
        );
        if let Some(days) = f.most_overdue_days {
            detail.push_str(&format!(" The oldest is {} days overdue.", count(days)));
        }
        let (line, size) = pen.fit(&detail, Weight::Regular, 9.0, 7.0, WIDTH);
        pen.text(line, size, LEFT, y, GREY);
        -y + 6.0
    })
}

/// "N volunteers logged visits", and each one's figures only when the report holds them.
pub(super) fn volunteers(pen: &mut Pen<'_>, r: &Report) -> Vec<Block> {
    let mut out = vec![block(pen, |pen| {
        let text = match r.active_volunteers {
            1 => "1 volunteer logged visits in this period.".to_string(),
            n => format!("{} volunteers logged visits in this period.", count(n)),
        };
        pen.say(&text, Weight::Bold, 10.0, LEFT, -16.0, BLACK);
        22.0
    })];
    if let Some(people) = r.volunteers.as_ref().filter(|p| !p.is_empty()) {
        let rows = people
            .iter()
            .map(|v| {
                vec![
                    v.name.clone(),
                    count(v.visits),
                    count(v.agreed),
                    count(v.sticker_placed),
                    count(v.follow_ups_owed),
                ]
            })
            .collect();
        out.extend(table_blocks(
            pen,
            &["Volunteer", "Visits", "Agreements", "Stickers placed", "Follow-ups owed"],
            rows,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scale_for;

    #[test]
    fn the_scale_has_whole_round_steps_up_to_the_largest_value() {
        // (largest value, (step, steps))
        let cases = [
            (0, (1, 1)),
            (1, (1, 1)),
            (3, (1, 3)),
            (5, (2, 3)),
            (7, (2, 4)),
            (11, (5, 3)),
            (60, (20, 3)),
            (1_999, (500, 4)),
            (u32::MAX, (2_000_000_000, 3)),
        ];
        for (n, want) in cases {
            let got = scale_for(n);
            assert_eq!(got, want, "{n}");
            assert!(u64::from(got.0) * u64::from(got.1) >= u64::from(n) && got.1 <= 4, "{n}");
        }
    }
}
