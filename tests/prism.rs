//! The generated client against Stoplight Prism, a mock server driven by OpenRouter's own
//! OpenAPI document (`../shared/reference/openrouter-openapi.yaml`).
//!
//! Prism checks every request against the reference (parameters, formats, enums, bounds,
//! required body fields, security) and answers with the document's own examples. So each call
//! here proves two things: what the client sends is valid for OpenRouter's document, and what
//! OpenRouter documents as an answer decodes into our types.
//!
//! Every operation of `spec/openrouter.yaml` that the reference also describes is called once
//! (matched by method and path); the test fails when one is missing from the table below.
//!
//! Prism is an npm package pinned in `tests/prism/`: `npm ci --prefix tests/prism` installs it.
//! Without it (or without the reference document) the test passes with a "skipping" message,
//! except when `CI=true`, where it fails.

#[path = "support/paths.rs"]
mod paths;

use futures::future::BoxFuture;
use openrouter_generated::types as t;
use openrouter_generated::{ByteStream, Client, Error, ResponseValue, RetryPolicy, Upload};
use paths::path_shape;
use reqwest::header::HeaderMap;
use std::collections::BTreeSet;
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Operations of our spec that the reference does not describe because they come from an older
/// revision of OpenRouter's document; they cannot be checked against Prism. The operations newer
/// than the reference (from SDK 1.3.84) cannot either: they are read from the SDK's operation
/// list beside the reference (`sdk-operations-1.3.84.tsv`, those marked as not in it).
const NOT_IN_REFERENCE: &[&str] = &["GET /parameters/{author}/{slug}", "POST /completions"];

/// The operations SDK 1.3.84 lists as absent from the published document (the TSV's
/// `in_reference_doc` column is `-`), as `METHOD /path`.
fn newer_than_reference(tsv: &str) -> BTreeSet<String> {
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("the TSV has no {name} column"))
    };
    let (method, path, in_doc) = (column("method"), column("path"), column("in_reference_doc"));
    lines
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|cells| cells.get(in_doc) == Some(&"-"))
        .map(|cells| format!("{} {}", cells[method], cells[path]))
        .collect()
}

/// Operations whose 200 example in the reference does not match the reference's own response
/// schema, as `(operation, what is wrong)`. With `--errors` Prism refuses to serve such an
/// example and answers 500 with the violations (only `response` ones); that is what these
/// calls must get. Their example is then fetched from a second Prism without `--errors`, and
/// must decode into our type. An entry that no longer applies fails the test.
const ALLOWED: &[(&str, &str)] = &[
    ("GET /embeddings/models", MODELS_LIST),
    ("GET /models", MODELS_LIST),
    ("GET /models/user", MODELS_LIST),
    (
        "GET /files",
        "the FileListResponse example has no `_shape`, which each of its oneOf branches \
         (OpenRouterFileList, OpenAIFileList, AnthropicFileList) requires, so it matches none",
    ),
    (
        "POST /files",
        "the FileResponse example has no `_shape`, which each of its oneOf branches \
         (OpenRouterFile, OpenAIFile, AnthropicFile) requires, so it matches none",
    ),
    (
        "GET /files/{file_id}",
        "the FileResponse example has no `_shape`, which each of its oneOf branches \
         (OpenRouterFile, OpenAIFile, AnthropicFile) requires, so it matches none",
    ),
    (
        "DELETE /files/{file_id}",
        "the FileDeleteResponse example has no `_shape`, which each of its oneOf branches \
         (OpenRouterFileDeleted, OpenAIFileDeleted, AnthropicFileDeleted) requires, so it matches none",
    ),
    (
        "GET /generation",
        "the GenerationResponse example's `data` has no `workspace_id`, which the schema requires",
    ),
    (
        "GET /videos/models",
        "the VideoModelsListResponse example's `data[0]` has no `creativity` nor `upscale_factor`, \
         which the schema requires",
    ),
];
const MODELS_LIST: &str =
    "the ModelsListResponse example has no `total_count` nor `links`, which the schema requires";

const UUID: &str = "550e8400-e29b-41d4-a716-446655440000";
const KEY_HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";
const FILE_ID: &str = "or_file_011CNha8iCJcU1wXNR6q4V8w";
const PRESET: &str = "my-preset";
const WORKSPACE: &str = "production";
/// `wav()` in base64, as the JSON transcription body carries audio.
const WAV_BASE64: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";
/// Longest binary answer read into memory.
const MAX_BYTES: usize = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The calls: one row per operation.
// ---------------------------------------------------------------------------------------------

/// One call through the generated client.
struct Call {
    /// `METHOD /path`, as both documents spell it.
    op: &'static str,
    /// What distinguishes a second call of the same operation (another body kind).
    variant: Option<&'static str>,
    run: Box<dyn Fn(Client) -> BoxFuture<'static, Outcome>>,
}

/// `"METHOD /path" => json |c| builder;` sends `builder.send_with_response()` and records
/// the outcome; `bytes` instead reads a binary answer to its end. `"op" ["variant"] => ...`
/// marks a second call of the same operation.
macro_rules! calls {
    (@variant) => { None };
    (@variant $variant:literal) => { Some($variant) };
    ($( $op:literal $([$variant:literal])? => $kind:ident |$c:ident| $call:expr; )*) => {
        vec![$(
            Call {
                op: $op,
                variant: calls!(@variant $($variant)?),
                run: Box::new(|$c: Client| Box::pin(async move { $kind($call.send_with_response().await).await })),
            },
        )*]
    };
}

// `POST /credits/coinbase` is deprecated (it answers 410 Gone) but still in both documents.
#[allow(deprecated)]
fn calls() -> Vec<Call> {
    calls! {
        // Analytics
        "GET /activity" => json |c| c.analytics().activity()
            .date("2025-08-24").group_by(t::GetUserActivityGroupBy::default()).workspace_id(UUID);
        "GET /analytics/meta" => json |c| c.analytics().meta();
        "POST /analytics/query" => json |c| c.analytics().query(
            t::AnalyticsQueryRequest::new(vec!["request_count".to_owned()])
                .dimensions(vec!["model".to_owned()])
                .granularity("day")
                .time_range(t::AnalyticsTimeRange::new("2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z"))
                .limit(100),
        );
        // Anthropic messages
        "POST /messages" => json |c| c.anthropic_messages().create(
            t::MessagesRequest::new(
                "anthropic/claude-sonnet-4",
                Some(vec![t::MessagesMessageParam::new("user", "Hello, how are you?")]),
            )
            .max_tokens(1024),
        ).x_open_router_metadata("enabled");
        // API keys
        "GET /key" => json |c| c.api_keys().get_current();
        "GET /keys" => json |c| c.api_keys().list().include_disabled(false).offset(0).workspace_id(UUID);
        "POST /keys" => json |c| c.api_keys().create(
            t::CreateApiKeyRequest::new("My New API Key")
                .limit(Some(50.0))
                .limit_reset(Some("monthly".into()))
                .include_byok_in_limit(true)
                .expires_at(Some("2027-12-31T23:59:59Z".to_owned())),
        );
        "GET /keys/{hash}" => json |c| c.api_keys().get(KEY_HASH);
        "DELETE /keys/{hash}" => json |c| c.api_keys().delete(KEY_HASH);
        "PATCH /keys/{hash}" => json |c| c.api_keys().update(
            KEY_HASH,
            t::UpdateApiKeyRequest::new()
                .name("Updated API Key Name")
                .disabled(false)
                .limit(Some(75.0))
                .limit_reset(Some("daily".into())),
        );
        // Audio
        "POST /audio/speech" => bytes |c| c.audio().speak(
            t::SpeechRequest::new("mistralai/voxtral-mini-tts-2603", "Hello world").voice("en_paul_neutral").speed(1.0),
        );
        "POST /audio/transcriptions" => json |c| c.audio().transcribe(
            t::TranscriptionRequest::new("openai/whisper-large-v3", t::TranscriptionInputAudio::new(WAV_BASE64, "wav"))
                .language("en"),
        );
        "POST /audio/transcriptions" ["multipart"] => json |c| c.audio().transcribe_file(
            t::TranscriptionFileRequest::new("openai/whisper-large-v3").file(Upload::new(wav(), "audio.wav", "audio/wav"))
                .language("en"),
        );
        // Benchmarks
        "GET /benchmarks" => json |c| c.benchmarks().list()
            .source("artificial-analysis").task_type("coding").include_run_config(true).max_results(50);
        // BYOK
        "GET /byok" => json |c| c.byok().list().offset(0).limit(50).workspace_id(UUID).provider("openai");
        "POST /byok" => json |c| c.byok().create(
            t::CreateByokKeyRequest::new("openai", "sk-proj-abc123").name(Some("Production OpenAI Key".to_owned())),
        );
        "GET /byok/{id}" => json |c| c.byok().get(UUID);
        "DELETE /byok/{id}" => json |c| c.byok().delete(UUID);
        "PATCH /byok/{id}" => json |c| c.byok().update(
            UUID,
            t::UpdateByokKeyRequest::new().name(Some("Updated OpenAI Key".to_owned())).disabled(false),
        );
        // Chat
        "POST /chat/completions" => json |c| c.chat().create(
            t::ChatRequest::new(vec![
                t::ChatSystemMessage::new("You are a helpful assistant.").into(),
                t::ChatUserMessage::new("What is the capital of France?").into(),
            ])
            .model("openai/gpt-4")
            .temperature(Some(0.7))
            .max_tokens(Some(150)),
        ).x_open_router_metadata("enabled");
        // Classifications
        "GET /classifications/task" => json |c| c.classifications().tasks().window(t::GetTaskClassificationsWindow::default());
        // Credits
        "GET /credits" => json |c| c.credits().get();
        "POST /credits/coinbase" => json |c| c.credits().create_coinbase_charge();
        // Datasets
        "GET /datasets/app-rankings" => json |c| c.datasets().app_rankings()
            .category("coding").subcategory("cli-agent").sort("popular")
            .start_date("2026-04-12").end_date("2026-05-11").limit(50).offset(0);
        "GET /datasets/rankings-daily" => json |c| c.datasets().rankings_daily()
            .start_date("2026-04-12").end_date("2026-05-11").period("day").modality("text")
            .context_bucket("100K").category("programming").language_type("natural");
        "GET /datasets/session-cost" => json |c| c.datasets().session_cost()
            .app_slug("hermes-agent").model("anthropic/claude-4.8-opus").turn_range("10-49-turns").limit(100).offset(0);
        // Embeddings
        "POST /embeddings" => json |c| c.embeddings().create(
            t::EmbeddingsRequest::new("The quick brown fox jumps over the lazy dog", "openai/text-embedding-3-small").dimensions(1536),
        );
        "GET /embeddings/models" => json |c| c.embeddings().list_models().offset(0).limit(500);
        // Endpoints
        "GET /endpoints/zdr" => json |c| c.endpoints().list_zdr();
        "GET /models/{author}/{slug}/endpoints" => json |c| c.endpoints().list("openai", "gpt-4");
        // Files
        "GET /files" => json |c| c.files().list().limit(100).workspace_id(UUID).provider("openai").order("asc");
        "POST /files" => json |c| c.files()
            .upload(t::UploadFileRequest::new(Upload::new(pdf(), "document.pdf", "application/pdf")))
            .provider("openai");
        "GET /files/{file_id}" => json |c| c.files().get(FILE_ID).provider("openai");
        "DELETE /files/{file_id}" => json |c| c.files().delete(FILE_ID).provider("openai");
        "GET /files/{file_id}/content" => bytes |c| c.files().download(FILE_ID).provider("openai");
        // Generations
        "GET /generation" => json |c| c.generations().get("gen-1234567890");
        "GET /generation/content" => json |c| c.generations().get_content("gen-1234567890");
        "POST /generation/feedback" => json |c| c.generations().submit_feedback(
            t::SubmitGenerationFeedbackRequest::new("gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG", "incorrect_response")
                .comment("The model repeated the same paragraph three times."),
        );
        // Guardrails
        "GET /guardrails" => json |c| c.guardrails().list().offset(0).limit(50).workspace_id(UUID);
        "POST /guardrails" => json |c| c.guardrails().create(
            t::CreateGuardrailRequest::new("My New Guardrail")
                .description(Some("A guardrail for limiting API usage".to_owned()))
                .limit_usd(Some(50.0))
                .reset_interval("monthly")
                .allowed_providers(Some(vec!["openai".to_owned(), "anthropic".to_owned()]))
                .enforce_zdr_openai(Some(true)),
        );
        "GET /guardrails/{id}" => json |c| c.guardrails().get(UUID);
        "DELETE /guardrails/{id}" => json |c| c.guardrails().delete(UUID);
        "PATCH /guardrails/{id}" => json |c| c.guardrails().update(
            UUID,
            t::UpdateGuardrailRequest::new().name("Updated Guardrail Name").limit_usd(Some(75.0)).reset_interval("weekly"),
        );
        "GET /guardrails/{id}/assignments/keys" => json |c| c.guardrails().list_key_assignments(UUID).offset(0).limit(50);
        "POST /guardrails/{id}/assignments/keys" => json |c| c.guardrails().assign_keys(UUID, key_hashes());
        "POST /guardrails/{id}/assignments/keys/remove" => json |c| c.guardrails().unassign_keys(UUID, key_hashes());
        "GET /guardrails/{id}/assignments/members" => json |c| c.guardrails().list_member_assignments(UUID).offset(0).limit(50);
        "POST /guardrails/{id}/assignments/members" => json |c| c.guardrails()
            .assign_members(UUID, t::GuardrailMembersRequest::new(members()));
        "POST /guardrails/{id}/assignments/members/remove" => json |c| c.guardrails()
            .unassign_members(UUID, t::GuardrailMembersRequest::new(members()));
        "GET /guardrails/assignments/keys" => json |c| c.guardrails().list_all_key_assignments().offset(0).limit(50);
        "GET /guardrails/assignments/members" => json |c| c.guardrails().list_all_member_assignments().offset(0).limit(50);
        // Images
        "POST /images" => json |c| c.images().generate(
            t::ImageGenerationRequest::new("bytedance-seed/seedream-4.5", "a red panda astronaut floating in space, studio lighting"),
        );
        "GET /images/models" => json |c| c.images().list_models();
        "GET /images/models/{author}/{slug}/endpoints" => json |c| c.images()
            .list_model_endpoints("bytedance-seed", "seedream-4.5");
        // Models
        "GET /models" => json |c| c.models().list()
            .offset(0).limit(500).category("programming").sort("newest")
            .supported_parameters("temperature").input_modalities("text,image").output_modalities("text")
            .context(128000).min_price(0.0).max_price(10.0).distillable("true").region("eu")
            .max_age_days(90).min_tool_success_rate(0.9);
        "GET /models/count" => json |c| c.models().count().output_modalities("text");
        "GET /models/user" => json |c| c.models().list_for_user().offset(0).limit(500);
        "GET /model/{author}/{slug}" => json |c| c.models().get("openai", "gpt-4");
        // OAuth
        "POST /auth/keys" => json |c| c.oauth().exchange_code(
            t::ExchangeAuthCodeRequest::new("auth_code_abc123def456")
                .code_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                .code_challenge_method(Some("S256".into())),
        );
        "POST /auth/keys/code" => json |c| c.oauth().create_code(
            t::CreateAuthCodeRequest::new("https://myapp.com/auth/callback")
                .code_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
                .code_challenge_method("S256")
                .limit(100.0),
        );
        // Observability
        "GET /observability/destinations" => json |c| c.observability().list().offset(0).limit(50).workspace_id(UUID);
        "POST /observability/destinations" => json |c| c.observability().create(
            t::CreateObservabilityDestinationRequest::new("langfuse", "Production Langfuse", langfuse_config()),
        );
        "GET /observability/destinations/{id}" => json |c| c.observability().get(UUID);
        "DELETE /observability/destinations/{id}" => json |c| c.observability().delete(UUID);
        "PATCH /observability/destinations/{id}" => json |c| c.observability().update(
            UUID,
            t::UpdateObservabilityDestinationRequest::new().name("Updated Langfuse").enabled(false),
        );
        // Organization
        "GET /organization/members" => json |c| c.organization().list_members().offset(0).limit(50);
        // Presets
        "GET /presets" => json |c| c.presets().list().offset(0).limit(50);
        "GET /presets/{slug}" => json |c| c.presets().get(PRESET);
        "POST /presets/{slug}/chat/completions" => json |c| c.presets().create_from_chat(
            PRESET,
            t::ChatRequest::new(vec![
                t::ChatSystemMessage::new("You are a helpful assistant.").into(),
                t::ChatUserMessage::new("Hello!").into(),
            ])
            .model("openai/gpt-5.4")
            .temperature(Some(0.7)),
        );
        "POST /presets/{slug}/messages" => json |c| c.presets().create_from_messages(
            PRESET,
            t::MessagesRequest::new("anthropic/claude-4.6-sonnet", Some(vec![t::MessagesMessageParam::new("user", "Hello!")]))
                .system("You are a helpful assistant.")
                .max_tokens(1024),
        );
        "POST /presets/{slug}/responses" => json |c| c.presets().create_from_responses(
            PRESET,
            t::ResponsesRequest::new()
                .model("openai/gpt-5.4")
                .instructions(Some("You are a helpful assistant.".to_owned()))
                .input("Hello!"),
        );
        "GET /presets/{slug}/versions" => json |c| c.presets().list_versions(PRESET).offset(0).limit(50);
        "GET /presets/{slug}/versions/{version}" => json |c| c.presets().get_version(PRESET, "1");
        // Providers
        "GET /providers" => json |c| c.providers().list();
        // Rerank
        "POST /rerank" => json |c| c.rerank().create(
            t::RerankRequest::new(
                "cohere/rerank-v3.5",
                "What is the capital of France?",
                vec!["Paris is the capital of France.".into(), "Berlin is the capital of Germany.".into()],
            )
            .top_n(3),
        );
        // Responses
        "POST /responses" => json |c| c.responses()
            .create(t::ResponsesRequest::new().model("openai/gpt-4o").input("Tell me a joke"))
            .x_open_router_metadata("enabled");
        // SCIM
        "GET /scim/group-mappings" => json |c| c.scim().list_mappings().offset(0).limit(50);
        "POST /scim/group-mappings" => json |c| c.scim()
            .create_mapping(t::CreateScimGroupMappingRequest::new(UUID, UUID, "member"));
        "GET /scim/group-mappings/{id}" => json |c| c.scim().get_mapping(UUID);
        "DELETE /scim/group-mappings/{id}" => json |c| c.scim().delete_mapping(UUID, false);
        "PATCH /scim/group-mappings/{id}" => json |c| c.scim().update_mapping(UUID, t::UpdateScimGroupMappingRequest::new("admin"));
        "GET /scim/groups" => json |c| c.scim().list_groups().offset(0).limit(50);
        // Video generation
        "POST /videos" => json |c| c.video_generation().create(
            t::VideoGenerationRequest::new("google/veo-3.1")
                .prompt("A serene mountain landscape at sunset")
                .aspect_ratio("16:9")
                .duration(8)
                .resolution("720p"),
        );
        "GET /videos/{jobId}" => json |c| c.video_generation().get("job-abc123");
        "GET /videos/{jobId}/content" => bytes |c| c.video_generation().download("job-abc123").index(0);
        "GET /videos/models" => json |c| c.video_generation().list_models();
        // Workspaces
        "GET /workspaces" => json |c| c.workspaces().list().offset(0).limit(50);
        "POST /workspaces" => json |c| c.workspaces().create(
            t::CreateWorkspaceRequest::new("Production", "production")
                .description(Some("Production environment workspace".to_owned()))
                .default_text_model(Some("openai/gpt-4o".to_owned())),
        );
        "GET /workspaces/{id}" => json |c| c.workspaces().get(WORKSPACE);
        "DELETE /workspaces/{id}" => json |c| c.workspaces().delete(WORKSPACE);
        "PATCH /workspaces/{id}" => json |c| c.workspaces().update(
            WORKSPACE,
            t::UpdateWorkspaceRequest::new().name("Updated Workspace").slug("updated-workspace"),
        );
        "GET /workspaces/{id}/budgets" => json |c| c.workspaces().list_budgets(WORKSPACE);
        "GET /workspaces/{id}/budgets/{interval}" => json |c| c.workspaces().get_budget(WORKSPACE, "monthly");
        "PUT /workspaces/{id}/budgets/{interval}" => json |c| c.workspaces().set_budget(
            WORKSPACE,
            "monthly",
            t::SetWorkspaceBudgetRequest::new(100.0).include_byok_in_budgets(true),
        );
        "DELETE /workspaces/{id}/budgets/{interval}" => json |c| c.workspaces().delete_budget(WORKSPACE, "monthly");
        "GET /workspaces/{id}/members" => json |c| c.workspaces().list_members(WORKSPACE).offset(0).limit(50);
        "POST /workspaces/{id}/members/add" => json |c| c.workspaces()
            .add_members(WORKSPACE, t::AddWorkspaceMembersRequest::new(members()));
        "POST /workspaces/{id}/members/remove" => json |c| c.workspaces()
            .remove_members(WORKSPACE, t::RemoveWorkspaceMembersRequest::new(members()));
    }
}

fn key_hashes() -> t::GuardrailKeysRequest {
    t::GuardrailKeysRequest::new(vec![KEY_HASH.to_owned()])
}

fn members() -> Vec<String> {
    vec!["user_abc123".to_owned(), "user_def456".to_owned()]
}

fn langfuse_config() -> std::collections::BTreeMap<String, serde_json::Value> {
    [
        ("baseUrl", "https://us.cloud.langfuse.com"),
        ("publicKey", "pk-lf-1234567890"),
        ("secretKey", "sk-lf-1234567890"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
    .collect()
}

/// A minimal WAV file: RIFF header, `fmt ` chunk, empty `data` chunk.
fn wav() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&36u32.to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

// ---------------------------------------------------------------------------------------------
// Outcomes.
// ---------------------------------------------------------------------------------------------

/// What one call gave.
struct Outcome {
    /// HTTP status, when an answer came.
    status: Option<u16>,
    /// What Prism found wrong with the request or with the answer it had to give.
    violations: Vec<Violation>,
    decoded: Decoded,
}

/// One of Prism's findings: `location` starts with `request` or `response`.
struct Violation {
    location: String,
    message: String,
}

impl Violation {
    fn is_response(&self) -> bool {
        self.location == "response" || self.location.starts_with("response.")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

enum Decoded {
    /// The body decoded into our type (or, for binary answers, was read: its length).
    Yes(Option<usize>),
    /// A success answer our type could not decode: the error and the body around it.
    Failed(String),
    /// No success answer to decode (an error status, or no answer): why.
    NotApplicable(String),
}

impl Outcome {
    fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// `status  violations  decoded`, for the table.
    fn columns(&self) -> String {
        let status = self.status.map_or("-".to_owned(), |s| s.to_string());
        let decoded = match &self.decoded {
            Decoded::Yes(None) => "yes".to_owned(),
            Decoded::Yes(Some(n)) => format!("yes ({n} bytes)"),
            Decoded::Failed(_) => "NO".to_owned(),
            Decoded::NotApplicable(why) => format!("- ({why})"),
        };
        format!("{status:6}  {:10}  {decoded}", self.violations.len())
    }
}

/// Records a JSON (or empty) answer.
async fn json<T>(result: Result<ResponseValue<T>, Error>) -> Outcome {
    match result {
        Ok(response) => Outcome {
            status: Some(response.status.as_u16()),
            violations: violations(&response.headers, &[]),
            decoded: Decoded::Yes(None),
        },
        Err(error) => failure(error),
    }
}

/// Records a binary answer, read to its end.
async fn bytes(result: Result<ResponseValue<ByteStream>, Error>) -> Outcome {
    match result {
        Ok(response) => {
            let status = Some(response.status.as_u16());
            let violations = violations(&response.headers, &[]);
            let decoded = match response.into_inner().bytes(MAX_BYTES).await {
                Ok(body) => Decoded::Yes(Some(body.len())),
                Err(e) => Decoded::Failed(format!("reading the body: {e}")),
            };
            Outcome {
                status,
                violations,
                decoded,
            }
        }
        Err(error) => failure(error),
    }
}

fn failure(error: Error) -> Outcome {
    match error {
        Error::Api(api) => Outcome {
            status: Some(api.status.as_u16()),
            violations: violations(&api.headers, &api.body),
            decoded: Decoded::NotApplicable(format!("API error: {}", api.message)),
        },
        Error::Decode {
            status,
            headers,
            body,
            source,
        } => Outcome {
            status: Some(status.as_u16()),
            violations: violations(&headers, &[]),
            decoded: Decoded::Failed(format!(
                "{source}; the body there: {}",
                around(&body, source.column())
            )),
        },
        other => Outcome {
            status: other.status().map(|s| s.as_u16()),
            violations: Vec::new(),
            decoded: Decoded::NotApplicable(other.to_string()),
        },
    }
}

/// The body around a 1-based column of its (single-line, as Prism sends JSON) text.
fn around(body: &[u8], column: usize) -> String {
    let at = column.saturating_sub(1).min(body.len());
    let before = String::from_utf8_lossy(&body[at.saturating_sub(160)..at]);
    let after = String::from_utf8_lossy(&body[at..(at + 80).min(body.len())]);
    format!("...{before}<HERE>{after}...")
}

/// Prism's findings: the `sl-violations` header (a JSON array of `{location, severity, code,
/// message}`), or, when an invalid request matched no documented error answer, the
/// `validation` array of its `application/problem+json` body (locations without `request`).
fn violations(headers: &HeaderMap, body: &[u8]) -> Vec<Violation> {
    let (list, from_body) = match headers.get("sl-violations") {
        Some(value) => (
            serde_json::from_slice::<serde_json::Value>(value.as_bytes()).unwrap_or_default(),
            false,
        ),
        None => {
            let problem = serde_json::from_slice::<serde_json::Value>(body).unwrap_or_default();
            (problem["validation"].clone(), true)
        }
    };
    let Some(list) = list.as_array() else {
        return Vec::new();
    };
    list.iter()
        .map(|v| {
            let mut location: Vec<String> =
                v["location"].as_array().map_or_else(Vec::new, |parts| {
                    parts
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                        .collect()
                });
            if from_body {
                location.insert(0, "request".to_owned());
            }
            Violation {
                location: location.join("."),
                message: format!(
                    "[{}] {}",
                    v["severity"].as_str().unwrap_or("?"),
                    v["message"].as_str().unwrap_or("?")
                ),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The documents: which operations each describes.
// ---------------------------------------------------------------------------------------------

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The operations of an OpenAPI document in block YAML, as `METHOD /path`: paths are the
/// keys at 2 spaces of indent under the top-level `paths:`, methods the keys at 4 under them.
fn operations(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_paths = false;
    let mut path: Option<String> = None;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            in_paths = line.trim_end() == "paths:";
            path = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let key = line
            .trim()
            .strip_suffix(':')
            .map(|k| k.trim_matches(['\'', '"']));
        match (indent, key) {
            (2, Some(key)) if key.starts_with('/') => path = Some(key.to_owned()),
            (2, _) => path = None,
            (4, Some(method)) if METHODS.contains(&method) => {
                if let Some(path) = &path {
                    out.insert(format!("{} {path}", method.to_uppercase()));
                }
            }
            _ => {}
        }
    }
    out
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

fn reference_path() -> PathBuf {
    match std::env::var_os("OPENROUTER_REFERENCE_SPEC") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_root().join("../shared/reference/openrouter-openapi.yaml"),
    }
}

/// A prerequisite is missing: fail on CI, skip (pass) elsewhere.
fn missing(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} (CI=true, so this is a failure)");
    }
    eprintln!("skipping: {what}");
}

// ---------------------------------------------------------------------------------------------
// Prism.
// ---------------------------------------------------------------------------------------------

/// A running mock server; killed when dropped, also when the test panics.
struct Prism {
    child: Child,
    port: u16,
    log: PathBuf,
    started: Instant,
}

impl Prism {
    /// Starts Prism on a free port. `errors`: with `--errors`, an answer whose example breaks
    /// its own schema becomes a 500 (request validation is the same either way).
    fn spawn(bin: &Path, document: &Path, port: u16, errors: bool) -> Prism {
        let name = if errors {
            "prism-strict.log"
        } else {
            "prism-lenient.log"
        };
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let out = File::create(&log).expect("the Prism log file can be created");
        let err = out.try_clone().expect("the log file handle can be cloned");
        let mut command = Command::new(bin);
        command
            .arg("mock")
            .arg(document)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            // Static mode: answers are the document's examples, not generated data.
            .arg("--dynamic=false");
        if errors {
            command.arg("--errors");
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        Prism {
            child,
            port,
            log,
            started: Instant::now(),
        }
    }

    /// Polls the port until Prism answers (it reads the 1.3 MB document first).
    fn wait_until_ready(&mut self, limit: Duration) {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "Prism exited ({status}) before listening; its output:\n{}",
                    self.output()
                );
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let after = self.started.elapsed();
                eprintln!(
                    "Prism listening on port {} after {after:.1?} (log: {})",
                    self.port,
                    self.log.display()
                );
                return;
            }
            if self.started.elapsed() > limit {
                panic!(
                    "Prism did not listen on port {} within {limit:?}; its output:\n{}",
                    self.port,
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The last lines of its log.
    fn output(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn client(&self) -> Client {
        Client::builder()
            .api_key("sk-or-v1-prism-test")
            // Prism serves the paths at the root, without `/api/v1`.
            .base_url(format!("http://127.0.0.1:{}", self.port))
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("the client builds")
    }
}

/// `N` distinct free local ports (all held until each is found, so none is handed out twice).
fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free local port"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("a bound address").port())
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_against_prism_and_the_reference_document() {
    let root = workspace_root();
    let bin = root.join("tests/prism/node_modules/.bin/prism");
    if !bin.exists() {
        return missing(&format!(
            "Prism is not installed at {}; run `npm ci --prefix tests/prism`",
            bin.display()
        ));
    }
    let reference = reference_path();
    let Ok(reference_text) = std::fs::read_to_string(&reference) else {
        return missing(&format!(
            "reference document not found at {}; set OPENROUTER_REFERENCE_SPEC",
            reference.display()
        ));
    };
    let ours_text = std::fs::read_to_string(root.join("spec/openrouter.yaml"))
        .expect("spec/openrouter.yaml is readable");

    // Which operations to call: ours that the reference also describes.
    let ours = operations(&ours_text);
    let theirs = operations(&reference_text);
    assert!(
        ours.len() >= 90 && theirs.len() >= 90,
        "the path scan found {} and {} operations",
        ours.len(),
        theirs.len()
    );
    // Matched by shape: the calls are keyed by the reference's spelling of each path.
    let our_shapes: BTreeSet<String> = ours.iter().map(|op| path_shape(op)).collect();
    let their_shapes: BTreeSet<String> = theirs.iter().map(|op| path_shape(op)).collect();
    let covered: BTreeSet<String> = theirs
        .iter()
        .filter(|op| our_shapes.contains(&path_shape(op)))
        .cloned()
        .collect();
    let skipped: BTreeSet<String> = ours
        .iter()
        .filter(|op| !their_shapes.contains(&path_shape(op)))
        .cloned()
        .collect();
    let sdk_list = reference.with_file_name("sdk-operations-1.3.84.tsv");
    let Ok(tsv) = std::fs::read_to_string(&sdk_list) else {
        return missing(&format!(
            "the SDK's operation list is not at {}",
            sdk_list.display()
        ));
    };
    let newer = newer_than_reference(&tsv);
    assert_eq!(
        newer.len(),
        42,
        "the SDK lists 42 operations newer than the published document"
    );
    let expected: BTreeSet<String> = NOT_IN_REFERENCE
        .iter()
        .map(|op| (*op).to_owned())
        .chain(newer)
        .collect();
    assert_eq!(
        skipped, expected,
        "operations of spec/openrouter.yaml that the reference does not describe"
    );

    let calls = calls();
    let called: BTreeSet<String> = calls.iter().map(|c| c.op.to_owned()).collect();
    let without_call: Vec<&String> = covered.difference(&called).collect();
    let not_covered: Vec<&String> = called.difference(&covered).collect();
    assert!(
        without_call.is_empty() && not_covered.is_empty(),
        "the table of calls must cover exactly the operations both documents describe\n  \
         operations without a call: {without_call:?}\n  calls of no operation of both documents: {not_covered:?}"
    );
    let mut seen = BTreeSet::new();
    for call in &calls {
        assert!(
            seen.insert((call.op, call.variant)),
            "{} is called twice without a variant name",
            call.op
        );
    }
    for (op, _) in ALLOWED {
        assert!(
            called.contains(*op),
            "allow-listed {op} is not an operation called here"
        );
    }

    // Both servers read the document at once; the second only serves the allow-listed calls.
    let [strict_port, lenient_port] = free_ports();
    let mut strict = Prism::spawn(&bin, &reference, strict_port, true);
    let mut lenient = Prism::spawn(&bin, &reference, lenient_port, false);
    strict.wait_until_ready(Duration::from_secs(60));
    lenient.wait_until_ready(Duration::from_secs(60));
    let (client, lenient_client) = (strict.client(), lenient.client());

    // Controls: Prism does reject what the reference forbids, so a clean run means something.
    for control in controls() {
        let outcome = (control.run)(client.clone()).await;
        let what = format!("{} [{}]", control.op, control.variant.unwrap_or_default());
        println!("control: {what}: {}", outcome.columns());
        for violation in &outcome.violations {
            println!("    ! {violation}");
        }
        assert!(
            outcome.status.is_some_and(|s| (400..500).contains(&s))
                && outcome.violations.iter().any(|v| !v.is_response()),
            "control {what}: Prism should refuse it with a request violation"
        );
    }

    let name = |call: &Call| match call.variant {
        Some(variant) => format!("{} [{variant}]", call.op),
        None => call.op.to_owned(),
    };
    let width = calls.iter().map(|c| name(c).len()).max().unwrap_or(0);
    println!("\n{:width$}  status  violations  decoded", "operation");
    let mut problems = Vec::new();
    let (mut violation_count, mut decode_failures) = (0, 0);
    for call in &calls {
        let outcome = (call.run)(client.clone()).await;
        println!("{:width$}  {}", name(call), outcome.columns());
        for violation in &outcome.violations {
            println!("{:width$}    ! {violation}", "");
        }
        if let Decoded::Failed(why) = &outcome.decoded {
            decode_failures += 1;
            problems.push(format!(
                "{}: HTTP {:?}, the body did not decode: {why}",
                name(call),
                outcome.status
            ));
        }

        if ALLOWED.iter().any(|(op, _)| *op == call.op) {
            // The reference's example breaks its own schema: a 500 naming only that...
            if outcome.status != Some(500)
                || outcome.violations.is_empty()
                || !outcome.violations.iter().all(Violation::is_response)
            {
                problems.push(format!(
                    "{}: allow-listed for a 500 with only response violations, got {}: fix or remove the entry",
                    name(call),
                    outcome.columns()
                ));
                violation_count += outcome.violations.len();
            }
            // ...and the example, served anyway without --errors, decodes into our type.
            let served = (call.run)(lenient_client.clone()).await;
            println!(
                "{:width$}  {}  (without --errors)",
                "  \u{21b3} the example",
                served.columns()
            );
            if !served.is_success() || !served.violations.iter().all(Violation::is_response) {
                problems.push(format!(
                    "{}: without --errors, got {}",
                    name(call),
                    served.columns()
                ));
            }
            match &served.decoded {
                Decoded::Yes(_) => {}
                Decoded::Failed(why) => {
                    decode_failures += 1;
                    problems.push(format!(
                        "{}: the reference's example did not decode: {why}",
                        name(call)
                    ));
                }
                Decoded::NotApplicable(why) => {
                    problems.push(format!("{}: without --errors: {why}", name(call)))
                }
            }
            continue;
        }

        violation_count += outcome.violations.len();
        for violation in &outcome.violations {
            problems.push(format!("{}: Prism reports {violation}", name(call)));
        }
        match &outcome.decoded {
            Decoded::Yes(_) if outcome.is_success() => {}
            Decoded::Failed(_) => {} // counted above
            _ => problems.push(format!(
                "{}: not a decoded success: {}",
                name(call),
                outcome.columns()
            )),
        }
    }

    println!(
        "\nallow-listed: the reference's example breaks its own schema (Prism with --errors answers 500):"
    );
    for (op, reason) in ALLOWED {
        println!("  {op}: {reason}");
    }
    println!(
        "\nprism: {} calls, {violation_count} violations, {decode_failures} decode failures",
        calls.len()
    );
    if !problems.is_empty() {
        println!(
            "\nPrism's last lines (logs: {}, {}):\n{}",
            strict.log.display(),
            lenient.log.display(),
            strict.output()
        );
    }

    // One call per covered operation, plus the named variants (a second body kind).
    let variants = calls.iter().filter(|c| c.variant.is_some()).count();
    assert_eq!(calls.len(), covered.len() + variants);
    assert!(
        problems.is_empty(),
        "{} problems against Prism:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    assert_eq!(violation_count, 0);
    assert_eq!(decode_failures, 0);
}

/// Requests the reference forbids, which Prism must refuse with a request violation.
fn controls() -> Vec<Call> {
    calls! {
        "GET /byok/{id}" ["id is not a UUID"] => json |c| c.byok().get("not-a-uuid");
        "POST /workspaces" ["slug breaks its pattern"] => json |c| c.workspaces().create(t::CreateWorkspaceRequest::new("Production", "Not A Slug"));
    }
}
