//! A small, conservative minifier for the site's own CSS and JavaScript.
//!
//! It only removes comments and whitespace; it never renames, reorders or
//! rewrites a token, so what the browser runs is the source, token for
//! token. Strings, template literals, regular expression literals and CSS
//! `url(…)` values are copied untouched.
//!
//! JavaScript keeps a line break wherever dropping it could change
//! automatic semicolon insertion: it is dropped only after
//! `{ ( [ , ; : = ! & | ? * % < > ~ ^` or before `} ) ] , ; . ? : = & | * % > ^`,
//! where a line break never inserts a semicolon that changes the program
//! (not after `++`, `)` or a name, nor before `(`, `[`, `+`, `-` or a name). A `/` is
//! read as a regular expression after an operator, an opening bracket,
//! `{ } ; ,` or a keyword such as `return`, and as a division after a
//! name, a number, `)` or `]`, like in every hand-written script of the
//! theme (`if (x) /re/.test(y)` would be misread: write it with braces).

/// The minified stylesheet.
pub fn css(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_whitespace() {
            pending_space = true;
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i = comment_end(&chars, i + 2);
            pending_space = true;
            continue;
        }
        if pending_space {
            pending_space = false;
            if css_needs_space(out.chars().last(), c) {
                out.push(' ');
            }
        }
        match c {
            '"' | '\'' => i = copy_string(&chars, i, &mut out),
            '\\' => {
                // An escape (`\:`, `\ `) is part of the name it is in.
                out.extend(chars.get(i..i + 2).unwrap_or(&chars[i..]));
                i += 2;
            }
            '}' => {
                if out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                i += 1;
            }
            '(' => {
                out.push(c);
                i += 1;
                if ends_with_ignore_case(&out, "url(") {
                    i = copy_url(&chars, i, &mut out);
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Whether the whitespace between `prev` and `next` must stay (as one
/// space). Around `+`, `-`, `~`, `/` and before `(` or `:` it always does:
/// `calc(a + b)`, `and (min-width…)`, `.x :focus` need it.
fn css_needs_space(prev: Option<char>, next: char) -> bool {
    match prev {
        None => false,
        Some(p) => !("{};,>:(".contains(p) || "{};,>)!".contains(next)),
    }
}

/// Copies an unquoted `url(…)` value as it is, up to its `)`.
fn copy_url(chars: &[char], start: usize, out: &mut String) -> usize {
    let first = chars[start..].iter().position(|c| !c.is_ascii_whitespace());
    match first.map(|offset| chars[start + offset]) {
        // Quoted: the string is copied by the main loop.
        Some('"' | '\'') | None => start,
        Some(_) => {
            let mut i = start;
            while i < chars.len() && chars[i] != ')' {
                if chars[i] == '\\' {
                    out.push(chars[i]);
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    out.push(c);
                }
                i += 1;
            }
            i
        }
    }
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.is_char_boundary(text.len() - suffix.len())
        && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The minified script.
pub fn js(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    // Whitespace (or comments) seen since the last token: none, a space, or
    // something holding a line break.
    let mut pending = Gap::None;
    // One entry per `${` of an enclosing template literal: the depth of `{`
    // opened since, so that its `}` is told from the substitution's end.
    let mut templates: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_js_space(c) {
            pending = pending.max(if is_line_break(c) {
                Gap::Line
            } else {
                Gap::Space
            });
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && !is_line_break(chars[i]) {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let end = comment_end(&chars, i + 2);
            let line = chars[i..end].iter().any(|&c| is_line_break(c));
            pending = pending.max(if line { Gap::Line } else { Gap::Space });
            i = end;
            continue;
        }
        let regex = c == '/' && regex_allowed(&out);
        resolve_gap(&mut out, pending, c);
        pending = Gap::None;
        match c {
            '"' | '\'' => i = copy_string(&chars, i, &mut out),
            '`' => {
                out.push(c);
                i = copy_template(&chars, i + 1, &mut out, &mut templates);
            }
            '/' if regex => i = copy_regex(&chars, i, &mut out),
            '{' => {
                if let Some(depth) = templates.last_mut() {
                    *depth += 1;
                }
                out.push(c);
                i += 1;
            }
            '}' => {
                out.push(c);
                i += 1;
                match templates.last_mut() {
                    Some(0) => {
                        templates.pop();
                        i = copy_template(&chars, i, &mut out, &mut templates);
                    }
                    Some(depth) => *depth -= 1,
                    None => {}
                }
            }
            '\\' => {
                // A Unicode escape in a name (`\u0061`): part of the word.
                out.extend(chars.get(i..i + 2).unwrap_or(&chars[i..]));
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Line,
}

/// JavaScript's white space and line terminators (U+0085 is neither).
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '\\') || !c.is_ascii()
}

/// Writes what is left of the whitespace between the output so far and a
/// token starting with `next`.
fn resolve_gap(out: &mut String, gap: Gap, next: char) {
    let Some(prev) = out.chars().last() else {
        return;
    };
    if gap == Gap::None {
        return;
    }
    if gap == Gap::Line && !"{([,;:=!&|?*%<>~^".contains(prev) && !"})],;.?:=&|*%>^".contains(next)
    {
        out.push('\n');
    } else if js_needs_space(prev, next) {
        out.push(' ');
    }
}

/// Whether two tokens would run into one without a space: two names or
/// numbers, `a + +b`, `a - -b`, a regex before `/`, `<!--`, `-->`, `1 .x`.
fn js_needs_space(prev: char, next: char) -> bool {
    (is_word(prev) && is_word(next))
        || (matches!(prev, '+' | '-') && next == prev)
        || (prev == '/' && matches!(next, '/' | '*'))
        || (prev == '<' && next == '!')
        || (prev == '-' && next == '>')
        || (prev.is_ascii_digit() && next == '.')
}

/// Keywords after which a `/` starts a regular expression.
const BEFORE_REGEX: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

fn regex_allowed(out: &str) -> bool {
    let Some(last) = out.chars().last() else {
        return true;
    };
    if out.ends_with("++") || out.ends_with("--") {
        // Postfix: `i++ / 2`.
        return false;
    }
    if "(,=:[!&|?{};+-*%<>~^".contains(last) {
        return true;
    }
    if is_word(last) {
        let start = out
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_word(c))
            .map_or(0, |(at, c)| at + c.len_utf8());
        let word = &out[start..];
        // `x.return / 2` is a property, not the keyword.
        let property = out[..start].ends_with('.');
        return !property && BEFORE_REGEX.contains(&word);
    }
    false
}

/// Index just past the `*/` of a comment whose text starts at `start`.
fn comment_end(chars: &[char], start: usize) -> usize {
    let mut i = start;
    while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
        i += 1;
    }
    (i + 2).min(chars.len())
}

/// Copies the quoted string at `start` (with its quotes); returns the index
/// after it.
fn copy_string(chars: &[char], start: usize, out: &mut String) -> usize {
    let quote = chars[start];
    out.push(quote);
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        out.push(c);
        i += 1;
        if c == '\\' {
            if let Some(&escaped) = chars.get(i) {
                out.push(escaped);
                i += 1;
            }
        } else if c == quote {
            break;
        }
    }
    i
}

/// Copies a template literal's text from `start` up to its closing
/// backquote, or up to a `${` (pushed on `templates`, the code after it is
/// minified); returns the index after what it copied.
fn copy_template(
    chars: &[char],
    start: usize,
    out: &mut String,
    templates: &mut Vec<usize>,
) -> usize {
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        out.push(c);
        i += 1;
        match c {
            '\\' => {
                if let Some(&escaped) = chars.get(i) {
                    out.push(escaped);
                    i += 1;
                }
            }
            '`' => break,
            '$' if chars.get(i) == Some(&'{') => {
                out.push('{');
                templates.push(0);
                return i + 1;
            }
            _ => {}
        }
    }
    i
}

/// Copies the regular expression literal at `start` with its flags.
fn copy_regex(chars: &[char], start: usize, out: &mut String) -> usize {
    out.push('/');
    let mut i = start + 1;
    let mut in_class = false;
    while let Some(&c) = chars.get(i) {
        if is_line_break(c) {
            // Not a regex after all (a literal cannot span lines): stop here.
            return i;
        }
        out.push(c);
        i += 1;
        match c {
            '\\' => {
                if let Some(&escaped) = chars.get(i) {
                    out.push(escaped);
                    i += 1;
                }
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '/' if !in_class => break,
            _ => {}
        }
    }
    while let Some(&c) = chars.get(i).filter(|&&c| is_word(c)) {
        out.push(c);
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_drops_comments_and_whitespace() {
        assert_eq!(
            css("/* Título */\n.a,\n.b > .c {\n  color: red;\n  margin: 0 auto;\n}\n"),
            ".a,.b>.c{color:red;margin:0 auto}"
        );
    }

    #[test]
    fn css_keeps_the_spaces_that_mean_something() {
        // A descendant pseudo-class, calc's operators, `and (`, a slash.
        assert_eq!(
            css(".cabecera :focus-visible { outline: 0 }"),
            ".cabecera :focus-visible{outline:0}"
        );
        assert_eq!(
            css("a { width: calc(100% - 2rem); top: calc( 100% + 0.25rem ) }"),
            "a{width:calc(100% - 2rem);top:calc(100% + 0.25rem)}"
        );
        assert_eq!(
            css("@media screen and (min-width: 40rem) { li + li { x: y } }"),
            "@media screen and (min-width:40rem){li + li{x:y}}"
        );
        assert_eq!(
            css("a::before { content: \"›\" / \"\"; }"),
            "a::before{content:\"›\" / \"\"}"
        );
        assert_eq!(css("a { margin: 0 !important; }"), "a{margin:0!important}");
    }

    #[test]
    fn css_copies_strings_and_urls_untouched() {
        assert_eq!(
            css("a::after { content: \" (\"  attr(href)  \") /* no */ \"; }"),
            "a::after{content:\" (\" attr(href) \") /* no */ \"}"
        );
        assert_eq!(
            css("a[href^='#  x'] { background: url( a/b.png ); }"),
            "a[href^='#  x']{background:url( a/b.png )}"
        );
        assert_eq!(
            css("a { background: url(\"/*x*/ y.png\") }"),
            "a{background:url(\"/*x*/ y.png\")}"
        );
        assert_eq!(css(".a\\:b { x: 'it\\'s  ' }"), ".a\\:b{x:'it\\'s  '}");
    }

    #[test]
    fn js_drops_comments_and_indentation() {
        assert_eq!(
            js(
                "// Cabecera\n(function () {\n  'use strict';\n  /* doc */\n  var a = 1;\n  f(a, 2);\n})();\n"
            ),
            "(function(){'use strict';var a=1;f(a,2);})();"
        );
    }

    #[test]
    fn js_keeps_line_breaks_that_end_statements() {
        // Without semicolons, the line breaks are the semicolons.
        assert_eq!(js("var a = b\nc()\n"), "var a=b\nc()");
        assert_eq!(js("a++\nb\n"), "a++\nb");
        assert_eq!(js("return\nx\n"), "return\nx");
        // A block comment holding a line break is a line break.
        assert_eq!(js("a /*\n*/ b"), "a\nb");
        // Where no statement can end or start, the line break goes.
        assert_eq!(js("f(a,\n  b)\n  .then(c)\n}"), "f(a,b).then(c)}");
    }

    #[test]
    fn js_keeps_tokens_apart() {
        assert_eq!(js("var x = a + +b - -c;"), "var x=a+ +b- -c;");
        assert_eq!(js("typeof x === 'y'"), "typeof x==='y'");
        assert_eq!(js("return 1 .toFixed(2)"), "return 1 .toFixed(2)");
        assert_eq!(js("a < !--b"), "a< !--b");
        assert_eq!(js("x-- > y"), "x-- >y");
        assert_eq!(js("var año = 1;"), "var año=1;");
    }

    #[test]
    fn js_copies_strings_untouched() {
        assert_eq!(
            js("f('a  //  b', \"c /* d */ e\", 'it\\'s  ', \"q\\\"  \")"),
            "f('a  //  b',\"c /* d */ e\",'it\\'s  ',\"q\\\"  \")"
        );
    }

    #[test]
    fn js_copies_regular_expressions_untouched() {
        assert_eq!(
            js("var re = /^[a-z/ ]+\\/  x$/gu;"),
            "var re=/^[a-z/ ]+\\/  x$/gu;"
        );
        assert_eq!(
            js("if (ok) { return /a b/.test(s) || s.replace(/\\r\\n/g, '\\n'); }"),
            "if(ok){return/a b/.test(s)||s.replace(/\\r\\n/g,'\\n');}"
        );
        assert_eq!(js("x = [/ a /, / b /]"), "x=[/ a /,/ b /]");
        // Divisions stay divisions.
        assert_eq!(js("a = b / 2 / c;"), "a=b/2/c;");
        assert_eq!(js("a = (b) / 2; i++ / 2"), "a=(b)/2;i++/2");
        assert_eq!(js("x.return / 2"), "x.return/2");
        // A regex then a division.
        assert_eq!(js("/a/ / 2"), "/a/ /2");
    }

    #[test]
    fn js_copies_template_literals_and_minifies_their_code() {
        assert_eq!(
            js("var s = `a  ${ b + { c: 1 }.c }  // ${ `x ${ y }` } `;"),
            "var s=`a  ${b+{c:1}.c}  // ${`x ${y}`} `;"
        );
    }
}
