//! The environment variables, read once per process at the first decision.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::remote::RemoteSource;

/// Where `CHAOS_CONFIG` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigSource {
    /// The JSON document itself (the value starts with `{`).
    Inline(String),
    /// A path to a JSON file, re-read when it changes.
    File(PathBuf),
}

/// What the environment says; `problems` holds every variable that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EnvSettings {
    pub(crate) enabled: Option<bool>,
    pub(crate) dry_run: Option<bool>,
    pub(crate) seed: Option<u64>,
    pub(crate) config: Option<ConfigSource>,
    pub(crate) poll: Duration,
    /// `CHAOS_APPCONFIG` or `CHAOS_SSM_PARAMETER`, with `CHAOS_CONFIG_TTL_MS`.
    pub(crate) remote: Option<RemoteSource>,
    pub(crate) problems: Vec<String>,
}

/// How often a configuration file is checked for changes, unless `CHAOS_CONFIG_POLL_MS` says.
pub(crate) const DEFAULT_POLL: Duration = Duration::from_secs(1);

impl EnvSettings {
    pub(crate) fn from_process() -> EnvSettings {
        EnvSettings::from_lookup(|name| std::env::var_os(name))
    }

    /// The settings from `lookup`, which gives a variable's value (an `OsString` from the
    /// process, a `String` in tests).
    pub(crate) fn from_lookup<V: Into<OsString>>(
        lookup_os: impl Fn(&str) -> Option<V>,
    ) -> EnvSettings {
        // A value that is not UTF-8 is read lossily, so that it is reported as invalid rather
        // than taken for unset; only `CHAOS_CONFIG` (a path, or a document) is read as it is.
        let lookup = |name: &str| lookup_os(name).map(|v| v.into().to_string_lossy().into_owned());
        let mut problems = Vec::new();
        // A switch that cannot be read takes its safe side for the life of the process: off for
        // CHAOS_ENABLED, on for CHAOS_DRY_RUN (an operator who set it meant something).
        let mut switch = |name: &str, safe: bool| {
            let value = lookup(name)?;
            match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "on" => Some(true),
                "0" | "false" | "off" => Some(false),
                _ => {
                    problems.push(format!(
                        "{name} must be one of 0, false, off, 1, true, on; found `{value}`"
                    ));
                    Some(safe)
                }
            }
        };
        let enabled = switch("CHAOS_ENABLED", false);
        let dry_run = switch("CHAOS_DRY_RUN", true);
        let seed = lookup("CHAOS_SEED").and_then(|value| match value.trim().parse::<u64>() {
            Ok(seed) => Some(seed),
            Err(_) => {
                problems.push(format!(
                    "CHAOS_SEED must be an integer from 0 to {}; found `{value}`",
                    u64::MAX
                ));
                None
            }
        });
        let poll = match lookup("CHAOS_CONFIG_POLL_MS").map(|v| millis("CHAOS_CONFIG_POLL_MS", &v))
        {
            None => DEFAULT_POLL,
            Some(Ok(poll)) => poll,
            Some(Err(problem)) => {
                problems.push(problem);
                DEFAULT_POLL
            }
        };
        let config = lookup_os("CHAOS_CONFIG").and_then(|v| config_source(v.into()));
        let remote = remote_source(&lookup, config.is_some(), &mut problems);
        let config =
            config.and_then(|config| config.map_err(|problem| problems.push(problem)).ok());
        EnvSettings {
            enabled,
            dry_run,
            seed,
            config,
            poll,
            remote,
            problems,
        }
    }
}

/// `CHAOS_CONFIG`: a document when it starts with `{`, else a path; `None` when it is empty or
/// blank (as if unset: an empty path names no file), `Err` for a document that is not UTF-8 (a
/// path need not be).
fn config_source(value: OsString) -> Option<Result<ConfigSource, String>> {
    let bytes = value.as_encoded_bytes();
    if bytes.trim_ascii().is_empty() {
        return None;
    }
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return Some(Ok(ConfigSource::File(PathBuf::from(value))));
    }
    Some(value.into_string().map(ConfigSource::Inline).map_err(|value| {
        let at = std::str::from_utf8(value.as_encoded_bytes())
            .err()
            .map_or(0, |e| e.valid_up_to());
        format!(
            "CHAOS_CONFIG is a JSON document (it starts with `{{`) with a byte that is not UTF-8, at byte {at}: JSON is UTF-8, so it was not read"
        )
    }))
}

/// A variable holding a number of milliseconds above 0, or the problem with it.
fn millis(name: &str, value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "{name} must be a number of milliseconds above 0; found `{value}`"
        )),
    }
}

/// `CHAOS_APPCONFIG` or `CHAOS_SSM_PARAMETER` (one source at a time, and not with
/// `CHAOS_CONFIG`), with `CHAOS_CONFIG_TTL_MS`.
fn remote_source(
    lookup: &impl Fn(&str) -> Option<String>,
    has_config: bool,
    problems: &mut Vec<String>,
) -> Option<RemoteSource> {
    let appconfig = lookup("CHAOS_APPCONFIG");
    let ssm = lookup("CHAOS_SSM_PARAMETER");
    if appconfig.is_none() && ssm.is_none() {
        // The TTL is read only for a source: without one it has nothing to say.
        return None;
    }
    let ttl = lookup("CHAOS_CONFIG_TTL_MS")
        .map(|v| millis("CHAOS_CONFIG_TTL_MS", &v))
        .transpose()
        .map_err(|problem| problems.push(problem));
    let source = match (appconfig, ssm) {
        (None, None) => return None,
        (Some(_), Some(_)) => {
            problems.push(
                "CHAOS_APPCONFIG and CHAOS_SSM_PARAMETER are both set: chaos follows one source at a time, so unset one".into(),
            );
            return None;
        }
        (Some(appconfig), None) => RemoteSource::parse_appconfig(&appconfig),
        (None, Some(name)) => {
            let source = RemoteSource::ssm_parameter(name.trim());
            source
                .validate()
                .map(|()| source)
                .map_err(|why| format!("CHAOS_SSM_PARAMETER: {why}"))
        }
    };
    let source = match source {
        Ok(source) => source,
        Err(problem) => {
            problems.push(problem);
            return None;
        }
    };
    if has_config {
        problems.push(format!(
            "CHAOS_CONFIG and the {source} are both set: chaos follows one source at a time, so unset one"
        ));
        return None;
    }
    let Ok(ttl) = ttl else {
        return None;
    };
    if !cfg!(feature = "aws") {
        problems.push(format!(
            "the {source} is set, but this binary was built without the `aws` feature of chaos, which reads it"
        ));
        return None;
    }
    Some(match ttl {
        Some(ttl) => source.ttl(ttl),
        None => source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> EnvSettings {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvSettings::from_lookup(|name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn nothing_set_means_nothing_changed() {
        let settings = env(&[]);
        assert_eq!(
            (
                settings.enabled,
                settings.dry_run,
                settings.seed,
                settings.config
            ),
            (None, None, None, None)
        );
        assert_eq!(settings.poll, DEFAULT_POLL);
        assert!(settings.problems.is_empty());
    }

    #[test]
    fn switches_accept_the_documented_spellings() {
        for (value, expected) in [
            ("0", false),
            ("false", false),
            ("OFF", false),
            ("1", true),
            ("True", true),
            (" on ", true),
        ] {
            assert_eq!(
                env(&[("CHAOS_ENABLED", value)]).enabled,
                Some(expected),
                "{value}"
            );
            assert_eq!(
                env(&[("CHAOS_DRY_RUN", value)]).dry_run,
                Some(expected),
                "{value}"
            );
        }
    }

    #[test]
    fn bad_values_are_problems_that_name_the_variable_and_the_value() {
        let settings = env(&[
            ("CHAOS_ENABLED", "maybe"),
            ("CHAOS_SEED", "forty-two"),
            ("CHAOS_CONFIG_POLL_MS", "0"),
        ]);
        assert_eq!(
            settings.enabled,
            Some(false),
            "an unreadable kill switch is off"
        );
        assert_eq!(
            env(&[("CHAOS_DRY_RUN", "yes")]).dry_run,
            Some(true),
            "and dry run on"
        );
        assert_eq!(settings.problems.len(), 3, "{:?}", settings.problems);
        assert!(
            settings.problems[0].contains("CHAOS_ENABLED")
                && settings.problems[0].contains("`maybe`")
        );
        assert!(
            settings.problems[1].contains("CHAOS_SEED")
                && settings.problems[1].contains("`forty-two`")
        );
        assert!(settings.problems[2].contains("CHAOS_CONFIG_POLL_MS"));
    }

    #[test]
    fn config_is_inline_json_or_a_path() {
        assert_eq!(
            env(&[("CHAOS_CONFIG", " {\"seed\": 1}")]).config,
            Some(ConfigSource::Inline(" {\"seed\": 1}".into()))
        );
        assert_eq!(
            env(&[("CHAOS_CONFIG", "/etc/chaos.json")]).config,
            Some(ConfigSource::File("/etc/chaos.json".into()))
        );
        assert_eq!(env(&[("CHAOS_SEED", "42")]).seed, Some(42));
    }

    #[test]
    fn an_empty_config_is_unset() {
        for blank in ["", " ", "\t\n"] {
            let settings = env(&[("CHAOS_CONFIG", blank)]);
            assert_eq!(settings.config, None, "{blank:?}");
            assert!(settings.problems.is_empty(), "{:?}", settings.problems);
        }
        // So it does not conflict with a remote source either.
        let settings = env(&[("CHAOS_CONFIG", ""), ("CHAOS_SSM_PARAMETER", "/p")]);
        assert!(
            !settings.problems.iter().any(|p| p.contains("both set")),
            "{:?}",
            settings.problems
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_document_that_is_not_utf8_is_reported_and_a_path_is_kept_as_it_is() {
        use std::os::unix::ffi::OsStringExt;
        let value = |bytes: &[u8]| OsString::from_vec(bytes.to_vec());
        let inline = value(b"{\"enabled\": \"\xff\"}");
        let settings =
            EnvSettings::from_lookup(|name| (name == "CHAOS_CONFIG").then(|| inline.clone()));
        assert_eq!(settings.config, None);
        assert_eq!(
            settings.problems,
            [
                "CHAOS_CONFIG is a JSON document (it starts with `{`) with a byte that is not UTF-8, at byte 13: JSON is UTF-8, so it was not read"
            ]
        );
        let path = value(b"/tmp/chaos-\xff.json");
        let settings =
            EnvSettings::from_lookup(|name| (name == "CHAOS_CONFIG").then(|| path.clone()));
        assert_eq!(
            settings.config,
            Some(ConfigSource::File(PathBuf::from(path)))
        );
        assert!(settings.problems.is_empty());
    }

    #[cfg(feature = "aws")]
    #[test]
    fn a_remote_source_with_its_ttl() {
        let settings = env(&[
            ("CHAOS_APPCONFIG", "shop/prod/chaos"),
            ("CHAOS_CONFIG_TTL_MS", "250"),
        ]);
        assert_eq!(
            settings.remote,
            Some(RemoteSource::appconfig("shop", "prod", "chaos").ttl(Duration::from_millis(250)))
        );
        assert!(settings.problems.is_empty());
        let settings = env(&[("CHAOS_SSM_PARAMETER", "/shop/chaos")]);
        assert_eq!(
            settings.remote,
            Some(RemoteSource::ssm_parameter("/shop/chaos"))
        );
    }

    #[test]
    fn one_source_at_a_time_and_well_formed() {
        for (vars, expected) in [
            (
                &[("CHAOS_APPCONFIG", "a/b/c"), ("CHAOS_SSM_PARAMETER", "p")][..],
                "both set",
            ),
            (
                &[("CHAOS_SSM_PARAMETER", "p"), ("CHAOS_CONFIG", "{}")][..],
                "CHAOS_CONFIG and the SSM parameter p are both set",
            ),
            (
                &[("CHAOS_APPCONFIG", "a/b")][..],
                "application/environment/profile",
            ),
            (&[("CHAOS_SSM_PARAMETER", " ")][..], "name is empty"),
            (
                &[
                    ("CHAOS_APPCONFIG", "a/b/c"),
                    ("CHAOS_CONFIG_TTL_MS", "soon"),
                ][..],
                "CHAOS_CONFIG_TTL_MS",
            ),
        ] {
            let settings = env(vars);
            assert_eq!(settings.remote, None, "{vars:?}");
            assert!(
                settings.problems.iter().any(|p| p.contains(expected)),
                "{vars:?}: {:?}",
                settings.problems
            );
        }
    }

    #[cfg(not(feature = "aws"))]
    #[test]
    fn a_remote_source_without_the_feature_is_a_problem() {
        let settings = env(&[("CHAOS_APPCONFIG", "a/b/c")]);
        assert_eq!(settings.remote, None);
        assert!(settings.problems[0].contains("without the `aws` feature"));
    }
}
