//! "Are GANs Created Equal?" as data: the plans of its search and seeds phases ([`plan`]), the
//! record each finished run leaves ([`results`]), and what its figures show ([`summary`]: the best
//! score against the search budget, the spread over seeds, precision against recall). Running a
//! plan is the command line's (`gan study`, or `scripts/study_ray.py` on a Ray cluster); a run's
//! record names its plan entry, so an interrupted study resumes where it stopped.

pub mod plan;
pub mod results;
pub mod summary;

pub use plan::{Phase, Plan, PlannedRun, search_plan, seeds_plan};
pub use results::{Checkpoint, RunResult, pending, read_results};
pub use summary::{BoxStats, BudgetPoint, Summary, VariantSummary, summarise};
