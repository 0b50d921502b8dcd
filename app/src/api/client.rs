//! Who is asking: the peer address, or the client named in
//! `X-Forwarded-For` when the peer is a trusted proxy. Both doors use this.

use crate::core::config::TrustedProxies;
use crate::core::flows::throttle::Client;
use axum::http::HeaderMap;
use std::net::IpAddr;

/// Walks `X-Forwarded-For` from the right, past trusted proxies.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Option<IpAddr> {
    let mut ip = peer?;
    if !trusted.contains(ip) {
        return Some(ip);
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for hop in hops.into_iter().rev() {
        ip = hop;
        if !trusted.contains(hop) {
            break;
        }
    }
    Some(ip)
}

pub fn client(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Client {
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().filter(|c| !c.is_control()).take(255).collect());
    Client { ip: client_ip(peer, headers, trusted), user_agent }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().unwrap_or_default();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 10.0.0.7"));
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let stranger: IpAddr = [198, 51, 100, 1].into();
        assert_eq!(client_ip(Some(proxy), &h, &trusted), Some([203, 0, 113, 9].into()));
        assert_eq!(client_ip(Some(stranger), &h, &trusted), Some(stranger));
        assert_eq!(client_ip(None, &h, &trusted), None);
    }
}
