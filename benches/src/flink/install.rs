//! Where Flink runs: the OpenJDK 17 of the machine and the virtualenv with PyFlink, set up by
//! `scripts/setup_flink_venv.sh` (which installs `apache-flink` on first use), and the command
//! that starts `scripts/flink_driver.py` in them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::driver::FlinkMode;

/// A Java 17 and a Python with PyFlink: everything a Flink run needs.
#[derive(Clone, Debug)]
pub struct FlinkEnv {
    /// The virtualenv's Python, which imports `pyflink`.
    pub python: PathBuf,
    /// `JAVA_HOME` of an OpenJDK 17 (Flink 2.x runs on Java 11, 17 and 21; PyFlink's tests here
    /// use 17).
    pub java_home: PathBuf,
    /// `scripts/flink_driver.py`.
    pub driver: PathBuf,
}

/// `benches/scripts`, found from this crate's manifest directory at build time.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts")
}

/// `$JAVA_HOME` when it is a Java 17, else the first `/usr/lib/jvm/java-17-openjdk*` with a
/// `bin/java`.
pub fn java_home() -> Result<PathBuf, String> {
    if let Some(home) = std::env::var_os("JAVA_HOME").map(PathBuf::from)
        && home.join("bin/java").is_file()
        && home.to_string_lossy().contains("17")
    {
        return Ok(home);
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/jvm").map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    candidates.sort();
    candidates
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("java-17-openjdk")) && p.join("bin/java").is_file())
        .ok_or_else(|| "no Java 17 found (JAVA_HOME, /usr/lib/jvm/java-17-openjdk*): install it, e.g. apt-get install openjdk-17-jre-headless".to_string())
}

impl FlinkEnv {
    /// Finds Java 17 and sets up (or reuses) the PyFlink virtualenv; the error says what is
    /// missing and how to get it.
    pub fn setup() -> Result<FlinkEnv, String> {
        let java_home = java_home()?;
        let driver = scripts_dir().join("flink_driver.py");
        if !driver.is_file() {
            return Err(format!("{} not found", driver.display()));
        }
        let script = scripts_dir().join("setup_flink_venv.sh");
        eprintln!("setting up the Flink baseline's virtualenv with {}", script.display());
        let out = Command::new("bash").arg(&script).stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if !out.status.success() {
            return Err(format!("{} failed ({}): Flink is not available (see its message above)", script.display(), out.status));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let python = text.lines().last().map(|l| PathBuf::from(l.trim())).filter(|p| p.is_file());
        let python = python.ok_or_else(|| format!("{} printed no Python path", script.display()))?;
        Ok(FlinkEnv { python, java_home, driver })
    }

    /// The command that runs the driver on `job` in `mode` with `parallelism` task slots,
    /// with Java 17 first on the `PATH` and no `FLINK_*` variables of the caller (a
    /// `FLINK_HOME` of another installation would be picked up instead of PyFlink's).
    pub fn command(&self, job: &Path, mode: FlinkMode, parallelism: usize) -> Command {
        let mut c = Command::new(&self.python);
        c.arg(&self.driver).arg("--job").arg(job).args(["--mode", mode.name(), "--parallelism", &parallelism.to_string()]);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("FLINK_") {
                c.env_remove(key);
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.java_home.join("bin")];
        paths.extend(std::env::split_paths(&path));
        c.env("JAVA_HOME", &self.java_home);
        if let Ok(joined) = std::env::join_paths(paths) {
            c.env("PATH", joined);
        }
        c
    }
}
