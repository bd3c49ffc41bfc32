//! "Did you mean ...?": the closest known name to a misspelt one.
//!
//! Owns the similarity threshold only; the distance is `strsim`'s
//! (already in the tree through clap).

/// Longest name [`did_you_mean`] looks at, in bytes.
pub(crate) const MAX_NAME_CHARS: usize = 256;

/// The known name closest to `given`, if it is close enough to be a likely
/// typo: a Jaro-Winkler similarity of at least 0.8, one edit (a letter
/// added, dropped, changed or two swapped: what Jaro-Winkler misses in
/// short keys such as `min`), or the same name in another case or with `-`
/// and `_` swapped.
///
/// A name longer than 256 bytes gets no suggestion: no key is that long,
/// and comparing it with every key would cost its length times theirs.
pub fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if given.len() > MAX_NAME_CHARS {
        return None;
    }
    let normal = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let given_normal = normal(given);
    let mut best: Option<(f64, &str)> = None;
    for candidate in known {
        let candidate_normal = normal(candidate);
        let score = if candidate_normal == given_normal {
            2.0
        } else {
            let similarity = strsim::jaro_winkler(&given_normal, &candidate_normal);
            let one_edit = given_normal.len() >= 2
                && strsim::osa_distance(&given_normal, &candidate_normal) == 1;
            if one_edit {
                similarity.max(0.8)
            } else {
                similarity
            }
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
    fn one_edit_in_a_short_key_is_a_typo() {
        let asg = ["min", "desired", "max"];
        assert_eq!(did_you_mean("mn", asg), Some("min"));
        assert_eq!(did_you_mean("mni", asg), Some("min"));
        assert_eq!(did_you_mean("mxa", asg), Some("max"));
        assert_eq!(did_you_mean("x", asg), None);
    }

    #[test]
    fn an_unrelated_word_gets_no_suggestion() {
        assert_eq!(did_you_mean("colour", KEYS.iter().copied()), None);
    }

    #[test]
    fn an_overlong_name_gets_no_suggestion() {
        let long = format!("az_count{}", "x".repeat(MAX_NAME_CHARS));
        assert_eq!(did_you_mean(&long, KEYS.iter().copied()), None);
    }
}
