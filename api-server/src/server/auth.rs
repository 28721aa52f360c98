//! Bearer-token authentication: with a token (`--auth-token-file PATH`, `WEIR_AUTH_TOKEN`, or
//! `--auth-token T`), every request needs `Authorization: Bearer T`, compared in constant time.

use std::path::Path;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::state::AppState;

/// Lets a request through when no token is configured or it carries the right one; 401
/// otherwise.
pub async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.config.auth_token.as_deref() else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim);
    match given {
        Some(token) if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) => next.run(request).await,
        _ => ApiError::Unauthorized.into_response(),
    }
}

/// The token the server requires, from (in this order) the `--auth-token` flag, the file
/// `--auth-token-file`, or the environment variable `env`; `None` when none is given. An empty
/// token (after trimming surrounding whitespace, such as a file's final newline) is an error.
pub fn load_token(flag: Option<&str>, file: Option<&Path>, env: &str) -> anyhow::Result<Option<String>> {
    let (token, from) = if let Some(token) = flag {
        (token.to_string(), "--auth-token".to_string())
    } else if let Some(file) = file {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read --auth-token-file {}", file.display()))?;
        (text, format!("--auth-token-file {}", file.display()))
    } else {
        match std::env::var(env) {
            Ok(token) => (token, env.to_string()),
            Err(std::env::VarError::NotPresent) => return Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("{env} is not valid UTF-8"),
        }
    };
    let token = token.trim();
    if token.is_empty() {
        anyhow::bail!("the token from {from} is empty");
    }
    if token.chars().any(|c| c.is_control() || c == ' ') {
        anyhow::bail!("the token from {from} contains spaces or control characters, which an Authorization header cannot carry");
    }
    Ok(Some(token.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_flag_file_or_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        let env = "WEIR_TEST_TOKEN_AUTH_RS";
        assert_eq!(load_token(Some("flag"), Some(&file), env).unwrap().as_deref(), Some("flag"));
        assert_eq!(load_token(None, Some(&file), env).unwrap().as_deref(), Some("from-file"));
        assert_eq!(load_token(None, None, env).unwrap(), None);
        std::fs::write(&file, " \n").unwrap();
        assert!(load_token(None, Some(&file), env).unwrap_err().to_string().contains("is empty"));
        assert!(load_token(None, Some(&dir.path().join("missing")), env).is_err());
        assert!(load_token(Some("a b"), None, env).is_err());
    }
}
