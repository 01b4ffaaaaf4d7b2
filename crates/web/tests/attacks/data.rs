//! Attacks on stored data: customer data at rest, scoping by reporting line, ingestion integrity.
