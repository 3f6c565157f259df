//! The ASCII form of a domain name for the resolver: labels that are not
//! ASCII are lowercased and Punycode-encoded with the `xn--` prefix
//! (RFC 3490/3492). This is the core of IDNA; the Unicode normalization and
//! mapping tables of UTS #46 are not applied (no such crate is allowed), so
//! names written in an unusual Unicode form may not resolve.

/// The ASCII form of `domain`, or `None` when a label's encoding is longer
/// than a DNS label may be (63 bytes).
pub(crate) fn to_ascii(domain: &str) -> Option<String> {
    if domain.is_ascii() {
        return Some(domain.to_owned());
    }
    let mut labels = Vec::new();
    for label in domain.split('.') {
        if label.is_ascii() {
            labels.push(label.to_owned());
            continue;
        }
        let lower: Vec<u32> = label
            .chars()
            .flat_map(char::to_lowercase)
            .map(u32::from)
            .collect();
        let encoded = format!("xn--{}", punycode(&lower)?);
        if encoded.len() > 63 {
            return None;
        }
        labels.push(encoded);
    }
    Some(labels.join("."))
}

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The Punycode encoding of `input` (code points), RFC 3492 section 6.3.
/// `None` on arithmetic overflow (an absurdly long label).
fn punycode(input: &[u32]) -> Option<String> {
    let mut output: String = input
        .iter()
        .filter(|&&c| c < 0x80)
        .filter_map(|&c| char::from_u32(c))
        .collect();
    let basic = output.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        output.push('-');
    }
    let (mut n, mut delta, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let total = u32::try_from(input.len()).ok()?;
    while handled < total {
        let m = input.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(d: u32) -> char {
    // d < 36 by construction.
    let b = if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    };
    b as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_encodings() {
        assert_eq!(
            to_ascii("bücher.example").as_deref(),
            Some("xn--bcher-kva.example")
        );
        assert_eq!(to_ascii("München.DE").as_deref(), Some("xn--mnchen-3ya.DE"));
        assert_eq!(
            to_ascii("例え.テスト").as_deref(),
            Some("xn--r8jz45g.xn--zckzah")
        );
        assert_eq!(to_ascii("example.com").as_deref(), Some("example.com"));
        // RFC 3492 sample (L): 3<nen>B<gumi><kinpachi><sensei>
        assert_eq!(
            to_ascii("3年b組金八先生").as_deref(),
            Some("xn--3b-ww4c5e180e575a65lsy2b")
        );
    }

    #[test]
    fn too_long_labels_are_refused() {
        assert_eq!(to_ascii(&"ü".repeat(60)), None);
    }
}
