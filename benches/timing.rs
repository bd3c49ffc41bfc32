//! The timing loop every bench of hagen's prints with, so that their lines
//! read alike. Included by path by each bench binary.

use std::time::{Duration, Instant};

/// Runs `f` `rounds` times, prints the median, minimum and maximum under
/// `what`, and returns the median.
pub fn report(what: &str, rounds: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "  {what:<40} median {median:>10.3?}  min {:>10.3?}  max {:>10.3?}",
        times[0],
        times[times.len() - 1]
    );
    median
}
