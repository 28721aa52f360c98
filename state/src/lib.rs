//! Keyed state for Weir operators (see README of the crate).
