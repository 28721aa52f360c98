//! `weir serve`: the REST API on axum/tokio. Jobs posted to it run on their own timely
//! workers (threads of this process); the server keeps a persistent job registry in its data
//! directory, serves results live, and speaks Flink's REST and SQL Gateway APIs.
//!
//! Shutdown (SIGTERM or Ctrl-C): new jobs are refused, running jobs are cancelled and recorded
//! CANCELED ("server shut down"), open connections are given a few seconds to finish, and the
//! registry is flushed.

mod auth;
mod changelog;
mod error;
mod error_text;
mod extract;
mod gateway;
mod openapi;
mod push_log;
mod registry;
mod result_store;
mod routes;
mod sessions;
mod state;
mod submit;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use registry::{JobRegistry, JobState, RetentionPolicy};
use result_store::ResultLimits;
use state::{AppState, ServerConfig};

/// Arguments of `weir serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the chosen address is printed as
    /// `listening on http://ADDR`). Loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:8081")]
    addr: SocketAddr,
    /// Data directory: the job registry (`jobs/`, one file per job) and push-input logs
    /// (`push-log/`).
    #[arg(long, default_value = "./weir-data")]
    data_dir: PathBuf,
    /// Worker threads per job unless the job sets `parallelism.default` (default: one per core).
    #[arg(long, short = 'w')]
    workers: Option<usize>,
    /// Require `Authorization: Bearer <token>` on every request.
    #[arg(long)]
    auth_token: Option<String>,
    /// Largest accepted request body, in bytes (larger: 413).
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Most jobs running at once (more: 429).
    #[arg(long, default_value_t = 64)]
    max_running_jobs: usize,
    /// Most rows kept per collected sink of a job (the result table; the changelog ring too).
    /// Beyond it the oldest rows are dropped: an append-only result keeps its newest rows.
    #[arg(long, default_value_t = 100_000)]
    max_result_rows: usize,
    /// Most bytes (estimated) kept per collected sink of a job, as `--max-result-rows`.
    #[arg(long, default_value_t = 32 * 1024 * 1024)]
    max_result_bytes: usize,
    /// Most rows pushed into one push input and not yet read by its job; a push beyond it is
    /// answered 429 with `Retry-After`.
    #[arg(long, default_value_t = 100_000)]
    max_push_queue_rows: usize,
    /// Most ended jobs kept in the registry (Flink's `jobstore.max-capacity`); the oldest
    /// ended go first.
    #[arg(long, default_value_t = 1000)]
    jobstore_max_capacity: usize,
    /// Seconds an ended job is kept in the registry (Flink's `jobstore.expiration-time`).
    #[arg(long, default_value_t = 3600)]
    jobstore_expiration_time: u64,
}

/// Runs the server until SIGTERM or Ctrl-C.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.workers == Some(0) {
        anyhow::bail!("--workers must be at least 1");
    }
    if args.auth_token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        anyhow::bail!("--auth-token must not be empty");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("weir-http")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(args))
}

async fn run(args: ServeArgs) -> anyhow::Result<()> {
    if args.max_result_rows == 0 || args.max_result_bytes == 0 || args.max_push_queue_rows == 0 {
        anyhow::bail!("--max-result-rows, --max-result-bytes and --max-push-queue-rows must be at least 1");
    }
    let retention = RetentionPolicy {
        max_capacity: args.jobstore_max_capacity,
        expiration: Duration::from_secs(args.jobstore_expiration_time),
    };
    let registry = JobRegistry::open(&args.data_dir, retention)?;
    let config = ServerConfig {
        data_dir: args.data_dir.clone(),
        workers: args.workers,
        auth_token: args.auth_token,
        max_body_bytes: args.max_body_bytes,
        max_running_jobs: args.max_running_jobs,
        result_limits: ResultLimits { max_rows: args.max_result_rows, max_bytes: args.max_result_bytes },
        max_push_queue_rows: args.max_push_queue_rows,
    };
    let state = AppState::new(config, registry.clone());
    let listener = tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    // The line tests and scripts parse to learn the port; printed whatever the log level.
    eprintln!("listening on http://{local}");
    tracing::info!(addr = %local, data_dir = %args.data_dir.display(), "weir serve started");

    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let app = routes::router(state.clone());
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stop_rx.wait_for(|stop| *stop).await;
    });
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = &mut server => return result.context("the HTTP server failed"),
        () = shutdown_signal() => {}
    }
    tracing::info!("shutting down: cancelling running jobs");
    state.begin_shutdown();
    cancel_all(&state);
    let _ = stop_tx.send(true);
    if tokio::time::timeout(Duration::from_secs(5), &mut server).await.is_err() {
        tracing::warn!("connections still open after 5 s; closing them");
    }
    wait_for_jobs(&state, Duration::from_secs(10)).await;
    registry.flush().context("cannot write the job registry")?;
    registry.close();
    eprintln!("weir serve stopped");
    Ok(())
}

/// Cancels every job still running, recording why.
fn cancel_all(state: &AppState) {
    for (jid, live) in state.all_live() {
        if !live.state.borrow().is_terminal() {
            state.registry.update(&jid, |r| {
                r.cancel_reason.get_or_insert_with(|| "the server shut down".into());
            });
            live.cancel.cancel();
        }
    }
}

/// Waits until every live job has recorded its end (or `limit` passes).
async fn wait_for_jobs(state: &AppState, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    for (jid, live) in state.all_live() {
        let mut rx = live.state.subscribe();
        if tokio::time::timeout_at(deadline, rx.wait_for(|s: &JobState| s.is_terminal())).await.is_err() {
            tracing::warn!(jobid = %jid, "job did not stop in time; recorded as running (it will read FAILED after a restart)");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
