//! The API surface as text: one line per public operation and per type, for a snapshot.

use crate::ir::{Api, Shape, Storage};

/// One line per operation (`op group.method: METHOD /path -> Response`), then one per type.
pub fn surface(api: &Api) -> String {
    let mut out = String::new();
    for op in &api.operations {
        let mut args: Vec<String> = op
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| format!("{}: {}", p.rust_name, p.ty.display()))
            .collect();
        if let Some(body) = op.body.as_ref().filter(|b| b.required) {
            args.push(format!("body: {}", body.ty.display()));
        }
        let setters: Vec<&str> = op
            .params
            .iter()
            .filter(|p| !p.required)
            .map(|p| p.rust_name.as_str())
            .collect();
        let response = op
            .success
            .ty
            .as_ref()
            .map_or_else(|| "()".to_owned(), |t| t.display());
        let mut line = format!(
            "op {}.{}({}) {} {} -> {}",
            op.group,
            op.method,
            args.join(", "),
            op.http_method,
            op.path,
            response
        );
        if !setters.is_empty() {
            line.push_str(&format!(" [{}]", setters.join(", ")));
        }
        if op.pagination.is_some() {
            line.push_str(" +paginator");
        }
        out.push_str(&line);
        out.push('\n');
    }
    for def in api.types.values() {
        let line = match &def.shape {
            Shape::Struct { fields, additional } => {
                let mut names: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        let mark = match f.storage {
                            Storage::Plain => "",
                            Storage::Optional if f.required => "?null",
                            Storage::ThreeState => "?3",
                            Storage::Optional => "?",
                        };
                        format!("{}{}: {}", f.rust_name, mark, f.ty.display())
                    })
                    .collect();
                if let Some(extra) = additional {
                    names.push(format!("..: {}", extra.display()));
                }
                format!("struct {} {{ {} }}", def.name, names.join(", "))
            }
            // A one-value enum is an open string newtype whose default is its value.
            Shape::Enum { values } if values.len() == 1 => {
                format!("tag {} = {:?} +open", def.name, values[0].wire)
            }
            Shape::Enum { values } => {
                let wires: Vec<&str> = values.iter().map(|v| v.wire.as_str()).collect();
                format!("enum {} [{}] +Unknown", def.name, wires.join(", "))
            }
            Shape::Tagged { property, variants } => {
                let vs: Vec<String> = variants
                    .iter()
                    .map(|v| format!("{}={}", v.tags.join("|"), v.ty.display()))
                    .collect();
                format!(
                    "tagged {} by {} [{}] +Unknown",
                    def.name,
                    property,
                    vs.join(", ")
                )
            }
            Shape::Untagged { variants } => {
                let vs: Vec<String> = variants.iter().map(|v| v.ty.display()).collect();
                format!("union {} [{}]", def.name, vs.join(", "))
            }
            Shape::Alias(t) => format!("type {} = {}", def.name, t.display()),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
