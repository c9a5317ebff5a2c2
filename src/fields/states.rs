//! The `address-level1` choices: every USPS code that takes domestic mail.

/// `(USPS code, name)`: the 50 states and the District of Columbia in alphabetical order, then the
/// territories, the freely associated states and the Armed Forces (APO/FPO/DPO) codes.
/// UM (the minor outlying islands), also in the USPS list, is left out: it has no permanent population.
pub const US_STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("AS", "American Samoa"),
    ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
    ("FM", "Federated States of Micronesia"),
    ("MH", "Marshall Islands"),
    ("PW", "Palau"),
    ("AA", "Armed Forces Americas, except Canada (AA)"),
    (
        "AE",
        "Armed Forces Europe, Middle East, Africa and Canada (AE)",
    ),
    ("AP", "Armed Forces Pacific (AP)"),
];

/// Whether `code` is one of [`US_STATES`], exactly as listed (upper case, no spaces).
pub fn is_us_state(code: &str) -> bool {
    US_STATES.iter().any(|&(listed, _)| listed == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn fifty_states_dc_5_territories_3_freely_associated_3_military() {
        assert_eq!(US_STATES.len(), 50 + 1 + 5 + 3 + 3);
    }

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = US_STATES.iter().map(|(code, _)| code).collect();
        let names: HashSet<_> = US_STATES.iter().map(|(_, name)| name).collect();
        assert_eq!(codes.len(), US_STATES.len());
        assert_eq!(names.len(), US_STATES.len());
    }

    #[test]
    fn codes_are_two_capital_letters() {
        for (code, _) in US_STATES {
            assert!(
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()),
                "{code}"
            );
        }
    }

    #[test]
    fn knows_every_kind_of_code() {
        for code in [
            "TX", "DC", "PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW", "AA", "AE", "AP",
        ] {
            assert!(is_us_state(code), "{code}");
        }
    }

    #[test]
    fn rejects_anything_else() {
        for code in ["", "tx", " TX", "XX", "UM", "Texas", "T"] {
            assert!(!is_us_state(code), "{code:?}");
        }
    }
}
