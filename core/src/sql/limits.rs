//! The size checks of a statement that run before it is parsed: its nesting depth estimated
//! from its tokens, in one pass with an explicit stack (no recursion), so that a statement too
//! deep for the parser, the planner or the expression compiler is refused with the limit's
//! key and the place where it was passed.
//!
//! The estimate is an upper bound on the depth of the syntax tree the parser would build:
//! inside one parenthesis (or `CASE ... END`), each operator of a list item may add a level
//! (`a + b + c` is a left-deep tree), a nested group adds its own depth plus one, and list
//! items (`,`, `WHEN`, `THEN`, `ELSE`) are siblings that do not add up. A long `IN` list or a
//! `CASE` with many branches is therefore shallow; a 1,000-term sum is 1,000 deep.

use sqlparser::tokenizer::Token;

use crate::plan::{Limits, MAX_EXPRESSION_DEPTH, MAX_STATEMENT_LENGTH};

use super::error::{SqlError, SqlPosition};
use super::script::{StatementTokens, position};

/// Keywords that combine two operands (or negate one) and so may deepen the tree by a level.
const OPERATOR_WORDS: &[&str] = &["AND", "OR", "NOT", "IS", "IN", "LIKE", "SIMILAR", "BETWEEN", "UNION", "INTERSECT", "EXCEPT", "MINUS", "JOIN", "ESCAPE"];
/// Keywords that separate the sibling parts of a `CASE`.
const CASE_SEPARATORS: &[&str] = &["WHEN", "THEN", "ELSE"];

/// Refuses a script longer than `limits.max_statement_length` characters.
pub fn check_length(script: &str, limits: &Limits) -> Result<(), SqlError> {
    let max = limits.max_statement_length;
    // Counting stops just past the limit, so a huge text costs no more than the limit.
    if script.len() > max && script.chars().nth(max).is_some() {
        return Err(SqlError::LimitExceeded {
            message: format!("the SQL text is longer than {max} characters (the limit '{MAX_STATEMENT_LENGTH}')"),
            at: Some(SqlPosition::new(1, 1)),
        });
    }
    Ok(())
}

/// One open group: a parenthesis or a `CASE`.
#[derive(Default)]
struct Group {
    case: bool,
    /// Operators in the current list item.
    operators: usize,
    /// Deepest nested group closed in the current list item.
    nested: usize,
    /// Deepest list item closed so far.
    deepest: usize,
}

impl Group {
    fn item_depth(&self) -> usize {
        self.operators + self.nested
    }

    fn next_item(&mut self) {
        self.deepest = self.deepest.max(self.item_depth());
        self.operators = 0;
        self.nested = 0;
    }
}

/// Refuses a statement whose estimated depth (see the module doc) exceeds
/// `limits.max_expression_depth`, pointing at the token where it does.
pub fn check_depth(st: &StatementTokens, limits: &Limits) -> Result<(), SqlError> {
    let max = limits.max_expression_depth;
    let mut stack: Vec<Group> = vec![Group::default()];
    // Operators of the current items of all open groups: the depth of the innermost point.
    let mut open_operators = 0usize;
    for t in &st.tokens {
        let word = match &t.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        };
        let word = word.as_deref();
        let depth = match (&t.token, word) {
            (Token::LParen, _) | (_, Some("CASE")) => {
                stack.push(Group { case: word.is_some(), ..Group::default() });
                open_operators + stack.len()
            }
            (Token::RParen, _) | (_, Some("END")) if stack.len() > 1 && stack.last().is_some_and(|g| g.case == word.is_some()) => {
                let Some(mut group) = stack.pop() else { break };
                group.next_item();
                open_operators -= group.operators;
                let nested = stack.last_mut().map_or(0, |p| {
                    p.nested = p.nested.max(group.deepest + 1);
                    p.nested
                });
                open_operators + stack.len() + nested
            }
            (Token::Comma, _) | (Token::SemiColon, _) => {
                close_item(&mut stack, &mut open_operators);
                0
            }
            (_, Some(w)) if CASE_SEPARATORS.contains(&w) && stack.last().is_some_and(|g| g.case) => {
                close_item(&mut stack, &mut open_operators);
                0
            }
            (_, Some(w)) if OPERATOR_WORDS.contains(&w) => add_operator(&mut stack, &mut open_operators),
            (Token::Word(_), _)
            | (Token::Number(..), _)
            | (Token::Period, _)
            | (Token::SingleQuotedString(_), _)
            | (Token::DoubleQuotedString(_), _)
            | (Token::NationalStringLiteral(_), _)
            | (Token::HexStringLiteral(_), _)
            | (Token::Colon, _)
            | (Token::LBracket, _)
            | (Token::RBracket, _)
            // A query hint comment (the only comment a statement keeps).
            | (Token::Whitespace(_), _) => 0,
            _ => add_operator(&mut stack, &mut open_operators),
        };
        if depth > max {
            return Err(too_deep(max, position(t.span.start)));
        }
    }
    Ok(())
}

fn close_item(stack: &mut [Group], open_operators: &mut usize) {
    if let Some(group) = stack.last_mut() {
        *open_operators -= group.operators;
        group.next_item();
    }
}

/// Counts an operator in the innermost group; the depth it may reach there.
fn add_operator(stack: &mut [Group], open_operators: &mut usize) -> usize {
    let levels = stack.len();
    match stack.last_mut() {
        Some(group) => {
            group.operators += 1;
            *open_operators += 1;
            *open_operators + levels + group.nested
        }
        None => 0,
    }
}

fn too_deep(max: usize, at: SqlPosition) -> SqlError {
    SqlError::LimitExceeded {
        message: format!(
            "the statement is nested more than {max} levels deep (operators chained, parentheses, CASE or subqueries; the limit '{MAX_EXPRESSION_DEPTH}')"
        ),
        at: Some(at),
    }
}
