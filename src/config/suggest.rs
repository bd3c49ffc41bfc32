//! "Did you mean ...?": the closest known name to a misspelt one.
//!
//! Owns the similarity threshold only; the distance is `strsim`'s
//! (already in the tree through clap).

/// The known name closest to `given`, if it is close enough to be a likely
/// typo: a Jaro-Winkler similarity of at least 0.8, or the same name in
/// another case or with `-` and `_` swapped.
pub fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let normal = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let given_normal = normal(given);
    let mut best: Option<(f64, &str)> = None;
    for candidate in known {
        let score = if normal(candidate) == given_normal {
            2.0
        } else {
            strsim::jaro_winkler(&given_normal, &normal(candidate))
        };
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["az_count", "vpc_cidr", "instance_type", "nat"];

    #[test]
    fn a_typo_gets_the_intended_key() {
        assert_eq!(
            did_you_mean("az_cont", KEYS.iter().copied()),
            Some("az_count")
        );
        assert_eq!(
            did_you_mean("instance-type", KEYS.iter().copied()),
            Some("instance_type")
        );
        assert_eq!(
            did_you_mean("VPC_CIDR", KEYS.iter().copied()),
            Some("vpc_cidr")
        );
    }

    #[test]
    fn an_unrelated_word_gets_no_suggestion() {
        assert_eq!(did_you_mean("colour", KEYS.iter().copied()), None);
    }
}
