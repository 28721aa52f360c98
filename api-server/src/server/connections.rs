//! Accepting and serving HTTP/1.1 connections with limits a hostile client cannot get around:
//! at most `max_connections` open at once (further clients wait in the listen backlog), the
//! request head must arrive within `header_read_timeout` (half-sent requests, idle connections
//! and slowloris clients are closed), and a head larger than `max_header_bytes` or with more
//! than [`MAX_HEADERS`] headers is answered 431. axum's own `serve` sets none of these, so the
//! loop here drives hyper's connection builder directly.
//!
//! Shutdown: when `stop` turns true the listener stops accepting and every connection finishes
//! its current request and closes.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// Most headers a request may have (hyper answers 431 beyond).
pub const MAX_HEADERS: usize = 100;

/// Connection-level limits (`weir serve` flags).
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time allowed to send a request head.
    pub header_read_timeout: Duration,
    /// Largest request head, in bytes.
    pub max_header_bytes: usize,
}

/// Serves `app` on `listener` until `stop` turns true and every connection has closed.
pub async fn serve(listener: TcpListener, app: Router, limits: ConnectionLimits, mut stop: watch::Receiver<bool>) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).max_header_size(limits.max_header_bytes).max_headers(MAX_HEADERS);
    let max = limits.max_connections.min(Semaphore::MAX_PERMITS).min(u32::MAX as usize);
    let permits = Arc::new(Semaphore::new(max));
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = stopped(&mut stop) => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => log_end(result),
                () = stopped(&mut stop) => {
                    connection.as_mut().graceful_shutdown();
                    log_end(connection.await);
                }
            }
        });
    }
    // Every connection holds a permit until it closes.
    let _ = permits.acquire_many(max as u32).await;
    Ok(())
}

/// Resolves once `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}

fn log_end(result: Result<(), hyper::Error>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection closed with an error");
    }
}
