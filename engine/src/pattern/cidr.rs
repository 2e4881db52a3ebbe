//! IP address ranges for `cidr` and for exact patterns that are IP literals.
//!
//! Addresses are compared by value in one family: an IPv4 range never contains an IPv6
//! address. Event values that are not valid IP literals (hostnames, `10.0.0.256`, numbers)
//! never match.

use std::net::IpAddr;

/// An inclusive range of addresses in one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    pub v6: bool,
    pub low: u128,
    pub high: u128,
}

fn to_bits(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u32::from(a) as u128),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

impl IpRange {
    /// The one-address range of an IP literal, if `text` is one.
    pub fn single(text: &str) -> Option<IpRange> {
        let (v6, bits) = to_bits(text.parse().ok()?);
        Some(IpRange {
            v6,
            low: bits,
            high: bits,
        })
    }

    /// Parses `ip/mask` with event-ruler's error reasons. Host bits are masked off.
    pub fn parse_cidr(text: &str) -> Result<IpRange, String> {
        let parts: Vec<&str> = text.split('/').collect();
        let [ip, mask] = parts[..] else {
            return Err("Malformed CIDR, one '/' required".into());
        };
        let mask: i64 = mask
            .parse()
            .map_err(|_| "Malformed CIDR, mask bits must be an integer".to_owned())?;
        if mask < 0 {
            return Err("Malformed CIDR, mask bits must not be negative".into());
        }
        let addr: IpAddr = ip
            .parse()
            .map_err(|_| format!("Nonstandard IP address: {ip}"))?;
        let (v6, bits) = to_bits(addr);
        let width: i64 = if v6 { 128 } else { 32 };
        if mask >= width {
            return Err(format!(
                "IPv{} mask bits must be < {width}",
                if v6 { 6 } else { 4 }
            ));
        }
        let host_bits = (width - mask) as u32;
        let host_mask: u128 = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let low = bits & !host_mask;
        Ok(IpRange {
            v6,
            low,
            high: low | host_mask,
        })
    }

    /// Whether the string `value` is an IP literal inside this range.
    pub fn contains(&self, value: &str) -> bool {
        match value.parse::<IpAddr>() {
            Ok(ip) => {
                let (v6, bits) = to_bits(ip);
                v6 == self.v6 && (self.low..=self.high).contains(&bits)
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_bits_are_masked_off() {
        let a = IpRange::parse_cidr("10.0.0.5/24").expect("valid");
        assert_eq!(a, IpRange::parse_cidr("10.0.0.0/24").expect("valid"));
        assert!(a.contains("10.0.0.255") && !a.contains("10.0.1.0"));
    }

    #[test]
    fn ipv6_compares_by_value_in_any_text_form() {
        let r = IpRange::parse_cidr("2001:db8::/32").expect("valid");
        assert!(r.contains("2001:0db8:0:0:0:0:0:1"));
        assert!(!r.contains("10.0.0.1"));
        assert!(IpRange::single("2001:db8::1")
            .expect("ip")
            .contains("2001:0db8:0:0:0:0:0:1"));
    }

    #[test]
    fn invalid_literals_never_match() {
        let all = IpRange::parse_cidr("0.0.0.0/0").expect("mask 0 is allowed");
        assert!(all.contains("255.255.255.255"));
        assert!(
            !all.contains("10.0.0.256")
                && !all.contains("example.com")
                && !all.contains("010.0.0.1")
        );
    }

    #[test]
    fn malformed_cidrs_give_event_ruler_reasons() {
        assert_eq!(
            IpRange::parse_cidr("10.0.0.0"),
            Err("Malformed CIDR, one '/' required".into())
        );
        assert_eq!(
            IpRange::parse_cidr("10.0.0.0/x"),
            Err("Malformed CIDR, mask bits must be an integer".into())
        );
        assert_eq!(
            IpRange::parse_cidr("10.0.0.0/-1"),
            Err("Malformed CIDR, mask bits must not be negative".into())
        );
        assert_eq!(
            IpRange::parse_cidr("10.0.0.256/8"),
            Err("Nonstandard IP address: 10.0.0.256".into())
        );
        assert_eq!(
            IpRange::parse_cidr("10.0.0.1/32"),
            Err("IPv4 mask bits must be < 32".into())
        );
        assert_eq!(
            IpRange::parse_cidr("::1/128"),
            Err("IPv6 mask bits must be < 128".into())
        );
    }
}
