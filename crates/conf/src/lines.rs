//! Turning file text into the lines Asterisk's `config_text_file_load` hands to
//! `process_text_line`: fgets-sized chunks, `;` comments, `\;` escapes and `;-- --;` blocks.

/// Asterisk reads with `fgets(buf, 8192)`: a chunk of 8191 bytes is "too long".
pub const LINE_BUF: usize = 8192;
/// Asterisk's MAX_NESTED_COMMENTS.
pub const MAX_NESTED_COMMENTS: usize = 128;

/// What fgets would return next, starting at `pos`: up to `LINE_BUF - 1` bytes, through `\n`.
pub fn next_chunk(bytes: &[u8], pos: usize) -> &[u8] {
    let rest = bytes.get(pos..).unwrap_or(&[]);
    let max = rest.len().min(LINE_BUF - 1);
    let window = &rest[..max];
    match window.iter().position(|b| *b == b'\n') {
        Some(i) => &window[..=i],
        None => window,
    }
}

/// One physical line of a file, as the caller will see it.
pub enum Line {
    /// Text to process (already stripped of comments and surrounding blanks; may be empty).
    Text(String),
    /// Everything on the line is inside a block comment.
    InComment,
}

/// Things the comment scanner wants reported, with the line they belong to.
#[derive(Debug, PartialEq, Eq)]
pub enum CommentEvent {
    /// `;--` opened beyond MAX_NESTED_COMMENTS.
    TooDeep,
    /// `--;` with no block open: Asterisk's counter goes negative and the lines that follow are
    /// ignored until a `;--` brings it back to zero.
    StrayClose,
}

/// Block-comment state that survives from line to line (and, as in Asterisk, from one file of
/// a glob to the next within one `#include`).
#[derive(Debug, Default)]
pub struct CommentState {
    /// Asterisk's `comment` counter (may go negative, see [`CommentEvent::StrayClose`]).
    pub depth: i32,
    /// The line each open block started on (Asterisk's `nest[]`).
    pub opened_at: Vec<u32>,
}

/// `\t`, space and every other byte below 33, as Asterisk's ast_strip trims.
pub fn ast_strip(s: &str) -> &str {
    s.trim_matches(|c: char| (c as u32) < 33)
}

/// Strip comments from one line the way config_text_file_load does.
pub fn strip_comments(
    raw: &[u8],
    lineno: u32,
    st: &mut CommentState,
    events: &mut Vec<CommentEvent>,
) -> Line {
    // `buf` is the line; `live` is where the processed text starts (None: the line began inside
    // a block comment and none has closed yet); `cut` is where the live text currently ends
    // (the NUL Asterisk writes at a comment start).
    let mut buf: Vec<u8> = raw.to_vec();
    let mut live: Option<usize> = if st.depth != 0 { None } else { Some(0) };
    let mut cut: Option<usize> = None;
    let mut scan = 0usize;
    while let Some(rel) = buf
        .get(scan..)
        .and_then(|s| s.iter().position(|b| *b == b';'))
    {
        let p = scan + rel;
        let at = |i: usize| buf.get(i).copied().unwrap_or(0);
        if p > scan && at(p - 1) == b'\\' {
            // `\;` is a literal `;`: drop the backslash, keep scanning after the `;`.
            buf.remove(p - 1);
            if let Some(c) = cut.as_mut() {
                if *c > p - 1 {
                    *c -= 1;
                }
            }
            scan = p;
        } else if at(p + 1) == b'-' && at(p + 2) == b'-' && at(p + 3) != b'-' {
            if st.depth < MAX_NESTED_COMMENTS as i32 {
                // Asterisk writes its NUL here whatever the depth: live text ends at any `;--`.
                if live.is_some() && cut.is_none() {
                    cut = Some(p);
                }
                st.depth += 1;
                if st.depth > 0 {
                    st.opened_at.push(lineno);
                }
                scan = p + 3;
            } else {
                events.push(CommentEvent::TooDeep);
                scan = p + 3;
            }
        } else if p >= scan + 2 && at(p - 1) == b'-' && at(p - 2) == b'-' {
            st.depth -= 1;
            if st.depth >= 0 {
                st.opened_at.pop();
            } else {
                events.push(CommentEvent::StrayClose);
            }
            scan = p + 1;
            if st.depth == 0 {
                match (live, cut) {
                    (Some(_), Some(c)) => {
                        // Join what follows the block to the text before it.
                        buf.drain(c..scan);
                        scan = c;
                        cut = None;
                    }
                    (Some(_), None) => {}
                    (None, _) => live = Some(scan),
                }
            }
        } else if st.depth == 0 {
            // A plain `;`: the rest of the line is a comment.
            if live.is_some() && cut.is_none() {
                cut = Some(p);
            }
            break;
        } else {
            scan = p + 1;
        }
    }
    match live {
        None => Line::InComment,
        Some(start) => {
            let end = cut.unwrap_or(buf.len()).min(buf.len());
            let text = String::from_utf8_lossy(buf.get(start..end).unwrap_or(&[]));
            Line::Text(ast_strip(&text).to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &[&str]) -> (Vec<Option<String>>, CommentState, Vec<CommentEvent>) {
        let mut st = CommentState::default();
        let mut ev = Vec::new();
        let out = lines
            .iter()
            .enumerate()
            .map(
                |(i, l)| match strip_comments(l.as_bytes(), i as u32 + 1, &mut st, &mut ev) {
                    Line::Text(t) => Some(t),
                    Line::InComment => None,
                },
            )
            .collect();
        (out, st, ev)
    }

    #[test]
    fn semicolon_starts_comment() {
        assert_eq!(run(&["a = b ; c"]).0, vec![Some("a = b".into())]);
    }

    #[test]
    fn escaped_semicolon_is_literal() {
        assert_eq!(run(&["a = b\\;c ; d"]).0, vec![Some("a = b;c".into())]);
        // `\\;` loses one backslash and stays a literal `;`, as in Asterisk.
        assert_eq!(run(&["a = b\\\\;c"]).0, vec![Some("a = b\\;c".into())]);
    }

    #[test]
    fn block_comment_inside_line_joins_text() {
        assert_eq!(run(&["a = b;-- x --;c"]).0, vec![Some("a = bc".into())]);
    }

    #[test]
    fn block_comment_spanning_lines() {
        let (out, st, _) = run(&["a = 1 ;-- start", "b = 2", "end --; c = 3", "d = 4"]);
        assert_eq!(
            out,
            vec![
                Some("a = 1".into()),
                None,
                Some("c = 3".into()),
                Some("d = 4".into())
            ]
        );
        assert_eq!(st.depth, 0);
    }

    #[test]
    fn block_comments_nest() {
        let (out, st, _) = run(&[";-- one ;-- two --; still --;", "x = 1"]);
        assert_eq!(out, vec![Some("".into()), Some("x = 1".into())]);
        assert_eq!(st.depth, 0);
    }

    #[test]
    fn triple_dash_is_a_plain_comment() {
        let (out, st, _) = run(&[";--- banner ---", "x = 1"]);
        assert_eq!(out, vec![Some("".into()), Some("x = 1".into())]);
        assert_eq!(st.depth, 0);
    }

    #[test]
    fn stray_close_hides_following_lines() {
        let (out, st, ev) = run(&["a = b--;c", "x = 1"]);
        assert_eq!(out, vec![Some("a = b--;c".into()), None]);
        assert_eq!(st.depth, -1);
        assert_eq!(ev, vec![CommentEvent::StrayClose]);
    }

    #[test]
    fn chunks_follow_fgets() {
        let text = b"ab\ncd";
        assert_eq!(next_chunk(text, 0), b"ab\n");
        assert_eq!(next_chunk(text, 3), b"cd");
        assert_eq!(next_chunk(text, 5), b"");
    }
}
