//! "Are GANs Created Equal?"'s search: a plan is reproducible from its seed and draws from the
//! study's ranges within the core's, `gan study run` resumes an interrupted study without
//! redoing finished runs and gives the same results with --jobs 2, the seeds phase reruns each
//! variant's best setting, and the figures' numbers are what their definitions say.

use crate::common;

use std::process::{Command, Output};

use gan_playground::gan;
use gan_playground::study::{read_results, search_plan};

fn gan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gan")).args(args).output().unwrap()
}

#[test]
fn a_plan_is_reproducible_from_its_seed_and_starts_from_each_variants_published_setting() {
    let base = common::small_config(8, 8);
    let variants: Vec<&str> = gan::REGISTRY.iter().map(|r| r.id).collect();
    let plan = search_plan(&variants, 6, 7, (100, 2), &base).unwrap();
    assert_eq!(plan, search_plan(&variants, 6, 7, (100, 2), &base).unwrap());
    assert_ne!(plan.runs, search_plan(&variants, 6, 8, (100, 2), &base).unwrap().runs);
    assert_eq!(plan.runs.len(), 6 * variants.len());
    // A variant's draws do not depend on which others are in the plan.
    let alone = search_plan(&["began"], 6, 7, (100, 2), &base).unwrap();
    let began: Vec<_> = plan.runs.iter().filter(|r| r.config.variant == "began").map(|r| &r.config).collect();
    assert_eq!(began, alone.runs.iter().map(|r| &r.config).collect::<Vec<_>>());
    for run in &plan.runs {
        let c = &run.config;
        assert_eq!((c.seed, c.batch_size, c.model), (base.seed, base.batch_size, base.model));
        if run.setting == 0 {
            assert!(c.optimizer.is_none() && c.n_critic.is_none() && c.knobs.is_empty(), "{c:?}");
            continue;
        }
        let lr = c.optimizer.unwrap().learning_rate();
        assert!((1e-5..=1e-2).contains(&lr), "{lr}");
        // A joint model (the VAE) has no critic steps to set.
        let adversarial = gan::variant(&c.variant).unwrap().training() == gan::Training::Adversarial;
        assert!(if adversarial { [Some(1), Some(5)].contains(&c.n_critic) } else { c.n_critic.is_none() });
        let knobs = gan::variant(&c.variant).unwrap().knobs();
        assert_eq!(c.knobs.len(), knobs.len(), "{}: every knob drawn", c.variant);
        for k in knobs {
            assert!((k.min..=k.max).contains(&c.knobs[k.name]), "{} {}: {}", c.variant, k.name, c.knobs[k.name]);
        }
    }
}

#[test]
fn an_interrupted_study_goes_on_where_it_stopped() {
    let dir = std::env::temp_dir().join(format!("gan-study-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (plan, results) = (dir.join("plan.json"), dir.join("results.jsonl"));
    let (plan, results) = (plan.to_str().unwrap(), results.to_str().unwrap());
    let out = gan(&[
        "study",
        "plan",
        "--variants",
        "ns-gan,lsgan",
        "--settings",
        "2",
        "--steps",
        "2",
        "--batch",
        "4",
        "--g-width",
        "4",
        "--d-width",
        "4",
        "--checkpoints",
        "2",
        "--out",
        plan,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = common::repo_file("www/data/mnist.bin");
    let classifier = common::repo_file("www/metrics/mnist-classifier.safetensors");
    let run = |extra: &[&str]| {
        let mut args = vec!["study", "run", "--backend", "cpu", "--plan", plan, "--results", results, "--n", "64"];
        args.extend(["--data", data.to_str().unwrap(), "--classifier", classifier.to_str().unwrap()]);
        args.extend(extra);
        let out = gan(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        read_results(&std::fs::read_to_string(results).unwrap())
    };
    // Stopped after one run, as an interruption would leave it (a line cut short is ignored).
    let first = run(&["--limit", "1"]);
    assert_eq!(first.iter().map(|r| r.id).collect::<Vec<_>>(), [0]);
    let mut torn = std::fs::read_to_string(results).unwrap();
    torn.push_str("{\"id\": 3, \"vari");
    std::fs::write(results, &torn).unwrap();
    let all = run(&[]);
    let ids: Vec<usize> = all.iter().map(|r| r.id).collect();
    assert_eq!(ids, [0, 1, 2, 3], "each run once, the first not redone");
    assert_eq!(all[0], first[0]);
    for r in &all {
        assert!(r.fid().is_some_and(f64::is_finite) && r.error.is_none(), "{r:?}");
        // Scored at steps 1 and 2, the best of them kept.
        assert_eq!(r.checkpoints.iter().map(|c| c.step).collect::<Vec<_>>(), [1, 2], "{r:?}");
        let lowest = r.checkpoints.iter().map(|c| c.fid).fold(f64::INFINITY, f64::min);
        assert_eq!(r.fid(), Some(lowest));
    }
    // Nothing left: a third call runs nothing.
    assert_eq!(run(&[]).len(), 4);
    // Two runs at a time, each in its own `gan study trial` process: the same results.
    let parallel = dir.join("parallel.jsonl");
    let mut args =
        vec!["study", "run", "--backend", "cpu", "--plan", plan, "--results", parallel.to_str().unwrap(), "--n", "64"];
    args.extend(["--data", data.to_str().unwrap(), "--classifier", classifier.to_str().unwrap(), "--jobs", "2"]);
    let out = gan(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut side_by_side = read_results(&std::fs::read_to_string(&parallel).unwrap());
    side_by_side.sort_by_key(|r| r.id);
    let timeless = |rs: &[gan_playground::study::RunResult]| {
        rs.iter().map(|r| gan_playground::study::RunResult { seconds: 0.0, ..r.clone() }).collect::<Vec<_>>()
    };
    assert_eq!(timeless(&side_by_side), timeless(&all));

    // The seeds phase: each variant's best search setting, with two other seeds.
    let seeds_plan = dir.join("seeds-plan.json");
    let out = gan(&["study", "seeds", "--search", plan, "--results", results, "--seeds", "2", "--first-seed", "50"]
        .into_iter()
        .chain(["--out", seeds_plan.to_str().unwrap()])
        .collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let seeds: gan_playground::study::Plan = serde_json::from_slice(&std::fs::read(&seeds_plan).unwrap()).unwrap();
    let search: gan_playground::study::Plan = serde_json::from_slice(&std::fs::read(plan).unwrap()).unwrap();
    assert_eq!(seeds.phase, gan_playground::study::Phase::Seeds);
    for variant in ["ns-gan", "lsgan"] {
        let best =
            all.iter().filter(|r| r.variant == variant).min_by(|a, b| a.fid().unwrap().total_cmp(&b.fid().unwrap()));
        let chosen = &search.runs[best.unwrap().id].config;
        let reruns: Vec<_> = seeds.runs.iter().filter(|r| r.config.variant == variant).collect();
        assert_eq!(reruns.iter().map(|r| r.config.seed).collect::<Vec<_>>(), [50, 51]);
        for r in reruns {
            assert_eq!(gan_playground::trainer::TrainConfig { seed: chosen.seed, ..r.config.clone() }, *chosen);
        }
    }
    // The figures, from both phases' results.
    let seeds_results = dir.join("seeds.jsonl");
    let mut args = vec!["study", "run", "--backend", "cpu", "--plan", seeds_plan.to_str().unwrap()];
    args.extend(["--results", seeds_results.to_str().unwrap(), "--n", "64", "--data", data.to_str().unwrap()]);
    args.extend(["--classifier", classifier.to_str().unwrap(), "--jobs", "2"]);
    let out = gan(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let figures = dir.join("figures");
    let out = gan(&[
        "study",
        "figures",
        "--search",
        results,
        "--seeds",
        seeds_results.to_str().unwrap(),
        "--out",
        figures.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["budget.svg", "seeds.svg"] {
        let svg = std::fs::read_to_string(figures.join(name)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("ns-gan"), "{name}");
    }
}

#[test]
fn the_figures_numbers_follow_their_definitions() {
    use gan_playground::study::summary::{box_stats, budget_curve};
    // Quartiles by linear interpolation, as numpy's default.
    let b = box_stats(&[7.0, 1.0, 3.0, 5.0]).unwrap();
    assert_eq!((b.min, b.q1, b.median, b.q3, b.max, b.mean), (1.0, 2.5, 4.0, 5.5, 7.0, 4.0));
    assert!(box_stats(&[]).is_none());
    // Best of k: one setting gives the mean of the scores; all of them drawn tends to the minimum;
    // the band holds the mean and narrows as k grows.
    let scores = [10.0, 20.0, 30.0, 40.0];
    let curve = budget_curve(&scores, 4000, 1);
    assert_eq!(curve.len(), 4);
    assert!((curve[0].mean - 25.0).abs() < 1.0, "{:?}", curve[0]);
    // P(min of 4 draws = 10) = 1 − (3/4)⁴ ≈ 0.68: the mean best of 4 is about 14.4.
    let expected: f64 = [10.0, 20.0, 30.0, 40.0]
        .iter()
        .enumerate()
        .map(|(i, s)| s * ((1.0 - i as f64 / 4.0).powi(4) - (1.0 - (i + 1) as f64 / 4.0).powi(4)))
        .sum();
    assert!((curve[3].mean - expected).abs() < 0.5, "{} vs {expected}", curve[3].mean);
    for p in &curve {
        assert!(p.lo <= p.mean && p.mean <= p.hi, "{p:?}");
    }
    assert!(curve[3].hi - curve[3].lo < curve[0].hi - curve[0].lo);
    assert_eq!(curve, budget_curve(&scores, 4000, 1), "reproducible from its seed");
}
