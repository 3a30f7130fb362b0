//! `gan study figures`: the study's figures as SVG files, from its results files through
//! `gan_playground::study::summarise` (the page draws the same numbers):
//! - `budget.svg`: the best FID-style score against the number of settings tried, per variant
//!   (bootstrap mean and 95 % band);
//! - `seeds.svg`: each variant's best setting over seeds (box: quartiles and median; whiskers:
//!   extremes; dots: the runs);
//! - `precision-recall.svg`, when the search ran on triangles: each run's best checkpoint.

use plotters::prelude::*;

use gan_playground::study::{self, Summary};

use crate::cli::StudyFiguresArgs;
use crate::output::read;

const SIZE: (u32, u32) = (720, 420);
/// One colour per variant, in the summary's order (colour-blind-safe, Okabe & Ito).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
];

type Drawn = Result<(), Box<dyn std::error::Error>>;

pub fn write(args: &StudyFiguresArgs) -> Result<(), String> {
    let results = |path: &std::path::Path| -> Result<_, String> {
        Ok(study::read_results(&String::from_utf8_lossy(&read(path)?)))
    };
    let search = results(&args.search)?;
    let seeds = args.seeds.as_deref().map(results).transpose()?.unwrap_or_default();
    let summary = study::summarise(&search, &seeds);
    if summary.variants.is_empty() {
        return Err(format!("{}: no results", args.search.display()));
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let title = |what: &str| if args.title.is_empty() { what.to_string() } else { format!("{what} ({})", args.title) };
    let mut written = Vec::new();
    let mut draw = |name: &str, f: &dyn Fn(&std::path::Path) -> Drawn| -> Result<(), String> {
        let path = args.out.join(name);
        f(&path).map_err(|e| format!("cannot draw {}: {e}", path.display()))?;
        written.push(path.display().to_string());
        Ok(())
    };
    draw("budget.svg", &|path| budget(&summary, path, &title("Best FID-style score against settings tried")))?;
    if summary.variants.iter().any(|v| v.seeds.is_some()) {
        draw("seeds.svg", &|path| {
            seed_boxes(&summary, path, &title("FID-style score of the best setting over seeds"))
        })?;
    }
    if summary.variants.iter().any(|v| !v.precision_recall.is_empty()) {
        draw("precision-recall.svg", &|path| {
            precision_recall(&summary, path, &title("Triangles: precision and recall"))
        })?;
    }
    println!("{}", written.join("\n"));
    Ok(())
}

fn budget(summary: &Summary, path: &std::path::Path, title: &str) -> Drawn {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let k_max = summary.variants.iter().map(|v| v.budget.len()).max().unwrap_or(1).max(2);
    let top = summary.variants.iter().flat_map(|v| v.budget.iter().map(|p| p.hi)).fold(0.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(1f64..k_max as f64, 0f64..top.max(1.0))?;
    chart
        .configure_mesh()
        .x_labels(k_max)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("settings tried (k)")
        .y_desc("best FID-style of k")
        .light_line_style(WHITE)
        .draw()?;
    for (i, v) in summary.variants.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let band: Vec<(f64, f64)> = v
            .budget
            .iter()
            .map(|p| (p.k as f64, p.hi))
            .chain(v.budget.iter().rev().map(|p| (p.k as f64, p.lo)))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.12))))?;
        chart
            .draw_series(LineSeries::new(v.budget.iter().map(|p| (p.k as f64, p.mean)), colour.stroke_width(2)))?
            .label(&v.variant)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.9)).border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}

fn seed_boxes(summary: &Summary, path: &std::path::Path, title: &str) -> Drawn {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let n = summary.variants.len();
    let top = summary.variants.iter().filter_map(|v| v.seeds.as_ref().map(|b| b.max)).fold(0.0, f64::max) * 1.08;
    let names: Vec<String> = summary.variants.iter().map(|v| v.variant.clone()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top.max(1.0))?;
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| names.get(x.round() as usize).cloned().unwrap_or_default())
        .disable_x_mesh()
        .light_line_style(WHITE)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("FID-style (lower is better)")
        .draw()?;
    for (i, v) in summary.variants.iter().enumerate() {
        let Some(b) = &v.seeds else { continue };
        let (x, colour) = (i as f64, PALETTE[i % PALETTE.len()]);
        let w = 0.28;
        chart.draw_series([
            PathElement::new(vec![(x, b.min), (x, b.q1)], BLACK.stroke_width(1)),
            PathElement::new(vec![(x, b.q3), (x, b.max)], BLACK.stroke_width(1)),
            PathElement::new(vec![(x - w / 2.0, b.min), (x + w / 2.0, b.min)], BLACK.stroke_width(1)),
            PathElement::new(vec![(x - w / 2.0, b.max), (x + w / 2.0, b.max)], BLACK.stroke_width(1)),
        ])?;
        chart.draw_series([Rectangle::new([(x - w, b.q1), (x + w, b.q3)], colour.mix(0.25).filled())])?;
        chart.draw_series([Rectangle::new([(x - w, b.q1), (x + w, b.q3)], colour.stroke_width(1))])?;
        chart.draw_series([PathElement::new(vec![(x - w, b.median), (x + w, b.median)], colour.stroke_width(3))])?;
        let spread = v.seed_scores.len().max(2) as f64 - 1.0;
        chart.draw_series(
            v.seed_scores
                .iter()
                .enumerate()
                .map(|(j, &s)| Circle::new((x - w * 0.8 + 1.6 * w * j as f64 / spread, s), 2, BLACK.mix(0.6).filled())),
        )?;
    }
    root.present()?;
    Ok(())
}

fn precision_recall(summary: &Summary, path: &std::path::Path, title: &str) -> Drawn {
    let root = SVGBackend::new(path, (520, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0f64..1.0, 0f64..1.0)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| format!("{x:.1}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .x_desc("recall")
        .y_desc("precision")
        .light_line_style(WHITE)
        .draw()?;
    for (i, v) in summary.variants.iter().enumerate().filter(|(_, v)| !v.precision_recall.is_empty()) {
        let colour = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(v.precision_recall.iter().map(|&(p, r)| Circle::new((r, p), 4, colour.filled())))?
            .label(&v.variant)
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.9)).border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}
