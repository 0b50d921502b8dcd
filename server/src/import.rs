//! `latchkey import-users FILE.csv [--emails-verified]`: reads a CSV export
//! of Django's `auth_user` table (with its header row) into Latchkey.

use anyhow::Context;
use app::core::flows::import::{DjangoUser, Imported};
use app::core::{Engine, FlowError};
use std::collections::HashMap;
use std::path::Path;

/// What an import did, for the closing report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub created: usize,
    pub existing: usize,
    pub rejected: Vec<String>,
}

/// Django timestamps: `2024-05-01 12:34:56.123456+00:00` or RFC 3339.
fn timestamp(raw: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let normalized = raw.replacen(' ', "T", 1);
    let with_zone = if normalized.ends_with("+00") { format!("{normalized}:00") } else { normalized };
    time::OffsetDateTime::parse(&with_zone, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&format!("{with_zone}Z"), &Rfc3339))
        .ok()
        .map(|t| t.unix_timestamp())
}

fn truthy(raw: &str) -> bool {
    matches!(raw.trim().to_ascii_lowercase().as_str(), "1" | "t" | "true" | "yes")
}

/// Imports every row; a bad row is reported and skipped, never fatal.
///
/// # Errors
/// An unreadable file or a missing column.
pub async fn run(engine: &Engine, path: &Path, emails_verified: bool) -> anyhow::Result<Report> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let headers: HashMap<String, usize> =
        reader.headers()?.iter().enumerate().map(|(i, h)| (h.trim().to_ascii_lowercase(), i)).collect();
    for needed in ["username", "password", "email"] {
        anyhow::ensure!(headers.contains_key(needed), "the CSV has no {needed:?} column");
    }
    let mut report = Report::default();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.rejected.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let col = |name: &str| headers.get(name).and_then(|i| record.get(*i)).unwrap_or("").to_owned();
        let row = DjangoUser {
            username: col("username"),
            email: col("email"),
            password: col("password"),
            first_name: col("first_name"),
            last_name: col("last_name"),
            is_active: !headers.contains_key("is_active") || truthy(&col("is_active")),
            date_joined: timestamp(&col("date_joined")),
            last_login: timestamp(&col("last_login")),
        };
        match engine.import_django_user(row, emails_verified).await {
            Ok(Imported::Created) => report.created += 1,
            Ok(Imported::Exists) => report.existing += 1,
            Err(FlowError::Invalid(e)) => {
                let why: Vec<String> = app::dialects::dj_rest_auth::render(&e)
                    .0
                    .into_iter()
                    .map(|(f, m)| format!("{f}: {}", m.join(" ")))
                    .collect();
                report.rejected.push(format!("line {line}: {}", why.join("; ")));
            }
            Err(e) => return Err(anyhow::anyhow!("line {line}: {e}")),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn django_timestamps() {
        assert_eq!(super::timestamp("2024-05-01 12:00:00+00:00"), Some(1_714_564_800));
        assert_eq!(super::timestamp("2024-05-01 12:00:00.5+00"), Some(1_714_564_800));
        assert_eq!(super::timestamp("2024-05-01T12:00:00Z"), Some(1_714_564_800));
        assert_eq!(super::timestamp(""), None);
        assert_eq!(super::timestamp("yesterday"), None);
    }
}
