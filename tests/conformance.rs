//! Conformance with OpenRouter's published OpenAPI document: every request and response example
//! it gives for an operation our spec covers (matched by method and path) decodes with the Rust
//! type the generated client uses, and survives encoding again. The events of a streaming
//! operation's `text/event-stream` examples decode with its `.stream()` event type.
//!
//! The reference is read at run time from `../shared/reference/openrouter-openapi.yaml` (next to
//! the workspace) or from `$OPENROUTER_REFERENCE_SPEC`; when it is absent every test here says so
//! and passes.
//!
//! Which Rust type decodes which operation is a static table ([`table`]); `table_matches_spec`
//! checks it against `spec/openrouter.yaml`, so an operation added to the spec without a table
//! entry (or with a changed type) fails there, naming the entry to add.
//!
//! A decode failure is explained by walking the example along our spec's types (the generator's
//! `ir`), which gives the JSON path, what the example has and what our type expects. Open enums and
//! unions decode unknown values instead of failing, so the tests also fail when an example lands
//! in an `Unknown` variant: the reference uses a value our spec does not list.

#[path = "support/paths.rs"]
mod paths;

use codegen::ir::{Api, BodyKind, Operation, Shape, TypeRef};
use openrouter_generated::types::*;
use paths::path_shape;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// The static table: (method, path) -> the Rust types the generated client decodes and encodes.
// ---------------------------------------------------------------------------------------------

/// JSON encoding and decoding of one generated type.
///
/// This package has no `serde` dependency to name `Serialize`/`DeserializeOwned` in a bound, so
/// each concrete type gets this small impl from `wire!`; a type missing there does not compile.
trait Wire: Sized {
    fn decode(value: Value) -> serde_json::Result<Self>;
    fn encode(&self) -> serde_json::Result<Value>;
}

macro_rules! wire {
    ($($ty:ty),* $(,)?) => {
        $(impl Wire for $ty {
            fn decode(value: Value) -> serde_json::Result<Self> {
                serde_json::from_value(value)
            }
            fn encode(&self) -> serde_json::Result<Value> {
                serde_json::to_value(self)
            }
        })*
    };
}

wire!(
    ChatStreamChunk,
    StreamEvents,
    MessagesStreamEvents,
    ImageStreamEvent,
    AnthropicMessagesErrorResponse,
    MessagesRequest,
    MessagesResult,
    OpenResponsesResult,
    ResponsesRequest,
    ChatRequest,
    ChatResult,
    CompletionsRequest,
    CompletionsResponse,
    EmbeddingsRequest,
    EmbeddingsResponse,
    GenerationContentResponse,
    GenerationResponse,
    RerankRequest,
    RerankResponse,
    SubmitGenerationFeedbackRequest,
    SubmitGenerationFeedbackResponse,
    AddWorkspaceMembersRequest,
    AddWorkspaceMembersResponse,
    ApiKeyResponse,
    CreateApiKeyRequest,
    CreateApiKeyResponse,
    CreateWorkspaceRequest,
    CreditsResponse,
    CurrentApiKeyResponse,
    DeletedResponse,
    ErrorResponse,
    ListApiKeysResponse,
    ListModelsResponse,
    ListWorkspaceBudgetsResponse,
    ListWorkspaceMembersResponse,
    ListWorkspacesResponse,
    ModelResponse,
    ModelsCountResponse,
    RemoveWorkspaceMembersRequest,
    RemoveWorkspaceMembersResponse,
    SetWorkspaceBudgetRequest,
    UpdateApiKeyRequest,
    UpdateWorkspaceRequest,
    WorkspaceBudgetResponse,
    WorkspaceResponse,
    ListGuardrailsResponse,
    GuardrailResponse,
    CreateGuardrailRequest,
    UpdateGuardrailRequest,
    GuardrailKeyAssignmentsResponse,
    GuardrailAssignResponse,
    GuardrailKeysRequest,
    GuardrailUnassignResponse,
    GuardrailMemberAssignmentsResponse,
    GuardrailMembersRequest,
    ListOrganizationMembersResponse,
    ListScimGroupMappingsResponse,
    ScimGroupMappingResponse,
    CreateScimGroupMappingRequest,
    UpdateScimGroupMappingRequest,
    ListScimGroupsResponse,
    FileListResponse,
    FileResponse,
    FileDeleteResponse,
    VideoGenerationResponse,
    VideoGenerationRequest,
    ListVideoModelsResponse,
    TranscriptionResponse,
    TranscriptionRequest,
    SpeechRequest,
    ListPresetsResponse,
    PresetResponse,
    ListPresetVersionsResponse,
    PresetVersionResponse,
    ImageGenerationResponse,
    ImageGenerationRequest,
    ListImageModelsResponse,
    ListImageModelEndpointsResponse,
    ListZdrEndpointsResponse,
    ListModelEndpointsResponse,
    ListProvidersResponse,
    ModelParametersResponse,
    ExchangeAuthCodeResponse,
    ExchangeAuthCodeRequest,
    CreateAuthCodeResponse,
    CreateAuthCodeRequest,
    ActivityResponse,
    AnalyticsMetaResponse,
    AnalyticsQueryResponse,
    AnalyticsQueryRequest,
    ListByokKeysResponse,
    ByokKeyResponse,
    CreateByokKeyRequest,
    UpdateByokKeyRequest,
    BenchmarksResponse,
    TaskClassificationResponse,
    AppRankingsResponse,
    RankingsDailyResponse,
    SessionCostResponse,
    ListObservabilityDestinationsResponse,
    ObservabilityDestinationResponse,
    CreateObservabilityDestinationRequest,
    UpdateObservabilityDestinationRequest,
    Batch,
    BatchDeleteResponse,
    BatchListResponse,
    ContainerFile,
    ContainerFileListResponse,
    CreateBatchRequest,
    CreateExternalUserRequest,
    CreatePrivateEndpointRequest,
    DecisionsRequest,
    DecisionsResponse,
    DeletePrivateEndpointResponse,
    ExternalUserResponse,
    InternConnectionListResponse,
    ListExternalUsersResponse,
    ListPrivateEndpointsResponse,
    ListServerToolsResponse,
    ManagedPrivateEndpointResponse,
    OAuthJwks,
    OrganizationSettingsResponse,
    PrivateEndpointResponse,
    PrivateEndpointValidationResponse,
    ScimSyncJobResponse,
    ServerToolResponse,
    TokenExchangeResponse,
    UpdateExternalUserRequest,
    UpdateOrganizationSettingsRequest,
    UpdatePrivateEndpointPricingRequest,
    UpdatePrivateEndpointRequest,
    ValidatePrivateEndpointRequest,
    VaultEffectiveSecretListResponse,
    VaultSecretCopyRequest,
    VaultSecretCopyResponse,
    VaultSecretListResponse,
    VaultSecretResponse,
    VaultSecretWriteRequest,
    PrivateEndpointCreateError,
    OAuthErrorResponse,
);

/// What one round trip produced.
struct Decoded {
    /// The first encoding of the decoded value.
    encoded: Value,
    /// `Debug` of the decoded value (to find `Unknown` variants).
    debug: String,
}

/// Decode, encode, decode again, encode again: both decoded values and both encodings must be
/// equal. Errors are serde_json's messages.
fn roundtrip<T: Wire + PartialEq + Debug>(example: &Value) -> Result<Decoded, String> {
    let first = T::decode(example.clone()).map_err(|e| format!("does not decode: {e}"))?;
    let encoded = first
        .encode()
        .map_err(|e| format!("decodes, but does not encode: {e}"))?;
    let second =
        T::decode(encoded.clone()).map_err(|e| format!("own encoding does not decode: {e}"))?;
    if first != second {
        return Err(format!(
            "decode(encode(x)) != x:\n      first:  {first:?}\n      second: {second:?}"
        ));
    }
    let again = second
        .encode()
        .map_err(|e| format!("second encode failed: {e}"))?;
    if again != encoded {
        return Err(format!(
            "encodings differ:\n      first:  {encoded}\n      second: {again}"
        ));
    }
    Ok(Decoded {
        encoded,
        debug: format!("{first:?}"),
    })
}

/// One Rust type and its round trip.
#[derive(Clone, Copy)]
struct Codec {
    type_name: &'static str,
    roundtrip: fn(&Value) -> Result<Decoded, String>,
}

fn codec<T: Wire + PartialEq + Debug>() -> Codec {
    Codec {
        type_name: std::any::type_name::<T>(),
        roundtrip: roundtrip::<T>,
    }
}

/// The success body of one operation, as the generated client reads it.
#[derive(Clone, Copy)]
enum Answer {
    /// JSON, decoded with this codec.
    Json(Codec),
    /// Raw bytes (`ByteStream`; our spec's type `Bytes`): file, video or audio content. There is no
    /// JSON to decode; the reference's examples of it are of a binary media type and are skipped.
    Binary,
    /// No body at all.
    Empty,
}

impl Answer {
    fn json(self) -> Option<Codec> {
        match self {
            Answer::Json(codec) => Some(codec),
            Answer::Binary | Answer::Empty => None,
        }
    }

    /// How `table_matches_spec` shows it in a mismatch.
    fn describe(self) -> String {
        match self {
            Answer::Json(codec) => codec.type_name.to_owned(),
            Answer::Binary => "Bytes (binary)".into(),
            Answer::Empty => "(none)".into(),
        }
    }
}

/// One operation of our spec (with its second methods, which share method and path).
struct Entry {
    method: &'static str,
    path: &'static str,
    /// The success body.
    success: Answer,
    /// Type of the JSON request body, if the operation takes one.
    request: Option<Codec>,
    /// Rust type name of the `multipart/form-data` request body, if the operation (or its second
    /// method) sends one. Not JSON: the reference's multipart examples are skipped, by name.
    multipart: Option<&'static str>,
    /// Type of error bodies, when the operation has its own (otherwise `ErrorResponse`).
    errors: Option<(Codec, &'static str)>,
    /// Error statuses whose body has yet another type: (status, codec, spec type name).
    error_at: Vec<(&'static str, Codec, &'static str)>,
    /// Type of one event's `data` when `.stream()` answers `text/event-stream`.
    stream: Option<Codec>,
}

fn entry(
    method: &'static str,
    path: &'static str,
    success: Answer,
    request: Option<Codec>,
) -> Entry {
    Entry {
        method,
        path,
        success,
        request,
        multipart: None,
        errors: None,
        error_at: Vec::new(),
        stream: None,
    }
}

/// An operation answering JSON.
fn op(method: &'static str, path: &'static str, success: Codec, request: Option<Codec>) -> Entry {
    entry(method, path, Answer::Json(success), request)
}

/// An operation answering raw bytes (`ByteStream`).
fn binary(method: &'static str, path: &'static str, request: Option<Codec>) -> Entry {
    entry(method, path, Answer::Binary, request)
}

/// An operation answering with no body.
fn empty(method: &'static str, path: &'static str, request: Option<Codec>) -> Entry {
    entry(method, path, Answer::Empty, request)
}

impl Entry {
    /// This operation's error statuses decode with `codec` (our spec's type `name`).
    fn errors(mut self, codec: Codec, name: &'static str) -> Self {
        self.errors = Some((codec, name));
        self
    }

    /// This operation's error status `status` decodes with `codec` (our spec's type `name`).
    fn error_at(mut self, status: &'static str, codec: Codec, name: &'static str) -> Self {
        self.error_at.push((status, codec, name));
        self
    }

    /// `.stream()` yields events whose `data` decodes with `codec`.
    fn streams(mut self, codec: Codec) -> Self {
        self.stream = Some(codec);
        self
    }

    /// This operation (or its second method) sends `T` as a form (`multipart/form-data` or
    /// `application/x-www-form-urlencoded`), not JSON.
    fn multipart<T>(mut self) -> Self {
        self.multipart = Some(std::any::type_name::<T>());
        self
    }
}

/// The type every error status decodes with.
fn error_codec() -> Codec {
    codec::<ErrorResponse>()
}

/// Every operation of `spec/openrouter.yaml`. Kept in step with the spec by `table_matches_spec`.
fn table() -> Vec<Entry> {
    vec![
        op("GET", "/key", codec::<CurrentApiKeyResponse>(), None),
        op("GET", "/keys", codec::<ListApiKeysResponse>(), None),
        op(
            "POST",
            "/keys",
            codec::<CreateApiKeyResponse>(),
            Some(codec::<CreateApiKeyRequest>()),
        ),
        op("GET", "/keys/{hash}", codec::<ApiKeyResponse>(), None),
        op(
            "PATCH",
            "/keys/{hash}",
            codec::<ApiKeyResponse>(),
            Some(codec::<UpdateApiKeyRequest>()),
        ),
        op("DELETE", "/keys/{hash}", codec::<DeletedResponse>(), None),
        op(
            "GET",
            "/workspaces",
            codec::<ListWorkspacesResponse>(),
            None,
        ),
        op(
            "POST",
            "/workspaces",
            codec::<WorkspaceResponse>(),
            Some(codec::<CreateWorkspaceRequest>()),
        ),
        op(
            "GET",
            "/workspaces/{id}",
            codec::<WorkspaceResponse>(),
            None,
        ),
        op(
            "PATCH",
            "/workspaces/{id}",
            codec::<WorkspaceResponse>(),
            Some(codec::<UpdateWorkspaceRequest>()),
        ),
        op(
            "DELETE",
            "/workspaces/{id}",
            codec::<DeletedResponse>(),
            None,
        ),
        op(
            "GET",
            "/workspaces/{workspace_ref}/budgets",
            codec::<ListWorkspaceBudgetsResponse>(),
            None,
        ),
        op(
            "GET",
            "/workspaces/{workspace_ref}/budgets/{interval}",
            codec::<WorkspaceBudgetResponse>(),
            None,
        ),
        op(
            "PUT",
            "/workspaces/{workspace_ref}/budgets/{interval}",
            codec::<WorkspaceBudgetResponse>(),
            Some(codec::<SetWorkspaceBudgetRequest>()),
        ),
        op(
            "DELETE",
            "/workspaces/{workspace_ref}/budgets/{interval}",
            codec::<DeletedResponse>(),
            None,
        ),
        op(
            "GET",
            "/workspaces/{id}/members",
            codec::<ListWorkspaceMembersResponse>(),
            None,
        ),
        op(
            "POST",
            "/workspaces/{id}/members/add",
            codec::<AddWorkspaceMembersResponse>(),
            Some(codec::<AddWorkspaceMembersRequest>()),
        ),
        op(
            "POST",
            "/workspaces/{id}/members/remove",
            codec::<RemoveWorkspaceMembersResponse>(),
            Some(codec::<RemoveWorkspaceMembersRequest>()),
        ),
        op("GET", "/credits", codec::<CreditsResponse>(), None),
        op("GET", "/models", codec::<ListModelsResponse>(), None),
        op("GET", "/models/count", codec::<ModelsCountResponse>(), None),
        op("GET", "/models/user", codec::<ListModelsResponse>(), None),
        op(
            "GET",
            "/model/{author}/{slug}",
            codec::<ModelResponse>(),
            None,
        ),
        op(
            "POST",
            "/chat/completions",
            codec::<ChatResult>(),
            Some(codec::<ChatRequest>()),
        )
        .streams(codec::<ChatStreamChunk>()),
        op(
            "POST",
            "/completions",
            codec::<CompletionsResponse>(),
            Some(codec::<CompletionsRequest>()),
        )
        .streams(codec::<CompletionsResponse>()),
        op(
            "POST",
            "/embeddings",
            codec::<EmbeddingsResponse>(),
            Some(codec::<EmbeddingsRequest>()),
        ),
        op(
            "GET",
            "/embeddings/models",
            codec::<ListModelsResponse>(),
            None,
        ),
        op(
            "POST",
            "/rerank",
            codec::<RerankResponse>(),
            Some(codec::<RerankRequest>()),
        ),
        op(
            "POST",
            "/responses",
            codec::<OpenResponsesResult>(),
            Some(codec::<ResponsesRequest>()),
        )
        .streams(codec::<StreamEvents>()),
        op(
            "POST",
            "/messages",
            codec::<MessagesResult>(),
            Some(codec::<MessagesRequest>()),
        )
        .streams(codec::<MessagesStreamEvents>())
        .errors(
            codec::<AnthropicMessagesErrorResponse>(),
            "AnthropicMessagesErrorResponse",
        ),
        op("GET", "/generation", codec::<GenerationResponse>(), None),
        op(
            "GET",
            "/generation/content",
            codec::<GenerationContentResponse>(),
            None,
        ),
        op(
            "POST",
            "/generation/feedback",
            codec::<SubmitGenerationFeedbackResponse>(),
            Some(codec::<SubmitGenerationFeedbackRequest>()),
        ),
        // guardrails
        op(
            "GET",
            "/guardrails",
            codec::<ListGuardrailsResponse>(),
            None,
        ),
        op(
            "POST",
            "/guardrails",
            codec::<GuardrailResponse>(),
            Some(codec::<CreateGuardrailRequest>()),
        ),
        op(
            "GET",
            "/guardrails/{id}",
            codec::<GuardrailResponse>(),
            None,
        ),
        op(
            "PATCH",
            "/guardrails/{id}",
            codec::<GuardrailResponse>(),
            Some(codec::<UpdateGuardrailRequest>()),
        ),
        op(
            "DELETE",
            "/guardrails/{id}",
            codec::<DeletedResponse>(),
            None,
        ),
        op(
            "GET",
            "/guardrails/{id}/assignments/keys",
            codec::<GuardrailKeyAssignmentsResponse>(),
            None,
        ),
        op(
            "POST",
            "/guardrails/{id}/assignments/keys",
            codec::<GuardrailAssignResponse>(),
            Some(codec::<GuardrailKeysRequest>()),
        ),
        op(
            "POST",
            "/guardrails/{id}/assignments/keys/remove",
            codec::<GuardrailUnassignResponse>(),
            Some(codec::<GuardrailKeysRequest>()),
        ),
        op(
            "GET",
            "/guardrails/{id}/assignments/members",
            codec::<GuardrailMemberAssignmentsResponse>(),
            None,
        ),
        op(
            "POST",
            "/guardrails/{id}/assignments/members",
            codec::<GuardrailAssignResponse>(),
            Some(codec::<GuardrailMembersRequest>()),
        ),
        op(
            "POST",
            "/guardrails/{id}/assignments/members/remove",
            codec::<GuardrailUnassignResponse>(),
            Some(codec::<GuardrailMembersRequest>()),
        ),
        op(
            "GET",
            "/guardrails/assignments/keys",
            codec::<GuardrailKeyAssignmentsResponse>(),
            None,
        ),
        op(
            "GET",
            "/guardrails/assignments/members",
            codec::<GuardrailMemberAssignmentsResponse>(),
            None,
        ),
        // organization, SCIM
        op(
            "GET",
            "/organization/members",
            codec::<ListOrganizationMembersResponse>(),
            None,
        ),
        op(
            "GET",
            "/scim/group-mappings",
            codec::<ListScimGroupMappingsResponse>(),
            None,
        ),
        op(
            "POST",
            "/scim/group-mappings",
            codec::<ScimGroupMappingResponse>(),
            Some(codec::<CreateScimGroupMappingRequest>()),
        ),
        op(
            "GET",
            "/scim/group-mappings/{id}",
            codec::<ScimGroupMappingResponse>(),
            None,
        ),
        op(
            "PATCH",
            "/scim/group-mappings/{id}",
            codec::<ScimGroupMappingResponse>(),
            Some(codec::<UpdateScimGroupMappingRequest>()),
        ),
        op(
            "DELETE",
            "/scim/group-mappings/{id}",
            codec::<DeletedResponse>(),
            None,
        ),
        op(
            "GET",
            "/scim/groups",
            codec::<ListScimGroupsResponse>(),
            None,
        ),
        // files
        op("GET", "/files", codec::<FileListResponse>(), None),
        op("POST", "/files", codec::<FileResponse>(), None).multipart::<UploadFileRequest>(),
        op("GET", "/files/{file_id}", codec::<FileResponse>(), None),
        op(
            "DELETE",
            "/files/{file_id}",
            codec::<FileDeleteResponse>(),
            None,
        ),
        binary("GET", "/files/{file_id}/content", None),
        // video generation
        op(
            "POST",
            "/videos",
            codec::<VideoGenerationResponse>(),
            Some(codec::<VideoGenerationRequest>()),
        ),
        op(
            "GET",
            "/videos/{jobId}",
            codec::<VideoGenerationResponse>(),
            None,
        ),
        binary("GET", "/videos/{jobId}/content", None),
        op(
            "GET",
            "/videos/models",
            codec::<ListVideoModelsResponse>(),
            None,
        ),
        // audio: transcriptions take JSON (`transcribe`) or a form (second method `transcribe_file`)
        op(
            "POST",
            "/audio/transcriptions",
            codec::<TranscriptionResponse>(),
            Some(codec::<TranscriptionRequest>()),
        )
        .multipart::<TranscriptionFileRequest>(),
        binary("POST", "/audio/speech", Some(codec::<SpeechRequest>())),
        // presets
        op("GET", "/presets", codec::<ListPresetsResponse>(), None),
        op("GET", "/presets/{slug}", codec::<PresetResponse>(), None),
        op(
            "POST",
            "/presets/{slug}/chat/completions",
            codec::<PresetResponse>(),
            Some(codec::<ChatRequest>()),
        ),
        op(
            "POST",
            "/presets/{slug}/messages",
            codec::<PresetResponse>(),
            Some(codec::<MessagesRequest>()),
        ),
        op(
            "POST",
            "/presets/{slug}/responses",
            codec::<PresetResponse>(),
            Some(codec::<ResponsesRequest>()),
        ),
        op(
            "GET",
            "/presets/{slug}/versions",
            codec::<ListPresetVersionsResponse>(),
            None,
        ),
        op(
            "GET",
            "/presets/{slug}/versions/{version}",
            codec::<PresetVersionResponse>(),
            None,
        ),
        // images
        op(
            "POST",
            "/images",
            codec::<ImageGenerationResponse>(),
            Some(codec::<ImageGenerationRequest>()),
        )
        .streams(codec::<ImageStreamEvent>()),
        op(
            "GET",
            "/images/models",
            codec::<ListImageModelsResponse>(),
            None,
        ),
        op(
            "GET",
            "/images/models/{author}/{slug}/endpoints",
            codec::<ListImageModelEndpointsResponse>(),
            None,
        ),
        // endpoints, providers, parameters
        op(
            "GET",
            "/endpoints/zdr",
            codec::<ListZdrEndpointsResponse>(),
            None,
        ),
        op(
            "GET",
            "/models/{author}/{slug}/endpoints",
            codec::<ListModelEndpointsResponse>(),
            None,
        ),
        op("GET", "/providers", codec::<ListProvidersResponse>(), None),
        op(
            "GET",
            "/parameters/{author}/{slug}",
            codec::<ModelParametersResponse>(),
            None,
        ),
        // OAuth
        op(
            "POST",
            "/auth/keys",
            codec::<ExchangeAuthCodeResponse>(),
            Some(codec::<ExchangeAuthCodeRequest>()),
        ),
        op(
            "POST",
            "/auth/keys/code",
            codec::<CreateAuthCodeResponse>(),
            Some(codec::<CreateAuthCodeRequest>()),
        ),
        // coinbase credits (gone: the operation answers 410 only)
        empty("POST", "/credits/coinbase", None),
        // analytics
        op("GET", "/activity", codec::<ActivityResponse>(), None),
        op(
            "GET",
            "/analytics/meta",
            codec::<AnalyticsMetaResponse>(),
            None,
        ),
        op(
            "POST",
            "/analytics/query",
            codec::<AnalyticsQueryResponse>(),
            Some(codec::<AnalyticsQueryRequest>()),
        ),
        // BYOK
        op("GET", "/byok", codec::<ListByokKeysResponse>(), None),
        op(
            "POST",
            "/byok",
            codec::<ByokKeyResponse>(),
            Some(codec::<CreateByokKeyRequest>()),
        ),
        op("GET", "/byok/{id}", codec::<ByokKeyResponse>(), None),
        op(
            "PATCH",
            "/byok/{id}",
            codec::<ByokKeyResponse>(),
            Some(codec::<UpdateByokKeyRequest>()),
        ),
        op("DELETE", "/byok/{id}", codec::<DeletedResponse>(), None),
        // benchmarks, classifications, datasets
        op("GET", "/benchmarks", codec::<BenchmarksResponse>(), None),
        op(
            "GET",
            "/classifications/task",
            codec::<TaskClassificationResponse>(),
            None,
        ),
        op(
            "GET",
            "/datasets/app-rankings",
            codec::<AppRankingsResponse>(),
            None,
        ),
        op(
            "GET",
            "/datasets/rankings-daily",
            codec::<RankingsDailyResponse>(),
            None,
        ),
        op(
            "GET",
            "/datasets/session-cost",
            codec::<SessionCostResponse>(),
            None,
        ),
        // observability
        op(
            "GET",
            "/observability/destinations",
            codec::<ListObservabilityDestinationsResponse>(),
            None,
        ),
        op(
            "POST",
            "/observability/destinations",
            codec::<ObservabilityDestinationResponse>(),
            Some(codec::<CreateObservabilityDestinationRequest>()),
        ),
        op(
            "GET",
            "/observability/destinations/{id}",
            codec::<ObservabilityDestinationResponse>(),
            None,
        ),
        op(
            "PATCH",
            "/observability/destinations/{id}",
            codec::<ObservabilityDestinationResponse>(),
            Some(codec::<UpdateObservabilityDestinationRequest>()),
        ),
        op(
            "DELETE",
            "/observability/destinations/{id}",
            codec::<DeletedResponse>(),
            None,
        ),
        // Operations newer than the published document (SDK 1.3.84): no examples to decode;
        // the entries pin the types the client uses.
        op(
            "GET",
            "/private-endpoints",
            codec::<ListPrivateEndpointsResponse>(),
            None,
        ),
        ["404", "409", "422", "500", "502"].into_iter().fold(
            op(
                "POST",
                "/private-endpoints",
                codec::<ManagedPrivateEndpointResponse>(),
                Some(codec::<CreatePrivateEndpointRequest>()),
            ),
            |entry, status| {
                entry.error_at(
                    status,
                    codec::<PrivateEndpointCreateError>(),
                    "PrivateEndpointCreateError",
                )
            },
        ),
        op(
            "GET",
            "/private-endpoints/{id}",
            codec::<PrivateEndpointResponse>(),
            None,
        ),
        op(
            "DELETE",
            "/private-endpoints/{id}",
            codec::<DeletePrivateEndpointResponse>(),
            None,
        ),
        op(
            "PATCH",
            "/private-endpoints/{id}",
            codec::<PrivateEndpointResponse>(),
            Some(codec::<UpdatePrivateEndpointRequest>()),
        ),
        op(
            "POST",
            "/private-endpoints/{id}/activate",
            codec::<ManagedPrivateEndpointResponse>(),
            None,
        ),
        op(
            "POST",
            "/private-endpoints/{id}/disable",
            codec::<ManagedPrivateEndpointResponse>(),
            None,
        ),
        op(
            "POST",
            "/private-endpoints/{id}/enable",
            codec::<ManagedPrivateEndpointResponse>(),
            None,
        ),
        op(
            "PUT",
            "/private-endpoints/{id}/pricing",
            codec::<PrivateEndpointResponse>(),
            Some(codec::<UpdatePrivateEndpointPricingRequest>()),
        ),
        op(
            "POST",
            "/private-endpoints/{id}/validate",
            codec::<PrivateEndpointValidationResponse>(),
            Some(codec::<ValidatePrivateEndpointRequest>()),
        ),
        op(
            "GET",
            "/organization/settings",
            codec::<OrganizationSettingsResponse>(),
            None,
        ),
        op(
            "PATCH",
            "/organization/settings",
            codec::<OrganizationSettingsResponse>(),
            Some(codec::<UpdateOrganizationSettingsRequest>()),
        ),
        op(
            "POST",
            "/scim/sync-jobs",
            codec::<ScimSyncJobResponse>(),
            None,
        ),
        op(
            "GET",
            "/scim/sync-jobs/{id}",
            codec::<ScimSyncJobResponse>(),
            None,
        ),
        op("GET", "/tools", codec::<ListServerToolsResponse>(), None),
        op("GET", "/tools/{name}", codec::<ServerToolResponse>(), None),
        op(
            "GET",
            "/vault/secrets",
            codec::<VaultSecretListResponse>(),
            None,
        ),
        op(
            "PUT",
            "/vault/secrets/{name}",
            codec::<VaultSecretResponse>(),
            Some(codec::<VaultSecretWriteRequest>()),
        ),
        empty("DELETE", "/vault/secrets/{name}", None),
        op(
            "GET",
            "/vault/interns/{internId}/secrets",
            codec::<VaultSecretListResponse>(),
            None,
        ),
        op(
            "POST",
            "/vault/interns/{internId}/secrets/copy",
            codec::<VaultSecretCopyResponse>(),
            Some(codec::<VaultSecretCopyRequest>()),
        ),
        op(
            "PUT",
            "/vault/interns/{internId}/secrets/{name}",
            codec::<VaultSecretResponse>(),
            Some(codec::<VaultSecretWriteRequest>()),
        ),
        empty("DELETE", "/vault/interns/{internId}/secrets/{name}", None),
        op(
            "GET",
            "/vault/interns/{internId}/effective-secrets",
            codec::<VaultEffectiveSecretListResponse>(),
            None,
        ),
        op(
            "GET",
            "/vault/interns/{internId}/connections",
            codec::<InternConnectionListResponse>(),
            None,
        ),
        op(
            "GET",
            "/external-users",
            codec::<ListExternalUsersResponse>(),
            None,
        ),
        op(
            "POST",
            "/external-users",
            codec::<ExternalUserResponse>(),
            Some(codec::<CreateExternalUserRequest>()),
        ),
        op(
            "GET",
            "/external-users/{user}",
            codec::<ExternalUserResponse>(),
            None,
        ),
        empty("DELETE", "/external-users/{user}", None),
        op(
            "PATCH",
            "/external-users/{user}",
            codec::<ExternalUserResponse>(),
            Some(codec::<UpdateExternalUserRequest>()),
        ),
        op("GET", "/batches", codec::<BatchListResponse>(), None),
        op(
            "POST",
            "/batches",
            codec::<Batch>(),
            Some(codec::<CreateBatchRequest>()),
        ),
        op("GET", "/batches/{id}", codec::<Batch>(), None),
        op(
            "DELETE",
            "/batches/{id}",
            codec::<BatchDeleteResponse>(),
            None,
        ),
        op(
            "GET",
            "/containers/{container_id}/files",
            codec::<ContainerFileListResponse>(),
            None,
        ),
        op(
            "GET",
            "/containers/{container_id}/files/{file_id}",
            codec::<ContainerFile>(),
            None,
        ),
        binary(
            "GET",
            "/containers/{container_id}/files/{file_id}/content",
            None,
        ),
        op(
            "POST",
            "/containers/{container_id}/files/{file_id}/promote",
            codec::<FileResponse>(),
            None,
        ),
        op("GET", "/oauth/jwks", codec::<OAuthJwks>(), None),
        op(
            "POST",
            "/oauth/token",
            codec::<TokenExchangeResponse>(),
            None,
        )
        .multipart::<TokenExchangeRequest>()
        .errors(codec::<OAuthErrorResponse>(), "OAuthErrorResponse"),
        op(
            "POST",
            "/api/alpha/decisions",
            codec::<DecisionsResponse>(),
            Some(codec::<DecisionsRequest>()),
        ),
        op(
            "POST",
            "/systemone",
            codec::<DecisionsResponse>(),
            Some(codec::<DecisionsRequest>()),
        ),
    ]
}

fn find_entry<'a>(table: &'a [Entry], method: &str, path: &str) -> Option<&'a Entry> {
    table
        .iter()
        .find(|e| e.method.eq_ignore_ascii_case(method) && e.path == path)
}

/// Whether `operation` is a second method (another request media type) of an operation listed
/// before it: same method and path. The table and the checks take each (method, path) once.
fn is_second_method(api: &Api, operation: &Operation) -> bool {
    let first = api.operations.iter().find(|o| {
        o.http_method.eq_ignore_ascii_case(&operation.http_method) && o.path == operation.path
    });
    first.is_some_and(|first| !std::ptr::eq(first, operation))
}

/// Our spec's request body of the kind `kind` for (method, path), from the operation or its
/// second methods.
fn body_of_kind<'a>(api: &'a Api, method: &str, path: &str, kind: BodyKind) -> Option<&'a TypeRef> {
    api.operations
        .iter()
        .filter(|o| o.http_method.eq_ignore_ascii_case(method) && o.path == path)
        .filter_map(|o| o.body.as_ref())
        .find(|b| b.kind == kind)
        .map(|b| &b.ty)
}

/// A Rust type name without its module paths and spaces:
/// `alloc::vec::Vec<openrouter_generated::types::Model>` -> `Vec<Model>`.
fn short_type(name: &str) -> String {
    let mut out = String::new();
    let mut ident = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            ident.push(c);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            ident.clear();
        } else {
            out.push_str(&ident);
            ident.clear();
            if !c.is_whitespace() {
                out.push(c);
            }
        }
    }
    out.push_str(&ident);
    out
}

// ---------------------------------------------------------------------------------------------
// Documents.
// ---------------------------------------------------------------------------------------------

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Our spec, analyzed by the generator.
fn our_api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let text = std::fs::read_to_string(workspace().join("spec/openrouter.yaml"))
            .expect("spec/openrouter.yaml is readable");
        codegen::analyze(&text)
            .expect("spec/openrouter.yaml analyzes")
            .0
    })
}

fn reference_path() -> PathBuf {
    match std::env::var_os("OPENROUTER_REFERENCE_SPEC") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace().join("../shared/reference/openrouter-openapi.yaml"),
    }
}

/// OpenRouter's document, or `None` (with a message on stderr) when the file is absent.
fn reference(test: &str) -> Option<&'static Value> {
    static REFERENCE: OnceLock<Option<Value>> = OnceLock::new();
    let path = reference_path();
    let doc = REFERENCE.get_or_init(|| {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("cannot read the reference spec {}: {e}", path.display()),
        };
        Some(codegen::load::parse_text(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    });
    if doc.is_none() {
        eprintln!(
            "{test}: skipping: reference spec not found at {}; set OPENROUTER_REFERENCE_SPEC",
            path.display()
        );
    }
    doc.as_ref()
}

/// JSON-pointer escaping of one segment.
fn esc(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Follows local `$ref`s; returns the pointer of the value reached and the value.
fn resolve<'a>(doc: &'a Value, mut pointer: String, mut value: &'a Value) -> (String, &'a Value) {
    for _ in 0..32 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(local) = target.strip_prefix('#') else {
            break;
        };
        match doc.pointer(local) {
            Some(next) => {
                pointer = target.to_owned();
                value = next;
            }
            None => break,
        }
    }
    (pointer, value)
}

/// One example in the reference.
struct Example<'a> {
    /// `#/paths/...` pointer of the example value.
    pointer: String,
    value: &'a Value,
}

/// The examples of one media object: `example`, `examples.*.value`, and the (resolved) schema's
/// `example`/`examples[*]` when they differ from the media-level ones.
fn media_examples<'a>(doc: &'a Value, pointer: &str, media: &'a Value) -> Vec<Example<'a>> {
    let mut out: Vec<Example<'a>> = Vec::new();
    if let Some(value) = media.get("example") {
        out.push(Example {
            pointer: format!("{pointer}/example"),
            value,
        });
    }
    if let Some(Value::Object(examples)) = media.get("examples") {
        for (name, example) in examples {
            let (ptr, example) = resolve(doc, format!("{pointer}/examples/{}", esc(name)), example);
            if let Some(value) = example.get("value") {
                out.push(Example {
                    pointer: format!("{ptr}/value"),
                    value,
                });
            }
        }
    }
    if let Some(schema) = media.get("schema") {
        let (ptr, schema) = resolve(doc, format!("{pointer}/schema"), schema);
        let mut schema_level: Vec<Example<'a>> = Vec::new();
        if let Some(value) = schema.get("example") {
            schema_level.push(Example {
                pointer: format!("{ptr}/example"),
                value,
            });
        }
        if let Some(Value::Array(values)) = schema.get("examples") {
            for (i, value) in values.iter().enumerate() {
                schema_level.push(Example {
                    pointer: format!("{ptr}/examples/{i}"),
                    value,
                });
            }
        }
        for example in schema_level {
            if !out.iter().any(|seen| seen.value == example.value) {
                out.push(example);
            }
        }
    }
    out
}

fn is_json_media(media: &str) -> bool {
    media
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The reference's operation object for (method, path) of our spec, with its pointer.
fn reference_operation<'a>(
    doc: &'a Value,
    method: &str,
    path: &str,
) -> Option<(String, &'a Value)> {
    let method = method.to_ascii_lowercase();
    // Path parameters may be named differently (`{workspace_ref}` for `{id}`): match by shape.
    let (path, item) = doc
        .get("paths")?
        .as_object()?
        .iter()
        .find(|(theirs, _)| path_shape(theirs) == path_shape(path))?;
    let pointer = format!("#/paths/{}", esc(path));
    let (pointer, item) = resolve(doc, pointer, item);
    let operation = item.get(&method)?;
    Some((format!("{pointer}/{method}"), operation))
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: walk an example along our spec's types.
// ---------------------------------------------------------------------------------------------

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    }
}

/// Where an example disagrees with our spec's type `ty`: one line per place, naming the JSON
/// path (relative to the example), what the example has and what the type expects.
fn conform(api: &Api, ty: &TypeRef, value: &Value, path: &str, out: &mut Vec<String>) {
    let at = if path.is_empty() { "(root)" } else { path };
    let expect = |out: &mut Vec<String>, what: &str| {
        out.push(format!(
            "{at}: example has {} {}, our type expects {what}",
            kind(value),
            brief(value)
        ));
    };
    match ty {
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64 => {
            let (fits, what) = match ty {
                TypeRef::String => (value.is_string(), "a string"),
                TypeRef::Bool => (value.is_boolean(), "a boolean"),
                TypeRef::I32 => (
                    value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                    "an integer",
                ),
                TypeRef::I64 => (value.as_i64().is_some(), "an integer"),
                _ => (value.is_number(), "a number"),
            };
            if !fits {
                expect(out, &format!("{what} ({})", ty.display()));
            }
        }
        TypeRef::Vec(item) => match value {
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    conform(api, item, x, &format!("{path}/{i}"), out);
                }
            }
            _ => expect(out, &format!("an array ({})", ty.display())),
        },
        TypeRef::Map(item) => match value {
            Value::Object(map) => {
                for (k, x) in map {
                    conform(api, item, x, &format!("{path}/{}", esc(k)), out);
                }
            }
            _ => expect(out, &format!("an object ({})", ty.display())),
        },
        TypeRef::Named(name) => {
            let Some(def) = api.types.get(name) else {
                out.push(format!("{at}: type {name} is not in our spec's types"));
                return;
            };
            match &def.shape {
                Shape::Alias(inner) => conform(api, inner, value, path, out),
                Shape::Enum { values } => {
                    let known: Vec<&str> = values.iter().map(|v| v.wire.as_str()).collect();
                    if !value.as_str().is_some_and(|s| known.contains(&s)) {
                        expect(out, &format!("one of {name} {known:?}"));
                    }
                }
                Shape::Struct { fields, additional } => {
                    let Value::Object(map) = value else {
                        expect(out, &format!("an object ({name})"));
                        return;
                    };
                    for field in fields {
                        let child = format!("{path}/{}", esc(&field.wire_name));
                        match map.get(&field.wire_name) {
                            None if field.required => out.push(format!(
                                "{child}: absent from the example, but required by {name}.{}",
                                field.wire_name
                            )),
                            None => {}
                            Some(Value::Null) if !field.nullable && field.ty != TypeRef::Json => {
                                out.push(format!(
                                    "{child}: example has null, but {name}.{} is not nullable in our spec ({})",
                                    field.wire_name,
                                    field.ty.display()
                                ))
                            }
                            Some(Value::Null) => {}
                            Some(x) => conform(api, &field.ty, x, &child, out),
                        }
                    }
                    if let Some(additional) = additional {
                        for (k, x) in map {
                            if !fields.iter().any(|f| &f.wire_name == k) {
                                conform(api, additional, x, &format!("{path}/{}", esc(k)), out);
                            }
                        }
                    }
                }
                Shape::Tagged { property, variants } => {
                    let Value::Object(map) = value else {
                        expect(out, &format!("an object ({name})"));
                        return;
                    };
                    let tag = map.get(property).and_then(Value::as_str);
                    match variants
                        .iter()
                        .find(|v| tag.is_some_and(|t| v.tags.iter().any(|x| x == t)))
                    {
                        Some(variant) => conform(api, &variant.ty, value, path, out),
                        None => {
                            let known: Vec<&str> = variants
                                .iter()
                                .flat_map(|v| v.tags.iter().map(String::as_str))
                                .collect();
                            out.push(format!(
                                "{at}/{}: example has {}, union {name} knows {known:?} (decodes as Unknown)",
                                esc(property),
                                map.get(property).map_or("no discriminator".into(), brief)
                            ));
                        }
                    }
                }
                Shape::Untagged { variants } => {
                    if variants.iter().any(|v| v.ty == TypeRef::Json) {
                        return;
                    }
                    let mut misses = Vec::new();
                    for variant in variants {
                        let mut branch = Vec::new();
                        conform(api, &variant.ty, value, path, &mut branch);
                        if branch.is_empty() {
                            return;
                        }
                        misses.push(format!("{} ({})", variant.variant, branch.join("; ")));
                    }
                    out.push(format!(
                        "{at}: example {} matches no branch of {name} (decodes as Unknown): {}",
                        brief(value),
                        misses.join(" | ")
                    ));
                }
            }
        }
        // Any JSON value, raw bytes, uploads: nothing to check.
        _ => {}
    }
}

/// How many `Unknown(..)` variants a `Debug` rendering shows (outside string literals).
fn unknown_variants(debug: &str) -> usize {
    let bytes = debug.as_bytes();
    let (mut count, mut i, mut in_string) = (0, 0, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if debug[i..].starts_with("Unknown(")
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            count += 1;
        }
        i += 1;
    }
    count
}

/// Differences between two JSON values, ignoring key order and treating numbers as equal when
/// they are numerically equal (`100` and `100.0`). One line per place, with its JSON path.
fn json_diff(expected: &Value, actual: &Value, path: &str, out: &mut Vec<Difference>) {
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in a {
                let child = format!("{path}/{}", esc(k));
                match b.get(k) {
                    Some(y) => json_diff(x, y, &child, out),
                    None => out.push(Difference::Missing {
                        path: child,
                        value: x.clone(),
                    }),
                }
            }
            for (k, y) in b {
                if !a.contains_key(k) {
                    out.push(Difference::Added {
                        path: format!("{path}/{}", esc(k)),
                        value: y.clone(),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                json_diff(x, y, &format!("{path}/{i}"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let equal = match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            };
            if !equal {
                out.push(Difference::Changed {
                    path: path.into(),
                    expected: expected.clone(),
                    actual: actual.clone(),
                });
            }
        }
        _ => {
            if expected != actual {
                out.push(Difference::Changed {
                    path: path.into(),
                    expected: expected.clone(),
                    actual: actual.clone(),
                });
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Difference {
    /// In the example, not in the re-encoding.
    Missing { path: String, value: Value },
    /// In the re-encoding, not in the example.
    Added { path: String, value: Value },
    Changed {
        path: String,
        expected: Value,
        actual: Value,
    },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Missing { path, value } => {
                write!(
                    f,
                    "{path}: example has {}, the re-encoding leaves it out",
                    brief(value)
                )
            }
            Difference::Added { path, value } => {
                write!(
                    f,
                    "{path}: not in the example, the re-encoding adds {}",
                    brief(value)
                )
            }
            Difference::Changed {
                path,
                expected,
                actual,
            } => {
                write!(
                    f,
                    "{path}: example has {}, the re-encoding has {}",
                    brief(expected),
                    brief(actual)
                )
            }
        }
    }
}

fn json_differences(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    json_diff(expected, actual, "", &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Running the examples.
// ---------------------------------------------------------------------------------------------

/// Request or response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// One example that failed, with everything needed to find it.
struct Failure {
    operation: String,
    status: String,
    media: String,
    pointer: String,
    rust_type: String,
    problems: Vec<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} {} {} as {}\n    at {}",
            self.operation, self.status, self.media, self.rust_type, self.pointer
        )?;
        for problem in &self.problems {
            writeln!(f, "    - {problem}")?;
        }
        Ok(())
    }
}

/// Totals of a run.
#[derive(Default)]
struct Run {
    /// Examples that decoded and round-tripped, by operation (`GET /keys`).
    decoded: BTreeMap<String, usize>,
    /// Examples found, by operation.
    found: BTreeMap<String, usize>,
    failures: Vec<Failure>,
    /// Fields of response examples our types do not have (ignored when decoding).
    dropped: Vec<String>,
    /// Things not checked, and why.
    skipped: Vec<String>,
    /// Form examples (multipart) whose fields match our form type, and all form examples.
    forms: (usize, usize),
}

impl Run {
    fn decoded_total(&self) -> usize {
        self.decoded.values().sum()
    }

    fn found_total(&self) -> usize {
        self.found.values().sum()
    }

    /// Prints the counts and notes; fails with every failure, or when nothing decoded.
    fn finish(self, what: &str) {
        println!(
            "{what}: {} of {} examples decoded and round-tripped ({} operations; {} not checked, below)",
            self.decoded_total(),
            self.found_total(),
            self.found.len(),
            self.skipped.len()
        );
        for (operation, found) in &self.found {
            let decoded = self.decoded.get(operation).copied().unwrap_or(0);
            println!("  {operation}: {decoded}/{found}");
        }
        if self.forms.1 > 0 {
            println!(
                "  multipart examples: {} of {} match our form's fields (a form is not JSON: no round trip)",
                self.forms.0, self.forms.1
            );
        }
        for note in &self.skipped {
            println!("  not checked: {note}");
        }
        if !self.dropped.is_empty() {
            println!(
                "  fields in reference examples that our types do not have (ignored when decoding):"
            );
            for note in &self.dropped {
                println!("    {note}");
            }
        }
        let mut message = String::new();
        for failure in &self.failures {
            message.push_str(&failure.to_string());
        }
        // Every operation with examples must have at least one that decodes.
        for (operation, found) in &self.found {
            if *found > 0 && self.decoded.get(operation).copied().unwrap_or(0) == 0 {
                message.push_str(&format!(
                    "{operation}: none of its {found} {what} decoded\n"
                ));
            }
        }
        assert!(
            message.is_empty(),
            "{} {what} failed (spec/openrouter.yaml disagrees with the reference, or the table is stale):\n\n{message}",
            self.failures.len()
        );
        assert!(
            self.decoded_total() > 0,
            "no {what} found in the reference for the operations we cover"
        );
    }
}

/// Checks one example with `codec`, expecting our spec's type `ty` (for diagnostics).
#[allow(clippy::too_many_arguments)]
fn check_example(
    run: &mut Run,
    api: &Api,
    side: Side,
    operation: &str,
    status: &str,
    media: &str,
    example: &Example<'_>,
    codec: Codec,
    ty: Option<&TypeRef>,
) {
    *run.found.entry(operation.to_owned()).or_default() += 1;
    let mut problems = Vec::new();
    let mut walk = Vec::new();
    if let Some(ty) = ty {
        conform(api, ty, example.value, "", &mut walk);
    }
    match (codec.roundtrip)(example.value) {
        Err(error) => {
            problems.push(error);
            problems.extend(walk);
        }
        Ok(decoded) => {
            let unknown = unknown_variants(&decoded.debug);
            if unknown > 0 {
                problems.push(format!(
                    "decodes, but {unknown} value(s) land in an `Unknown` variant (a value our spec does not list)"
                ));
            }
            let differences = json_differences(example.value, &decoded.encoded);
            match side {
                Side::Request => {
                    // The re-encoding must be the example (key order and 100 vs 100.0 aside).
                    problems.extend(differences.iter().map(|d| format!("round trip: {d}")));
                }
                Side::Response => {
                    for difference in differences {
                        match difference {
                            // `null` in an optional field decodes to `None`, which is left out.
                            Difference::Missing {
                                value: Value::Null, ..
                            } => {}
                            Difference::Missing { path, value } => run.dropped.push(format!(
                                "{operation} {status}: {path} = {} ({})",
                                brief(&value),
                                example.pointer
                            )),
                            other => problems.push(format!("round trip: {other}")),
                        }
                    }
                }
            }
            if !walk.is_empty() {
                if problems.is_empty() {
                    problems.push("decodes, but the example contradicts our spec:".into());
                }
                problems.extend(walk);
            }
        }
    }
    if problems.is_empty() {
        *run.decoded.entry(operation.to_owned()).or_default() += 1;
    } else {
        run.failures.push(Failure {
            operation: operation.to_owned(),
            status: status.to_owned(),
            media: media.to_owned(),
            pointer: example.pointer.clone(),
            rust_type: short_type(codec.type_name),
            problems,
        });
    }
}

/// Checks a multipart example against our form type: each field it names is one of ours with a
/// value that fits (a file part is given as a file name), and it has each field ours requires.
/// A form is not JSON, so there is no round trip; wire tests check what goes over the wire.
fn check_form_example(
    run: &mut Run,
    api: &Api,
    name: &str,
    media: &str,
    example: &Example<'_>,
    form: &TypeRef,
) {
    run.forms.1 += 1;
    let mut problems = Vec::new();
    let fields = match form {
        TypeRef::Named(ty) => match api.types.get(ty).map(|d| &d.shape) {
            Some(Shape::Struct { fields, .. }) => fields.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    match example.value {
        Value::Object(values) => {
            for (key, value) in values {
                match fields.iter().find(|f| f.wire_name == *key) {
                    None => problems.push(format!(
                        "{key}: a field our form {} does not have",
                        form.display()
                    )),
                    Some(field) if field.ty == TypeRef::Upload => {
                        if !value.is_string() {
                            problems.push(format!("{key}: a file part given as {}", kind(value)));
                        }
                    }
                    Some(field) => conform(api, &field.ty, value, key, &mut problems),
                }
            }
            for field in fields
                .iter()
                .filter(|f| f.required && !values.contains_key(&f.wire_name))
            {
                problems.push(format!(
                    "{}: required by our form, missing from the example",
                    field.wire_name
                ));
            }
        }
        other => problems.push(format!("a form example that is {}", kind(other))),
    }
    if fields.is_empty() {
        problems.push(format!("our form type {} is not an object", form.display()));
    }
    if problems.is_empty() {
        run.forms.0 += 1;
    } else {
        run.failures.push(Failure {
            operation: name.to_owned(),
            status: "request".into(),
            media: media.to_owned(),
            pointer: example.pointer.clone(),
            rust_type: form.display(),
            problems,
        });
    }
}

fn is_event_stream(media: &str) -> bool {
    media
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// The event payloads of a `text/event-stream` example, each with its pointer: the reference
/// writes one event as `{event?, data}` (Speakeasy's envelope) or the stream as text (`data:`
/// lines). The end sentinel is left out.
fn event_payloads(
    example: &Example<'_>,
    done: Option<&str>,
) -> Result<Vec<(String, Value)>, String> {
    let payload = |pointer: String, text: &str| -> Result<Option<(String, Value)>, String> {
        if Some(text.trim()) == done {
            return Ok(None);
        }
        serde_json::from_str(text)
            .map(|v| Some((pointer, v)))
            .map_err(|e| format!("event data is not JSON ({e}): {text}"))
    };
    match example.value {
        Value::Object(event) => match event.get("data") {
            Some(Value::String(text)) => Ok(payload(format!("{}/data", example.pointer), text)?
                .into_iter()
                .collect()),
            Some(data) => Ok(vec![(format!("{}/data", example.pointer), data.clone())]),
            None => Err("an event example without `data`".into()),
        },
        Value::String(text) => {
            let mut out = Vec::new();
            for (n, line) in text.lines().enumerate() {
                if let Some(data) = line.strip_prefix("data:") {
                    out.extend(payload(
                        format!("{} (line {})", example.pointer, n + 1),
                        data.trim_start(),
                    )?);
                }
            }
            Ok(out)
        }
        other => Err(format!("an event-stream example that is {}", kind(other))),
    }
}

/// Checks the events of a streaming operation's `text/event-stream` examples: each event's data
/// must decode with the table's event type, which must be the `.stream()` item of our spec.
#[allow(clippy::too_many_arguments)]
fn check_event_examples(
    run: &mut Run,
    api: &Api,
    name: &str,
    status: &str,
    media: &str,
    examples: &[Example<'_>],
    entry: &Entry,
    operation: &Operation,
) {
    let (Some(codec), Some(streaming)) = (entry.stream, operation.streaming.as_ref()) else {
        let payloads: usize = examples
            .iter()
            .map(|e| event_payloads(e, Some("[DONE]")).map_or(1, |p| p.len()))
            .sum();
        if payloads == 0 {
            // The reference's "does not stream" placeholder (embeddings, rerank): only `[DONE]`.
            run.skipped.push(format!(
                "{name} {status}: {media}: {} example(s) (only the end sentinel; our spec has no `.stream()` here)",
                examples.len()
            ));
        } else {
            run.failures.push(Failure {
                operation: name.to_owned(),
                status: status.to_owned(),
                media: media.to_owned(),
                pointer: examples[0].pointer.clone(),
                rust_type: "-".into(),
                problems: vec![
                    "the reference streams events here; our spec has no `.stream()`".into(),
                ],
            });
        }
        return;
    };
    for example in examples {
        match event_payloads(example, streaming.done.as_deref()) {
            Ok(payloads) if payloads.is_empty() => run.skipped.push(format!(
                "{name} {status}: {media}: an example with no event"
            )),
            Ok(payloads) => {
                for (pointer, value) in &payloads {
                    let event = Example {
                        pointer: pointer.clone(),
                        value,
                    };
                    check_example(
                        run,
                        api,
                        Side::Response,
                        name,
                        status,
                        media,
                        &event,
                        codec,
                        Some(&streaming.item),
                    );
                }
            }
            Err(problem) => run.failures.push(Failure {
                operation: name.to_owned(),
                status: status.to_owned(),
                media: media.to_owned(),
                pointer: example.pointer.clone(),
                rust_type: short_type(codec.type_name),
                problems: vec![problem],
            }),
        }
    }
}

fn check_examples(reference: &Value, side: Side) -> Run {
    let api = our_api();
    let table = table();
    let error_ty = TypeRef::Named("ErrorResponse".into());
    let mut run = Run::default();
    for operation in &api.operations {
        if is_second_method(api, operation) {
            continue;
        }
        let name = format!(
            "{} {}",
            operation.http_method.to_ascii_uppercase(),
            operation.path
        );
        let Some((op_pointer, op_ref)) =
            reference_operation(reference, &operation.http_method, &operation.path)
        else {
            run.skipped.push(format!("{name}: not in the reference"));
            continue;
        };
        let Some(entry) = find_entry(&table, &operation.http_method, &operation.path) else {
            run.failures.push(Failure {
                operation: name.clone(),
                status: "-".into(),
                media: "-".into(),
                pointer: op_pointer,
                rust_type: "-".into(),
                problems: vec![
                    "no entry in table() for this operation (see table_matches_spec)".into(),
                ],
            });
            continue;
        };
        let entry_error_ty = entry
            .errors
            .map(|(codec, name)| (codec, TypeRef::Named(name.into())));
        let mut status_error_ty;
        match side {
            Side::Request => {
                let Some(body) = op_ref.get("requestBody") else {
                    continue;
                };
                let (body_pointer, body) =
                    resolve(reference, format!("{op_pointer}/requestBody"), body);
                let Some(Value::Object(content)) = body.get("content") else {
                    continue;
                };
                for (media, media_object) in content {
                    let media_pointer = format!("{body_pointer}/content/{}", esc(media));
                    let examples = media_examples(reference, &media_pointer, media_object);
                    if examples.is_empty() {
                        continue;
                    }
                    if media.starts_with("multipart/form-data") {
                        match body_of_kind(
                            api,
                            &operation.http_method,
                            &operation.path,
                            BodyKind::Multipart,
                        ) {
                            Some(form) => {
                                for example in &examples {
                                    check_form_example(&mut run, api, &name, media, example, form);
                                }
                            }
                            None => run.failures.push(Failure {
                                operation: name.clone(),
                                status: "request".into(),
                                media: media.clone(),
                                pointer: media_pointer,
                                rust_type: "-".into(),
                                problems: vec![
                                    "the reference sends a multipart form; our spec has none"
                                        .into(),
                                ],
                            }),
                        }
                        continue;
                    }
                    if !is_json_media(media) {
                        run.skipped
                            .push(format!("{name} request: {media} (not JSON)"));
                        continue;
                    }
                    let json_body =
                        body_of_kind(api, &operation.http_method, &operation.path, BodyKind::Json);
                    let (Some(codec), Some(body_ty)) = (entry.request, json_body) else {
                        run.failures.push(Failure {
                            operation: name.clone(),
                            status: "request".into(),
                            media: media.clone(),
                            pointer: media_pointer,
                            rust_type: "-".into(),
                            problems: vec![
                                "the reference has a JSON request body; our spec has none".into(),
                            ],
                        });
                        continue;
                    };
                    for example in &examples {
                        check_example(
                            &mut run,
                            api,
                            side,
                            &name,
                            "request",
                            media,
                            example,
                            codec,
                            Some(body_ty),
                        );
                    }
                }
            }
            Side::Response => {
                let Some(Value::Object(responses)) = op_ref.get("responses") else {
                    continue;
                };
                for (status, response) in responses {
                    let (response_pointer, response) = resolve(
                        reference,
                        format!("{op_pointer}/responses/{}", esc(status)),
                        response,
                    );
                    let Some(Value::Object(content)) = response.get("content") else {
                        continue;
                    };
                    for (media, media_object) in content {
                        let media_pointer = format!("{response_pointer}/content/{}", esc(media));
                        let examples = media_examples(reference, &media_pointer, media_object);
                        if examples.is_empty() {
                            continue;
                        }
                        if is_event_stream(media) {
                            check_event_examples(
                                &mut run, api, &name, status, media, &examples, entry, operation,
                            );
                            continue;
                        }
                        if !is_json_media(media) {
                            let why = match entry.success {
                                Answer::Binary if status.starts_with('2') => {
                                    "binary answer (ByteStream), not JSON"
                                }
                                _ => "not JSON",
                            };
                            let count = examples.len();
                            run.skipped.push(format!(
                                "{name} {status}: {media}: {count} example(s) ({why})"
                            ));
                            continue;
                        }
                        let (codec, ty) = if status.starts_with('2') {
                            if *status != operation.success.status {
                                run.failures.push(Failure {
                                    operation: name.clone(),
                                    status: status.clone(),
                                    media: media.clone(),
                                    pointer: response_pointer.clone(),
                                    rust_type: "-".into(),
                                    problems: vec![format!(
                                        "the reference's success status is {status}, our spec's is {}",
                                        operation.success.status
                                    )],
                                });
                            }
                            match entry.success {
                                Answer::Json(codec) => (codec, operation.success.ty.as_ref()),
                                Answer::Binary | Answer::Empty => {
                                    let ours = match entry.success {
                                        Answer::Binary => "binary (ByteStream)",
                                        _ => "empty",
                                    };
                                    run.failures.push(Failure {
                                        operation: name.clone(),
                                        status: status.clone(),
                                        media: media.clone(),
                                        pointer: media_pointer.clone(),
                                        rust_type: "-".into(),
                                        problems: vec![format!(
                                            "the reference has a JSON body; our spec's success is {ours}"
                                        )],
                                    });
                                    continue;
                                }
                            }
                        } else if status.starts_with('4') || status.starts_with('5') {
                            match (
                                entry.error_at.iter().find(|(s, _, _)| s == status),
                                &entry_error_ty,
                            ) {
                                (Some((_, codec, name)), _) => {
                                    status_error_ty = TypeRef::Named((*name).into());
                                    (*codec, Some(&status_error_ty))
                                }
                                (None, Some((codec, ty))) => (*codec, Some(ty)),
                                (None, None) => (error_codec(), Some(&error_ty)),
                            }
                        } else {
                            run.skipped
                                .push(format!("{name} {status}: status not checked"));
                            continue;
                        };
                        for example in &examples {
                            check_example(
                                &mut run, api, side, &name, status, media, example, codec, ty,
                            );
                        }
                    }
                }
            }
        }
    }
    run
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

/// The table has one entry per operation of our spec (a second method, which sends another media
/// type to the same method and path, shares its operation's entry), with the types the generator
/// uses: success (JSON, binary or empty), JSON and multipart request bodies, and error bodies.
#[test]
fn table_matches_spec() {
    let api = our_api();
    let table = table();
    let mut problems = Vec::new();
    let name = |ty: Option<&TypeRef>| ty.map_or_else(|| "(none)".to_owned(), TypeRef::display);
    let rust = |codec: Option<Codec>| {
        codec.map_or_else(|| "(none)".to_owned(), |c| c.type_name.to_owned())
    };
    // `std::any::type_name` with module paths dropped equals the spec's type:
    // `openrouter_generated::types::ApiKeyResponse` -> `ApiKeyResponse`.
    let same_name =
        |ty: &TypeRef, rust_name: &str| short_type(rust_name) == short_type(&ty.display());
    let same = |ty: Option<&TypeRef>, codec: Option<Codec>| match (ty, codec) {
        (None, None) => true,
        (Some(ty), Some(codec)) => same_name(ty, codec.type_name),
        _ => false,
    };
    for operation in &api.operations {
        // A second method (another request media type) is checked with its operation's entry.
        if is_second_method(api, operation) {
            continue;
        }
        let method = operation.http_method.to_ascii_uppercase();
        let path = &operation.path;
        let id = &operation.operation_id;
        let success = operation.success.ty.as_ref();
        let request = body_of_kind(api, &method, path, BodyKind::Json);
        // A form-encoded body is not JSON either: it is pinned the same way.
        let multipart = body_of_kind(api, &method, path, BodyKind::Multipart)
            .or_else(|| body_of_kind(api, &method, path, BodyKind::Form));
        let same_key = || {
            api.operations
                .iter()
                .filter(|o| o.http_method.eq_ignore_ascii_case(&method) && &o.path == path)
        };
        for body in same_key().filter_map(|o| o.body.as_ref()) {
            if !matches!(
                body.kind,
                BodyKind::Json | BodyKind::Multipart | BodyKind::Form
            ) {
                problems.push(format!(
                    "unsupported: {method} {path} ({id}) sends a {:?} body ({}); table() knows JSON, multipart and forms",
                    body.kind, body.content_type
                ));
            }
        }
        let Some(entry) = find_entry(&table, &method, path) else {
            let request_arg = request.map_or("None".into(), |t| {
                format!("Some(codec::<{}>())", t.display())
            });
            let call = match success {
                None => format!("empty(\"{method}\", \"{path}\", {request_arg})"),
                Some(TypeRef::Bytes) => format!("binary(\"{method}\", \"{path}\", {request_arg})"),
                Some(ty) => format!(
                    "op(\"{method}\", \"{path}\", codec::<{}>(), {request_arg})",
                    ty.display()
                ),
            };
            let form = multipart.map_or(String::new(), |t| {
                format!(".multipart::<{}>()", t.display())
            });
            problems.push(format!(
                "missing: {method} {path} ({id}): add {call}{form} to table() and its types to wire!()"
            ));
            continue;
        };
        let success_matches = match (success, entry.success) {
            (None, Answer::Empty) => true,
            (Some(TypeRef::Bytes), Answer::Binary) => true,
            (Some(ty), Answer::Json(codec)) => {
                *ty != TypeRef::Bytes && same_name(ty, codec.type_name)
            }
            _ => false,
        };
        if !success_matches {
            problems.push(format!(
                "mismatched success type: {method} {path} ({id}): spec {}, table {}",
                name(success),
                entry.success.describe()
            ));
        }
        if !same(request, entry.request) {
            problems.push(format!(
                "mismatched request type: {method} {path} ({id}): spec {}, table {}",
                name(request),
                rust(entry.request)
            ));
        }
        let multipart_matches = match (multipart, entry.multipart) {
            (None, None) => true,
            (Some(ty), Some(rust_name)) => same_name(ty, rust_name),
            _ => false,
        };
        if !multipart_matches {
            problems.push(format!(
                "mismatched multipart request type: {method} {path} ({id}): spec {}, table {}",
                name(multipart),
                entry.multipart.unwrap_or("(none)")
            ));
        }
        let stream_item = operation.streaming.as_ref().map(|s| &s.item);
        if !same(stream_item, entry.stream) {
            problems.push(format!(
                "mismatched stream event type: {method} {path} ({id}): spec {}, table {}",
                name(stream_item),
                rust(entry.stream)
            ));
        }
        // Error statuses whose body names a type: the table's error type (`ErrorResponse` unless
        // `.errors(..)` says otherwise).
        let table_error = entry.errors.map_or("ErrorResponse", |(_, name)| name);
        if let Some((codec, name)) = entry
            .errors
            .filter(|(codec, name)| short_type(codec.type_name) != *name)
        {
            problems.push(format!(
                "mismatched .errors(): {method} {path}: codec {}, name {name}",
                codec.type_name
            ));
        }
        for error in same_key().flat_map(|o| &o.errors) {
            let table_error = entry
                .error_at
                .iter()
                .find(|(s, _, _)| *s == error.status)
                .map_or(table_error, |(_, _, n)| n);
            match &error.ty {
                Some(ty) if short_type(&ty.display()) != table_error => problems.push(format!(
                    "mismatched error type: {method} {path} ({id}) {}: spec {}, table {table_error}",
                    error.status,
                    ty.display()
                )),
                _ => {}
            }
        }
    }
    for entry in &table {
        let known = api
            .operations
            .iter()
            .any(|o| o.http_method.eq_ignore_ascii_case(entry.method) && o.path == entry.path);
        if !known {
            problems.push(format!(
                "stale: {} {} is in table() but not in the spec",
                entry.method, entry.path
            ));
        }
        let duplicates = table
            .iter()
            .filter(|e| e.method == entry.method && e.path == entry.path)
            .count();
        if duplicates > 1 {
            problems.push(format!(
                "duplicate: {} {} is in table() {duplicates} times",
                entry.method, entry.path
            ));
        }
    }
    if !api.types.contains_key("ErrorResponse") {
        problems
            .push("our spec has no ErrorResponse type, which error statuses decode with".into());
    }
    assert!(
        error_codec().type_name.ends_with("::ErrorResponse"),
        "error codec is {}",
        error_codec().type_name
    );
    problems.dedup();
    assert!(
        problems.is_empty(),
        "table() in tests/conformance.rs does not match spec/openrouter.yaml ({} operations):\n  {}",
        api.operations.len(),
        problems.join("\n  ")
    );
    let second_methods = api
        .operations
        .iter()
        .filter(|o| is_second_method(api, o))
        .count();
    println!(
        "table(): {} entries, spec: {} operations ({second_methods} of them second methods sharing an entry)",
        table.len(),
        api.operations.len()
    );
}

/// Every JSON response example of the operations we cover decodes with our success type (2xx) or
/// `ErrorResponse` (4xx/5xx), and decode -> encode -> decode is stable.
#[test]
fn response_examples_roundtrip() {
    let Some(reference) = reference("response_examples_roundtrip") else {
        return;
    };
    check_examples(reference, Side::Response).finish("response examples");
}

/// Every JSON request example of the operations we cover decodes into our body type and encodes
/// back to the example (key order aside, numbers compared by value).
#[test]
fn request_examples_roundtrip() {
    let Some(reference) = reference("request_examples_roundtrip") else {
        return;
    };
    check_examples(reference, Side::Request).finish("request examples");
}

/// A response example with a field our types do not know and enum values they do not list still
/// decodes, keeps the unknown values, and encodes them back.
#[test]
fn unknown_fields_and_enum_values_still_decode() {
    let Some(reference) = reference("unknown_fields_and_enum_values_still_decode") else {
        return;
    };
    // The first JSON example of `GET /models` 200 that decodes as it is (whether they all do is
    // `response_examples_roundtrip`'s business).
    let codec = find_entry(&table(), "GET", "/models")
        .and_then(|e| e.success.json())
        .expect("GET /models in table()");
    let pointer = "#/paths/~1models/get/responses/200/content/application~1json";
    let media = reference
        .pointer(&pointer[1..])
        .unwrap_or_else(|| panic!("the reference has no {pointer}"));
    let examples = media_examples(reference, pointer, media);
    let mut example = examples
        .iter()
        .find(|e| (codec.roundtrip)(e.value).is_ok())
        .unwrap_or_else(|| {
            panic!(
                "none of the {} examples at {pointer} decodes",
                examples.len()
            )
        })
        .value
        .clone();
    example["x_future_top_level"] = serde_json::json!({"nested": [1, 2, 3]});
    let model = example
        .pointer_mut("/data/0")
        .and_then(Value::as_object_mut)
        .expect("the /models example lists a model");
    model.insert("x_future_field".into(), Value::from("surprise"));
    let architecture = model
        .get_mut("architecture")
        .and_then(Value::as_object_mut)
        .expect("the model has an architecture");
    architecture.insert(
        "input_modalities".into(),
        serde_json::json!(["text", "x-hologram"]),
    );
    architecture.insert("tokenizer".into(), Value::from("x-future-tokenizer"));
    architecture.insert("x_future_architecture_field".into(), Value::Bool(true));

    let decoded = <ListModelsResponse as Wire>::decode(example.clone())
        .unwrap_or_else(|e| panic!("the mutated /models example does not decode: {e}"));
    let architecture = &decoded.data[0].architecture;
    assert_eq!(
        architecture.input_modalities,
        vec![
            InputModality::Text,
            InputModality::Unknown("x-hologram".into())
        ]
    );
    assert_eq!(
        architecture.tokenizer,
        Some(ModelTokenizer::Unknown("x-future-tokenizer".into()))
    );
    assert_eq!(architecture.input_modalities[1].as_str(), "x-hologram");

    // The unknown values survive encoding; the unknown fields are dropped, and only those.
    let encoded = decoded.encode().expect("encodes");
    assert_eq!(
        encoded["data"][0]["architecture"]["input_modalities"][1],
        "x-hologram"
    );
    assert_eq!(
        encoded["data"][0]["architecture"]["tokenizer"],
        "x-future-tokenizer"
    );
    let again = <ListModelsResponse as Wire>::decode(encoded).expect("decodes again");
    assert_eq!(again, decoded);
    assert_eq!(unknown_variants(&format!("{decoded:?}")), 2);

    // The same through the table's entry, as the other tests use it.
    (codec.roundtrip)(&example).unwrap_or_else(|e| panic!("GET /models via table(): {e}"));
}

/// The helpers the checks rely on.
#[test]
fn helpers_behave() {
    use serde_json::json;
    // Key order does not matter; 100 and 100.0 are equal; other differences are found, with paths.
    assert!(
        json_differences(&json!({"a": 1, "b": [100]}), &json!({"b": [100.0], "a": 1})).is_empty()
    );
    assert_eq!(
        json_differences(
            &json!({"a": {"b": 1, "c": 2}}),
            &json!({"a": {"b": 1.5, "d": 2}})
        )
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>(),
        vec![
            "/a/b: example has 1, the re-encoding has 1.5",
            "/a/c: example has 2, the re-encoding leaves it out",
            "/a/d: not in the example, the re-encoding adds 2",
        ]
    );
    assert_eq!(
        short_type(
            "alloc::vec::Vec<alloc::collections::btree::map::BTreeMap<alloc::string::String, x::Y>>"
        ),
        "Vec<BTreeMap<String,Y>>"
    );
    assert_eq!(short_type("serde_json::Value"), "Value");
    assert_eq!(
        unknown_variants(r#"A { b: Unknown("x"), c: "Unknown(", d: XUnknown(1) }"#),
        1
    );
    assert_eq!(esc("/a~b"), "~1a~0b");

    // The walker names the path and both sides.
    let api = our_api();
    let mut out = Vec::new();
    conform(
        api,
        &TypeRef::Named("ErrorResponse".into()),
        &json!({"error": {"code": 1.5, "message": null}}),
        "",
        &mut out,
    );
    assert_eq!(out.len(), 2, "{out:#?}");
    assert!(
        out[0].starts_with("/error/code: example 1.5 matches no branch of ErrorBodyCode"),
        "{out:#?}"
    );
    assert!(
        out[1].starts_with("/error/message: example has null"),
        "{out:#?}"
    );
}

/// Objects decode as serde's derive would read them (our types use `deserialize_struct!`, a
/// smaller implementation): required fields must be present, optional ones may be absent or
/// `null`, unknown properties and escaped names are handled, the error texts are serde's. Two
/// deliberate differences: of a property sent twice the last is kept (the derive refuses it), and
/// an array is not read as a struct.
#[test]
fn objects_decode_as_serde_reads_them() {
    use serde_json::json;
    let usage = |value: Value| serde_json::from_value::<ChatUsage>(value);
    let from_text = |text: &str| serde_json::from_str::<ChatUsage>(text);

    let read = usage(
        json!({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "cost": null,
                            "is_byok": true, "x_future": {"a": [1]}}),
    )
    .expect("decodes");
    assert_eq!(
        (
            read.prompt_tokens,
            read.completion_tokens,
            read.total_tokens
        ),
        (3, 4, 7)
    );
    assert_eq!(
        (read.cost, read.is_byok, read.cost_details.is_none()),
        (None, Some(true), true)
    );

    let missing = usage(json!({"prompt_tokens": 3, "total_tokens": 7}))
        .expect_err("a required field is missing");
    assert_eq!(missing.to_string(), "missing field `completion_tokens`");
    let wrong = usage(json!({"prompt_tokens": "3", "completion_tokens": 4, "total_tokens": 7}))
        .expect_err("a string");
    assert!(
        wrong
            .to_string()
            .starts_with("invalid type: string \"3\", expected i64"),
        "{wrong}"
    );
    let not_an_object = usage(json!("usage")).expect_err("not an object");
    assert_eq!(
        not_an_object.to_string(),
        "invalid type: string \"usage\", expected struct ChatUsage"
    );
    assert!(
        usage(json!([3, 4, 7])).is_err(),
        "an array is not read as a struct"
    );

    // From text: an escaped property name (not borrowed from the input) and a repeated one.
    let escaped =
        from_text(r#"{"prompt\u005ftokens": 1, "completion_tokens": 2, "total_tokens": 3}"#)
            .expect("decodes");
    assert_eq!(escaped.prompt_tokens, 1);
    let repeated = from_text(
        r#"{"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "total_tokens": 4}"#,
    )
    .expect("decodes");
    assert_eq!(
        repeated.total_tokens, 4,
        "the last of a repeated property is kept"
    );
    let error = from_text(r#"{"prompt_tokens": 1, "completion_tokens": 2}"#).expect_err("missing");
    assert!(
        error
            .to_string()
            .starts_with("missing field `total_tokens`"),
        "{error}"
    );

    // With `round-trip`, absent optional fields are left out of the encoding and `null` is not sent.
    let encoded = serde_json::to_value(&read).expect("encodes");
    assert_eq!(
        encoded,
        json!({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "is_byok": true})
    );
}
