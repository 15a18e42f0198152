//! What operators watch, counted where it happens and written in Prometheus' text format
//! (`/metrics` on the operators' listener): requests and their latency by route, answer pages
//! saved, how many writes each group commit carried, figures served from the cache or
//! computed. Process-wide counters, as a Prometheus client keeps them: the store and the
//! services count without being handed anything.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

/// Upper bounds of the latency buckets, in seconds.
const LATENCY: [f64; 12] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
/// Upper bounds of the batch-size buckets, in writes.
const BATCH: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

/// A histogram with fixed buckets (cumulative counts are made when written).
struct Histogram<const N: usize> {
    bounds: &'static [f64; N],
    counts: [AtomicU64; N],
    above: AtomicU64,
    /// The sum of observations, in millionths (seconds → microseconds; writes × 10⁶).
    sum_micros: AtomicU64,
}

impl<const N: usize> Histogram<N> {
    const fn new(bounds: &'static [f64; N]) -> Self {
        Histogram {
            bounds,
            counts: [const { AtomicU64::new(0) }; N],
            above: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    fn observe(&self, value: f64) {
        match self.bounds.iter().position(|b| value <= *b) {
            Some(i) => self.counts[i].fetch_add(1, Relaxed),
            None => self.above.fetch_add(1, Relaxed),
        };
        // Saturating float-to-integer conversion: a negative or absurd value cannot wrap.
        self.sum_micros.fetch_add((value * 1e6) as u64, Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        let join = if labels.is_empty() { "" } else { "," };
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{join}le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.above.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{join}le=\"+Inf\"}} {cumulative}");
        let sum = self.sum_micros.load(Relaxed) as f64 / 1e6;
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// One route's requests: by status, and their latency.
struct RouteStats {
    statuses: BTreeMap<u16, u64>,
    latency: Histogram<12>,
}

/// route → method → its requests. Routes are the application's patterns (`/r/<token>`), never
/// the paths asked for, so the series stay few and hold no secret.
type Routes = BTreeMap<String, BTreeMap<String, RouteStats>>;
static ROUTES: Mutex<Routes> = Mutex::new(BTreeMap::new());
static SAVES: AtomicU64 = AtomicU64::new(0);
static BATCHES: Histogram<8> = Histogram::new(&BATCH);
static CACHE_HITS: AtomicU64 = AtomicU64::new(0);
static CACHE_MISSES: AtomicU64 = AtomicU64::new(0);

/// A request to `route` answered with `status` after `seconds`.
pub fn request(method: &str, route: &str, status: u16, seconds: f64) {
    let mut routes = ROUTES.lock().unwrap_or_else(PoisonError::into_inner);
    // Looked up by reference: a key is allocated once per route and method, not per request.
    if !routes.get(route).is_some_and(|m| m.contains_key(method)) {
        let stats = RouteStats { statuses: BTreeMap::new(), latency: Histogram::new(&LATENCY) };
        routes.entry(route.to_string()).or_default().insert(method.to_string(), stats);
    }
    let Some(stats) = routes.get_mut(route).and_then(|m| m.get_mut(method)) else { return };
    *stats.statuses.entry(status).or_default() += 1;
    stats.latency.observe(seconds);
}

/// An answer page stored (saved, or saved on the way to the next page).
pub fn saved() {
    SAVES.fetch_add(1, Relaxed);
}

/// A group commit that carried `writes` writes.
pub fn batch(writes: usize) {
    BATCHES.observe(writes as f64);
}

/// Figures asked for: served from the cache, or computed.
pub fn figures(from_cache: bool) {
    let counter = if from_cache { &CACHE_HITS } else { &CACHE_MISSES };
    counter.fetch_add(1, Relaxed);
}

/// Everything, in Prometheus' text exposition format (version 0.0.4).
pub fn exposition() -> String {
    let mut out = String::new();
    out.push_str(
        "# HELP dxsurvey_http_requests_total Requests answered, by method, route and status.\n",
    );
    out.push_str("# TYPE dxsurvey_http_requests_total counter\n");
    let routes = ROUTES.lock().unwrap_or_else(PoisonError::into_inner);
    let series =
        || routes.iter().flat_map(|(r, m)| m.iter().map(move |(method, s)| (method, r, s)));
    for (method, route, stats) in series() {
        for (status, count) in &stats.statuses {
            let labels = labels(method, route);
            let _ = writeln!(
                out,
                "dxsurvey_http_requests_total{{{labels},status=\"{status}\"}} {count}"
            );
        }
    }
    out.push_str(
        "# HELP dxsurvey_http_request_duration_seconds Time to answer, by method and route.\n",
    );
    out.push_str("# TYPE dxsurvey_http_request_duration_seconds histogram\n");
    for (method, route, stats) in series() {
        stats.latency.write(
            &mut out,
            "dxsurvey_http_request_duration_seconds",
            &labels(method, route),
        );
    }
    drop(routes);
    out.push_str("# HELP dxsurvey_answer_pages_saved_total Answer pages stored.\n");
    out.push_str("# TYPE dxsurvey_answer_pages_saved_total counter\n");
    let _ = writeln!(out, "dxsurvey_answer_pages_saved_total {}", SAVES.load(Relaxed));
    out.push_str("# HELP dxsurvey_write_batch_size Writes carried by each group commit.\n");
    out.push_str("# TYPE dxsurvey_write_batch_size histogram\n");
    BATCHES.write(&mut out, "dxsurvey_write_batch_size", "");
    out.push_str("# HELP dxsurvey_figures_total Figures asked for, by where they came from.\n");
    out.push_str("# TYPE dxsurvey_figures_total counter\n");
    let _ =
        writeln!(out, "dxsurvey_figures_total{{source=\"cache\"}} {}", CACHE_HITS.load(Relaxed));
    let _ = writeln!(
        out,
        "dxsurvey_figures_total{{source=\"computed\"}} {}",
        CACHE_MISSES.load(Relaxed)
    );
    out
}

/// Label values escaped as the format requires.
fn labels(method: &str, route: &str) -> String {
    let escape = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    format!("method=\"{}\",route=\"{}\"", escape(method), escape(route))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_count_everything() {
        let h: Histogram<3> = Histogram::new(&[1.0, 2.0, 4.0]);
        for v in [0.5, 1.0, 1.5, 3.0, 9.0] {
            h.observe(v);
        }
        let mut out = String::new();
        h.write(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"1\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"2\"} 3\n"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"4\"} 4\n"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 5\n"));
        assert!(out.contains("x_sum{a=\"b\"} 15\n") && out.contains("x_count{a=\"b\"} 5\n"));
    }

    #[test]
    fn a_route_label_cannot_break_the_format() {
        assert_eq!(labels("GET", "/a\"b\\"), "method=\"GET\",route=\"/a\\\"b\\\\\"");
    }
}
