//! The links into a merchant's Stamps.com account, asked from ShipEngine each time.

use super::AccountLink;
use crate::i18n::Text;
use crate::server::AppState;
use crate::server::shipengine::{AccountUrl, AccountUrlType, CarrierId};

/// The pages offered, in the order shown, with their labels.
const PAGES: [(AccountUrlType, Text); 3] = [
    (AccountUrlType::PaymentMethods, Text::ManageChangeCard),
    (AccountUrlType::AccountSettings, Text::ManageAccountSettings),
    (AccountUrlType::ReportBalances, Text::ManageBalanceReports),
];

/// The links could not be had; `reference` (ShipEngine's request id) is for support.
#[derive(Debug, PartialEq, Eq)]
pub struct Unavailable {
    pub reference: Option<String>,
}

/// The links of the account `carrier_id`, one per page offered that ShipEngine gave. A failure
/// is logged here (with its request id) and is [`Unavailable`].
pub async fn account_links(
    state: &AppState,
    carrier_id: &str,
) -> Result<Vec<AccountLink>, Unavailable> {
    let Ok(carrier) = CarrierId::parse(carrier_id) else {
        tracing::error!(%carrier_id, "a done registration holds a carrier id ShipEngine never gives");
        return Err(Unavailable { reference: None });
    };
    let types = PAGES.map(|(url_type, _)| url_type);
    match state
        .shipengine
        .request_account_urls(&carrier, &types)
        .await
    {
        Ok(answer) => Ok(links_of(answer.urls)),
        Err(error) => {
            tracing::warn!(%carrier_id, request_id = ?error.request_id(), %error, "account links not given");
            Err(Unavailable {
                reference: error.request_id().map(str::to_owned),
            })
        }
    }
}

/// The links in the page's order, labelled; only `https` ones (a link is followed by the
/// merchant's browser: nothing else may get into an `href`).
fn links_of(urls: Vec<AccountUrl>) -> Vec<AccountLink> {
    PAGES
        .iter()
        .filter_map(|(url_type, label)| {
            let given = urls.iter().find(|given| &given.url_type == url_type)?;
            given.url.starts_with("https://").then(|| AccountLink {
                label: *label,
                url: given.url.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(url_type: AccountUrlType, url: &str) -> AccountUrl {
        AccountUrl {
            url_type,
            url: url.into(),
        }
    }

    #[test]
    fn links_come_in_the_pages_order_labelled_and_https_only() {
        let links = links_of(vec![
            url(
                AccountUrlType::ReportBalances,
                "https://s.test/report?token=1",
            ),
            url(AccountUrlType::AccountSettings, "javascript:alert(1)"),
            url(AccountUrlType::PaymentMethods, "https://s.test/pay?token=2"),
            url(AccountUrlType::ManifestForm, "https://s.test/manifest"),
        ]);
        let shown: Vec<_> = links.iter().map(|l| (l.label, l.url.as_str())).collect();
        assert_eq!(
            shown,
            [
                (Text::ManageChangeCard, "https://s.test/pay?token=2"),
                (Text::ManageBalanceReports, "https://s.test/report?token=1"),
            ]
        );
    }
}
