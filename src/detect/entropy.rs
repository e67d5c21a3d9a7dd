//! Shannon entropy of a byte string, in bits per byte.

/// Shannon entropy of `data` in bits per byte (0 for empty input).
pub fn shannon(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn known_values() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaa"), 0.0);
        assert!((shannon(b"ab") - 1.0).abs() < 1e-12);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-12);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-12);
        // "aab": -(2/3 log2 2/3 + 1/3 log2 1/3) = 0.918295...
        assert!((shannon(b"aab") - 0.918_295_834_054_489_6).abs() < 1e-12);
    }
}
