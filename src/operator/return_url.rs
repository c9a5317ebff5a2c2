//! Where a link may send the merchant back to. Checked when the link is minted, so no link can
//! ever redirect to another site: `https` (or `http` to the machine itself), no userinfo, and a
//! host the operator listed in `OPERATOR_RETURN_HOSTS` (unset: loopback hosts only).

use reqwest::Url;

use crate::server::config::is_loopback;

/// `raw` as it will be followed, or why it may not be.
pub fn check_return_url(raw: &str, allowed_hosts: &[String]) -> Result<String, &'static str> {
    let url = Url::parse(raw.trim()).map_err(|_| "must be an absolute https URL")?;
    let loopback = is_loopback(&url);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err("must be an https URL (http only to a loopback host)"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password");
    }
    let Some(host) = url.host_str() else {
        return Err("must name a host");
    };
    let listed = if allowed_hosts.is_empty() {
        loopback
    } else {
        allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    };
    if !listed {
        return Err("its host is not listed in OPERATOR_RETURN_HOSTS");
    }
    Ok(url.to_string())
}

/// `return_url` with `params` appended to its query (what was there is kept).
pub fn with_query(return_url: &str, params: &[(&str, &str)]) -> Option<String> {
    let mut url = Url::parse(return_url).ok()?;
    url.query_pairs_mut().extend_pairs(params);
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_a_listed_host() {
        let hosts = ["app.example.com".to_owned()];
        let ok = |raw| check_return_url(raw, &hosts);
        assert_eq!(
            ok("https://APP.example.com/done?x=1").as_deref(),
            Ok("https://app.example.com/done?x=1")
        );
        for refused in [
            "https://evil.example/",
            "http://app.example.com/",
            "javascript:alert(1)",
            "//evil.example/",
            "/relative",
            "https://user:pw@app.example.com/",
            "https://app.example.com@evil.example/",
            "https://app.example.com.evil.example/",
            "data:text/html,hi",
            "",
        ] {
            assert!(ok(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn without_a_list_only_loopback() {
        assert!(check_return_url("http://127.0.0.1:8080/back", &[]).is_ok());
        assert!(check_return_url("http://localhost/back", &[]).is_ok());
        assert!(check_return_url("http://[::1]/back", &[]).is_ok());
        assert!(check_return_url("https://app.example.com/", &[]).is_err());
    }

    #[test]
    fn parameters_are_appended_to_the_query() {
        assert_eq!(
            with_query(
                "https://a.example/x?keep=1",
                &[("status", "verified"), ("m", "a b&c")]
            )
            .as_deref(),
            Some("https://a.example/x?keep=1&status=verified&m=a+b%26c")
        );
    }
}
