//! Hostile and malformed fixture specs (being written).
