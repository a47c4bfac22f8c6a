//! Emits one file per tag group: the group accessor on `Client`, one method per operation and
//! one `#[must_use]` builder per operation with `send`, `send_with_response`, `options` and,
//! for offset-paged lists, `into_paginator`.

use super::{Scope, doc, doc_lines, ty};
use crate::ir::{
    Api, BodyKind, CursorBy, Group, Operation, PageStyle, Pagination, ParamLocation, Shape, TypeRef,
};
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The tokens of one group's file.
pub fn file_tokens(api: &Api, group: &Group) -> TokenStream {
    let ops: Vec<&Operation> = api
        .operations
        .iter()
        .filter(|o| o.group == group.module)
        .collect();
    let summary = super::doc_inline(&format!(
        " Operations of the `{}` tag, reached through `client.{}()`.",
        group.tag, group.accessor
    ));
    let group_ty = ident(&group.type_name);
    let accessor = ident(&group.accessor);
    let mut group_doc = doc(group.doc.as_deref(), &api.link_origin);
    if let Some(example) = &group.example {
        let separator = if group_doc.is_empty() {
            Vec::new()
        } else {
            vec![String::new()]
        };
        let lines: Vec<String> = separator
            .into_iter()
            .chain(super::example_lines(example))
            .collect();
        group_doc.extend(quote! { #( #[doc = #lines] )* });
    }
    let methods = ops.iter().map(|op| method_tokens(api, op));
    let builders = ops.iter().map(|op| builder_tokens(api, op));
    let accessor_doc = super::doc_inline(&format!(" The `{}` operations.", group.tag));
    quote! {
        #![doc = #summary]
        #group_doc
        #[derive(Debug, Clone, Copy)]
        pub struct #group_ty<'a> {
            client: &'a crate::Client,
        }
        impl crate::Client {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> #group_ty<'_> {
                #group_ty { client: self }
            }
        }
        impl #group_ty<'_> {
            #(#methods)*
        }
        #(#builders)*
    }
}

/// The doc text of an operation: summary, description, error statuses, HTTP line.
fn op_doc(api: &Api, op: &Operation) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    if let Some(summary) = op.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.extend(doc_lines(summary.trim(), &api.link_origin));
    }
    if let Some(text) = op.doc.as_deref().filter(|s| !s.trim().is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(doc_lines(text.trim(), &api.link_origin));
    }
    // Required parameters are arguments, so their descriptions go on the method.
    let arguments: Vec<(String, String)> = op
        .params
        .iter()
        .filter(|p| p.required)
        .filter_map(|p| {
            let text = super::doc_inline(p.doc.as_deref()?).trim().to_owned();
            (!text.is_empty()).then(|| (p.rust_name.clone(), text))
        })
        .collect();
    if !arguments.is_empty() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(" Arguments:".to_owned());
        for (name, text) in arguments {
            lines.push(format!(" - `{name}`: {text}"));
        }
    }
    if !op.errors.is_empty() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let statuses: Vec<&str> = op.errors.iter().map(|e| e.status.as_str()).collect();
        lines.push(format!(
            " Documented error statuses: {}.",
            statuses.join(", ")
        ));
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(super::doc_inline(&format!(
        " `{} {}`",
        op.http_method, op.path
    )));
    let deprecated = if op.deprecated {
        quote! { #[deprecated] }
    } else {
        TokenStream::new()
    };
    quote! { #( #[doc = #lines] )* #deprecated }
}

/// Arguments of the group method: path parameters, required query/header parameters, a required body.
fn arguments(op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust_name);
        let t = ty(&p.ty, Scope::Crate);
        if p.required {
            args.push(quote! { #name: impl Into<#t> });
            inits.push(quote! { #name: #name.into() });
        } else {
            inits.push(quote! { #name: None });
        }
    }
    if let Some(body) = &op.body {
        let t = ty(&body.ty, Scope::Crate);
        if body.required {
            args.push(quote! { body: #t });
            inits.push(quote! { body });
        } else {
            inits.push(quote! { body: None });
        }
    }
    (args, inits)
}

fn method_tokens(api: &Api, op: &Operation) -> TokenStream {
    let docs = op_doc(api, op);
    let method = ident(&op.method);
    let builder = ident(&op.builder);
    let (args, inits) = arguments(op);
    let many = if args.len() > 6 {
        quote! { #[allow(clippy::too_many_arguments)] }
    } else {
        TokenStream::new()
    };
    quote! {
        #docs
        #many
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder {
                client: self.client.clone(),
                #(#inits,)*
                options: crate::RequestOptions::default(),
            }
        }
    }
}

fn response_type(op: &Operation) -> TokenStream {
    if op.success.kind == BodyKind::Binary {
        return quote! { crate::ByteStream };
    }
    match &op.success.ty {
        Some(t) => ty(t, Scope::Crate),
        None => quote! { () },
    }
}

fn builder_tokens(api: &Api, op: &Operation) -> TokenStream {
    let builder = ident(&op.builder);
    let method = &op.method;
    let struct_doc = super::doc_inline(&format!(
        " Request builder for [`{}::{}`](super::{}::{}): `{} {}`.",
        op.group_type, method, op.group_type, method, op.http_method, op.path
    ));
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust_name);
        let t = ty(&p.ty, Scope::Crate);
        if p.required {
            fields.push(quote! { #name: #t });
        } else {
            fields.push(quote! { #name: Option<#t> });
            let mut pdoc = doc(p.doc.as_deref(), &api.link_origin);
            if pdoc.is_empty() {
                let d = super::doc_inline(&format!(" Sets the `{}` parameter.", p.wire_name));
                pdoc = quote! { #[doc = #d] };
            }
            if p.deprecated {
                pdoc.extend(quote! { #[deprecated] });
            }
            setters.push(quote! {
                #pdoc
                pub fn #name(mut self, value: impl Into<#t>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            });
        }
    }
    if let Some(body) = &op.body {
        let t = ty(&body.ty, Scope::Crate);
        if body.required {
            fields.push(quote! { body: #t });
        } else {
            fields.push(quote! { body: Option<#t> });
            setters.push(quote! {
                /// Sets the request body.
                pub fn body(mut self, value: impl Into<#t>) -> Self {
                    self.body = Some(value.into());
                    self
                }
            });
        }
    }

    // Path segments, in order; `{name}` segments take the parameter's text.
    let segments = op.path.split('/').filter(|s| !s.is_empty()).map(|segment| {
        match op.params.iter().find(|p| {
            p.location == ParamLocation::Path && segment.contains(&format!("{{{}}}", p.wire_name))
        }) {
            Some(p) if segment == format!("{{{}}}", p.wire_name) => {
                let name = ident(&p.rust_name);
                quote! { self.#name.to_string() }
            }
            Some(_) => {
                // A segment mixing text and parameters, such as `{id}.json`.
                let mut fmt = segment.to_owned();
                let mut args = Vec::new();
                for p in op
                    .params
                    .iter()
                    .filter(|p| p.location == ParamLocation::Path)
                {
                    let placeholder = format!("{{{}}}", p.wire_name);
                    if fmt.contains(&placeholder) {
                        fmt = fmt.replace(&placeholder, "{}");
                        let name = ident(&p.rust_name);
                        args.push(quote! { self.#name });
                    }
                }
                quote! { format!(#fmt, #(#args),*) }
            }
            None => quote! { #segment.to_owned() },
        }
    });
    let segments: Vec<TokenStream> = segments.collect();
    let response = response_type(op);
    let build = |stream: Option<bool>| request_tokens(api, op, &segments, stream);
    let paginator = op.pagination.as_ref().map(|p| paginator_tokens(api, op, p));
    let (send_request, send_execute) = match &op.streaming {
        Some(_) => (
            build(Some(false)),
            quote! { self.client.execute(request, self.options).await?.json_checked() },
        ),
        None => {
            let execute = match op.success.kind {
                BodyKind::Json => {
                    quote! { self.client.execute(request, self.options).await?.json() }
                }
                BodyKind::Text => {
                    quote! { self.client.execute(request, self.options).await?.text() }
                }
                BodyKind::Binary => {
                    quote! { self.client.execute_download(request, self.options).await }
                }
                BodyKind::Empty | BodyKind::Multipart | BodyKind::Form => {
                    quote! { Ok(self.client.execute(request, self.options).await?.empty()) }
                }
            };
            (build(None), execute)
        }
    };
    let wait = op.wait.as_ref().map(|w| wait_tokens(api, op, w));
    let (send_doc, streaming) = match &op.streaming {
        Some(streaming) => {
            let stream_request = build(Some(true));
            let stream_ty = ident(&streaming.type_name);
            let done = match &streaming.done {
                Some(done) => quote! { Some(#done) },
                None => quote! { None },
            };
            let terminal = &streaming.terminal;
            let flag = &streaming.flag;
            let send_doc = format!(
                " Sends the request with `{flag}: false` and returns the decoded response body.\n An error object in the body of a 200 answer is returned as `Error::Api`."
            );
            let stream_doc = doc_lines(
                &format!(
                    "Sends the request with `{flag}: true` and returns the events as they arrive.\n\n\
                     An error sent inside the stream is yielded as `Error::Api` and ends it; a connection\n\
                     that closes before the end of the protocol yields `Error::Stream`. A whole answer\n\
                     of another media type (a model that cannot stream answers JSON) is\n\
                     [`Error::NotAStream`](crate::Error::NotAStream), which keeps the body. Dropping the\n\
                     stream closes the connection. No total timeout applies; see\n\
                     `RequestOptions::idle_timeout`."
                ),
                "",
            );
            (
                send_doc,
                Some(quote! {
                    #( #[doc = #stream_doc] )*
                    pub async fn stream(self) -> crate::Result<#stream_ty> {
                        #stream_request
                        request.header("accept", "text/event-stream");
                        let protocol = crate::StreamProtocol { done: #done, terminal: &[#(#terminal),*] };
                        self.client.execute_stream(request, self.options, protocol).await
                    }
                }),
            )
        }
        None if op.success.kind == BodyKind::Binary => (
            " Sends the request and returns the answer's body as a stream of bytes, unread (see\n [`ByteStream`](crate::ByteStream): `.bytes(limit)` collects it, `.save(path)` writes it)."
                .to_owned(),
            None,
        ),
        None => (" Sends the request and returns the decoded response body.".to_owned(), None),
    };
    let send_doc = doc_lines(send_doc.trim_start(), "");
    let stream_alias = op.streaming.as_ref().map(|streaming| {
        let stream_ty = ident(&streaming.type_name);
        let item = ty(&streaming.item, Scope::Crate);
        let alias_doc = format!(
            " The events of [`{}::{}`](super::{}::{}) as a `Stream` of `Result<{}>`.",
            op.group_type,
            op.method,
            op.group_type,
            op.method,
            streaming.item.display()
        );
        quote! {
            #[doc = #alias_doc]
            pub type #stream_ty = crate::EventStream<#item>;
        }
    });
    quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request builder does nothing until `.send()` is awaited"]
        pub struct #builder {
            client: crate::Client,
            #(#fields,)*
            options: crate::RequestOptions,
        }
        impl #builder {
            #(#setters)*
            /// Per-call options: extra headers (merged over the client's), timeout, retry policy.
            pub fn options(mut self, options: crate::RequestOptions) -> Self {
                self.options = options;
                self
            }
            #( #[doc = #send_doc] )*
            pub async fn send(self) -> crate::Result<#response> {
                self.send_with_response().await.map(crate::ResponseValue::into_inner)
            }
            /// Like `send`, and keeps the response's status and headers.
            pub async fn send_with_response(self) -> crate::Result<crate::ResponseValue<#response>> {
                #send_request
                #send_execute
            }
            #streaming
            #paginator
            #wait
        }
        #stream_alias
    }
}

/// Statements that build `request` (a `RequestSpec`) from the builder's fields; for a streaming
/// operation, `stream` sets the body's streaming flag first.
fn request_tokens(
    api: &Api,
    op: &Operation,
    segments: &[TokenStream],
    stream: Option<bool>,
) -> TokenStream {
    let http_method = format_ident!("{}", op.http_method);
    let mut prepare = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust_name);
        let wire = &p.wire_name;
        match p.location {
            ParamLocation::Query => prepare.push(quote! { request.query(#wire, &self.#name); }),
            ParamLocation::Header => prepare.push(quote! { request.header(#wire, &self.#name); }),
            ParamLocation::Path => {}
        }
    }
    if let Some(body) = &op.body {
        let content_type = &body.content_type;
        if let (Some(on), Some(streaming)) = (stream, &op.streaming) {
            let flag = ident(&streaming.flag);
            let value = flag_value(api, body, &streaming.flag, on);
            prepare.push(quote! {
                let mut body = self.body;
                body.#flag = #value;
                request.json(&body);
            });
        } else {
            let call = match (body.kind, body.required) {
                (BodyKind::Form, true) => quote! { request.urlencoded(&self.body); },
                (BodyKind::Form, false) => {
                    quote! { if let Some(body) = &self.body { request.urlencoded(body); } }
                }
                (BodyKind::Multipart, true) => quote! { request.multipart(&self.body); },
                (BodyKind::Multipart, false) => {
                    quote! { if let Some(body) = &self.body { request.multipart(body); } }
                }
                (BodyKind::Json, true) => quote! { request.json(&self.body); },
                (BodyKind::Json, false) => {
                    quote! { if let Some(body) = &self.body { request.json(body); } }
                }
                (BodyKind::Text, true) => {
                    quote! { request.raw(#content_type, self.body.clone().into()); }
                }
                (BodyKind::Text, false) => {
                    quote! { if let Some(body) = &self.body { request.raw(#content_type, body.clone().into()); } }
                }
                (_, true) => quote! { request.raw(#content_type, self.body.clone()); },
                (_, false) => {
                    quote! { if let Some(body) = &self.body { request.raw(#content_type, body.clone()); } }
                }
            };
            prepare.push(call);
        }
    }
    if op.anonymous {
        prepare.push(quote! { request.anonymous = true; });
    }
    match &op.server {
        Some(crate::ir::OperationServer::SameHost(path)) => {
            prepare.push(quote! { request.server = crate::request::Server::SameHost(#path); });
        }
        Some(crate::ir::OperationServer::Absolute(url)) => {
            prepare.push(quote! { request.server = crate::request::Server::Absolute(#url); });
        }
        None => {}
    }
    let operation_id = &op.operation_id;
    let path_template = &op.path;
    let binding = if prepare.is_empty() && stream != Some(true) {
        quote! { let request }
    } else {
        quote! { let mut request }
    };
    quote! {
        #binding = crate::request::RequestSpec::new(
            reqwest::Method::#http_method,
            (#operation_id, #path_template),
            vec![#(#segments),*],
        );
        #(#prepare)*
    }
}

/// The value of the streaming flag field as its storage needs it (`true`, `Some(true)`, ...).
fn flag_value(api: &Api, body: &crate::ir::Body, flag: &str, on: bool) -> TokenStream {
    let field = match &body.ty {
        TypeRef::Named(name) => api.types.get(name).and_then(|def| match &def.shape {
            Shape::Struct { fields, .. } => fields
                .iter()
                .find(|f| f.rust_name == flag)
                .map(|f| (def, f)),
            _ => None,
        }),
        _ => None,
    };
    match field.map(|(_, f)| f.storage) {
        Some(crate::ir::Storage::Plain) => quote! { #on },
        Some(crate::ir::Storage::ThreeState) => quote! { crate::Nullable::Value(#on) },
        _ => quote! { Some(#on) },
    }
}

fn paginator_tokens(api: &Api, op: &Operation, p: &Pagination) -> TokenStream {
    match &p.style {
        PageStyle::Offset {
            offset,
            limit,
            max_offset,
            has_more,
        } => offset_paginator(
            api,
            op,
            p,
            offset,
            limit.as_deref(),
            *max_offset,
            has_more.as_deref(),
        ),
        PageStyle::Cursor {
            cursor,
            next,
            has_more,
            by,
        } => cursor_paginator(api, op, p, cursor, next, has_more.as_deref(), by.as_ref()),
    }
}

fn offset_paginator(
    api: &Api,
    op: &Operation,
    p: &Pagination,
    offset_name: &str,
    limit_name: Option<&str>,
    max_offset: Option<i64>,
    has_more: Option<&str>,
) -> TokenStream {
    let response = response_type(op);
    let item = ty(&p.item_ty, Scope::Crate);
    let offset = ident(offset_name);
    let items = ident(&p.items_field);
    let param_ty = |name: &str| {
        op.params
            .iter()
            .find(|q| q.rust_name == name)
            .map(|q| q.ty.clone())
    };
    let (start, set_offset) = match param_ty(offset_name) {
        Some(TypeRef::I32) => (
            quote! { i64::from(self.#offset.unwrap_or(0)) },
            quote! { page.#offset = Some(i32::try_from(offset).unwrap_or(i32::MAX)); },
        ),
        _ => (
            quote! { self.#offset.unwrap_or(0) },
            quote! { page.#offset = Some(offset); },
        ),
    };
    let limit = match limit_name {
        Some(limit) => {
            let limit_id = ident(limit);
            match param_ty(limit) {
                Some(TypeRef::I32) => quote! { self.#limit_id.map(i64::from) },
                _ => quote! { self.#limit_id },
            }
        }
        None => quote! { None },
    };
    let doc_text = match limit_name {
        Some(limit) => format!(
            "Pages through the whole list from the `{offset_name}` set here (default 0), `{limit}` items per request;\na page shorter than `{limit}`, or an empty one, ends it."
        ),
        None => format!(
            "Pages through the whole list from the `{offset_name}` set here (default 0); an empty page ends it."
        ),
    };
    let doc_text = match has_more {
        Some(flag) => format!(
            "Pages through the whole list from the `{offset_name}` set here (default 0), the next offset\n\
             after the items received, while a page says `{flag}: true`."
        ),
        None => doc_text,
    };
    let doc_text = match max_offset {
        Some(max) => format!(
            "{doc_text}\nThe document allows offsets up to {max}: the walk ends before asking past it."
        ),
        None => doc_text,
    };
    let more = match has_more {
        Some(flag) => {
            let flag_id = ident(flag);
            let value = match response_field_storage(api, op, flag) {
                Some(crate::ir::Storage::Plain) => quote! { page.#flag_id },
                Some(crate::ir::Storage::ThreeState) => {
                    quote! { page.#flag_id.as_ref() == Some(&true) }
                }
                _ => quote! { page.#flag_id == Some(true) },
            };
            quote! { Some(|page: &#response| #value) }
        }
        None => quote! { None },
    };
    let docs = doc_lines(&doc_text, "");
    let max_offset = match max_offset {
        Some(max) => quote! { Some(#max) },
        None => quote! { None },
    };
    quote! {
        #( #[doc = #docs] )*
        pub fn into_paginator(self) -> crate::Paginator<#response, #item> {
            let start = #start;
            let limit = #limit;
            crate::Paginator::new(
                start,
                limit,
                #max_offset,
                #more,
                move |offset| {
                    let mut page = Clone::clone(&self);
                    #set_offset
                    Box::pin(page.send())
                },
                |page: &#response| page.#items.len(),
                |page: #response| page.#items,
            )
        }
    }
}

/// `.wait()`: polls the operation until the job's status is terminal.
fn wait_tokens(api: &Api, op: &Operation, wait: &crate::ir::Wait) -> TokenStream {
    use crate::ir::Storage;
    let response = response_type(op);
    // The status and the message are read along their paths; a step through an optional
    // field makes the rest optional.
    let read = |steps: &[(String, String)]| -> (TokenStream, bool) {
        let mut expr = quote! { job };
        let mut optional = false;
        for (owner, field) in steps {
            let name = ident(field);
            let plain = match api.types.get(owner).map(|d| &d.shape) {
                Some(Shape::Struct { fields, .. }) => fields
                    .iter()
                    .find(|f| &f.rust_name == field)
                    .is_some_and(|f| f.storage == Storage::Plain),
                _ => false,
            };
            expr = match (optional, plain) {
                (false, true) => quote! { #expr.#name },
                (false, false) => quote! { #expr.#name.as_ref() },
                (true, true) => quote! { #expr.map(|v| &v.#name) },
                (true, false) => quote! { #expr.and_then(|v| v.#name.as_ref()) },
            };
            optional |= !plain;
        }
        (expr, optional)
    };
    let (status_expr, optional) = read(&wait.status);
    let status_text = if optional {
        quote! { #status_expr.map(|s| s.as_str()) }
    } else {
        quote! { #status_expr.as_str() }
    };
    let message = match &wait.error {
        Some(steps) => {
            let (expr, optional) = read(steps);
            if optional {
                quote! { #expr.cloned() }
            } else {
                quote! { Some(#expr.clone()) }
            }
        }
        None => quote! { None },
    };
    let succeeded = &wait.succeeded;
    let failed = &wait.failed;
    let failed_values = if failed.len() == 1 {
        quote! { #(#failed)* }
    } else {
        quote! { (#(#failed)|*) }
    };
    let (succeeded_pattern, failed_pattern) = if optional {
        (
            quote! { Some(#(#succeeded)|*) },
            quote! { Some(status @ #failed_values) },
        )
    } else {
        (
            quote! { #(#succeeded)|* },
            quote! { status @ #failed_values },
        )
    };
    let list = |values: &[String]| {
        values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let docs = doc_lines(
        &format!(
            "Polls this operation until the job's `{}` is terminal, with growing pauses (see\n\
             [`WaitOptions`](crate::WaitOptions)). Returns the job once it is {}; a job that ends {}\n\
             is `Error::JobFailed` (the job is kept: `error.job::<{}>()`); past the wait's timeout,\n\
             `Error::Timeout` with phase `Job`.",
            wait.status
                .iter()
                .map(|(_, f)| f.as_str())
                .collect::<Vec<_>>()
                .join("."),
            list(succeeded),
            list(failed),
            op.success
                .ty
                .as_ref()
                .map(TypeRef::display)
                .unwrap_or_default(),
        ),
        "",
    );
    quote! {
        #( #[doc = #docs] )*
        pub async fn wait(self, options: crate::WaitOptions) -> crate::Result<#response> {
            crate::wait::poll(options, move || Clone::clone(&self).send(), |job: &#response| {
                match #status_text {
                    #succeeded_pattern => crate::wait::JobState::Succeeded,
                    #failed_pattern => crate::wait::JobState::Failed {
                        status: status.to_owned(),
                        message: #message,
                    },
                    _ => crate::wait::JobState::Running,
                }
            })
            .await
        }
    }
}

/// The storage of a field of the operation's success type.
fn response_field_storage(
    api: &Api,
    op: &Operation,
    rust_name: &str,
) -> Option<crate::ir::Storage> {
    let Some(TypeRef::Named(name)) = &op.success.ty else {
        return None;
    };
    match &api.types.get(name)?.shape {
        Shape::Struct { fields, .. } => fields
            .iter()
            .find(|f| f.rust_name == rust_name)
            .map(|f| f.storage),
        _ => None,
    }
}

/// The next cursor a page gives: `page.<next>` as an `Option<String>`.
fn next_cursor(api: &Api, op: &Operation, next_name: &str) -> TokenStream {
    use crate::ir::Storage;
    let next = ident(next_name);
    match response_field_storage(api, op, next_name) {
        Some(Storage::Plain) => quote! { Some(page.#next.clone()) },
        Some(Storage::ThreeState) => quote! { page.#next.as_ref().cloned() },
        _ => quote! { page.#next.clone() },
    }
}

fn cursor_paginator(
    api: &Api,
    op: &Operation,
    p: &Pagination,
    cursor_name: &str,
    next_name: &str,
    has_more: Option<&str>,
    by: Option<&CursorBy>,
) -> TokenStream {
    use crate::ir::Storage;
    let response = response_type(op);
    let item = ty(&p.item_ty, Scope::Crate);
    let items = ident(&p.items_field);
    // Without a `has_more` flag a missing cursor ends the walk; with one, a page that says
    // more follow but names no cursor is an error rather than a silently short list.
    let (stop, missing, has_more_doc) = match has_more {
        Some(flag) => {
            let flag_id = ident(flag);
            let last = match response_field_storage(api, op, flag) {
                Some(Storage::Plain) => quote! { !page.#flag_id },
                Some(Storage::ThreeState) => quote! { page.#flag_id.as_ref() != Some(&true) },
                _ => quote! { page.#flag_id != Some(true) },
            };
            (
                quote! { if #last { return crate::__private::NextPage::End; } },
                quote! { crate::__private::NextPage::Missing },
                format!(
                    "A page that says `{flag}: false` ends it; one that says more follow without a cursor is\n\
                     yielded, then `Error::Paging`."
                ),
            )
        }
        None => (
            TokenStream::new(),
            quote! { crate::__private::NextPage::End },
            "A page that names no next cursor ends it.".to_owned(),
        ),
    };
    let mut doc_text = format!(
        "Pages through the whole list from the `{cursor_name}` set here (default: the first page); each\n\
         request sends the `{next_name}` of the page before.\n"
    );
    let cursor = ident(cursor_name);
    // Where the walk starts, how a request takes the cursor, and how a page gives the next one.
    let (setup, set, next_value, capture) = match by {
        None => (
            quote! { let start = self.#cursor.clone(); },
            quote! { page.#cursor = cursor; },
            next_cursor(api, op, next_name),
            TokenStream::new(),
        ),
        Some(by) => {
            let param = ident(&by.param);
            let chosen = match (by.optional, by.is_enum) {
                (true, true) => quote! { self.#param.as_ref().map(|v| v.as_str()) },
                (true, false) => quote! { self.#param.as_deref() },
                (false, _) => quote! { self.#param.as_str() },
            };
            let arms = by.values.iter().map(|(value, cursor_name, next_name)| {
                let cursor = ident(cursor_name);
                let next = next_cursor(api, op, next_name);
                let pattern = if by.optional { quote! { Some(#value) } } else { quote! { #value } };
                doc_text.push_str(&format!(
                    "With `{}` set to `{value}`, pages are chained through `{cursor_name}` and the page's\n`{next_name}` instead.\n",
                    param_wire_name(op, &by.param),
                ));
                quote! { #pattern => (self.#cursor.clone(), |b, cursor| b.#cursor = cursor, |page| #next), }
            });
            let arms: Vec<TokenStream> = arms.collect();
            let fallback = next_cursor(api, op, next_name);
            (
                quote! {
                    let (start, set, next): (Option<String>, crate::__private::SetCursor<Self>, crate::__private::ReadCursor<#response>) =
                        match #chosen {
                            #( #arms )*
                            _ => (self.#cursor.clone(), |b, cursor| b.#cursor = cursor, |page| #fallback),
                        };
                },
                quote! { set(&mut page, cursor); },
                quote! { next(page) },
                quote! { move },
            )
        }
    };
    doc_text.push_str(&has_more_doc);
    let docs = doc_lines(&doc_text, "");
    quote! {
        #( #[doc = #docs] )*
        pub fn into_paginator(self) -> crate::Paginator<#response, #item> {
            #setup
            crate::Paginator::with_cursor(
                start,
                move |cursor| {
                    let mut page = Clone::clone(&self);
                    #set
                    Box::pin(page.send())
                },
                #capture |page: &#response| {
                    #stop
                    match #next_value {
                        Some(cursor) => crate::__private::NextPage::Cursor(cursor),
                        None => #missing,
                    }
                },
                |page: &#response| page.#items.len(),
                |page: #response| page.#items,
            )
        }
    }
}

/// The wire name of the operation's parameter with this Rust name.
fn param_wire_name<'a>(op: &'a Operation, rust_name: &'a str) -> &'a str {
    op.params
        .iter()
        .find(|p| p.rust_name == rust_name)
        .map_or(rust_name, |p| p.wire_name.as_str())
}
