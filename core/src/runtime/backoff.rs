//! Whether, and after how long, a failed job restarts: the state of its restart strategy
//! across failures (Flink's `RestartBackoffTimeStrategy`).

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use crate::plan::restart::RestartStrategy;

/// A job's restart strategy and the failures it has seen.
#[derive(Debug)]
pub struct Backoff {
    strategy: RestartStrategy,
    /// Restarts counted against the strategy's limit.
    attempts: u32,
    /// When recent failures happened (`failure-rate`).
    failures: VecDeque<Instant>,
    /// The delay before the last restart (`exponential-delay`).
    last_delay: Option<Duration>,
    last_failure: Option<Instant>,
}

impl Backoff {
    /// A job that has not failed yet.
    pub fn new(strategy: RestartStrategy) -> Backoff {
        Backoff { strategy, attempts: 0, failures: VecDeque::new(), last_delay: None, last_failure: None }
    }

    /// The job failed at `now`: how long to wait before restarting it, or `None` when it is
    /// not restarted (no strategy, or its attempts are used up).
    pub fn on_failure(&mut self, now: Instant) -> Option<Duration> {
        let since_last = self.last_failure.map(|t| now.saturating_duration_since(t));
        self.last_failure = Some(now);
        match &self.strategy {
            RestartStrategy::None => None,
            RestartStrategy::FixedDelay { attempts, delay } => {
                self.attempts += 1;
                (self.attempts <= *attempts).then_some(*delay)
            }
            RestartStrategy::FailureRate { max_failures, interval, delay } => {
                self.failures.push_back(now);
                while self.failures.front().is_some_and(|t| now.saturating_duration_since(*t) > *interval) {
                    self.failures.pop_front();
                }
                (self.failures.len() <= *max_failures as usize).then_some(*delay)
            }
            RestartStrategy::ExponentialDelay(e) => {
                if since_last.is_some_and(|d| d >= e.reset_threshold) {
                    self.attempts = 0;
                    self.last_delay = None;
                }
                self.attempts += 1;
                if self.attempts > e.attempts {
                    return None;
                }
                let base = match self.last_delay {
                    None => e.initial_backoff,
                    Some(last) => last.mul_f64(e.multiplier).min(e.max_backoff),
                };
                self.last_delay = Some(base);
                Some(jittered(base, e.jitter).min(e.max_backoff))
            }
        }
    }
}

/// `delay` moved by a random amount of up to `factor` of itself, either way.
fn jittered(delay: Duration, factor: f64) -> Duration {
    if factor <= 0.0 {
        return delay;
    }
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    let unit = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
    delay.mul_f64((1.0 + factor * (2.0 * unit - 1.0)).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::restart::ExponentialDelay;

    #[test]
    fn fixed_delay_allows_its_attempts() {
        let mut b = Backoff::new(RestartStrategy::FixedDelay { attempts: 2, delay: Duration::from_millis(5) });
        let now = Instant::now();
        assert_eq!(b.on_failure(now), Some(Duration::from_millis(5)));
        assert_eq!(b.on_failure(now), Some(Duration::from_millis(5)));
        assert_eq!(b.on_failure(now), None);
        assert_eq!(Backoff::new(RestartStrategy::None).on_failure(now), None);
    }

    #[test]
    fn exponential_delay_grows_to_its_maximum_and_resets() {
        let e = ExponentialDelay {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(3),
            multiplier: 2.0,
            reset_threshold: Duration::from_secs(60),
            jitter: 0.0,
            attempts: 5,
        };
        let mut b = Backoff::new(RestartStrategy::ExponentialDelay(e));
        let t0 = Instant::now();
        let delays: Vec<_> = (0..4).map(|i| b.on_failure(t0 + Duration::from_secs(i))).collect();
        assert_eq!(delays, [1, 2, 3, 3].map(|s| Some(Duration::from_secs(s))));
        assert_eq!(b.on_failure(t0 + Duration::from_secs(120)), Some(Duration::from_secs(1)), "a long run resets the backoff");
    }

    #[test]
    fn exponential_delay_stops_after_its_attempts_and_jitters_within_bounds() {
        let e = ExponentialDelay { jitter: 0.5, attempts: 2, ..ExponentialDelay::default() };
        let mut b = Backoff::new(RestartStrategy::ExponentialDelay(e));
        let now = Instant::now();
        let first = b.on_failure(now).unwrap();
        assert!(first >= Duration::from_millis(500) && first <= Duration::from_millis(1500), "{first:?}");
        assert!(b.on_failure(now).is_some());
        assert_eq!(b.on_failure(now), None);
    }

    #[test]
    fn failure_rate_counts_failures_within_the_interval() {
        let interval = Duration::from_secs(10);
        let mut b = Backoff::new(RestartStrategy::FailureRate { max_failures: 2, interval, delay: Duration::ZERO });
        let t0 = Instant::now();
        assert!(b.on_failure(t0).is_some());
        assert!(b.on_failure(t0 + Duration::from_secs(1)).is_some());
        assert_eq!(b.on_failure(t0 + Duration::from_secs(2)), None);
        let mut b = Backoff::new(RestartStrategy::FailureRate { max_failures: 1, interval, delay: Duration::ZERO });
        assert!(b.on_failure(t0).is_some());
        assert!(b.on_failure(t0 + Duration::from_secs(11)).is_some(), "the first failure is outside the interval");
    }
}
