//! `GET /overview` and `GET /config`: the cluster at a glance, in Flink's shapes.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::server::registry::JobState;
use crate::server::state::AppState;

/// Answer of `GET /overview`.
#[derive(Serialize, ToSchema)]
pub struct ClusterOverview {
    /// Flink's field: Weir runs its workers in this process, so 1.
    pub taskmanagers: usize,
    /// Worker threads per job by default.
    #[serde(rename = "slots-total")]
    pub slots_total: usize,
    /// Job slots left before `--max-running-jobs` answers 429.
    #[serde(rename = "slots-available")]
    pub slots_available: usize,
    /// Jobs CREATED or RUNNING.
    #[serde(rename = "jobs-running")]
    pub jobs_running: usize,
    /// Jobs FINISHED.
    #[serde(rename = "jobs-finished")]
    pub jobs_finished: usize,
    /// Jobs CANCELED.
    #[serde(rename = "jobs-cancelled")]
    pub jobs_cancelled: usize,
    /// Jobs FAILED.
    #[serde(rename = "jobs-failed")]
    pub jobs_failed: usize,
    /// `weir <version>` (Flink's field name, for tools that show it).
    #[serde(rename = "flink-version")]
    pub flink_version: String,
    /// Weir's version.
    #[serde(rename = "weir-version")]
    pub weir_version: String,
}

/// Job counts by state and free job slots.
#[utoipa::path(get, path = "/overview", tag = "cluster", responses((status = 200, body = ClusterOverview)))]
pub async fn overview(State(state): State<AppState>) -> Json<ClusterOverview> {
    let counts = state.job_counts();
    let n = |s: JobState| counts.get(&s).copied().unwrap_or(0);
    Json(ClusterOverview {
        taskmanagers: 1,
        slots_total: state.config.workers.unwrap_or_else(weir_core::runtime::default_workers),
        slots_available: state.config.max_running_jobs.saturating_sub(state.running_jobs()),
        jobs_running: n(JobState::Created) + n(JobState::Running) + n(JobState::Restarting),
        jobs_finished: n(JobState::Finished),
        jobs_cancelled: n(JobState::Canceled),
        jobs_failed: n(JobState::Failed),
        flink_version: format!("weir {}", env!("CARGO_PKG_VERSION")),
        weir_version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// Which web features the server offers (Flink's `features`).
#[derive(Serialize, ToSchema)]
pub struct Features {
    /// Jobs can be submitted (`POST /jobs`).
    #[serde(rename = "web-submit")]
    pub web_submit: bool,
    /// Jobs can be cancelled.
    #[serde(rename = "web-cancel")]
    pub web_cancel: bool,
    /// Savepoint-based rescaling: not offered.
    #[serde(rename = "web-rescale")]
    pub web_rescale: bool,
    /// Weir runs no history server.
    #[serde(rename = "web-history")]
    pub web_history: bool,
}

/// Answer of `GET /config`.
#[derive(Serialize, ToSchema)]
pub struct DashboardConfig {
    /// How often a dashboard should refresh, ms.
    #[serde(rename = "refresh-interval")]
    pub refresh_interval: u64,
    /// Server time zone (always UTC).
    #[serde(rename = "timezone-name")]
    pub timezone_name: String,
    /// Its offset, ms.
    #[serde(rename = "timezone-offset")]
    pub timezone_offset: i64,
    /// `weir <version>`.
    #[serde(rename = "flink-version")]
    pub flink_version: String,
    /// Flink's field: the build revision.
    #[serde(rename = "flink-revision")]
    pub flink_revision: String,
    /// Offered features.
    pub features: Features,
    /// Worker threads per job unless a job sets `parallelism.default` (null: one per core).
    pub workers: Option<usize>,
    /// Largest accepted request body.
    #[serde(rename = "max-body-bytes")]
    pub max_body_bytes: usize,
    /// Most jobs running at once.
    #[serde(rename = "max-running-jobs")]
    pub max_running_jobs: usize,
    /// Where the job registry is kept.
    #[serde(rename = "data-dir")]
    pub data_dir: String,
    /// Whether requests need a bearer token.
    #[serde(rename = "auth-required")]
    pub auth_required: bool,
}

/// The server's settings.
#[utoipa::path(get, path = "/config", tag = "cluster", responses((status = 200, body = DashboardConfig)))]
pub async fn config(State(state): State<AppState>) -> Json<DashboardConfig> {
    let c = &state.config;
    Json(DashboardConfig {
        refresh_interval: 3000,
        timezone_name: "UTC".into(),
        timezone_offset: 0,
        flink_version: format!("weir {}", env!("CARGO_PKG_VERSION")),
        flink_revision: "weir".into(),
        features: Features { web_submit: true, web_cancel: true, web_rescale: false, web_history: false },
        workers: c.workers,
        max_body_bytes: c.max_body_bytes,
        max_running_jobs: c.max_running_jobs,
        data_dir: c.data_dir.display().to_string(),
        auth_required: c.auth_token.is_some(),
    })
}
