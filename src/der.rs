//! DER shapes of private keys.
//!
//! Binary key files: a DER-encoded private key (`key.der`, `*.pk8`) or a
//! PKCS#12 keystore (`*.p12`, `*.pfx`) is binary, so a source would skip it,
//! yet it is as much a leaked key as its PEM form. Sources hand such a blob
//! on re-encoded as the text the key rules read ([`armor_key`]): PEM with the
//! label that names its structure, or plain base64 for PKCS#12 (which has no
//! PEM label). The `der-hex` validator uses [`is_private_key`] for keys
//! written as hex in code.
//!
//! Only a file that is exactly one well-formed DER structure of a known
//! private-key shape qualifies (RFC 5958 / PKCS#8, RFC 8017 / PKCS#1,
//! RFC 5915 / SEC 1, DSA, RFC 7292 / PKCS#12); certificates, public keys and
//! every other binary stay skipped.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One DER element: tag and content.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

/// Reads the header of the element at the start of `data`: its tag, the
/// length of its content and the length of the header itself.
fn header(data: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *data.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags never occur in these structures
    }
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = data.get(2..2 + n)?;
        if bytes[0] == 0 {
            return None; // not minimal: not DER
        }
        (
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            2 + n,
        )
    };
    Some((tag, len, header))
}

/// Reads the element at the start of `data`; returns it and its total size.
fn tlv(data: &[u8]) -> Option<(Tlv<'_>, usize)> {
    let (tag, len, header) = header(data)?;
    let content = data.get(header..header.checked_add(len)?)?;
    Some((Tlv { tag, content }, header + len))
}

/// The total size in bytes that a file must have to be one DER private key
/// or keystore, read from its first bytes: the size its outer SEQUENCE
/// declares, or None when it does not start with one. A source reads the
/// rest of a binary file only when the sizes agree.
pub fn declared_size(head: &[u8]) -> Option<usize> {
    let (tag, len, header) = header(head)?;
    (tag == SEQUENCE).then(|| header.checked_add(len))?
}

/// The elements of a constructed element's content, or None if it does not
/// split into whole elements.
fn children(mut content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (el, size) = tlv(content)?;
        out.push(el);
        content = &content[size..];
    }
    Some(out)
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;

/// pkcs-7 data / signedData (RFC 2315), the content types of a PFX.
const OID_PKCS7_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_PKCS7_SIGNED: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// pkcs-5 (PBES1, PBES2) and pkcs-12 PBE algorithm arcs.
const OID_PKCS5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05];
const OID_PKCS12_PBE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01];

fn is_int(el: &Tlv<'_>, value: u8) -> bool {
    el.tag == INTEGER && el.content == [value]
}

/// The first element of an AlgorithmIdentifier-like SEQUENCE, if an OID.
fn leading_oid<'a>(el: &Tlv<'a>) -> Option<&'a [u8]> {
    if el.tag != SEQUENCE {
        return None;
    }
    let (first, _) = tlv(el.content)?;
    (first.tag == OID).then_some(first.content)
}

/// What a DER blob holds, when it is a private key or a keystore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyShape {
    Pkcs12,
    Pkcs8,
    EncryptedPkcs8,
    Rsa,
    Dsa,
    Ec,
}

fn shape(data: &[u8]) -> Option<KeyShape> {
    let (outer, size) = tlv(data)?;
    if outer.tag != SEQUENCE || size != data.len() {
        return None;
    }
    let els = children(outer.content)?;
    match els.as_slice() {
        // PFX: version 3, authSafe ContentInfo, optional macData.
        [v, auth, ..] if is_int(v, 3) => {
            let oid = leading_oid(auth)?;
            (oid == OID_PKCS7_DATA || oid == OID_PKCS7_SIGNED).then_some(KeyShape::Pkcs12)
        }
        // OneAsymmetricKey: version 0 or 1, algorithm, privateKey OCTET STRING.
        [v, alg, key, ..]
            if (is_int(v, 0) || is_int(v, 1))
                && leading_oid(alg).is_some()
                && key.tag == OCTET_STRING =>
        {
            Some(KeyShape::Pkcs8)
        }
        // EncryptedPrivateKeyInfo: a PBE algorithm and the ciphertext.
        [alg, data] if data.tag == OCTET_STRING => {
            let oid = leading_oid(alg)?;
            (oid.starts_with(OID_PKCS5) || oid.starts_with(OID_PKCS12_PBE))
                .then_some(KeyShape::EncryptedPkcs8)
        }
        // ECPrivateKey: version 1, the private key OCTET STRING, [0], [1].
        [v, key, ..] if is_int(v, 1) && key.tag == OCTET_STRING => Some(KeyShape::Ec),
        // RSAPrivateKey (version 0 and eight integers, more for multi-prime)
        // and the OpenSSL DSA layout (version 0, p, q, g, y, x).
        [v, rest @ ..] if is_int(v, 0) && rest.iter().all(|e| e.tag == INTEGER) => {
            match rest.len() {
                5 => Some(KeyShape::Dsa),
                8.. => Some(KeyShape::Rsa),
                _ => None,
            }
        }
        _ => None,
    }
}

/// True if `data` is exactly one DER private key or PKCS#12 keystore.
pub fn is_private_key(data: &[u8]) -> bool {
    shape(data).is_some()
}

/// Base64 in 64-character lines.
fn base64_lines(data: &[u8]) -> String {
    let b64 = STANDARD.encode(data);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 1);
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// The text form of a binary private key or PKCS#12 keystore, or None when
/// `data` is any other binary.
pub fn armor_key(data: &[u8]) -> Option<Vec<u8>> {
    let label = match shape(data)? {
        KeyShape::Pkcs12 => return Some(base64_lines(data).into_bytes()),
        KeyShape::Pkcs8 => "PRIVATE KEY",
        KeyShape::EncryptedPkcs8 => "ENCRYPTED PRIVATE KEY",
        KeyShape::Rsa => "RSA PRIVATE KEY",
        KeyShape::Dsa => "DSA PRIVATE KEY",
        KeyShape::Ec => "EC PRIVATE KEY",
    };
    Some(
        format!(
            "-----BEGIN {label}-----\n{}-----END {label}-----\n",
            base64_lines(data)
        )
        .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DER of one element (definite length).
    fn el(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match content.len() {
            n @ 0..=0x7f => out.push(n as u8),
            n @ 0x80..=0xff => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend(content);
        out
    }

    fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        el(SEQUENCE, &parts.concat())
    }

    fn int(bytes: &[u8]) -> Vec<u8> {
        el(INTEGER, bytes)
    }

    const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

    fn pkcs8() -> Vec<u8> {
        seq(&[
            int(&[0]),
            seq(&[el(OID, OID_ED25519)]),
            el(OCTET_STRING, &el(OCTET_STRING, &[0x5a; 32])),
        ])
    }

    #[test]
    fn recognises_private_key_shapes() {
        assert_eq!(shape(&pkcs8()), Some(KeyShape::Pkcs8));
        let big = |b: u8| int(&[0x00, b, 0x11, 0x22, 0x33]);
        let rsa: Vec<Vec<u8>> = std::iter::once(int(&[0])).chain((1..=8).map(big)).collect();
        assert_eq!(shape(&seq(&rsa)), Some(KeyShape::Rsa));
        assert_eq!(shape(&seq(&rsa[..6])), Some(KeyShape::Dsa));
        let ec = seq(&[
            int(&[1]),
            el(OCTET_STRING, &[0x42; 32]),
            el(0xa0, &el(OID, &[0x2a, 0x86, 0x48])),
        ]);
        assert_eq!(shape(&ec), Some(KeyShape::Ec));
        let pbes2 = [OID_PKCS5, &[0x0d][..]].concat();
        let enc = seq(&[
            seq(&[el(OID, &pbes2), seq(&[])]),
            el(OCTET_STRING, &[0x77; 48]),
        ]);
        assert_eq!(shape(&enc), Some(KeyShape::EncryptedPkcs8));
        let pfx = seq(&[
            int(&[3]),
            seq(&[
                el(OID, OID_PKCS7_DATA),
                el(0xa0, &el(OCTET_STRING, &[1; 40])),
            ]),
        ]);
        assert_eq!(shape(&pfx), Some(KeyShape::Pkcs12));
    }

    #[test]
    fn leaves_other_binaries_alone() {
        // SubjectPublicKeyInfo: algorithm and a BIT STRING.
        let spki = seq(&[seq(&[el(OID, OID_ED25519)]), el(0x03, &[0; 33])]);
        assert_eq!(shape(&spki), None);
        // A certificate: three SEQUENCE / BIT STRING parts.
        let cert = seq(&[
            seq(&[int(&[2])]),
            seq(&[el(OID, OID_ED25519)]),
            el(0x03, &[0; 65]),
        ]);
        assert_eq!(shape(&cert), None);
        // DigestInfo: a non-PBE algorithm and an OCTET STRING.
        let digest = seq(&[
            seq(&[el(OID, &[0x60, 0x86, 0x48, 0x01])]),
            el(OCTET_STRING, &[9; 32]),
        ]);
        assert_eq!(shape(&digest), None);
        // A valid key followed by more bytes, truncated, and random bytes.
        let mut trailing = pkcs8();
        trailing.push(0);
        assert_eq!(shape(&trailing), None);
        let key = pkcs8();
        assert_eq!(shape(&key[..key.len() - 1]), None);
        assert_eq!(shape(b"\x7fELF\x02\x01\x01\x00\x00\x00"), None);
        assert_eq!(armor_key(&[]), None);
    }

    #[test]
    fn armors_with_the_matching_label() {
        let text = String::from_utf8(armor_key(&pkcs8()).unwrap()).unwrap();
        assert!(
            text.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAw"),
            "{text}"
        );
        assert!(text.ends_with("-----END PRIVATE KEY-----\n"), "{text}");
    }
}
