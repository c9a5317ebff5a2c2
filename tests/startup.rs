//! Start-up: a bad configuration value stops the app with one clear line and a non-zero exit.
#![cfg(feature = "ssr")]

use std::process::Command;

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
            !stderr.contains("has a space"),
            "the key's value is never echoed"
        );
    }
}
