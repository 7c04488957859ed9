//! Record(filename.format[,silence[,maxduration[,options]]]), as Asterisk's `app_record.c`:
//!
//! - the format is what follows the last `.` (else the first `:`); none is an error that
//!   hangs up (RECORD_STATUS=ERROR); tandem writes `wav` (8 kHz 16-bit), any other format is
//!   "Could not create file" (ERROR, the dialplan goes on);
//! - `%d` in the name counts up from 0 until the file does not exist; RECORDED_FILE is set;
//! - a relative name is under the sounds directory (`DATA/sounds`, as `ast_writefile`
//!   builds it from `ast_config_AST_DATA_DIR`), an absolute one is used as it is;
//! - silence and maxduration are whole seconds (anything else is a warning and off);
//! - options: `a` append, `k` keep the file on hangup, `n` do not answer, `o` `0` exits
//!   with OPERATOR, `q` no beep, `s` skip (SKIP) when the channel is not up, `t` `*` ends
//!   instead of `#`, `x` no terminator, `y` any digit ends;
//! - RECORD_STATUS: DTMF, SILENCE, TIMEOUT, HANGUP, SKIP, ERROR, OPERATOR. A silence end
//!   keeps one second of silence, a digit end drops the last quarter second; a hangup deletes
//!   the file unless `k` (the delete uses the name as written, so a `%d` file stays: kept).

use std::path::PathBuf;
use std::time::Duration;

use tandem_core::host::Reply;

use super::prompt::{self, Heard};
use super::AppCx;
use crate::media::recorder::{RecordEnd, RecordSpec, Terminators, RATE};
use crate::media::wav;

/// Parsed arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The name without the format.
    pub name: String,
    pub format: String,
    pub silence_ms: u64,
    pub max_ms: u64,
    pub options: String,
}

/// Split `filename.format,silence,maxduration,options`; `Err` is the warning when there is
/// no format (or no argument at all).
pub fn parse_args(data: &str) -> Result<(Args, Vec<String>), String> {
    if data.trim().is_empty() {
        return Err("Record requires an argument (filename)".into());
    }
    let mut parts = data.splitn(4, ',');
    let file = parts.next().unwrap_or_default();
    let silence = parts.next();
    let maxdur = parts.next();
    let options = parts.next().unwrap_or_default().to_string();
    let split = file.rfind('.').or_else(|| file.find(':'));
    let Some(at) = split else {
        return Err("No extension specified to filename!".into());
    };
    let (name, format) = (
        file.get(..at).unwrap_or_default(),
        file.get(at + 1..).unwrap_or_default(),
    );
    let mut warnings = Vec::new();
    let mut seconds = |v: Option<&str>, what: &str| -> u64 {
        let Some(v) = v else { return 0 };
        match leading_int(v) {
            Some(n) if n >= 0 => n as u64 * 1000,
            _ => {
                if !v.trim().is_empty() {
                    warnings.push(format!("'{v}' is not a valid {what}"));
                }
                0
            }
        }
    };
    let silence_ms = seconds(silence, "silence duration");
    let max_ms = seconds(maxdur, "maximum duration");
    Ok((
        Args {
            name: name.to_string(),
            format: format.to_string(),
            silence_ms,
            max_ms,
            options,
        },
        warnings,
    ))
}

/// `sscanf("%d")`.
fn leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    let n: i64 = digits.get(..end.min(9))?.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// The name with `%d` replaced by `count` (other `%x` copied as they are).
pub fn numbered(pattern: &str, count: u32) -> String {
    let mut out = String::new();
    let mut pieces = pattern.split('%');
    out.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        match piece.strip_prefix('d') {
            Some(rest) => {
                out.push_str(&count.to_string());
                out.push_str(rest);
            }
            None => {
                out.push('%');
                out.push_str(piece);
            }
        }
    }
    out
}

/// Where `name.format` is written: under `sounds` unless absolute.
pub fn file_path(sounds: &std::path::Path, name: &str, format: &str) -> PathBuf {
    let full = format!("{name}.{format}");
    if name.starts_with('/') {
        PathBuf::from(full)
    } else {
        sounds.join(full)
    }
}

/// The terminator and what ends a recording, from the options.
pub fn spec(args: &Args) -> RecordSpec {
    let o = &args.options;
    let terminators = if o.contains('y') {
        Terminators::Any
    } else if o.contains('x') {
        Terminators::Digits(String::new())
    } else if o.contains('t') {
        Terminators::Digits("*".into())
    } else {
        Terminators::Digits("#".into())
    };
    RecordSpec {
        terminators,
        operator: o.contains('o'),
        max: (args.max_ms > 0).then(|| Duration::from_millis(args.max_ms)),
        silence_ms: args.silence_ms,
        threshold: crate::media::recorder::DEFAULT_SILENCE_THRESHOLD,
    }
}

pub async fn exec(mut cx: AppCx<'_>, data: &str) -> Reply {
    let (args, warnings) = match parse_args(data) {
        Ok(a) => a,
        Err(w) => {
            tracing::warn!("{}: {w}", cx.chan.name);
            cx.chan.set_var("RECORD_STATUS", "ERROR");
            return Reply::HungUp;
        }
    };
    for w in warnings {
        tracing::warn!("{}: {w}", cx.chan.name);
    }
    let sounds = super::vm_spool::data_dir().join("sounds");
    let opts = args.options.clone();
    let has_percent = args.name.contains("%d");
    let path = if has_percent {
        let mut count = 0u32;
        loop {
            let name = numbered(&args.name, count);
            let p = file_path(&sounds, &name, &args.format);
            if !p.exists() || count >= 100_000 {
                cx.chan.set_var("RECORDED_FILE", &name);
                break p;
            }
            count += 1;
        }
    } else {
        file_path(&sounds, &args.name, &args.format)
    };
    if cx.chan.state != tandem_core::ChannelState::Up {
        if opts.contains('s') {
            cx.chan.set_var("RECORD_STATUS", "SKIP");
            return Reply::Done;
        }
        if !opts.contains('n') && !prompt::answer(&mut cx).await {
            cx.chan.set_var("RECORD_STATUS", "HANGUP");
            return Reply::HungUp;
        }
    }
    if !opts.contains('q')
        && prompt::play(&mut cx, &["beep".to_string()], "").await == Heard::HungUp
    {
        cx.chan.set_var("RECORD_STATUS", "HANGUP");
        return Reply::HungUp;
    }
    if !args.format.eq_ignore_ascii_case("wav") {
        tracing::warn!(
            "{}: Could not create file {} (tandem records wav only)",
            cx.chan.name,
            args.name
        );
        cx.chan.set_var("RECORD_STATUS", "ERROR");
        return Reply::Done;
    }
    if let Some(dir) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::warn!(
                "{}: Could not create file {}: {e}",
                cx.chan.name,
                path.display()
            );
            cx.chan.set_var("RECORD_STATUS", "ERROR");
            return Reply::Done;
        }
    }
    let spec = spec(&args);
    let Some((end, samples)) = prompt::record(&mut cx, &spec).await else {
        tracing::warn!(
            "{}: no codec tandem can decode: cannot record",
            cx.chan.name
        );
        cx.chan.set_var("RECORD_STATUS", "ERROR");
        return Reply::Done;
    };
    let status = match end {
        RecordEnd::Digit(_) => "DTMF",
        RecordEnd::Operator => "OPERATOR",
        RecordEnd::Silence => "SILENCE",
        RecordEnd::Timeout => "TIMEOUT",
        RecordEnd::HungUp => "HANGUP",
    };
    cx.chan.set_var("RECORD_STATUS", status);
    if end == RecordEnd::HungUp && !opts.contains('k') && !has_percent {
        let _ = std::fs::remove_file(&path);
        tracing::info!(
            "{}: recording {} deleted at hangup",
            cx.chan.name,
            path.display()
        );
        return Reply::HungUp;
    }
    let mut all = if opts.contains('a') {
        std::fs::read(&path)
            .ok()
            .and_then(|b| wav::parse_wav(&b).ok())
            .filter(|p| p.rate == RATE)
            .map(|p| p.samples)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    all.extend_from_slice(&samples);
    match std::fs::write(&path, wav::encode_wav(RATE, &all)) {
        Ok(()) => tracing::info!(
            "{}: recorded {} ({:.2} s, {status})",
            cx.chan.name,
            path.display(),
            samples.len() as f64 / f64::from(RATE)
        ),
        Err(e) => {
            tracing::warn!(
                "{}: Problem writing frame: {}: {e}",
                cx.chan.name,
                path.display()
            );
            cx.chan.set_var("RECORD_STATUS", "ERROR");
        }
    }
    if end == RecordEnd::HungUp {
        Reply::HungUp
    } else {
        Reply::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_after_the_last_dot_and_seconds_become_milliseconds() {
        let (a, w) = parse_args("my.file.wav,3,20,aq").unwrap_or_else(|e| panic!("{e}"));
        assert!(w.is_empty());
        assert_eq!(
            a,
            Args {
                name: "my.file".into(),
                format: "wav".into(),
                silence_ms: 3000,
                max_ms: 20000,
                options: "aq".into()
            }
        );
        let (a, _) = parse_args("/tmp/x:wav").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.name.as_str(), a.format.as_str()), ("/tmp/x", "wav"));
    }

    #[test]
    fn no_format_or_no_argument_is_an_error() {
        assert_eq!(
            parse_args("nofile").err().as_deref(),
            Some("No extension specified to filename!")
        );
        assert!(parse_args("").is_err());
    }

    #[test]
    fn bad_durations_are_warnings_and_off() {
        let (a, w) = parse_args("f.wav,soon,-1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.silence_ms, a.max_ms), (0, 0));
        assert_eq!(w.len(), 2, "{w:?}");
        let (a, w) = parse_args("f.wav,,").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.silence_ms, a.max_ms, w.len()), (0, 0, 0));
    }

    #[test]
    fn percent_d_counts_and_other_specifiers_are_copied() {
        assert_eq!(numbered("rec-%d", 0), "rec-0");
        assert_eq!(numbered("a%db%d", 12), "a12b12");
        assert_eq!(numbered("x%s-%d", 3), "x%s-3");
    }

    #[test]
    fn relative_names_go_under_the_sounds_directory() {
        let s = std::path::Path::new("/data/sounds");
        assert_eq!(
            file_path(s, "greet/me", "wav"),
            PathBuf::from("/data/sounds/greet/me.wav")
        );
        assert_eq!(file_path(s, "/tmp/me", "wav"), PathBuf::from("/tmp/me.wav"));
    }

    #[test]
    fn options_choose_the_terminator() {
        let base = parse_args("f.wav").unwrap_or_else(|e| panic!("{e}")).0;
        let with = |o: &str| {
            spec(&Args {
                options: o.into(),
                ..base.clone()
            })
        };
        assert_eq!(with("").terminators, Terminators::Digits("#".into()));
        assert_eq!(with("t").terminators, Terminators::Digits("*".into()));
        assert_eq!(with("x").terminators, Terminators::Digits(String::new()));
        assert_eq!(with("y").terminators, Terminators::Any);
        assert!(with("o").operator);
        assert_eq!(with("").max, None);
    }
}
