//! Who the client is, for rate limits: the TCP peer, or the address a trusted reverse
//! proxy forwarded in `X-Forwarded-For`.
//!
//! **Architecture Invariant:** `X-Forwarded-For` is read only when the TCP peer is inside
//! one of the configured trusted proxy networks (`--trusted-proxy`), and then its
//! right-most entry that is not itself a trusted proxy is the client: entries further left
//! were written by the client and prove nothing. Without trusted proxies the header is
//! ignored. The address is used only to pick a rate-limit bucket (hashed with a
//! per-process salt in [`crate::limit::Limiter`]); it is never stored or logged, least of
//! all on speak-up routes. Checked by `attacks::edge` (`forged_forwarded_for_*`,
//! `one_client_behind_the_proxy_*`).

use axum::extract::connect_info::ConnectInfo;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

pub use righttrack_core::net::{parse_list, Cidr};

/// The TCP peer as recorded by [`crate::serve`] (absent when the router is driven
/// without a listener, as in tests).
pub type Peer = Option<axum::Extension<ConnectInfo<SocketAddr>>>;

/// The client's address for rate limits: the forwarded address when the peer is a
/// trusted proxy, else the peer. `None` when the peer is unknown.
pub fn address(trusted: &[Cidr], peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
    let peer = peer?.ip().to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut client = peer;
    // Every X-Forwarded-For line, in order, read as one list, right to left.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.iter().rev() {
        let Some(ip) = parse_entry(entry) else {
            // Garbage where an address should be: what is left of it was not written by
            // a trusted proxy. The last trusted hop stands for the client (its bucket is
            // shared, which is stricter, never looser).
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: an address, optionally `[v6]:port` or `v4:port`.
fn parse_entry(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    s.parse::<SocketAddr>().ok().map(|a| a.ip().to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(xff: &[&str]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for v in xff {
            m.append("x-forwarded-for", v.parse().unwrap());
        }
        m
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // Direct client: its forged header is ignored.
        assert_eq!(
            address(&trusted, peer("198.51.100.7:1"), &h(&["203.0.113.1"])),
            ip("198.51.100.7")
        );
        // Through the proxy: the right-most untrusted entry, whatever the client wrote
        // to its left.
        assert_eq!(
            address(&trusted, peer("10.0.0.2:1"), &h(&["1.2.3.4, 198.51.100.7"])),
            ip("198.51.100.7")
        );
        assert_eq!(
            address(
                &trusted,
                peer("10.0.0.2:1"),
                &h(&["1.2.3.4", "198.51.100.7, 10.0.0.9"])
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            address(&trusted, peer("10.0.0.2:1"), &h(&["[2001:db8::1]:443"])),
            ip("2001:db8::1")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(
            address(&trusted, peer("10.0.0.2:1"), &h(&[])),
            ip("10.0.0.2")
        );
        assert_eq!(
            address(&trusted, peer("10.0.0.2:1"), &h(&["1.2.3.4, junk"])),
            ip("10.0.0.2")
        );
        // No trusted proxies: never read.
        assert_eq!(
            address(&[], peer("10.0.0.2:1"), &h(&["198.51.100.7"])),
            ip("10.0.0.2")
        );
        assert_eq!(address(&trusted, None, &h(&["198.51.100.7"])), None);
    }
}
