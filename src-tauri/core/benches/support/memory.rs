//! Peak memory for the benchmarks, from /proc/self (Linux): reset the peak before a stage, read
//! it after.

/// (resident now, peak since the last reset) in MiB.
pub fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

/// Starts a new peak-memory measurement (writing 5 to clear_refs resets the peak on Linux) and
/// answers the resident memory at the start, in MiB.
pub fn reset_peak() -> f64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    memory().0
}

/// "peak RSS 88 MiB (+48 MiB)": the process's peak since `reset_peak`, and how far above the
/// resident memory at the start of the stage.
pub fn peak_since(start: f64) -> String {
    let peak = memory().1;
    format!("peak RSS {peak:.0} MiB (+{:.0} MiB)", peak - start)
}
