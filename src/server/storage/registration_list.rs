//! Registrations listed for the operator's read API: filtered, newest first, a page at a time
//! by keyset (the last row's creation time and reference), so pages neither skip nor repeat a
//! row while new ones arrive.

use super::registrations::COLUMNS;
use super::{Database, Registration, RegistrationStatus, StorageError, on_pool};

/// Which registrations, and from where on.
#[derive(Clone, Debug, Default)]
pub struct RegistrationFilter {
    pub merchant_ref: Option<String>,
    pub status: Option<RegistrationStatus>,
    /// Changed at or after this time (Unix milliseconds).
    pub updated_since_ms: Option<i64>,
    /// Only rows after this one in the listing's order: `(created_at_ms, reference)`.
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

/// A value bound to a numbered placeholder.
enum Bound {
    Text(String),
    Number(i64),
}

impl Database {
    /// The registrations `filter` selects, newest first (creation time, then reference).
    pub async fn list_registrations(
        &self,
        filter: &RegistrationFilter,
    ) -> Result<Vec<Registration>, StorageError> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let placeholder = |value: Bound, values: &mut Vec<Bound>| {
            values.push(value);
            format!("${}", values.len())
        };
        if let Some(merchant_ref) = &filter.merchant_ref {
            let p = placeholder(Bound::Text(merchant_ref.clone()), &mut values);
            conditions.push(format!("merchant_ref = {p}"));
        }
        if let Some(status) = filter.status {
            let p = placeholder(Bound::Text(status.as_str().to_owned()), &mut values);
            conditions.push(format!("status = {p}"));
        }
        if let Some(since) = filter.updated_since_ms {
            let p = placeholder(Bound::Number(since), &mut values);
            conditions.push(format!("updated_at_ms >= {p}"));
        }
        if let Some((created_at_ms, reference)) = &filter.after {
            let created = placeholder(Bound::Number(*created_at_ms), &mut values);
            let reference = placeholder(Bound::Text(reference.clone()), &mut values);
            conditions.push(format!(
                "(created_at_ms < {created} OR (created_at_ms = {created} AND reference < {reference}))"
            ));
        }
        let limit = placeholder(Bound::Number(i64::from(filter.limit)), &mut values);
        let conditions = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // Only placeholders and names from this file go into the text; every value is bound.
        let query = format!(
            "SELECT {COLUMNS} FROM registrations {conditions} \
             ORDER BY created_at_ms DESC, reference DESC LIMIT {limit}"
        );
        Ok(on_pool!(self, |pool| {
            let mut rows = sqlx::query_as::<_, Registration>(&query);
            for value in &values {
                rows = match value {
                    Bound::Text(text) => rows.bind(text.as_str()),
                    Bound::Number(number) => rows.bind(*number),
                };
            }
            rows.fetch_all(pool).await?
        }))
    }
}
