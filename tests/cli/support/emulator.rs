//! Local AWS emulators for tests: moto server 5.2.5 and LocalStack core
//! 2026.3.0, from the pinned venvs that `tools/venv.sh` builds. Each
//! [`Emulator`] listens on 127.0.0.1 on a free port, in its own process
//! group, and is stopped on drop (SIGTERM, then SIGKILL after a few
//! seconds). A test never skips: when an emulator cannot start, it panics
//! with the reason and the end of the emulator's log.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http;

/// Which emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// moto server: the whole SwiftCode template, resources checkable
    /// through service APIs; synchronous execution, stack-level events only.
    Moto,
    /// LocalStack: asynchronous execution with per-resource events,
    /// failures, rollbacks, replacement info and outputs.
    LocalStack,
}

impl Kind {
    fn venv_name(self) -> &'static str {
        match self {
            Kind::Moto => "moto",
            Kind::LocalStack => "localstack",
        }
    }
}

/// A running emulator.
pub struct Emulator {
    pub kind: Kind,
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

pub use crate::tools::venv;

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Emulator {
    /// Starts moto server.
    pub fn moto() -> Emulator {
        Self::start(Kind::Moto)
    }

    /// Starts LocalStack (CloudFormation, EC2, IAM, STS, SNS, S3).
    pub fn localstack() -> Emulator {
        Self::start(Kind::LocalStack)
    }

    fn start(kind: Kind) -> Emulator {
        let venv = venv(kind.venv_name());
        let mut last_failure = String::new();
        // A port can be taken between probing and binding: try a few.
        for _ in 0..3 {
            let port = free_port();
            let dir = tempfile::tempdir().expect("temp dir for the emulator");
            let log_path = dir.path().join("emulator.log");
            let log = File::create(&log_path).expect("emulator log file");
            let log2 = log.try_clone().expect("emulator log file");
            let mut cmd = match kind {
                Kind::Moto => {
                    let mut c = Command::new(venv.join("bin/moto_server"));
                    c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
                    c
                }
                Kind::LocalStack => {
                    let fs_root = dir.path().join("fs");
                    std::fs::create_dir_all(&fs_root).expect("LocalStack filesystem root");
                    let mut c = Command::new(venv.join("bin/python"));
                    c.args(["-m", "localstack.runtime.main"])
                        .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
                        // The default server binds 0.0.0.0 whatever GATEWAY_LISTEN says.
                        .env("GATEWAY_SERVER", "hypercorn")
                        // The machine looks like a container; without this LocalStack
                        // writes under /var/lib, /etc and /usr/lib.
                        .env("OVERRIDE_IN_DOCKER", "0")
                        .env("FILESYSTEM_ROOT", &fs_root)
                        .env("DNS_ADDRESS", "0")
                        .env("DISABLE_EVENTS", "1")
                        .env("SKIP_SSL_CERT_DOWNLOAD", "1")
                        .env("PERSISTENCE", "0")
                        .env("SERVICES", "cloudformation,ec2,iam,sts,sns,s3")
                        .current_dir(dir.path());
                    c
                }
            };
            cmd.stdin(Stdio::null())
                .stdout(Stdio::from(log))
                .stderr(Stdio::from(log2))
                .env_remove("AWS_ENDPOINT_URL")
                .process_group(0);
            let child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {kind:?} from {}: {e}", venv.display()));
            let mut emulator = Emulator {
                kind,
                port,
                child,
                dir,
            };
            match emulator.wait_ready(Duration::from_secs(120)) {
                Ok(()) => return emulator,
                Err(reason) => {
                    last_failure = format!(
                        "{reason}\n--- last lines of {} ---\n{}",
                        log_path.display(),
                        tail(&log_path, 40)
                    );
                    // Drop stops it; a port clash shows as an early exit.
                }
            }
        }
        panic!("{kind:?} did not start on 127.0.0.1: {last_failure}");
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        let addr = format!("127.0.0.1:{}", self.port);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{:?} exited early with {status}", self.kind));
            }
            let ready = match self.kind {
                Kind::Moto => http::request(&addr, "GET", "/moto-api/", &[], "")
                    .map(|r| r.status == 200)
                    .unwrap_or(false),
                Kind::LocalStack => http::request(&addr, "GET", "/_localstack/health", &[], "")
                    .map(|r| {
                        r.status == 200
                            && ["cloudformation", "s3", "ec2"].iter().all(|s| {
                                r.body.contains(&format!("\"{s}\": \"available\""))
                                    || r.body.contains(&format!("\"{s}\": \"running\""))
                            })
                    })
                    .unwrap_or(false),
            };
            if ready {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err(format!(
                    "{:?} not ready on {addr} after {} s",
                    self.kind,
                    limit.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A scratch directory that lives as long as the emulator.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // Children of the group may linger: make sure.
                self.signal_group("-KILL");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.signal_group("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
