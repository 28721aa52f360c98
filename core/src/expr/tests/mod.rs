//! Table-driven tests of the expression language.
