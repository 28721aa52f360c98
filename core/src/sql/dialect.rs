//! The SQL dialect Weir parses: Flink's, as a thin layer over `sqlparser`'s generic dialect.
//!
//! The generic dialect parses the most of Flink's query syntax (backtick identifiers,
//! `FILTER (WHERE ..)`, `MATCH_RECOGNIZE`, window functions); [`FlinkDialect`] keeps all of
//! its behaviour (including the parser's generic-only branches, by reporting the generic type
//! id) and narrows identifiers to Flink's: letters, digits, `_` and `$`. Flink-only DDL
//! (`WATERMARK FOR`, `PRIMARY KEY .. NOT ENFORCED`, computed columns, `WITH` options) and the
//! statement set block are parsed by [`crate::sql`]'s own statement readers.

use std::any::TypeId;

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator};
use sqlparser::dialect::{Dialect, GenericDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};

use super::json_syntax;

/// Flink SQL for `sqlparser`: the generic dialect with Flink's identifier rules.
#[derive(Debug, Default, Clone, Copy)]
pub struct FlinkDialect;

macro_rules! delegate_to_generic {
    ($($name:ident),* $(,)?) => {
        $(
            fn $name(&self) -> bool {
                GenericDialect.$name()
            }
        )*
    };
}

impl FlinkDialect {
    /// The `a AND b` after `BETWEEN [A]SYMMETRIC`, parsed as `sqlparser` parses BETWEEN's.
    fn between_bounds(&self, parser: &mut Parser) -> Result<(Expr, Expr), ParserError> {
        let low = parser.parse_subexpr(self.between_low_bound_precedence())?;
        parser.expect_keyword_is(Keyword::AND)?;
        let high = parser.parse_subexpr(self.prec_value(Precedence::Between))?;
        Ok((low, high))
    }
}

impl Dialect for FlinkDialect {
    fn dialect(&self) -> TypeId {
        TypeId::of::<GenericDialect>()
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '`' || ch == '"'
    }

    fn identifier_quote_style(&self, _identifier: &str) -> Option<char> {
        Some('`')
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_alphabetic() || ch == '_'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_alphanumeric() || ch == '_' || ch == '$'
    }

    /// Flink's JSON function calls (`JSON_VALUE(j, p RETURNING INT DEFAULT 0 ON EMPTY)`, ..)
    /// and the map constructor `MAP[k, v, ..]`: see [`json_syntax`].
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        json_syntax::parse_json_call(parser).or_else(|| json_syntax::parse_map_constructor(parser))
    }

    /// Flink's `MAP<K, V>` type (in CAST).
    fn supports_map_literal_with_angle_brackets(&self) -> bool {
        true
    }

    /// `x IS [NOT] JSON [kind]` (see [`json_syntax`]), and
    /// `x [NOT] BETWEEN SYMMETRIC a AND b`, which `sqlparser` does not read, as Calcite
    /// expands it: `(x BETWEEN a AND b) OR (x BETWEEN b AND a)`; `BETWEEN ASYMMETRIC` is a plain
    /// BETWEEN.
    fn parse_infix(&self, parser: &mut Parser, expr: &Expr, _precedence: u8) -> Option<Result<Expr, ParserError>> {
        if let Some(test) = json_syntax::parse_is_json(parser, expr) {
            return Some(Ok(test));
        }
        let negated = parser.peek_keyword(Keyword::NOT);
        let prefix: &[Keyword] = if negated { &[Keyword::NOT, Keyword::BETWEEN] } else { &[Keyword::BETWEEN] };
        let symmetric = parser.parse_keywords(&[prefix, &[Keyword::SYMMETRIC]].concat());
        if !symmetric && !parser.parse_keywords(&[prefix, &[Keyword::ASYMMETRIC]].concat()) {
            return None;
        }
        Some(self.between_bounds(parser).map(|(low, high)| {
            let between = |low: &Expr, high: &Expr| Expr::Between {
                expr: Box::new(expr.clone()),
                negated: false,
                low: Box::new(low.clone()),
                high: Box::new(high.clone()),
            };
            let test = if symmetric {
                let either = Expr::BinaryOp { left: Box::new(between(&low, &high)), op: BinaryOperator::Or, right: Box::new(between(&high, &low)) };
                Expr::Nested(Box::new(either))
            } else {
                between(&low, &high)
            };
            if negated { Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(test) } } else { test }
        }))
    }

    delegate_to_generic!(
        supports_map_typedef_with_parentheses,
        supports_unicode_string_literal,
        supports_literal_prefix_in_qualified_name,
        supports_partition_by_after_order_by,
        supports_array_join_syntax,
        supports_group_by_expr,
        supports_group_by_with_modifier,
        supports_left_associative_joins_without_parens,
        supports_connect_by,
        supports_match_recognize,
        supports_start_transaction_modifier,
        supports_window_function_null_treatment_arg,
        supports_window_clause_named_window_reference,
        supports_parenthesized_set_variables,
        supports_select_wildcard_except,
        support_map_literal_syntax,
        allow_extract_custom,
        allow_extract_single_quotes,
        supports_extract_comma_syntax,
        supports_create_view_comment_syntax,
        supports_parens_around_table_factor,
        supports_values_as_table_factor,
        supports_create_index_with_clause,
        supports_sql_option_without_value,
        supports_explain_with_utility_options,
        supports_exclude_constraint,
        supports_limit_comma,
        supports_update_order_by,
        supports_projection_trailing_commas,
        supports_asc_desc_in_column_definition,
        supports_try_convert,
        supports_bitwise_shift_operators,
        supports_singular_value_keyword,
        supports_comma_join_constraint,
        supports_tilde_like_match_operator,
        supports_aggregate_order_by_with_empty_args,
        supports_in_table_expression,
        supports_comparison_in_between_low_bound,
        supports_comment_on,
        supports_load_extension,
        supports_named_fn_args_with_assignment_operator,
        supports_struct_literal,
        supports_empty_projections,
        supports_multiline_comment_hints,
        supports_copy_from_stdin_data,
        supports_user_host_grantee,
        supports_string_escape_constant,
        supports_array_typedef_with_brackets,
        supports_match_against,
        supports_set_names,
        supports_comma_separated_set_assignments,
        supports_filter_during_aggregation,
        supports_select_wildcard_exclude,
        supports_data_type_signed_suffix,
        supports_data_type_zerofill_suffix,
        supports_interval_options,
        supports_quote_delimited_string,
        supports_select_wildcard_replace,
        supports_select_wildcard_ilike,
        supports_select_wildcard_rename,
        supports_optimize_table,
        supports_install,
        supports_detach,
        supports_prewhere,
        supports_with_fill,
        supports_limit_by,
        supports_interpolate,
        supports_settings,
        supports_table_partitions,
        supports_table_inheritance_markers,
        supports_select_format,
        supports_comment_optimizer_hint,
        supports_constraint_keyword_without_name,
        supports_key_column_option,
        supports_comma_separated_trim,
        supports_cte_without_as,
        supports_select_item_multi_column_alias,
        supports_xml_expressions,
        supports_aliased_function_args,
        supports_alter_column_position,
        supports_add_column_if_not_exists,
    );
}
