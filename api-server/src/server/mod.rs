//! `weir serve`: the REST API on axum/tokio. Jobs posted to it run on their own timely
//! workers (threads of this process); the server keeps a persistent job registry in its data
//! directory, serves results live, and speaks Flink's REST API (on `--addr`) and SQL Gateway API (on `--sql-gateway-port`).
//!
//! What a posted job may touch and what a client may ask for is limited (allowed directories,
//! JSON-only bodies, token, timeouts, connection cap, parallelism cap): see `docs/security.md`.
//!
//! Shutdown (SIGTERM or Ctrl-C): new jobs are refused, running jobs are cancelled and recorded
//! CANCELED ("server shut down"), open connections are given a few seconds to finish, and the
//! registry is flushed.

mod auth;
mod changelog;
mod connections;
mod content_type;
mod error;
mod error_text;
mod extract;
mod flink_errors;
mod gateway;
mod openapi;
mod push_log;
mod registry;
mod result_store;
mod resume;
mod routes;
mod sessions;
mod state;
mod submit;
mod timeout;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use connections::ConnectionLimits;
use registry::{JobRegistry, JobState, RetentionPolicy};
use result_store::ResultLimits;
use state::{AppState, ServerConfig};
use weir_core::plan::paths::PathPolicy;

/// Arguments of `weir serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the chosen address is printed as
    /// `listening on http://ADDR`). Loopback unless told otherwise; a non-loopback address
    /// needs a token (or `--insecure`).
    #[arg(long, default_value = "127.0.0.1:8081")]
    addr: SocketAddr,
    /// Port of Flink's SQL Gateway REST API (its `/v1`, `/v2` and `/v3`), on the address of
    /// `--addr`; printed as `sql gateway at http://ADDR`. Default: the REST port plus 2 (8083
    /// beside the default 8081, as Flink), or any free port when the REST port is 0.
    #[arg(long, value_name = "PORT")]
    sql_gateway_port: Option<u16>,
    /// Data directory: the job registry (`jobs/`, one file per job) and push-input logs
    /// (`push-log/`); it and its `inputs/` and `outputs/` are created at start and are where
    /// jobs may read and write unless `--allowed-path` is given.
    #[arg(long, default_value = "./weir-data")]
    data_dir: PathBuf,
    /// A directory posted jobs may read and write under (connector paths, RocksDB local
    /// directory, checkpoint directories), symbolic links resolved; repeatable. Default: the
    /// data directory (with its `inputs/` and `outputs/`). Relative paths in jobs are resolved
    /// against the data directory.
    #[arg(long = "allowed-path", value_name = "DIR")]
    allowed_paths: Vec<PathBuf>,
    /// Worker threads per job unless the job sets `parallelism.default` (default: one per core).
    #[arg(long, short = 'w')]
    workers: Option<usize>,
    /// Most workers a job may ask for (`parallelism.default`); more is a 400. Default: four per
    /// core.
    #[arg(long)]
    max_parallelism: Option<usize>,
    /// Require `Authorization: Bearer <token>` on every request. Visible to every local user in
    /// the process list: prefer `--auth-token-file` or `WEIR_AUTH_TOKEN`.
    #[arg(long, conflicts_with = "auth_token_file")]
    auth_token: Option<String>,
    /// Read the bearer token from this file (surrounding whitespace ignored).
    #[arg(long, value_name = "PATH")]
    auth_token_file: Option<PathBuf>,
    /// Listen beyond loopback without a token (every client that can reach the port may run
    /// jobs). Without it, such an address is refused.
    #[arg(long)]
    insecure: bool,
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
    /// Most open connections; further clients wait in the listen backlog until one closes.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Seconds a client has to send a request's headers (the connection is closed after).
    #[arg(long, default_value_t = 10.0)]
    header_read_timeout: f64,
    /// Seconds a request may take until its answer starts (reading its body included; streamed
    /// results are not cut); then 408.
    #[arg(long, default_value_t = 60.0)]
    request_timeout: f64,
    /// Largest request head (request line and headers), in bytes (at least 1024); larger: 431.
    #[arg(long, default_value_t = 64 * 1024)]
    max_header_bytes: usize,
}

/// The environment variable `weir serve` reads its bearer token from when no flag gives one.
pub const TOKEN_ENV: &str = "WEIR_AUTH_TOKEN";

/// Runs the server until SIGTERM or Ctrl-C.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.workers == Some(0) {
        anyhow::bail!("--workers must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("weir-http").build().context("cannot start the async runtime")?;
    runtime.block_on(run(args))
}

/// Positive seconds from a flag.
fn seconds(flag: &str, value: f64) -> anyhow::Result<Duration> {
    if !(value.is_finite() && value > 0.0) {
        anyhow::bail!("{flag} must be a positive number of seconds, got {value}");
    }
    Ok(Duration::from_secs_f64(value))
}

/// The data directory with its `inputs/` and `outputs/` (created), and the path policy of
/// posted jobs.
fn path_policy(args: &ServeArgs) -> anyhow::Result<PathPolicy> {
    for dir in [args.data_dir.clone(), args.data_dir.join("inputs"), args.data_dir.join("outputs")] {
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let roots = if args.allowed_paths.is_empty() { vec![args.data_dir.clone()] } else { args.allowed_paths.clone() };
    PathPolicy::new(&roots, &args.data_dir).context("bad --allowed-path")
}

/// The settings of a server started with `args`, checked.
fn config(args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let max_parallelism = args.max_parallelism.unwrap_or_else(|| 4 * weir_core::runtime::default_workers());
    if max_parallelism == 0 {
        anyhow::bail!("--max-parallelism must be at least 1");
    }
    if let Some(w) = args.workers.filter(|w| *w > max_parallelism) {
        anyhow::bail!("--workers {w} is more than --max-parallelism {max_parallelism}");
    }
    if args.max_result_rows == 0 || args.max_result_bytes == 0 || args.max_push_queue_rows == 0 {
        anyhow::bail!("--max-result-rows, --max-result-bytes and --max-push-queue-rows must be at least 1");
    }
    if args.max_connections == 0 {
        anyhow::bail!("--max-connections must be at least 1");
    }
    let auth_token = auth::load_token(args.auth_token.as_deref(), args.auth_token_file.as_deref(), TOKEN_ENV)?;
    if !args.addr.ip().is_loopback() && auth_token.is_none() {
        if !args.insecure {
            anyhow::bail!(
                "refusing to listen on {} without a token: anyone who can reach it could run jobs and read files under the allowed \
                 directories. Give a token (--auth-token-file PATH or {TOKEN_ENV}), listen on 127.0.0.1, or pass --insecure",
                args.addr
            );
        }
        eprintln!(
            "WARNING: listening on {} WITHOUT AUTHENTICATION (--insecure): every client that can reach this address can run jobs \
             and read and write files under the allowed directories",
            args.addr
        );
        tracing::warn!(addr = %args.addr, "listening beyond loopback without a token (--insecure)");
    }
    Ok(ServerConfig {
        data_dir: args.data_dir.clone(),
        paths: path_policy(args)?,
        workers: args.workers,
        max_parallelism,
        auth_token,
        max_body_bytes: args.max_body_bytes,
        max_running_jobs: args.max_running_jobs,
        result_limits: ResultLimits { max_rows: args.max_result_rows, max_bytes: args.max_result_bytes },
        max_push_queue_rows: args.max_push_queue_rows,
        request_timeout: seconds("--request-timeout", args.request_timeout)?,
    })
}

async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = config(&args)?;
    if args.max_header_bytes < 1024 {
        anyhow::bail!("--max-header-bytes must be at least 1024");
    }
    let limits = ConnectionLimits {
        max_connections: args.max_connections,
        header_read_timeout: seconds("--header-read-timeout", args.header_read_timeout)?,
        max_header_bytes: args.max_header_bytes,
    };
    let retention = RetentionPolicy { max_capacity: args.jobstore_max_capacity, expiration: Duration::from_secs(args.jobstore_expiration_time) };
    let registry = JobRegistry::open_resuming(&args.data_dir, retention, |r| resume::checkpoint_dir(r).is_some())?;
    let state = AppState::new(config, registry.clone());
    {
        let state = state.clone();
        tokio::task::spawn_blocking(move || resume::resume_all(&state)).await.context("resuming interrupted jobs")?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    let gateway_addr = SocketAddr::new(args.addr.ip(), gateway_port(&args)?);
    let gateway_listener =
        tokio::net::TcpListener::bind(gateway_addr).await.with_context(|| format!("cannot listen on {gateway_addr} (--sql-gateway-port)"))?;
    // The lines tests and scripts parse to learn the ports; printed whatever the log level.
    eprintln!("listening on http://{local}");
    eprintln!("sql gateway at http://{}", gateway_listener.local_addr()?);
    let roots: Vec<String> = state.config.paths.roots().iter().map(|r| r.display().to_string()).collect();
    tracing::info!(addr = %local, data_dir = %args.data_dir.display(), allowed = ?roots, "weir serve started");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let rest = connections::serve(listener, routes::router(state.clone()), limits, stop_rx.clone());
    let gateway = connections::serve(gateway_listener, routes::gateway_router(state.clone()), limits, stop_rx);
    let server = async { tokio::try_join!(rest, gateway).map(|_| ()) };
    let mut server = std::pin::pin!(server);
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

/// The SQL gateway's port: `--sql-gateway-port`, else the REST port plus 2 (0 stays 0).
fn gateway_port(args: &ServeArgs) -> anyhow::Result<u16> {
    match (args.sql_gateway_port, args.addr.port()) {
        (Some(port), _) => Ok(port),
        (None, 0) => Ok(0),
        (None, rest) => rest.checked_add(2).context("no default --sql-gateway-port above the REST port 65534; give one"),
    }
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    /// `weir serve`'s flags alone.
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: super::ServeArgs,
    }

    fn gateway_port(flags: &[&str]) -> anyhow::Result<u16> {
        let cli = Cli::try_parse_from(std::iter::once("serve").chain(flags.iter().copied()))?;
        super::gateway_port(&cli.args)
    }

    #[test]
    fn the_gateway_port_follows_flinks_default_beside_the_rest_port() {
        assert_eq!(gateway_port(&[]).unwrap(), 8083, "8081 + 2, as Flink's REST and SQL gateway ports");
        assert_eq!(gateway_port(&["--addr", "127.0.0.1:9000"]).unwrap(), 9002);
        assert_eq!(gateway_port(&["--addr", "127.0.0.1:0"]).unwrap(), 0, "a free port when the REST port is one");
        assert_eq!(gateway_port(&["--addr", "127.0.0.1:0", "--sql-gateway-port", "7000"]).unwrap(), 7000);
        let err = gateway_port(&["--addr", "127.0.0.1:65535"]).unwrap_err().to_string();
        assert!(err.contains("--sql-gateway-port"), "{err}");
    }
}
