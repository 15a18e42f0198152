//! Network addresses as the limits and the audit log count them: who the client is behind a
//! chain of proxies, and which addresses one client can hold at once.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A network written as `address/prefix` (`10.0.0.0/8`, `fd00::/8`) or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` is in this network. An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is
    /// the IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(ip)), 32, self.prefix)
                    == masked(u128::from(u32::from(base)), 32, self.prefix)
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                masked(u128::from(ip), 128, self.prefix)
                    == masked(u128::from(base), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// The first `prefix` of the `bits` bits of `value`.
fn masked(value: u128, bits: u8, prefix: u8) -> u128 {
    if prefix == 0 { 0 } else { value >> (bits - prefix) }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or network (e.g. 10.0.0.0/8)"))?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix =
            match prefix {
                None => bits,
                Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(|| {
                    format!("{text:?}: the prefix must be a number from 0 to {bits}")
                })?,
            };
        Ok(Network { base: base.to_canonical(), prefix })
    }
}

impl TryFrom<String> for Network {
    type Error = String;

    fn try_from(text: String) -> Result<Network, String> {
        text.parse()
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the right-most
/// address of `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it
/// saw, so everything left of the first untrusted entry was written by the client and proves
/// nothing). An entry that is not an address ends the walk at the hop that wrote it.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops = forwarded_for.iter().rev().flat_map(|h| h.rsplit(',')).map(str::trim);
    for hop in hops {
        let Ok(ip) = hop.parse::<IpAddr>() else { return client };
        client = ip.to_canonical();
        if !is_trusted(client) {
            return client;
        }
    }
    client
}

/// What one client can be held to: an IPv4 address, or the /64 network of an IPv6 address
/// (one subscriber gets a whole /64 and can change addresses within it at will).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(ip: IpAddr) -> AddressKey {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                AddressKey(IpAddr::V6(network.into()))
            }
            v4 => AddressKey(v4),
        }
    }
}

impl fmt::Display for AddressKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
            v4 => write!(f, "{v4}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn networks(list: &[&str]) -> Vec<Network> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn networks_hold_their_addresses_only() {
        let lan: Network = "10.1.0.0/16".parse().unwrap();
        assert!(lan.contains(ip("10.1.255.3")) && !lan.contains(ip("10.2.0.1")));
        assert!(lan.contains(ip("::ffff:10.1.0.9")), "an IPv4 address written as IPv6");
        let one: Network = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: Network = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(!v6.contains(ip("10.1.0.1")));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "localhost", "10.0.0.0/x", "::/129", ""] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_about_the_client() {
        let proxies = networks(&["127.0.0.1", "10.0.0.0/8"]);
        // From a stranger, the headers say nothing.
        assert_eq!(client_address(ip("203.0.113.9"), &["1.2.3.4"], &proxies), ip("203.0.113.9"));
        // Through the proxy: the address it saw.
        assert_eq!(client_address(ip("127.0.0.1"), &["203.0.113.9"], &proxies), ip("203.0.113.9"));
        // A client's own forged entry is left of the one the proxy appended.
        let forged = ["1.2.3.4, 203.0.113.9"];
        assert_eq!(client_address(ip("127.0.0.1"), &forged, &proxies), ip("203.0.113.9"));
        // Two proxies: the inner one is skipped; headers repeated count in order.
        let chain = ["1.2.3.4", "203.0.113.9, 10.0.0.5"];
        assert_eq!(client_address(ip("127.0.0.1"), &chain, &proxies), ip("203.0.113.9"));
        // Garbage written by a hop ends the walk at that hop.
        assert_eq!(client_address(ip("127.0.0.1"), &["junk"], &proxies), ip("127.0.0.1"));
        assert_eq!(client_address(ip("127.0.0.1"), &["junk, 10.0.0.5"], &proxies), ip("10.0.0.5"));
        // No header: the proxy itself (a request it made on its own).
        assert_eq!(client_address(ip("127.0.0.1"), &[], &proxies), ip("127.0.0.1"));
        // No proxy trusted: never believed.
        assert_eq!(client_address(ip("127.0.0.1"), &["1.2.3.4"], &[]), ip("127.0.0.1"));
    }

    #[test]
    fn one_ipv6_subscriber_is_one_client() {
        let a = AddressKey::of(ip("2001:db8:1:2:aaaa::1"));
        let b = AddressKey::of(ip("2001:db8:1:2:ffff::9"));
        assert_eq!(a, b);
        assert_ne!(a, AddressKey::of(ip("2001:db8:1:3::1")));
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_eq!(AddressKey::of(ip("::ffff:192.0.2.1")).to_string(), "192.0.2.1");
    }
}
