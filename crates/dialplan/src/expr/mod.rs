//! The `$[ ... ]` expression language, as main/ast_expr2.y and main/ast_expr2.fl define it.
//!
//! [`evaluate`] takes text whose `${...}` have already been substituted. Grammar, from the
//! loosest to the tightest binding (all binary operators are left-associative):
//!
//! | level | operators |
//! |---|---|
//! | 1 | `a ? b :: c` |
//! | 2 | `\|` |
//! | 3 | `&` |
//! | 4 | `=` `!=` `<` `>` `<=` `>=` |
//! | 5 | `+` `-` |
//! | 6 | `*` `/` `%` |
//! | 7 | unary `-` and `!` (prefix) |
//! | 8 | `:` `=~` `~~` |
//! | 9 | `(expr)`, `FUNC(arg, ...)`, tokens |
//!
//! Values are strings, "numeric strings" (number tokens, kept as typed: `$[007]` is `007`)
//! or numbers (results of arithmetic, printed with `%.18Lg`). Quirks kept on purpose are
//! listed in `docs/expressions.md` and pinned in `tests.rs`.

mod lexer;
pub mod number;
pub mod posix;
#[cfg(test)]
mod tests;

use crate::env::Env;
use lexer::Tok;
use number::Num;
use std::cmp::Ordering;

/// Why an expression has no value. Asterisk prints a syntax error and the expression
/// becomes `0`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    #[error("syntax error: {0}")]
    Syntax(String),
    #[error("expression nested too deeply")]
    TooDeep,
}

/// Asterisk's `INT_MAX`, the result of a division by zero.
const INT_MAX: i64 = 2_147_483_647;
/// Nesting bound for parentheses, unary operators and function calls.
const MAX_DEPTH: usize = 200;
/// `char workspace[512]` of function calls inside expressions.
const FUNC_RESULT_MAX: usize = 511;

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Num(Num),
    /// AST_EXPR_numeric_string: looks like a number, kept as text until used as one.
    NumStr(String),
    Str(String),
}

impl Val {
    /// `make_str`: digits and dots only (first a digit, '-' or '.') make a numeric string.
    fn make_str(s: &str) -> Val {
        let b = s.as_bytes();
        let starts = b
            .first()
            .is_some_and(|&c| c.is_ascii_digit() || c == b'-' || c == b'.');
        if starts && b.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
            Val::NumStr(s.to_string())
        } else {
            Val::Str(s.to_string())
        }
    }

    /// `coerce_number`: false for a plain string.
    fn coerce_number(&mut self) -> bool {
        match self {
            Val::Num(_) => true,
            Val::Str(_) => false,
            Val::NumStr(s) => {
                *self = Val::Num(Num::parse_prefix(s));
                true
            }
        }
    }

    fn num(&self) -> Num {
        match self {
            Val::Num(n) => *n,
            _ => Num::int(0),
        }
    }

    /// `to_string`: numbers are printed and become plain strings.
    fn into_string(self) -> String {
        match self {
            Val::Num(n) => n.format(),
            Val::NumStr(s) | Val::Str(s) => s,
        }
    }

    fn is_string(&self) -> bool {
        matches!(self, Val::Str(_))
    }

    fn is_zero_or_null(&mut self) -> bool {
        match self {
            Val::Num(n) => n.is_zero(),
            Val::Str(s) => s.is_empty(),
            Val::NumStr(s) => s.is_empty() || (self.coerce_number() && self.num().is_zero()),
        }
    }
}

/// `strip_quotes`: if the text starts and ends with `"`, every `"` in it is removed.
fn strip_quotes(s: String) -> String {
    if s.starts_with('"') && s.ends_with('"') {
        s.replace('"', "")
    } else {
        s
    }
}

/// C `atoi`.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for b in rest.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// `pbx_checkcondition`: empty is false, a leading integer is its truth, other text is true.
/// Used by `GotoIf`, `ExecIf`, `IF()`, `While`.
pub fn check_condition(condition: &str) -> bool {
    if condition.is_empty() {
        return false;
    }
    let t = condition.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return atoi(t) as i32 != 0;
    }
    true
}

/// Evaluate an (already substituted) expression to its printed result.
pub fn evaluate(text: &str, env: &mut dyn Env) -> Result<String, ExprError> {
    let toks = lexer::tokenize(text);
    if toks.is_empty() {
        return Ok(String::new());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        env,
        depth: 0,
    };
    let v = p.expr(1)?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(ExprError::Syntax(format!("unexpected {t:?}")));
    }
    Ok(v.into_string())
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    env: &'a mut dyn Env,
    depth: usize,
}

fn binary_level(t: &Tok) -> Option<u8> {
    Some(match t {
        Tok::Cond => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Eq | Tok::Ne | Tok::Lt | Tok::Gt | Tok::Le | Tok::Ge => 4,
        Tok::Plus | Tok::Minus => 5,
        Tok::Mult | Tok::Div | Tok::Mod => 6,
        Tok::Colon | Tok::EqTilde | Tok::TildeTilde => 8,
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn expect(&mut self, t: Tok) -> Result<(), ExprError> {
        if self.peek() == Some(&t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(ExprError::Syntax(format!(
                "expected {t:?}, found {:?}",
                self.peek()
            )))
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::TooDeep);
        }
        Ok(())
    }

    /// Binary operators of level >= `min`, left-associative.
    fn expr(&mut self, min: u8) -> Result<Val, ExprError> {
        self.enter()?;
        let mut lhs = self.unary()?;
        while let Some(level) = self.peek().and_then(binary_level) {
            if level < min {
                break;
            }
            let Some(op) = self.peek().cloned() else {
                break;
            };
            self.pos += 1;
            if op == Tok::Cond {
                let mid = self.expr(1)?;
                self.expect(Tok::ColonColon)?;
                let rhs = self.expr(2)?;
                lhs = op_cond(lhs, mid, rhs);
            } else {
                let rhs = self.expr(level + 1)?;
                lhs = self.binary(op, lhs, rhs);
            }
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Val, ExprError> {
        match self.peek() {
            Some(Tok::Minus) => {
                self.pos += 1;
                let v = self.expr(8)?;
                Ok(self.op_negate(v))
            }
            Some(Tok::Compl) => {
                self.pos += 1;
                let v = self.expr(8)?;
                Ok(op_compl(v))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Val, ExprError> {
        match self.peek().cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let v = self.expr(1)?;
                self.expect(Tok::RParen)?;
                Ok(v)
            }
            Some(Tok::Token(text, is_num)) => {
                self.pos += 1;
                if self.peek() == Some(&Tok::LParen) {
                    self.pos += 1;
                    let args = self.arglist()?;
                    self.expect(Tok::RParen)?;
                    return Ok(self.call(&text, args));
                }
                Ok(if is_num {
                    Val::NumStr(text)
                } else {
                    Val::Str(text)
                })
            }
            other => Err(ExprError::Syntax(format!("unexpected {other:?}"))),
        }
    }

    /// `arglist: expr | arglist ',' expr | arglist ','` (a trailing comma is an empty arg).
    fn arglist(&mut self) -> Result<Vec<Val>, ExprError> {
        self.enter()?;
        let mut args = vec![self.expr(1)?];
        while self.peek() == Some(&Tok::Comma) {
            self.pos += 1;
            if matches!(self.peek(), Some(Tok::Comma) | Some(Tok::RParen)) {
                args.push(Val::Str(String::new()));
            } else {
                args.push(self.expr(1)?);
            }
        }
        self.depth -= 1;
        Ok(args)
    }

    fn warn(&mut self, msg: &str) {
        self.env.warn(msg);
    }

    fn binary(&mut self, op: Tok, a: Val, b: Val) -> Val {
        match op {
            Tok::Or => op_or(a, b),
            Tok::And => op_and(a, b),
            Tok::Eq => compare(a, b, |o| o == Ordering::Equal),
            Tok::Ne => compare(a, b, |o| o != Ordering::Equal),
            Tok::Lt => compare(a, b, |o| o == Ordering::Less),
            Tok::Gt => compare(a, b, |o| o == Ordering::Greater),
            Tok::Le => compare(a, b, |o| o != Ordering::Greater),
            Tok::Ge => compare(a, b, |o| o != Ordering::Less),
            Tok::Plus => self.op_plus(a, b),
            Tok::Minus => self.op_minus(a, b),
            Tok::Mult => self.op_times(a, b),
            Tok::Div => self.op_div(a, b),
            Tok::Mod => self.op_rem(a, b),
            Tok::Colon => self.op_regex(a, b, true),
            Tok::EqTilde => self.op_regex(a, b, false),
            Tok::TildeTilde => {
                let s = strip_quotes(a.into_string()) + &strip_quotes(b.into_string());
                Val::make_str(&s)
            }
            _ => Val::Num(Num::int(0)),
        }
    }

    fn op_plus(&mut self, mut a: Val, mut b: Val) -> Val {
        if !a.coerce_number() {
            self.warn("non-numeric argument");
            return if b.coerce_number() {
                b
            } else {
                Val::Num(Num::int(0))
            };
        }
        if !b.coerce_number() {
            return a;
        }
        Val::Num(a.num().plus(b.num()))
    }

    fn op_minus(&mut self, mut a: Val, mut b: Val) -> Val {
        if !a.coerce_number() {
            self.warn("non-numeric argument");
            return Val::Num(if b.coerce_number() {
                b.num().negate()
            } else {
                Num::int(0)
            });
        }
        if !b.coerce_number() {
            self.warn("non-numeric argument");
            return a;
        }
        Val::Num(a.num().minus(b.num()))
    }

    fn op_negate(&mut self, mut a: Val) -> Val {
        if !a.coerce_number() {
            self.warn("non-numeric argument");
            return Val::Num(Num::int(0));
        }
        Val::Num(a.num().negate())
    }

    fn op_times(&mut self, mut a: Val, mut b: Val) -> Val {
        if !a.coerce_number() || !b.coerce_number() {
            self.warn("non-numeric argument");
            return Val::Num(Num::int(0));
        }
        Val::Num(a.num().times(b.num()))
    }

    fn op_div(&mut self, mut a: Val, mut b: Val) -> Val {
        if !a.coerce_number() {
            self.warn("non-numeric argument");
            return Val::Num(Num::int(0));
        }
        if !b.coerce_number() {
            self.warn("non-numeric argument");
            return Val::Num(Num::int(INT_MAX));
        }
        if b.num().is_zero() {
            self.warn("division by zero");
            return Val::Num(Num::int(INT_MAX));
        }
        Val::Num(a.num().divide(b.num()))
    }

    fn op_rem(&mut self, mut a: Val, mut b: Val) -> Val {
        if !a.coerce_number() || !b.coerce_number() {
            self.warn("non-numeric argument");
            return Val::Num(Num::int(0));
        }
        if b.num().is_zero() {
            self.warn("div by zero");
            return b;
        }
        Val::Num(a.num().fmod(b.num()))
    }

    /// `:` (anchored at the start) and `=~` (anywhere): the first `( )` group's text if the
    /// pattern has one that took part, else the match length; no match gives `0`, or an
    /// empty string when the pattern has groups.
    fn op_regex(&mut self, a: Val, b: Val, anchored: bool) -> Val {
        let subject = strip_quotes(a.into_string());
        let pattern = strip_quotes(b.into_string());
        let re = match posix::compile(&pattern) {
            Ok(re) => re,
            Err(e) => {
                self.warn(&format!("regcomp() error : {e}"));
                return Val::make_str("");
            }
        };
        match re.captures(&subject) {
            Some(c) if !anchored || c.get(0).is_some_and(|m| m.start() == 0) => match c.get(1) {
                Some(g) => Val::make_str(g.as_str()),
                None => Val::Num(Num::int(c.get(0).map_or(0, |m| m.len()) as i64)),
            },
            _ => {
                if posix::groups(&re) == 0 {
                    Val::Num(Num::int(0))
                } else {
                    Val::make_str("")
                }
            }
        }
    }

    /// `FUNC(args)` inside an expression: the math functions of ast_expr2.y, else a dialplan
    /// function read through the registry. The name must be upper case.
    fn call(&mut self, name: &str, mut args: Vec<Val>) -> Val {
        if !name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            self.warn(&format!("Error! '{name}' is not possibly a function name!"));
            return Val::Num(Num::int(0));
        }
        let unary: Option<fn(Num) -> Num> = match name {
            "ABS" => Some(|n| {
                if n.compare(Num::int(0)) == Ordering::Less {
                    n.negate()
                } else {
                    n
                }
            }),
            "FLOOR" => Some(Num::floor),
            "CEIL" => Some(Num::ceil),
            "ROUND" => Some(Num::round),
            "RINT" => Some(Num::rint),
            "TRUNC" => Some(Num::trunc),
            _ => None,
        };
        let float1: Option<fn(f64) -> f64> = match name {
            "COS" => Some(f64::cos),
            "SIN" => Some(f64::sin),
            "TAN" => Some(f64::tan),
            "ACOS" => Some(f64::acos),
            "ASIN" => Some(f64::asin),
            "ATAN" => Some(f64::atan),
            "SQRT" => Some(f64::sqrt),
            "EXP" => Some(f64::exp),
            "EXP2" => Some(f64::exp2),
            "EXP10" => Some(|x| 10f64.powf(x)),
            "LOG" => Some(f64::ln),
            "LOG2" => Some(f64::log2),
            "LOG10" => Some(f64::log10),
            _ => None,
        };
        let float2: Option<fn(f64, f64) -> f64> = match name {
            "ATAN2" => Some(f64::atan2),
            "POW" => Some(f64::powf),
            "REMAINDER" => Some(|x, y| x - (x / y).round_ties_even() * y),
            _ => None,
        };
        if unary.is_some() || float1.is_some() {
            if args.len() != 1 {
                self.warn(&format!("Wrong args to {name}() function"));
                return Val::Num(Num::int(0));
            }
            args[0].coerce_number();
            let x = args[0].num();
            if let Some(f) = unary {
                return Val::Num(f(x));
            }
            if let Some(f) = float1 {
                return Val::Num(Num::Float(f(x.to_f64())));
            }
        }
        if let Some(f) = float2 {
            if args.len() != 2 {
                self.warn(&format!("Wrong args to {name}() function"));
                return Val::Num(Num::int(0));
            }
            args[0].coerce_number();
            args[1].coerce_number();
            return Val::Num(Num::Float(f(
                args[0].num().to_f64(),
                args[1].num().to_f64(),
            )));
        }
        if !crate::functions::is_known(name) {
            self.warn(&format!(
                "Error! '{name}' doesn't appear to be an available function!"
            ));
            return Val::Num(Num::int(0));
        }
        let joined = args
            .into_iter()
            .map(Val::into_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut result = crate::functions::read(name, &joined, &mut *self.env).unwrap_or_default();
        if result.len() > FUNC_RESULT_MAX {
            let mut cut = FUNC_RESULT_MAX;
            while !result.is_char_boundary(cut) {
                cut -= 1;
            }
            result.truncate(cut);
        }
        // is_really_num: only "-0123456789. \t" (the empty string too) is read as a number.
        if result.bytes().all(|b| b"-0123456789. \t".contains(&b)) {
            Val::Num(Num::parse_prefix(&result))
        } else {
            Val::make_str(&result)
        }
    }
}

fn op_or(mut a: Val, b: Val) -> Val {
    if a.is_zero_or_null() {
        b
    } else {
        a
    }
}

fn op_and(mut a: Val, mut b: Val) -> Val {
    if a.is_zero_or_null() || b.is_zero_or_null() {
        Val::Num(Num::int(0))
    } else {
        a
    }
}

fn compare(mut a: Val, mut b: Val, pred: impl Fn(Ordering) -> bool) -> Val {
    let ord = if a.is_string() || b.is_string() {
        a.into_string().cmp(&b.into_string())
    } else {
        a.coerce_number();
        b.coerce_number();
        a.num().compare(b.num())
    };
    Val::Num(Num::int(i64::from(pred(ord))))
}

fn op_cond(mut a: Val, b: Val, c: Val) -> Val {
    let truth = match &a {
        Val::Str(s) => !s.is_empty() && s != "\"\"" && s != "0",
        _ => {
            a.coerce_number();
            !a.num().is_zero()
        }
    };
    if truth {
        b
    } else {
        c
    }
}

/// `!`: numbers are false only at 0; strings go through `atoi`, so `!abc` is 1.
fn op_compl(a: Val) -> Val {
    let v1 = match &a {
        Val::Num(n) => !n.is_zero(),
        Val::Str(s) | Val::NumStr(s) => !(s.is_empty() || s == "0") && atoi(s) as i32 != 0,
    };
    Val::Num(Num::int(i64::from(!v1)))
}
