//! Start-up: a bad configuration value stops the app with one clear line and a non-zero exit.
#![cfg(feature = "ssr")]

use std::process::Command;

/// A key distinctive enough to be looked for in what the app prints.
const KEY: &str = "sk_startup_key_5f2a9c";

fn start_with(vars: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stamps-connect"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .expect("the binary runs")
}

#[test]
fn a_bad_value_stops_start_up_with_one_line_naming_it() {
    for (vars, name) in [
        (vec![("LISTEN_ADDR", "not-an-address")], "LISTEN_ADDR"),
        (
            vec![("SHIPENGINE_API_KEY", "has a space")],
            "SHIPENGINE_API_KEY",
        ),
        (
            vec![
                ("SHIPENGINE_API_KEY", "k"),
                ("SHIPENGINE_BASE_URL", "ftp://example.com"),
            ],
            "SHIPENGINE_BASE_URL",
        ),
        // The key would cross the network in clear.
        (
            vec![
                ("SHIPENGINE_API_KEY", KEY),
                ("SHIPENGINE_BASE_URL", "http://api.shipengine.com"),
            ],
            "SHIPENGINE_BASE_URL",
        ),
        // Demo mode (no key) on an address others can reach: real cards into a simulator.
        (vec![("LISTEN_ADDR", "0.0.0.0:3000")], "LISTEN_ADDR"),
        (
            vec![("LISTEN_ADDR", "0.0.0.0:3000"), ("DEMO_PUBLIC", "maybe")],
            "DEMO_PUBLIC",
        ),
        // Shorter than a registration can take (30 s × 3 attempts + waits).
        (
            vec![("HTTP_REQUEST_TIMEOUT_SECS", "60")],
            "HTTP_REQUEST_TIMEOUT_SECS",
        ),
        (
            vec![("HTTP_HEADER_TIMEOUT_SECS", "0")],
            "HTTP_HEADER_TIMEOUT_SECS",
        ),
        (vec![("SHUTDOWN_GRACE_SECS", "soon")], "SHUTDOWN_GRACE_SECS"),
    ] {
        let output = start_with(&vars);
        assert!(!output.status.success(), "{name}: it must not start");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "{name}: one line, got {stderr:?}");
        assert!(lines[0].contains(name), "{name}: {stderr:?}");
        assert!(
            !stderr.contains("has a space") && !stderr.contains(KEY),
            "the key's value is never echoed"
        );
    }
}
