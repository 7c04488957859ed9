//! `[[context,]exten,]priority` targets, as Goto, GotoIf, GotoIfTime and Gosub take them
//! (`pbx_parseable_goto`).

use tandem_dialplan::model::Target;
use tandem_dialplan::Dialplan;

use crate::channel::Channel;
use crate::shared::Shared;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrioritySpec {
    Number(u32),
    /// `+N` / `-N`: relative to the current priority.
    Relative(i64),
    Label(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GotoTarget {
    pub context: Option<String>,
    pub exten: Option<String>,
    pub priority: PrioritySpec,
}

/// C's `sscanf("%d")` (see [`tandem_dialplan::cscan`]), widened.
pub fn scan_int(text: &str) -> Option<i64> {
    tandem_dialplan::cscan::scan_int(text).map(|(v, _)| i64::from(v))
}

/// Split as `pbx_parseable_goto` does: by commas, no trimming, one to three parts.
pub fn parse(text: &str) -> Result<GotoTarget, String> {
    let mut parts = text.splitn(3, ',');
    let a = parts.next().unwrap_or_default();
    let b = parts.next();
    let c = parts.next();
    let (context, exten, pri) = match (b, c) {
        (None, _) => (None, None, a),
        (Some(b), None) => (None, Some(a), b),
        (Some(b), Some(c)) => (Some(a), Some(b), c),
    };
    if pri.is_empty() {
        return Err(format!("Goto requires a priority: '{text}'"));
    }
    let priority = if let Some(rel) = pri.strip_prefix('+') {
        PrioritySpec::Relative(
            scan_int(rel).ok_or_else(|| format!("bad relative priority '{pri}'"))?,
        )
    } else if let Some(rel) = pri.strip_prefix('-') {
        PrioritySpec::Relative(
            -scan_int(rel).ok_or_else(|| format!("bad relative priority '{pri}'"))?,
        )
    } else {
        match scan_int(pri) {
            Some(n) if n > 0 => PrioritySpec::Number(u32::try_from(n).unwrap_or(u32::MAX)),
            Some(_) => {
                return Err(format!(
                    "Priority '{pri}' must be a number > 0, or valid label"
                ))
            }
            None => PrioritySpec::Label(pri.to_string()),
        }
    };
    Ok(GotoTarget {
        context: context.map(str::to_string),
        exten: exten.map(str::to_string),
        priority,
    })
}

/// The position a target names, for this channel. A label must exist; a numbered priority
/// need not (the executor then handles the invalid extension as Asterisk does).
pub fn resolve(
    dialplan: &Dialplan,
    shared: &Shared,
    chan: &Channel,
    target: &GotoTarget,
) -> Result<(String, String, u32), String> {
    let context = target
        .context
        .clone()
        .unwrap_or_else(|| chan.context.clone());
    let exten = target.exten.clone().unwrap_or_else(|| chan.exten.clone());
    let priority = match &target.priority {
        PrioritySpec::Number(n) => *n,
        PrioritySpec::Relative(d) => {
            let p = i64::from(chan.priority) + d;
            u32::try_from(p)
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("relative priority leads to {p}"))?
        }
        PrioritySpec::Label(label) => {
            let cid = Some(chan.caller.num.as_str()).filter(|s| !s.is_empty());
            match dialplan.find(&context, &exten, Target::Label(label), cid, shared.now()) {
                Some(found) => found.priority.number,
                None => {
                    return Err(format!(
                        "Priority '{label}' must be a number > 0, or valid label"
                    ))
                }
            }
        }
    };
    Ok((context, exten, priority))
}

/// `pbx_checkcondition`: empty is false, a number is its value (`0.5` is false, `1abc`
/// true), any other text is true.
pub use tandem_dialplan::expr::check_condition;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goto_takes_one_two_or_three_parts() {
        assert_eq!(
            parse("5").unwrap(),
            GotoTarget {
                context: None,
                exten: None,
                priority: PrioritySpec::Number(5)
            }
        );
        assert_eq!(
            parse("100,start").unwrap(),
            GotoTarget {
                context: None,
                exten: Some("100".into()),
                priority: PrioritySpec::Label("start".into())
            }
        );
        assert_eq!(
            parse("ctx,s,1").unwrap(),
            GotoTarget {
                context: Some("ctx".into()),
                exten: Some("s".into()),
                priority: PrioritySpec::Number(1)
            }
        );
        assert_eq!(parse("+2").unwrap().priority, PrioritySpec::Relative(2));
        assert_eq!(parse("-1").unwrap().priority, PrioritySpec::Relative(-1));
        assert!(parse("ctx,s,").is_err());
        assert!(parse("0").is_err());
    }

    #[test]
    fn conditions_are_checked_like_pbx_checkcondition() {
        assert!(!check_condition(""));
        assert!(!check_condition("0"));
        assert!(!check_condition(" 0"));
        assert!(!check_condition("0.5"), "sscanf %d reads 0");
        assert!(check_condition("1"));
        assert!(check_condition("-1"));
        assert!(check_condition("1abc"));
        assert!(check_condition("abc"));
        assert!(check_condition(" "));
    }
}
