//! The registrations as CSV (RFC 4180), safe to open in a spreadsheet: a cell that a spreadsheet
//! would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
//! leading `'`, so it is shown as text.

use super::dates::format_iso;
use crate::server::storage::Registration;

const HEADER: [&str; 12] = [
    "reference",
    "created_at",
    "updated_at",
    "status",
    "email",
    "nickname",
    "merchant_ref",
    "carrier_id",
    "card_brand",
    "card_last4",
    "register_request_id",
    "last_error",
];

pub fn registrations_csv(rows: &[Registration]) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().copied());
    for row in rows {
        let created = format_iso(row.created_at_ms);
        let updated = format_iso(row.updated_at_ms);
        push_row(
            &mut out,
            [
                row.reference.as_str(),
                &created,
                &updated,
                row.status.as_str(),
                &row.email,
                &row.nickname,
                row.merchant_ref.as_deref().unwrap_or_default(),
                row.carrier_id.as_deref().unwrap_or_default(),
                &row.card_brand,
                &row.card_last4,
                row.register_request_id.as_deref().unwrap_or_default(),
                row.last_error.as_deref().unwrap_or_default(),
            ],
        );
    }
    out
}

fn push_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&cell_text(cell));
    }
    out.push_str("\r\n");
}

/// One cell: neutralised, then quoted when it holds a comma, a quote or a line break.
pub fn cell_text(cell: &str) -> String {
    let neutralised = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if neutralised.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutralised.replace('"', "\"\""))
    } else {
        neutralised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_as_text_and_special_characters_quoted() {
        assert_eq!(cell_text("Corner shop"), "Corner shop");
        assert_eq!(cell_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell_text("+1"), "'+1");
        assert_eq!(cell_text("-2"), "'-2");
        assert_eq!(cell_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell_text("\tx"), "'\tx");
        assert_eq!(cell_text("\rx"), "\"'\rx\"");
        assert_eq!(cell_text("a,b"), "\"a,b\"");
        assert_eq!(cell_text("a\nb"), "\"a\nb\"");
        assert_eq!(cell_text("ana@example.com"), "ana@example.com");
    }
}
