//! `GET /v1/carriers`: every carrier of the account, in the shape of ShipEngine's
//! `carrier_list_response_body` (`schemas/carrier.yaml` for each carrier).

use serde_json::{Value, json};

use super::funds::dollars;
use super::verification::{Carrier, STAMPS_COM};

/// The answer's body: `{"carriers": [...], "request_id", "errors": []}`.
pub(crate) fn carrier_list(carriers: &[Carrier], request_id: &str) -> Value {
    json!({
        "carriers": carriers.iter().map(carrier).collect::<Vec<_>>(),
        "request_id": request_id,
        "errors": [],
    })
}

/// One carrier (`schemas/carrier.yaml`), as the list and `GET /v1/carriers/{carrier_id}` show it.
pub(crate) fn carrier(carrier: &Carrier) -> Value {
    let stamps = carrier.carrier_code == STAMPS_COM;
    let digits = carrier.carrier_id.trim_start_matches("se-");
    json!({
        "carrier_id": carrier.carrier_id,
        "carrier_code": carrier.carrier_code,
        "account_number": format!("sim{digits}"),
        // Postage is bought from a Stamps.com balance; a new account has none yet.
        "requires_funded_amount": stamps,
        "balance": dollars(carrier.balance_cents),
        "nickname": carrier.nickname,
        "friendly_name": if stamps { "Stamps.com" } else { carrier.carrier_code.as_str() },
        "primary": false,
        "has_multi_package_supporting_services": false,
        "supports_label_messages": stamps,
        "disabled_by_billing_plan": false,
        "funding_source_id": null,
        "services": [],
        "packages": [],
        "options": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_carrier_has_the_documented_fields() {
        let listed = [Carrier {
            carrier_id: "se-1234567".into(),
            carrier_code: STAMPS_COM.into(),
            nickname: "Mine".into(),
            balance_cents: 4217,
            funding: Default::default(),
        }];
        let body = carrier_list(&listed, "7b1c0e52-3f");
        assert_eq!(body["errors"], json!([]));
        assert_eq!(body["request_id"], "7b1c0e52-3f");
        let first = &body["carriers"][0];
        assert_eq!(first["carrier_id"], "se-1234567");
        assert_eq!(first["carrier_code"], "stamps_com");
        assert_eq!(first["nickname"], "Mine");
        assert_eq!(first["friendly_name"], "Stamps.com");
        assert_eq!(first["balance"], 42.17);
        for field in [
            "account_number",
            "requires_funded_amount",
            "primary",
            "has_multi_package_supporting_services",
            "supports_label_messages",
            "disabled_by_billing_plan",
            "funding_source_id",
            "services",
            "packages",
            "options",
        ] {
            assert!(first.get(field).is_some(), "{field}");
        }
    }
}
