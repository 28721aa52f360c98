//! A description of the machine a benchmark ran on, read from `/proc` and the toolchain.

use serde::Serialize;

/// The facts about the machine that change benchmark numbers.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    /// Logical CPUs available to this process (`nproc`).
    pub cpus: usize,
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `MemTotal` from `/proc/meminfo`, in GiB.
    pub mem_gib: f64,
    /// Kernel release.
    pub kernel: String,
    /// The 1-minute load average when the benchmark started: other work on the machine.
    pub load_1m: f64,
}

impl Machine {
    /// Reads the current machine; fields that cannot be read are left empty or zero.
    pub fn current() -> Self {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let meminfo = read("/proc/meminfo");
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: field(&cpuinfo, "model name").unwrap_or_default().to_owned(),
            mem_gib: field(&meminfo, "MemTotal").and_then(|v| v.trim_end_matches("kB").trim().parse::<f64>().ok()).map_or(0.0, |kib| kib / (1024.0 * 1024.0)),
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
            load_1m: read("/proc/loadavg").split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0.0),
        }
    }

    /// One line for the report header.
    pub fn describe(&self) -> String {
        format!("{} CPUs ({}), {:.1} GiB RAM, Linux {}, load {:.2}", self.cpus, self.cpu_model, self.mem_gib, self.kernel, self.load_1m)
    }
}

/// The value of the first `key: value` line of a `/proc` file.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}
