//! Credentials and region from the standard AWS environment and shared files, in the
//! order the AWS CLI reads them; nothing is stored.

use aws_credential_types::Credentials;
use std::path::PathBuf;

/// What a run signs with, and where it runs.
pub struct Account {
    pub credentials: Credentials,
    pub region: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home_file(variable: &str, default: &str) -> Option<PathBuf> {
    env(variable)
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".aws").join(default)))
}

/// A section of an AWS shared file, when the file exists and has it.
fn section(file: Option<PathBuf>, name: &str) -> Option<ini::Properties> {
    let path = file?;
    let text = std::fs::read_to_string(&path).ok()?;
    let parsed = ini::Ini::load_from_str(&text).ok()?;
    parsed.section(Some(name)).cloned()
}

/// Reads the account: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN`, else the profile (`AWS_PROFILE`, or `default`) in
/// `~/.aws/credentials` and `~/.aws/config`; the region from `region` (the `--region`
/// flag), `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's `region`.
pub fn account(region: Option<&str>) -> Result<Account, String> {
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let config_section = if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    };
    let shared = section(
        home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        &profile,
    );
    let config = section(home_file("AWS_CONFIG_FILE", "config"), &config_section);
    let from_files = |key: &str| {
        shared
            .as_ref()
            .and_then(|s| s.get(key))
            .or_else(|| config.as_ref().and_then(|s| s.get(key)))
            .map(str::to_owned)
    };
    let credentials = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Credentials::new(id, secret, env("AWS_SESSION_TOKEN"), None, "environment"),
        _ => match (
            from_files("aws_access_key_id"),
            from_files("aws_secret_access_key"),
        ) {
            (Some(id), Some(secret)) => {
                Credentials::new(id, secret, from_files("aws_session_token"), None, "profile")
            }
            _ => {
                return Err(format!(
                    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile {profile} keys in ~/.aws/credentials (for SSO or a role, `aws configure export-credentials --format env` prints them)"
                ))
            }
        },
    };
    let region = region
        .map(str::to_owned)
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| {
            config
                .as_ref()
                .and_then(|s| s.get("region"))
                .map(str::to_owned)
        })
        .ok_or("no AWS region: pass --region, or set AWS_REGION or a region in ~/.aws/config")?;
    Ok(Account {
        credentials,
        region,
    })
}
