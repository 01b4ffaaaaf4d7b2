//! Checksums and issuer tables: the part of detection that needs no context.
//!
//! A card number is only a card number if the Luhn check passes *and* its prefix
//! and length belong to a brand (IIN table, incl. Mastercard 2221–2720). SSNs
//! follow the SSA area/group/serial rules, ABA routing numbers their 3-7-1
//! weighted checksum, IBANs ISO 13616 mod-97 with the registry's country length.
//! All functions take ASCII digit values (0..=9), not characters.

/// Luhn (mod 10) check over digit values.
pub fn luhn(d: &[u8]) -> bool {
    if d.len() < 2 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn prefix(d: &[u8], n: usize) -> u32 {
    d.iter().take(n).fold(0u32, |a, &x| a * 10 + u32::from(x))
}

/// Card brand for a digit string, if prefix and length match a known IIN range.
pub fn card_brand(d: &[u8]) -> Option<&'static str> {
    let len = d.len();
    if !(12..=19).contains(&len) {
        return None;
    }
    let p1 = prefix(d, 1);
    let p2 = prefix(d, 2);
    let p3 = prefix(d, 3);
    let p4 = prefix(d, 4);
    let p6 = prefix(d, 6);
    if (p2 == 34 || p2 == 37) && len == 15 {
        return Some("amex");
    }
    if p1 == 4 && matches!(len, 13 | 16 | 19) {
        return Some("visa");
    }
    if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16 {
        return Some("mastercard");
    }
    if (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || (622126..=622925).contains(&p6))
        && (16..=19).contains(&len)
    {
        return Some("discover");
    }
    if (3528..=3589).contains(&p4) && (16..=19).contains(&len) {
        return Some("jcb");
    }
    if ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&len) {
        return Some("diners");
    }
    if p2 == 62 && (16..=19).contains(&len) {
        return Some("unionpay");
    }
    if (2200..=2204).contains(&p4) && (16..=19).contains(&len) {
        return Some("mir");
    }
    if (p2 == 50 || (56..=69).contains(&p2)) && (12..=19).contains(&len) {
        return Some("maestro");
    }
    if p2 == 60 || p2 == 81 || p2 == 82 {
        return Some("rupay");
    }
    if p1 == 1 && len == 15 {
        return Some("uatp");
    }
    None
}

/// A full card number: brand known and Luhn valid.
pub fn is_card(d: &[u8]) -> bool {
    card_brand(d).is_some() && luhn(d)
}

/// US SSN structural rules (area not 000/666/9xx, group not 00, serial not 0000).
pub fn is_ssn(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    let area = prefix(d, 3);
    let group = prefix(&d[3..], 2);
    let serial = prefix(&d[5..], 4);
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// ABA routing number checksum (3-7-1 weights) and valid Federal Reserve prefix.
pub fn is_aba(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    let p = prefix(d, 2);
    if !(p <= 12 || (21..=32).contains(&p) || (61..=72).contains(&p) || p == 80) {
        return false;
    }
    let w = [3u32, 7, 1];
    let s: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * w[i % 3])
        .sum();
    s.is_multiple_of(10) && s != 0
}

/// IBAN length by country (ISO 13616 registry).
pub fn iban_length(cc: [u8; 2]) -> Option<usize> {
    let t: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AL", 28),
        (b"AT", 20),
        (b"AZ", 28),
        (b"BA", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BR", 29),
        (b"BY", 28),
        (b"CH", 21),
        (b"CR", 22),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DK", 18),
        (b"DO", 28),
        (b"EE", 20),
        (b"EG", 29),
        (b"ES", 24),
        (b"FI", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GE", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"GT", 28),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IQ", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"JO", 30),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LC", 32),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"MC", 27),
        (b"MD", 24),
        (b"ME", 22),
        (b"MK", 19),
        (b"MR", 27),
        (b"MT", 31),
        (b"MU", 30),
        (b"NL", 18),
        (b"NO", 15),
        (b"PK", 24),
        (b"PL", 28),
        (b"PS", 29),
        (b"PT", 25),
        (b"QA", 29),
        (b"RO", 24),
        (b"RS", 22),
        (b"SA", 24),
        (b"SC", 31),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"ST", 25),
        (b"SV", 28),
        (b"TL", 23),
        (b"TN", 24),
        (b"TR", 26),
        (b"UA", 29),
        (b"VA", 22),
        (b"VG", 24),
        (b"XK", 20),
    ];
    t.iter().find(|(c, _)| **c == cc).map(|&(_, n)| n)
}

/// ISO 7064 mod-97-10 over an upper-case alphanumeric IBAN (no spaces).
pub fn iban_mod97(s: &[u8]) -> bool {
    if s.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in s[4..].iter().chain(s[..4].iter()) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|c| c - b'0')
            .collect()
    }

    #[test]
    fn cards() {
        for ok in [
            "4111 1111 1111 1111",
            "5500 0000 0000 0004",
            "2223 0000 4841 0010",
            "3782 822463 10005",
            "6011 1111 1111 1117",
            "3530 1113 3330 0000",
            "3056 9309 0259 04",
            "6759 6498 2643 8453",
        ] {
            assert!(is_card(&d(ok)), "{ok}");
        }
        for bad in [
            "4111 1111 1111 1112",
            "1234 5678 9012 3456",
            "9111 1111 1111 1111",
        ] {
            assert!(!is_card(&d(bad)), "{bad}");
        }
    }

    #[test]
    fn ssn_rules() {
        assert!(is_ssn(&d("123-45-6789")));
        assert!(!is_ssn(&d("000-12-3456")));
        assert!(!is_ssn(&d("666-12-3456")));
        assert!(!is_ssn(&d("923-12-3456")));
        assert!(!is_ssn(&d("123-00-3456")));
        assert!(!is_ssn(&d("123-45-0000")));
    }

    #[test]
    fn aba_and_iban() {
        assert!(is_aba(&d("011000015")));
        assert!(is_aba(&d("021000021")));
        assert!(!is_aba(&d("021000022")));
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(iban_mod97(b"DE89370400440532013000"));
        assert!(!iban_mod97(b"DE89370400440532013001"));
        assert_eq!(iban_length(*b"FR"), Some(27));
    }
}
