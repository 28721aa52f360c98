//! A job's restart strategy, read from its configuration under Flink's `restart-strategy.*`
//! keys, with Flink's defaults: what happens when a running job fails (a worker panics, an
//! operator reports a runtime error).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::connectors::options::parse_duration_text;
use crate::error::{PlanError, SpecPath};

/// `restart-strategy.type`.
pub const TYPE: &str = "restart-strategy.type";

/// What a failed job does.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RestartStrategy {
    /// It fails for good (`none`, `off`, `disable`): Flink's default without checkpointing.
    #[default]
    None,
    /// It restarts after `delay`, at most `attempts` times (`fixed-delay`).
    FixedDelay {
        /// `restart-strategy.fixed-delay.attempts` (Flink's default: 1).
        attempts: u32,
        /// `restart-strategy.fixed-delay.delay` (default: 1 s).
        delay: Duration,
    },
    /// It restarts after `delay` unless it failed more than `max_failures` times within
    /// `interval` (`failure-rate`).
    FailureRate {
        /// `restart-strategy.failure-rate.max-failures-per-interval` (default: 1).
        max_failures: u32,
        /// `restart-strategy.failure-rate.failure-rate-interval` (default: 1 min).
        interval: Duration,
        /// `restart-strategy.failure-rate.delay` (default: 1 s).
        delay: Duration,
    },
    /// It restarts after a delay that grows with each failure (`exponential-delay`): Flink's
    /// default with checkpointing.
    ExponentialDelay(ExponentialDelay),
}

/// The settings of the `exponential-delay` strategy (Flink's defaults in brackets).
#[derive(Clone, Debug, PartialEq)]
pub struct ExponentialDelay {
    /// `initial-backoff`: the first delay (1 s).
    pub initial_backoff: Duration,
    /// `max-backoff`: the longest delay (1 min).
    pub max_backoff: Duration,
    /// `backoff-multiplier`: each failure multiplies the delay by this (1.5).
    pub multiplier: f64,
    /// `reset-backoff-threshold`: a job running this long without failing starts again
    /// from the initial delay and a fresh count of attempts (1 h).
    pub reset_threshold: Duration,
    /// `jitter-factor`: each delay moves by up to this part of itself, either way (0.1).
    pub jitter: f64,
    /// `attempts-before-reset-backoff`: restarts allowed before the backoff resets (no limit).
    pub attempts: u32,
}

impl Default for ExponentialDelay {
    fn default() -> Self {
        ExponentialDelay {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            multiplier: 1.5,
            reset_threshold: Duration::from_secs(3600),
            jitter: 0.1,
            attempts: u32::MAX,
        }
    }
}

/// The restart strategy `raw` sets; without `restart-strategy.type`, Flink's default:
/// `exponential-delay` when the job takes checkpoints, `none` otherwise. Errors name the key.
pub fn restart_strategy(raw: &BTreeMap<String, String>, path: &SpecPath, checkpointing: bool) -> Result<RestartStrategy, PlanError> {
    let settings = Settings { raw, path };
    let kind = match raw.get(TYPE) {
        Some(value) => value.trim().to_ascii_lowercase(),
        None if checkpointing => "exponential-delay".into(),
        None => "none".into(),
    };
    match kind.as_str() {
        "none" | "off" | "disable" => Ok(RestartStrategy::None),
        "fixed-delay" | "fixeddelay" => Ok(RestartStrategy::FixedDelay {
            attempts: settings.count("restart-strategy.fixed-delay.attempts", 1)?,
            delay: settings.duration("restart-strategy.fixed-delay.delay", Duration::from_secs(1))?,
        }),
        "failure-rate" | "failurerate" => Ok(RestartStrategy::FailureRate {
            max_failures: settings.count("restart-strategy.failure-rate.max-failures-per-interval", 1)?,
            interval: settings.duration("restart-strategy.failure-rate.failure-rate-interval", Duration::from_secs(60))?,
            delay: settings.duration("restart-strategy.failure-rate.delay", Duration::from_secs(1))?,
        }),
        "exponential-delay" | "exponentialdelay" => {
            let d = ExponentialDelay::default();
            const P: &str = "restart-strategy.exponential-delay.";
            let e = ExponentialDelay {
                initial_backoff: settings.duration(&format!("{P}initial-backoff"), d.initial_backoff)?,
                max_backoff: settings.duration(&format!("{P}max-backoff"), d.max_backoff)?,
                multiplier: settings.number(&format!("{P}backoff-multiplier"), d.multiplier, 1.0)?,
                reset_threshold: settings.duration(&format!("{P}reset-backoff-threshold"), d.reset_threshold)?,
                jitter: settings.number(&format!("{P}jitter-factor"), d.jitter, 0.0)?,
                attempts: settings.count(&format!("{P}attempts-before-reset-backoff"), d.attempts)?,
            };
            if e.jitter > 1.0 {
                return Err(PlanError::new(&path.field(&format!("{P}jitter-factor")), format!("expected a number from 0 to 1, found {}", e.jitter)));
            }
            Ok(RestartStrategy::ExponentialDelay(e))
        }
        other => Err(PlanError::new(
            &path.field(TYPE),
            format!("unknown restart strategy '{other}': expected none (off, disable), fixed-delay, failure-rate or exponential-delay"),
        )),
    }
}

/// Reads the optional settings of one strategy.
struct Settings<'a> {
    raw: &'a BTreeMap<String, String>,
    path: &'a SpecPath,
}

impl Settings<'_> {
    fn error(&self, key: &str, message: String) -> PlanError {
        PlanError::new(&self.path.field(key), message)
    }

    fn duration(&self, key: &str, default: Duration) -> Result<Duration, PlanError> {
        match self.raw.get(key) {
            Some(value) => parse_duration_text(value).map_err(|what| self.error(key, format!("invalid duration: expected {what}"))),
            None => Ok(default),
        }
    }

    fn count(&self, key: &str, default: u32) -> Result<u32, PlanError> {
        match self.raw.get(key) {
            Some(value) => value.trim().parse::<u32>().map_err(|_| self.error(key, format!("expected a number of attempts, found '{value}'"))),
            None => Ok(default),
        }
    }

    fn number(&self, key: &str, default: f64, min: f64) -> Result<f64, PlanError> {
        match self.raw.get(key) {
            Some(value) => value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= min)
                .ok_or_else(|| self.error(key, format!("expected a number of at least {min}, found '{value}'"))),
            None => Ok(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy(pairs: &[(&str, &str)], checkpointing: bool) -> Result<RestartStrategy, PlanError> {
        let raw = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        restart_strategy(&raw, &SpecPath::default().field("config"), checkpointing)
    }

    #[test]
    fn flink_defaults_depend_on_checkpointing() {
        assert_eq!(strategy(&[], false).unwrap(), RestartStrategy::None);
        assert_eq!(strategy(&[], true).unwrap(), RestartStrategy::ExponentialDelay(ExponentialDelay::default()));
        assert_eq!(strategy(&[(TYPE, "fixed-delay")], false).unwrap(), RestartStrategy::FixedDelay { attempts: 1, delay: Duration::from_secs(1) });
        assert_eq!(strategy(&[(TYPE, "disable")], true).unwrap(), RestartStrategy::None);
    }

    #[test]
    fn settings_are_read_and_bad_ones_named() {
        let s = strategy(&[(TYPE, "fixeddelay"), ("restart-strategy.fixed-delay.attempts", "3"), ("restart-strategy.fixed-delay.delay", "200 ms")], false);
        assert_eq!(s.unwrap(), RestartStrategy::FixedDelay { attempts: 3, delay: Duration::from_millis(200) });
        let s = strategy(&[(TYPE, "exponential-delay"), ("restart-strategy.exponential-delay.backoff-multiplier", "2")], false).unwrap();
        let RestartStrategy::ExponentialDelay(e) = s else { panic!("{s:?}") };
        assert_eq!(e.multiplier, 2.0);
        let e = strategy(&[(TYPE, "fixed-delay"), ("restart-strategy.fixed-delay.attempts", "many")], false).unwrap_err();
        assert!(e.to_string().contains("config.restart-strategy.fixed-delay.attempts"), "{e}");
        let e = strategy(&[(TYPE, "sometimes")], false).unwrap_err();
        assert!(e.to_string().contains("restart-strategy.type") && e.to_string().contains("sometimes"), "{e}");
        let e = strategy(&[(TYPE, "exponential-delay"), ("restart-strategy.exponential-delay.jitter-factor", "2")], false).unwrap_err();
        assert!(e.to_string().contains("jitter-factor"), "{e}");
    }
}
