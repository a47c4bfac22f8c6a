//! Conformance with OpenRouter's published document (being written).
