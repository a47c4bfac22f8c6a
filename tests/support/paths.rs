//! Matching operations across documents that name path parameters differently.

/// A path (or `METHOD /path`) with its parameters' names blanked: `/workspaces/{}/budgets`.
/// Our spec may name a parameter differently from OpenRouter's document (`{workspace_ref}` for
/// `{id}`); the operation is the same.
pub fn path_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_brace = false;
    for c in path.chars() {
        match c {
            '{' => in_brace = true,
            '}' => {
                in_brace = false;
                out.push_str("{}");
            }
            _ if !in_brace => out.push(c),
            _ => {}
        }
    }
    out
}
