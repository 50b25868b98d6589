//! "Did you mean" hints for misspelt keys and point names.

/// The candidates closest to `name`, best first (at most three, and only those nearly as close
/// as the best), for "did you mean" hints: by
/// Jaro-Winkler similarity, which favours a shared prefix, as point paths and keys share theirs.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only those about as close as the best: names sharing a long prefix all score high.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(score, _)| best - score < 0.05)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

/// "unknown key", the closest of `valid` if one is close, and the list of `valid` keys: the
/// attribute's and the JSON configuration's message for a key that does not exist.
///
/// ```
/// use chaos_core::spec::unknown_key;
///
/// assert_eq!(
///     unknown_key("rat", &["rate", "one_in"]),
///     "unknown key `rat`; did you mean `rate`? valid keys are: rate, one_in"
/// );
/// ```
pub fn unknown_key(key: &str, valid: &[&str]) -> String {
    let list = valid.join(", ");
    let close = closest(key, valid.iter().copied());
    // The key came from input: escaped and cut, so that it cannot break or flood a log line.
    let key = super::shown(key);
    match close.first() {
        Some(close) => {
            format!("unknown key `{key}`; did you mean `{close}`? valid keys are: {list}")
        }
        None => format!("unknown key `{key}`; valid keys are: {list}"),
    }
}
