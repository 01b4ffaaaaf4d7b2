//! The speak-up hotline: reports, case management, sealed attachments, the vault, settings and retention.
