//! Sync vs async decoupling under one workload: a load balancer pushing each request to a
//! free consumer (or failing it when all are busy past the timeout), against a queue that
//! buffers the same requests while the same consumers pull at their own rate.
//!
//! Both sides are discrete-event simulations on the virtual clock; the output is a time
//! series per second of depth (or waiting requests), latency and failures.

use crate::rng::SeededRng;
use serde::{Deserialize, Serialize};

/// The workload and the consumers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DecouplingConfig {
    /// Consumers, each handling one request at a time.
    pub consumers: u32,
    /// Time to handle one request.
    pub service_ms: u64,
    /// A pushed request fails if no consumer frees up within this long.
    pub timeout_ms: u64,
    /// Steady requests per second.
    pub base_rate_per_s: u32,
    /// A spike of `requests` spread evenly over `over_ms`, starting at `at_ms`.
    pub spike: Spike,
    pub duration_ms: u64,
    /// The queue's bound; arrivals beyond it are refused.
    #[serde(default = "cap")]
    pub queue_capacity: usize,
}

fn cap() -> usize {
    100_000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spike {
    pub at_ms: u64,
    pub requests: u32,
    pub over_ms: u64,
}

/// One second of one side.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bucket {
    pub second: u64,
    pub arrived: u32,
    pub completed: u32,
    pub failed: u32,
    /// Requests waiting (queue depth, or pushed requests waiting for a consumer).
    pub waiting: usize,
    pub mean_latency_ms: u64,
    pub max_latency_ms: u64,
}

/// Both sides' series and totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecouplingReport {
    pub load_balancer: Vec<Bucket>,
    pub queue: Vec<Bucket>,
    pub load_balancer_failed: u32,
    pub queue_failed: u32,
    pub load_balancer_p95_latency_ms: u64,
    pub queue_p95_latency_ms: u64,
    pub queue_peak_depth: usize,
}

fn arrivals(c: &DecouplingConfig, seed: u64) -> Vec<u64> {
    let mut rng = SeededRng::new(seed);
    let mut out = Vec::new();
    if c.base_rate_per_s > 0 {
        let gap = 1000.0 / f64::from(c.base_rate_per_s);
        let mut t = 0.0;
        while (t as u64) < c.duration_ms {
            out.push(t as u64);
            t += gap * (0.5 + rng.unit());
        }
    }
    for i in 0..c.spike.requests {
        out.push(
            c.spike.at_ms + c.spike.over_ms * u64::from(i) / u64::from(c.spike.requests.max(1)),
        );
    }
    out.sort_unstable();
    out
}

/// Runs both sides on the same arrivals.
pub fn simulate(c: &DecouplingConfig, seed: u64) -> DecouplingReport {
    let arrivals = arrivals(c, seed);
    let seconds = (c.duration_ms.max(arrivals.last().copied().unwrap_or(0)) / 1000 + 1) as usize;
    let run = |buffered: bool| {
        let mut free_at = vec![0u64; c.consumers.max(1) as usize];
        let mut buckets: Vec<Bucket> = (0..seconds)
            .map(|s| Bucket {
                second: s as u64,
                ..Bucket::default()
            })
            .collect();
        let mut latencies = Vec::new();
        let mut waiting_until: Vec<u64> = Vec::new();
        let mut failed = 0;
        let mut peak = 0;
        let mut finished: Vec<(u64, u64)> = Vec::new();
        for &t in &arrivals {
            let s = (t / 1000) as usize;
            buckets[s.min(seconds - 1)].arrived += 1;
            waiting_until.retain(|&start| start > t);
            let (i, &earliest) = free_at
                .iter()
                .enumerate()
                .min_by_key(|(_, f)| **f)
                .expect("at least one consumer");
            let start = earliest.max(t);
            let refused = if buffered {
                waiting_until.len() >= c.queue_capacity
            } else {
                start - t > c.timeout_ms
            };
            if refused {
                failed += 1;
                buckets[s.min(seconds - 1)].failed += 1;
                continue;
            }
            if start > t {
                waiting_until.push(start);
                peak = peak.max(waiting_until.len());
            }
            free_at[i] = start + c.service_ms;
            let latency = start + c.service_ms - t;
            latencies.push(latency);
            finished.push((start + c.service_ms, latency));
        }
        let mut grown = buckets.len();
        for &(done, latency) in &finished {
            let s = (done / 1000) as usize;
            if s >= grown {
                buckets.extend((grown..=s).map(|x| Bucket {
                    second: x as u64,
                    ..Bucket::default()
                }));
                grown = buckets.len();
            }
            let b = &mut buckets[s];
            b.completed += 1;
            b.mean_latency_ms += latency;
            b.max_latency_ms = b.max_latency_ms.max(latency);
        }
        for b in &mut buckets {
            if b.completed > 0 {
                b.mean_latency_ms /= u64::from(b.completed);
            }
            let end = (b.second + 1) * 1000;
            // Requests that arrived by the end of this second and had not started yet.
            b.waiting = finished
                .iter()
                .filter(|(done, latency)| done - latency < end && done - c.service_ms >= end)
                .count();
        }
        latencies.sort_unstable();
        let p95 = latencies
            .get(latencies.len().saturating_sub(1) * 95 / 100)
            .copied()
            .unwrap_or(0);
        (buckets, failed, p95, peak)
    };
    let (lb, lb_failed, lb_p95, _) = run(false);
    let (q, q_failed, q_p95, q_peak) = run(true);
    DecouplingReport {
        load_balancer: lb,
        queue: q,
        load_balancer_failed: lb_failed,
        queue_failed: q_failed,
        load_balancer_p95_latency_ms: lb_p95,
        queue_p95_latency_ms: q_p95,
        queue_peak_depth: q_peak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DecouplingConfig {
        DecouplingConfig {
            consumers: 4,
            service_ms: 200,
            timeout_ms: 500,
            base_rate_per_s: 5,
            spike: Spike {
                at_ms: 5000,
                requests: 300,
                over_ms: 2000,
            },
            duration_ms: 20_000,
            queue_capacity: 100_000,
        }
    }

    #[test]
    fn a_spike_fails_pushed_requests_but_a_queue_absorbs_it() {
        let r = simulate(&config(), 1);
        assert!(r.load_balancer_failed > 100, "{}", r.load_balancer_failed);
        assert_eq!(r.queue_failed, 0);
        assert!(r.queue_peak_depth > 100, "{}", r.queue_peak_depth);
        assert!(
            r.queue_p95_latency_ms > r.load_balancer_p95_latency_ms,
            "the queue trades latency for no failures"
        );
    }

    #[test]
    fn a_bounded_queue_refuses_beyond_its_capacity() {
        let r = simulate(
            &DecouplingConfig {
                queue_capacity: 10,
                ..config()
            },
            1,
        );
        assert!(r.queue_failed > 0);
    }

    #[test]
    fn the_same_seed_gives_the_same_series() {
        assert_eq!(simulate(&config(), 3), simulate(&config(), 3));
    }
}
