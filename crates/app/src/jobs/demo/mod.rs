//! Demo data for `righttrack serve --demo`, stored through the same store calls as real
//! use, so the demo shows what the product does with real rows.

pub mod cases;
pub mod surveys;
