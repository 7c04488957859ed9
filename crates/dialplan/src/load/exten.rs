//! Splitting an `exten =>` value the way `pbx_config.c` (`pbx_load_config`) does.

/// `pbx_strsep(&s, ",")`: the first field, ending at a `,` that is not inside `[...]` and not
/// escaped by a backslash; the rest after that comma (`None` when nothing follows).
pub(crate) fn split_ext(value: &str) -> (&str, Option<&str>) {
    let b = value.as_bytes();
    let mut square = 0u32;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'[' => square += 1,
            b']' => square = square.saturating_sub(1),
            b'\\' => i += 1,
            b',' if square == 0 => {
                let rest = &value[i + 1..];
                return (&value[..i], (!rest.is_empty()).then_some(rest));
            }
            _ => {}
        }
        i += 1;
    }
    (value, None)
}

/// `ast_shrink_phone_number` (main/callerid.c), applied to a caller-id match: drops `(`, `)`,
/// spaces, `-` outside `[]`, and `.` unless it ends the string.
pub(crate) use tandem_conf::views::sip::shrink_phone_number;

/// What the priority field says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PriSpec {
    Hint,
    Next,
    Same,
    Number(i64),
    /// A label of the same extension (`foo+1`).
    Label(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PriField {
    pub spec: PriSpec,
    /// After `+` (`n+1`, `foo+2`), added with `atoi`.
    pub plus: Option<String>,
    /// `n(label)`; an empty label is no label.
    pub label: Option<String>,
}

/// Parses the priority field: `1`, `n`, `next`, `s`, `same`, `hint`, `n(label)`, `2(label)`,
/// `n+1`, `label+1`. Err: the label's `)` is missing.
pub(crate) fn parse_priority(field: &str) -> Result<PriField, String> {
    let mut pri = field.trim();
    let mut label = None;
    if let Some((before, after)) = pri.split_once('(') {
        let Some((l, _)) = after.split_once(')') else {
            return Err("Label missing trailing ')'".to_string());
        };
        pri = before;
        if !l.is_empty() {
            label = Some(l.to_string());
        }
    }
    let mut plus = None;
    if let Some((before, after)) = pri.split_once('+') {
        pri = before;
        plus = Some(after.to_string());
    }
    let spec = match pri {
        "hint" => PriSpec::Hint,
        "next" | "n" => PriSpec::Next,
        "same" | "s" => PriSpec::Same,
        other => match crate::cscan::scan_int(other).map(|(v, _)| i64::from(v)) {
            Some(n) => PriSpec::Number(n),
            None => PriSpec::Label(other.to_string()),
        },
    };
    Ok(PriField { spec, plus, label })
}

/// The application part, `App(data)`: the name before the first `(`, the data up to the last
/// `)`. With no `(` the whole text is the name (the old `App,args` form is not split, as in
/// Asterisk 1.8+). When the name holds `${` or `$[` the whole text is the name (hints such as
/// `DAHDI/${GLOBAL(x)}`).
pub(crate) struct AppPart {
    pub app: String,
    pub data: String,
    /// `(` without a closing `)`: Asterisk keeps everything after `(` as the data.
    pub unterminated: bool,
}

pub(crate) fn split_app(rest: &str) -> AppPart {
    let Some((name, after)) = rest.split_once('(') else {
        return AppPart {
            app: rest.trim_start().to_string(),
            data: String::new(),
            unterminated: false,
        };
    };
    if name.contains("${") || name.contains("$[") {
        return AppPart {
            app: rest.trim_start().to_string(),
            data: String::new(),
            unterminated: false,
        };
    }
    match after.rfind(')') {
        Some(end) => AppPart {
            app: name.trim_start().to_string(),
            data: after[..end].to_string(),
            unterminated: false,
        },
        None => AppPart {
            app: name.trim_start().to_string(),
            data: after.to_string(),
            unterminated: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ext_field_ends_at_comma_outside_brackets() {
        assert_eq!(split_ext("_[1,2]X,1,NoOp()"), ("_[1,2]X", Some("1,NoOp()")));
        assert_eq!(split_ext("a\\,b,1"), ("a\\,b", Some("1")));
        assert_eq!(split_ext("100,"), ("100", None));
        assert_eq!(split_ext("100"), ("100", None));
    }

    #[test]
    fn shrink_phone_number_like_asterisk() {
        assert_eq!(shrink_phone_number("(555) 123-4567"), "5551234567");
        assert_eq!(shrink_phone_number("_555[1-3]X."), "_555[1-3]X.");
        assert_eq!(shrink_phone_number("1.2."), "12.");
    }

    #[test]
    fn priorities_and_labels() {
        let p = parse_priority(" n(start) ").unwrap();
        assert_eq!(
            (p.spec, p.label.as_deref(), p.plus),
            (PriSpec::Next, Some("start"), None)
        );
        let p = parse_priority("2(x)").unwrap();
        assert_eq!(p.spec, PriSpec::Number(2));
        let p = parse_priority("n+2").unwrap();
        assert_eq!((p.spec, p.plus.as_deref()), (PriSpec::Next, Some("2")));
        assert_eq!(parse_priority("hint").unwrap().spec, PriSpec::Hint);
        assert_eq!(
            parse_priority("HINT").unwrap().spec,
            PriSpec::Label("HINT".into())
        );
        assert_eq!(parse_priority("s").unwrap().spec, PriSpec::Same);
        assert_eq!(parse_priority("1abc").unwrap().spec, PriSpec::Number(1));
        assert_eq!(parse_priority("1()").unwrap().label, None);
        assert!(parse_priority("n(oops").is_err());
    }

    #[test]
    fn application_and_data() {
        let a = split_app("Dial(SIP/100,20,tT)");
        assert_eq!(
            (a.app.as_str(), a.data.as_str(), a.unterminated),
            ("Dial", "SIP/100,20,tT", false)
        );
        let a = split_app("Set(x=$[(1+2)])");
        assert_eq!(a.data, "x=$[(1+2)]");
        let a = split_app("Dial,SIP/100");
        assert_eq!((a.app.as_str(), a.data.as_str()), ("Dial,SIP/100", ""));
        let a = split_app("Answer");
        assert_eq!((a.app.as_str(), a.data.as_str()), ("Answer", ""));
        let a = split_app("NoOp(unclosed");
        assert!(a.unterminated);
        assert_eq!(a.data, "unclosed");
        let a = split_app("DAHDI/${GLOBAL(x)}");
        assert_eq!(
            (a.app.as_str(), a.data.as_str()),
            ("DAHDI/${GLOBAL(x)}", "")
        );
        let a = split_app(" Playback(hello) trailing");
        assert_eq!((a.app.as_str(), a.data.as_str()), ("Playback", "hello"));
    }

    #[test]
    fn scanf_integers() {
        assert_eq!(crate::cscan::atoi(""), 0);
    }
}
