//! The condition language's grammar, parsed by recursive descent:
//!
//! ```text
//! expr    = and { "or" and }
//! and     = unary { "and" unary }
//! unary   = "not" unary | "(" expr ")" | test
//! test    = "answered" "(" id ")"
//!         | id ( cmp literal | "in" list | "has" string | "has_any" list )
//!         | id                      (an earlier indicator, in `when` only)
//! list    = "[" literal { "," literal } "]"
//! ```

use std::fmt;

/// Words with a meaning in the language; no id may be one of them.
pub const KEYWORDS: [&str; 7] = ["and", "or", "not", "in", "has", "has_any", "answered"];

/// Deeper nesting than this is refused, so no input can exhaust the stack.
const MAX_DEPTH: usize = 32;

/// A parsed expression, with names not yet resolved against a questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare { name: Name, op: CmpOp, value: Literal },
    In { name: Name, values: Vec<Literal> },
    Has { name: Name, values: Vec<Literal> },
    Answered(Name),
    Flag(Name),
}

/// An identifier and where it stands in the source (a byte offset).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub id: String,
    pub offset: usize,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Str(s) => write!(f, "'{s}'"),
            Literal::Num(n) => write!(f, "{n}"),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// Whether `left op right` holds.
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            CmpOp::Eq => left == right,
            CmpOp::Ne => left != right,
            CmpOp::Lt => left < right,
            CmpOp::Le => left <= right,
            CmpOp::Gt => left > right,
            CmpOp::Ge => left >= right,
        }
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        })
    }
}

/// A syntax error and the byte offset where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Num(f64),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Ident(s) => write!(f, "'{s}'"),
            Token::Str(s) => write!(f, "the text '{s}'"),
            Token::Num(n) => write!(f, "the number {n}"),
            Token::Op(_) => f.write_str("a comparison"),
            Token::LParen => f.write_str("'('"),
            Token::RParen => f.write_str("')'"),
            Token::LBracket => f.write_str("'['"),
            Token::RBracket => f.write_str("']'"),
            Token::Comma => f.write_str("','"),
        }
    }
}

/// Parses a condition.
pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let tokens = lex(source)?;
    let mut parser = Parser { tokens, pos: 0, end: source.len(), depth: 0 };
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(parser.error(format!("unexpected {token} after a complete condition"))),
    }
}

fn lex(source: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        let error = |message: String| ParseError { offset: start, message };
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let token = match c {
            '(' | ')' | '[' | ']' | ',' => {
                chars.next();
                match c {
                    '(' => Token::LParen,
                    ')' => Token::RParen,
                    '[' => Token::LBracket,
                    ']' => Token::RBracket,
                    _ => Token::Comma,
                }
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let followed_by_eq = chars.next_if(|&(_, n)| n == '=').is_some();
                Token::Op(match (c, followed_by_eq) {
                    ('=', true) => CmpOp::Eq,
                    ('!', true) => CmpOp::Ne,
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    ('>', true) => CmpOp::Ge,
                    _ => return Err(error(format!("'{c}' must be followed by '=' here"))),
                })
            }
            '\'' | '"' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, q)) if q == c => break,
                        Some((_, ch)) => text.push(ch),
                        None => return Err(error("a quoted text is not closed".into())),
                    }
                }
                Token::Str(text)
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut end = start;
                while let Some(&(i, ch)) = chars.peek() {
                    if !(ch.is_ascii_digit() || ch == '.' || (i == start && ch == '-')) {
                        break;
                    }
                    end = i + ch.len_utf8();
                    chars.next();
                }
                let text = &source[start..end];
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() => Token::Num(n),
                    _ => return Err(error(format!("'{text}' is not a number"))),
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = start;
                while let Some(&(i, ch)) = chars.peek() {
                    if !(ch.is_ascii_alphanumeric() || ch == '_') {
                        break;
                    }
                    end = i + 1;
                    chars.next();
                }
                Token::Ident(source[start..end].to_string())
            }
            other => return Err(error(format!("unexpected character '{other}'"))),
        };
        tokens.push((start, token));
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(o, _)| *o)
    }

    fn error(&self, message: String) -> ParseError {
        ParseError { offset: self.offset(), message }
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).map(|(_, t)| t.clone());
        self.pos += 1;
        token
    }

    fn at_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(id)) if id == word)
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), ParseError> {
        match self.peek() {
            Some(t) if *t == expected => {
                self.pos += 1;
                Ok(())
            }
            Some(t) => Err(self.error(format!("expected {what}, found {t}"))),
            None => Err(self.error(format!("expected {what} at the end"))),
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.and()?];
        while self.at_keyword("or") {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Or(terms) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.unary()?];
        while self.at_keyword("and") {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::And(terms) })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("conditions may nest at most {MAX_DEPTH} deep")));
        }
        let expr = if self.at_keyword("not") {
            self.pos += 1;
            Expr::Not(Box::new(self.unary()?))
        } else if self.peek() == Some(&Token::LParen) {
            self.pos += 1;
            let inner = self.or()?;
            self.expect(Token::RParen, "')'")?;
            inner
        } else {
            self.test()?
        };
        self.depth -= 1;
        Ok(expr)
    }

    fn name(&mut self) -> Result<Name, ParseError> {
        let offset = self.offset();
        match self.next() {
            Some(Token::Ident(id)) if !KEYWORDS.contains(&id.as_str()) => Ok(Name { id, offset }),
            Some(Token::Ident(id)) => {
                Err(ParseError { offset, message: format!("'{id}' is a keyword, not an id") })
            }
            Some(t) => Err(ParseError { offset, message: format!("expected an id, found {t}") }),
            None => Err(ParseError { offset, message: "expected an id at the end".into() }),
        }
    }

    fn test(&mut self) -> Result<Expr, ParseError> {
        if self.at_keyword("answered") {
            self.pos += 1;
            self.expect(Token::LParen, "'(' after 'answered'")?;
            let name = self.name()?;
            self.expect(Token::RParen, "')'")?;
            return Ok(Expr::Answered(name));
        }
        let name = self.name()?;
        match self.peek() {
            Some(Token::Op(op)) => {
                let op = *op;
                self.pos += 1;
                Ok(Expr::Compare { name, op, value: self.literal()? })
            }
            Some(Token::Ident(word)) if word == "in" => {
                self.pos += 1;
                Ok(Expr::In { name, values: self.list()? })
            }
            Some(Token::Ident(word)) if word == "has" => {
                self.pos += 1;
                let offset = self.offset();
                match self.literal()? {
                    value @ Literal::Str(_) => Ok(Expr::Has { name, values: vec![value] }),
                    Literal::Num(_) => {
                        Err(ParseError { offset, message: "'has' takes a quoted choice id".into() })
                    }
                }
            }
            Some(Token::Ident(word)) if word == "has_any" => {
                self.pos += 1;
                Ok(Expr::Has { name, values: self.list()? })
            }
            _ => Ok(Expr::Flag(name)),
        }
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Literal::Str(s)),
            Some(Token::Num(n)) => Ok(Literal::Num(n)),
            Some(t) => {
                self.pos -= 1;
                Err(self.error(format!("expected a quoted text or a number, found {t}")))
            }
            None => Err(self.error("expected a quoted text or a number at the end".into())),
        }
    }

    fn list(&mut self) -> Result<Vec<Literal>, ParseError> {
        self.expect(Token::LBracket, "'['")?;
        let mut values = vec![self.literal()?];
        while self.peek() == Some(&Token::Comma) {
            self.pos += 1;
            values.push(self.literal()?);
        }
        self.expect(Token::RBracket, "']'")?;
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(id: &str, offset: usize) -> Name {
        Name { id: id.into(), offset }
    }

    #[test]
    fn parses_precedence_of_not_and_or() {
        let expr = parse("a == 'x' or not b > 2 and answered(c)").unwrap();
        assert_eq!(
            expr,
            Expr::Or(vec![
                Expr::Compare {
                    name: name("a", 0),
                    op: CmpOp::Eq,
                    value: Literal::Str("x".into())
                },
                Expr::And(vec![
                    Expr::Not(Box::new(Expr::Compare {
                        name: name("b", 16),
                        op: CmpOp::Gt,
                        value: Literal::Num(2.0)
                    })),
                    Expr::Answered(name("c", 35)),
                ]),
            ])
        );
    }

    #[test]
    fn parses_lists_and_has() {
        let expr = parse("(q in [\"a\", 'b']) and m has 'x' and m has_any ['y'] and ind").unwrap();
        let Expr::And(terms) = expr else { panic!("expected and") };
        assert_eq!(terms.len(), 4);
        assert!(matches!(&terms[0], Expr::In { values, .. } if values.len() == 2));
        assert!(matches!(&terms[3], Expr::Flag(n) if n.id == "ind"));
    }

    #[test]
    fn parses_negative_and_decimal_numbers() {
        let expr = parse("x >= -1.5").unwrap();
        assert!(matches!(expr, Expr::Compare { value: Literal::Num(n), .. } if n == -1.5));
    }

    #[test]
    fn reports_where_a_syntax_error_is() {
        let error = parse("a == 'x' and").unwrap_err();
        assert_eq!(error.offset, 12);
        assert!(error.message.contains("expected an id"), "{}", error.message);

        let error = parse("a = 'x'").unwrap_err();
        assert_eq!(error.offset, 2);

        let error = parse("a == 'x").unwrap_err();
        assert!(error.message.contains("not closed"));

        let error = parse("a == 'x' b").unwrap_err();
        assert!(error.message.contains("after a complete condition"), "{}", error.message);
    }

    #[test]
    fn refuses_keywords_as_ids_and_deep_nesting() {
        assert!(parse("and == 'x'").is_err());
        let deep = format!("{}a == 1{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().message.contains("nest"));
        let nots = format!("{}a == 1", "not ".repeat(100));
        assert!(parse(&nots).is_err());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for source in
            ["", "(", ")", "[", "'", "-", ".", "a in", "a in [", "a in []", "é", "a has 1"]
        {
            assert!(parse(source).is_err(), "{source:?} should be an error");
        }
    }
}
