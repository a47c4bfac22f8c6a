//! End-to-end tests of the generated OpenRouter client (`openrouter-generated`) against a local
//! wiremock server: every operation's method, path, query string and body on the wire, the
//! decoded responses, pagination, nullable PATCH fields, auth and attribution headers, error
//! mapping, open enums, retries, secret redaction and response metadata.
//!
//! Every test talks to `MockServer::start()` on the loopback interface only; nothing reaches the
//! network. Requests are checked after the fact through `server.received_requests()`, so a test
//! fails on what was actually sent, not only on whether some mock happened to match.

use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::types::{
    AddWorkspaceMembersRequest, CreateApiKeyRequest, CreateApiKeyRequestLimitReset,
    CreateWorkspaceRequest, InputModality, InstructType, ListModelsCategory, ListModelsDistillable,
    ListModelsRegion, ListModelsSort, ListModelsZdr, ModelTokenizer, OutputModality,
    ReasoningEffort, RemoveWorkspaceMembersRequest, SetWorkspaceBudgetRequest, SupportedParameter,
    UpdateApiKeyRequest, UpdateApiKeyRequestLimitReset, UpdateWorkspaceRequest,
    WorkspaceBudgetInterval, WorkspaceBudgetResetInterval, WorkspaceMemberRole,
};
use openrouter_generated::{Client, ClientBuilder, Error, ErrorCode, RequestOptions, RetryPolicy};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// The API key every test client uses; it must never show up in any printed form.
const API_KEY: &str = "sk-or-v1-e2e5ecret0123456789abcdefDO-NOT-PRINT";
const APP_URL: &str = "https://e2e.example.com/console";
const APP_TITLE: &str = "E2E Suite";
const APP_CATEGORIES: [&str; 2] = ["cli-agent", "programming-app"];
const USER_AGENT: &str = "openrouter-e2e/0.1 (+https://e2e.example.com)";

const WS_ID: &str = "3f0c2d4e-8a61-4b3e-9f1d-2c7b5a9e0d11";
const KEY_HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";

/// A client builder aimed at `server` with every attribution setting and no retries (so error
/// tests see exactly one request).
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .app_url(APP_URL)
        .app_title(APP_TITLE)
        .app_categories(APP_CATEGORIES)
        .user_agent(USER_AGENT)
        .retry_policy(RetryPolicy::none())
}

fn client(server: &MockServer) -> Client {
    builder(server).build().expect("the test client builds")
}

/// A retry policy with waits of a few milliseconds at most.
fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::new(max_retries)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// Mounts a mock answering `verb path` (any query) with `status` and a JSON body.
async fn mount(server: &MockServer, verb: &str, route: &str, status: u16, body: Value) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(json_response(status, body))
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The one request the server received (fails if there were more or fewer).
async fn single_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(
        all.len(),
        1,
        "expected exactly one request, got {}: {all:#?}",
        all.len()
    );
    all.remove(0)
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers
        .get(name)
        .map(|v| v.to_str().expect("header is text").to_owned())
}

fn header_count(req: &Request, name: &str) -> usize {
    req.headers.get_all(name).iter().count()
}

/// Decoded query pairs, sorted (the order of parameters is not part of the contract).
fn query_of(req: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = req
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

fn body_of(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or_else(|e| {
        panic!(
            "request body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&req.body)
        )
    })
}

/// Asserts the auth and attribution headers of the client made by [`builder`], each sent once.
fn assert_client_headers(req: &Request) {
    let expected = [
        ("authorization", format!("Bearer {API_KEY}")),
        ("http-referer", APP_URL.to_owned()),
        ("x-openrouter-title", APP_TITLE.to_owned()),
        (
            "x-openrouter-categories",
            "cli-agent,programming-app".to_owned(),
        ),
        ("user-agent", USER_AGENT.to_owned()),
    ];
    for (name, value) in expected {
        assert_eq!(
            header(req, name).as_deref(),
            Some(value.as_str()),
            "header {name}"
        );
        assert_eq!(header_count(req, name), 1, "header {name} sent once");
    }
}

/// Asserts everything about one request: method, path, query (exactly these pairs; none at all
/// when empty), body (exact JSON with a JSON content type, or no body and no content type), and
/// the client's auth and attribution headers.
fn assert_request(
    req: &Request,
    verb: &str,
    route: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) {
    assert_eq!(req.method.as_str(), verb, "method of {}", req.url);
    assert_eq!(req.url.path(), route, "path of {}", req.url);
    if query.is_empty() {
        assert_eq!(
            req.url.query(),
            None,
            "no query string expected on {}",
            req.url
        );
    } else {
        assert_eq!(query_of(req), pairs(query), "query of {}", req.url);
    }
    match body {
        Some(expected) => {
            assert_eq!(
                header(req, "content-type").as_deref(),
                Some("application/json"),
                "content type of {verb} {route}"
            );
            assert_eq!(body_of(req), expected, "body of {verb} {route}");
        }
        None => {
            assert!(
                req.body.is_empty(),
                "no body expected on {verb} {route}: {:?}",
                req.body
            );
            assert_eq!(
                header(req, "content-type"),
                None,
                "no content type on {verb} {route}"
            );
        }
    }
    assert_client_headers(req);
}

// ---------------------------------------------------------------------------------------------
// Realistic response fixtures (every required field of the generated types is present)
// ---------------------------------------------------------------------------------------------

fn api_key_json(hash: &str, name: &str) -> Value {
    json!({
        "hash": hash,
        "name": name,
        "label": "sk-or-v1-0e6...1c96",
        "disabled": false,
        "limit": 25.0,
        "limit_remaining": 17.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": false,
        "usage": 7.5,
        "usage_daily": 0.25,
        "usage_weekly": 1.5,
        "usage_monthly": 7.5,
        "byok_usage": 0.0,
        "byok_usage_daily": 0.0,
        "byok_usage_weekly": 0.0,
        "byok_usage_monthly": 0.0,
        "created_at": "2025-08-24T10:30:00Z",
        "updated_at": "2025-08-25T08:00:00Z",
        "creator_user_id": "user_2yOPcMpKeCTvRpSNcJMW4YSVOGw",
        "expires_at": null,
        "workspace_id": WS_ID
    })
}

fn current_key_json() -> Value {
    json!({
        "label": "sk-or-v1-au7...890",
        "limit": null,
        "limit_remaining": null,
        "limit_reset": null,
        "include_byok_in_limit": true,
        "usage": 12.345,
        "usage_daily": 0.5,
        "usage_weekly": 3.25,
        "usage_monthly": 10.0,
        "byok_usage": 1.5,
        "byok_usage_daily": 0.0,
        "byok_usage_weekly": 0.5,
        "byok_usage_monthly": 1.5,
        "is_free_tier": false,
        "is_management_key": true,
        "is_provisioning_key": true,
        "creator_user_id": null,
        "expires_at": "2026-12-31T23:59:59Z",
        "rate_limit": {
            "requests": -1,
            "interval": "10s",
            "note": "This field is deprecated and safe to ignore."
        }
    })
}

fn workspace_json(id: &str, slug: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Workspace {slug}"),
        "slug": slug,
        "description": "Production traffic",
        "default_guardrail_id": "7d3e1a0b-5c2f-4e8d-a9b6-1f0e2d3c4b5a",
        "default_text_model": "openai/gpt-4o",
        "default_image_model": null,
        "default_provider_sort": "price",
        "include_byok_in_budgets": true,
        "is_observability_io_logging_enabled": false,
        "is_observability_broadcast_enabled": true,
        "is_data_discount_logging_enabled": false,
        "io_logging_sampling_rate": 0.5,
        "io_logging_api_key_ids": [101, 202],
        "created_at": "2025-03-01T12:00:00Z",
        "updated_at": null,
        "created_by": "user_2yOPcMpKeCTvRpSNcJMW4YSVOGw"
    })
}

fn budget_json(interval: &str, limit_usd: f64) -> Value {
    let reset = if interval == "lifetime" {
        Value::Null
    } else {
        json!(interval)
    };
    json!({
        "id": format!("bdg_{interval}"),
        "workspace_id": WS_ID,
        "limit_usd": limit_usd,
        "reset_interval": reset,
        "created_at": "2025-04-01T00:00:00Z",
        "updated_at": "2025-04-02T00:00:00Z"
    })
}

fn member_json(user_id: &str, role: &str) -> Value {
    json!({
        "id": format!("wm_{user_id}"),
        "workspace_id": WS_ID,
        "user_id": user_id,
        "role": role,
        "created_at": "2025-05-05T05:05:05Z"
    })
}

fn model_json(id: &str) -> Value {
    json!({
        "id": id,
        "canonical_slug": format!("{id}-2024-08-06"),
        "name": "OpenAI: GPT-4o",
        "created": 1_715_367_049_i64,
        "description": "GPT-4o is OpenAI's flagship multimodal model.",
        "context_length": 128_000,
        "hugging_face_id": null,
        "knowledge_cutoff": "2023-10-01",
        "architecture": {
            "modality": "text+image->text",
            "input_modalities": ["text", "image", "file"],
            "output_modalities": ["text"],
            "tokenizer": "GPT",
            "instruct_type": null
        },
        "pricing": {
            "prompt": "0.0000025",
            "completion": "0.00001",
            "request": "0",
            "image": "0.003613",
            "web_search": "0.01",
            "internal_reasoning": "0",
            "input_cache_read": "0.00000125",
            "discount": 0
        },
        "top_provider": {
            "context_length": 128_000,
            "max_completion_tokens": 16_384,
            "is_moderated": true
        },
        "per_request_limits": null,
        "supported_parameters": ["temperature", "top_p", "max_tokens", "tools", "response_format"],
        "default_parameters": {"temperature": 1.0, "top_p": null, "frequency_penalty": null},
        "supported_voices": null,
        "reasoning": {"mandatory": false, "default_enabled": false, "supported_efforts": ["low", "high"]},
        "benchmarks": {
            "artificial_analysis": {"intelligence_index": 29.5, "coding_index": null, "agentic_index": 31.0},
            "design_arena": [
                {"arena": "website", "category": "overall", "elo": 1234.5, "win_rate": 0.61, "rank": 7}
            ]
        },
        "links": {"details": format!("https://openrouter.ai/api/v1/models/{id}/endpoints")}
    })
}

fn models_page(ids: &[&str], total: i64) -> Value {
    json!({
        "data": ids.iter().map(|id| model_json(id)).collect::<Vec<_>>(),
        "total_count": total,
        "links": {"next": null}
    })
}

fn error_json(code: i64, message: &str, metadata: Value) -> String {
    json!({"error": {"code": code, "message": message, "metadata": metadata}}).to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. Every operation, on the wire and decoded
// ---------------------------------------------------------------------------------------------

/// The error of a call to a loopback port nobody listens on (the port is bound, then freed).
async fn refused_connection_error() -> Result<Error> {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::none())
        .build()?;
    Ok(client
        .credits()
        .get()
        .send()
        .await
        .expect_err("nothing listens"))
}

mod api_keys_ops {
    use super::*;

    #[tokio::test]
    async fn get_current_sends_get_key_and_decodes_the_key() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/key",
            200,
            json!({"data": current_key_json()}),
        )
        .await;

        let key = client(&server).api_keys().get_current().send().await?.data;

        assert_eq!(key.label, "sk-or-v1-au7...890");
        assert_eq!(key.limit, None);
        assert_eq!(key.limit_reset, None);
        assert!(key.include_byok_in_limit);
        assert_eq!(key.usage, 12.345);
        assert_eq!(key.byok_usage_weekly, 0.5);
        assert!(key.is_management_key);
        assert!(!key.is_free_tier);
        assert_eq!(key.creator_user_id, None);
        assert_eq!(key.expires_at.as_deref(), Some("2026-12-31T23:59:59Z"));
        assert_request(&single_request(&server).await, "GET", "/key", &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn list_sends_every_query_parameter() -> Result<()> {
        let server = MockServer::start().await;
        let body = json!({"data": [api_key_json("h1", "alpha"), api_key_json("h2", "beta")]});
        mount(&server, "GET", "/keys", 200, body).await;

        let page = client(&server)
            .api_keys()
            .list()
            .include_disabled(true)
            .offset(20)
            .workspace_id(WS_ID)
            .send()
            .await?;

        let names: Vec<&str> = page.data.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        assert_eq!(page.data[1].hash, "h2");
        assert_eq!(page.data[0].limit, Some(25.0));
        assert_eq!(page.data[0].limit_reset.as_deref(), Some("monthly"));
        assert_eq!(page.data[0].workspace_id, WS_ID);
        assert_request(
            &single_request(&server).await,
            "GET",
            "/keys",
            &[
                ("include_disabled", "true"),
                ("offset", "20"),
                ("workspace_id", WS_ID),
            ],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn list_without_parameters_sends_no_query_string() -> Result<()> {
        let server = MockServer::start().await;
        mount(&server, "GET", "/keys", 200, json!({"data": []})).await;

        let page = client(&server).api_keys().list().send().await?;

        assert!(page.data.is_empty());
        assert_request(&single_request(&server).await, "GET", "/keys", &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn create_posts_the_body_and_returns_the_secret() -> Result<()> {
        let server = MockServer::start().await;
        let mut created = api_key_json("h-new", "CI pipeline");
        created["limit"] = json!(50.0);
        created["limit_reset"] = json!("weekly");
        let response = json!({"data": created, "key": "sk-or-v1-brand-new-secret"});
        mount(&server, "POST", "/keys", 201, response).await;

        let request = CreateApiKeyRequest::new("CI pipeline")
            .limit(Some(50.0))
            .limit_reset(Some(CreateApiKeyRequestLimitReset::Weekly))
            .include_byok_in_limit(true)
            .expires_at(Some("2026-06-30T00:00:00Z".to_owned()))
            .creator_user_id(None)
            .workspace_id(WS_ID);
        let created = client(&server).api_keys().create(request).send().await?;

        assert_eq!(created.key, "sk-or-v1-brand-new-secret");
        assert_eq!(created.data.hash, "h-new");
        assert_eq!(created.data.limit, Some(50.0));
        assert_eq!(created.data.limit_reset.as_deref(), Some("weekly"));
        assert_request(
            &single_request(&server).await,
            "POST",
            "/keys",
            &[],
            Some(json!({
                "name": "CI pipeline",
                "limit": 50.0,
                "limit_reset": "weekly",
                "include_byok_in_limit": true,
                "expires_at": "2026-06-30T00:00:00Z",
                "creator_user_id": null,
                "workspace_id": WS_ID
            })),
        );
        Ok(())
    }

    #[tokio::test]
    async fn create_with_only_a_name_sends_only_the_name() -> Result<()> {
        let server = MockServer::start().await;
        let response = json!({"data": api_key_json("h", "bare"), "key": "sk-or-v1-x"});
        mount(&server, "POST", "/keys", 200, response).await;

        client(&server)
            .api_keys()
            .create(CreateApiKeyRequest::new("bare"))
            .send()
            .await?;

        let req = single_request(&server).await;
        assert_request(&req, "POST", "/keys", &[], Some(json!({"name": "bare"})));
        Ok(())
    }

    #[tokio::test]
    async fn get_sends_the_hash_in_the_path() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/keys/{KEY_HASH}");
        mount(
            &server,
            "GET",
            &route,
            200,
            json!({"data": api_key_json(KEY_HASH, "prod")}),
        )
        .await;

        let key = client(&server).api_keys().get(KEY_HASH).send().await?.data;

        assert_eq!(key.hash, KEY_HASH);
        assert_eq!(key.name, "prod");
        assert_eq!(key.limit_remaining, Some(17.5));
        assert_eq!(key.updated_at.as_deref(), Some("2025-08-25T08:00:00Z"));
        assert_eq!(key.expires_at, None);
        assert_request(&single_request(&server).await, "GET", &route, &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn update_patches_the_key() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/keys/{KEY_HASH}");
        let mut updated = api_key_json(KEY_HASH, "renamed");
        updated["disabled"] = json!(true);
        mount(&server, "PATCH", &route, 200, json!({"data": updated})).await;

        let request = UpdateApiKeyRequest::new()
            .name("renamed")
            .disabled(true)
            .limit_reset(Some(UpdateApiKeyRequestLimitReset::Daily))
            .include_byok_in_limit(false);
        let key = client(&server)
            .api_keys()
            .update(KEY_HASH, request)
            .send()
            .await?
            .data;

        assert_eq!(key.name, "renamed");
        assert!(key.disabled);
        assert_request(
            &single_request(&server).await,
            "PATCH",
            &route,
            &[],
            Some(json!({
                "name": "renamed",
                "disabled": true,
                "limit_reset": "daily",
                "include_byok_in_limit": false
            })),
        );
        Ok(())
    }

    #[tokio::test]
    async fn delete_sends_delete_and_decodes_the_confirmation() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/keys/{KEY_HASH}");
        mount(&server, "DELETE", &route, 200, json!({"deleted": true})).await;

        let deleted = client(&server).api_keys().delete(KEY_HASH).send().await?;

        assert!(deleted.deleted);
        assert_request(&single_request(&server).await, "DELETE", &route, &[], None);
        Ok(())
    }
}

mod workspaces_ops {
    use super::*;

    #[tokio::test]
    async fn list_sends_offset_and_limit() -> Result<()> {
        let server = MockServer::start().await;
        let body = json!({"data": [workspace_json(WS_ID, "prod")], "total_count": 11});
        mount(&server, "GET", "/workspaces", 200, body).await;

        let page = client(&server)
            .workspaces()
            .list()
            .offset(10)
            .limit(5)
            .send()
            .await?;

        assert_eq!(page.total_count, 11);
        assert_eq!(page.data.len(), 1);
        let ws = &page.data[0];
        assert_eq!(ws.id, WS_ID);
        assert_eq!(ws.slug, "prod");
        assert_eq!(ws.default_text_model.as_deref(), Some("openai/gpt-4o"));
        assert_eq!(ws.default_image_model, None);
        assert_eq!(ws.io_logging_sampling_rate, 0.5);
        assert_eq!(ws.io_logging_api_key_ids, Some(vec![101, 202]));
        assert_eq!(ws.include_byok_in_budgets, Some(true));
        assert!(ws.is_observability_broadcast_enabled);
        assert_request(
            &single_request(&server).await,
            "GET",
            "/workspaces",
            &[("offset", "10"), ("limit", "5")],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn create_posts_the_body() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "POST",
            "/workspaces",
            201,
            json!({"data": workspace_json(WS_ID, "research")}),
        )
        .await;

        let request = CreateWorkspaceRequest::new("Research", "research")
            .description(Some("Experiments".to_owned()))
            .default_text_model(Some("anthropic/claude-sonnet-4".to_owned()))
            .default_image_model(None)
            .is_observability_io_logging_enabled(true)
            .io_logging_sampling_rate(0.25)
            .io_logging_api_key_ids(Some(vec![7, 8]));
        let ws = client(&server)
            .workspaces()
            .create(request)
            .send()
            .await?
            .data;

        assert_eq!(ws.slug, "research");
        assert_eq!(
            ws.created_by.as_deref(),
            Some("user_2yOPcMpKeCTvRpSNcJMW4YSVOGw")
        );
        assert_request(
            &single_request(&server).await,
            "POST",
            "/workspaces",
            &[],
            Some(json!({
                "name": "Research",
                "slug": "research",
                "description": "Experiments",
                "default_text_model": "anthropic/claude-sonnet-4",
                "default_image_model": null,
                "is_observability_io_logging_enabled": true,
                "io_logging_sampling_rate": 0.25,
                "io_logging_api_key_ids": [7, 8]
            })),
        );
        Ok(())
    }

    #[tokio::test]
    async fn get_accepts_a_slug() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/workspaces/prod",
            200,
            json!({"data": workspace_json(WS_ID, "prod")}),
        )
        .await;

        let ws = client(&server).workspaces().get("prod").send().await?.data;

        assert_eq!(ws.id, WS_ID);
        assert_eq!(ws.name, "Workspace prod");
        assert_eq!(ws.description.as_deref(), Some("Production traffic"));
        assert_eq!(ws.updated_at, None);
        assert_request(
            &single_request(&server).await,
            "GET",
            "/workspaces/prod",
            &[],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn update_patches_with_nulls_and_values() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}");
        let mut updated = workspace_json(WS_ID, "prod");
        updated["description"] = Value::Null;
        mount(&server, "PATCH", &route, 200, json!({"data": updated})).await;

        let request = UpdateWorkspaceRequest::new()
            .name("Renamed")
            .description(None)
            .default_provider_sort(Some("throughput".to_owned()))
            .io_logging_api_key_ids(None)
            .is_data_discount_logging_enabled(true);
        let ws = client(&server)
            .workspaces()
            .update(WS_ID, request)
            .send()
            .await?
            .data;

        assert_eq!(ws.description, None);
        assert_request(
            &single_request(&server).await,
            "PATCH",
            &route,
            &[],
            Some(json!({
                "name": "Renamed",
                "description": null,
                "default_provider_sort": "throughput",
                "is_data_discount_logging_enabled": true,
                "io_logging_api_key_ids": null
            })),
        );
        Ok(())
    }

    #[tokio::test]
    async fn delete_sends_delete() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}");
        mount(&server, "DELETE", &route, 200, json!({"deleted": true})).await;

        let deleted = client(&server).workspaces().delete(WS_ID).send().await?;

        assert!(deleted.deleted);
        assert_request(&single_request(&server).await, "DELETE", &route, &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn list_budgets_decodes_every_interval() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/budgets");
        let body = json!({
            "data": [budget_json("daily", 10.0), budget_json("monthly", 200.0), budget_json("lifetime", 1000.0)],
            "include_byok_in_budgets": false
        });
        mount(&server, "GET", &route, 200, body).await;

        let budgets = client(&server)
            .workspaces()
            .list_budgets(WS_ID)
            .send()
            .await?;

        assert_eq!(budgets.include_byok_in_budgets, Some(false));
        let intervals: Vec<Option<WorkspaceBudgetResetInterval>> = budgets
            .data
            .iter()
            .map(|b| b.reset_interval.clone())
            .collect();
        assert_eq!(
            intervals,
            [
                Some(WorkspaceBudgetResetInterval::Daily),
                Some(WorkspaceBudgetResetInterval::Monthly),
                None
            ]
        );
        assert_eq!(budgets.data[1].limit_usd, 200.0);
        assert_eq!(budgets.data[2].id, "bdg_lifetime");
        assert_request(&single_request(&server).await, "GET", &route, &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn get_budget_puts_the_interval_in_the_path() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/budgets/weekly");
        mount(
            &server,
            "GET",
            &route,
            200,
            json!({"data": budget_json("weekly", 50.0)}),
        )
        .await;

        let budget = client(&server)
            .workspaces()
            .get_budget(WS_ID, WorkspaceBudgetInterval::Weekly)
            .send()
            .await?;

        assert_eq!(
            budget.data.reset_interval,
            Some(WorkspaceBudgetResetInterval::Weekly)
        );
        assert_eq!(budget.data.limit_usd, 50.0);
        assert_eq!(budget.data.workspace_id, WS_ID);
        assert_eq!(budget.include_byok_in_budgets, None);
        assert_request(&single_request(&server).await, "GET", &route, &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn set_budget_puts_the_body() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/budgets/lifetime");
        let body = json!({"data": budget_json("lifetime", 250.5), "include_byok_in_budgets": true});
        mount(&server, "PUT", &route, 200, body).await;

        let request = SetWorkspaceBudgetRequest::new(250.5).include_byok_in_budgets(true);
        let budget = client(&server)
            .workspaces()
            .set_budget(WS_ID, WorkspaceBudgetInterval::Lifetime, request)
            .send()
            .await?;

        assert_eq!(budget.data.limit_usd, 250.5);
        assert_eq!(budget.data.reset_interval, None);
        assert_eq!(budget.include_byok_in_budgets, Some(true));
        assert_request(
            &single_request(&server).await,
            "PUT",
            &route,
            &[],
            Some(json!({"limit_usd": 250.5, "include_byok_in_budgets": true})),
        );
        Ok(())
    }

    #[tokio::test]
    async fn delete_budget_sends_delete() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/budgets/daily");
        mount(&server, "DELETE", &route, 200, json!({"deleted": true})).await;

        let deleted = client(&server)
            .workspaces()
            .delete_budget(WS_ID, WorkspaceBudgetInterval::Daily)
            .send()
            .await?;

        assert!(deleted.deleted);
        assert_request(&single_request(&server).await, "DELETE", &route, &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn list_members_sends_offset_and_limit() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/members");
        let body = json!({
            "data": [member_json("user_a", "admin"), member_json("user_b", "member")],
            "total_count": 2
        });
        mount(&server, "GET", &route, 200, body).await;

        let page = client(&server)
            .workspaces()
            .list_members(WS_ID)
            .offset(0)
            .limit(50)
            .send()
            .await?;

        assert_eq!(page.total_count, 2);
        let roles: Vec<(&str, WorkspaceMemberRole)> = page
            .data
            .iter()
            .map(|m| (m.user_id.as_str(), m.role.clone()))
            .collect();
        assert_eq!(
            roles,
            [
                ("user_a", WorkspaceMemberRole::Admin),
                ("user_b", WorkspaceMemberRole::Member)
            ]
        );
        assert_request(
            &single_request(&server).await,
            "GET",
            &route,
            &[("offset", "0"), ("limit", "50")],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn add_members_posts_the_user_ids() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/members/add");
        let body = json!({
            "data": [member_json("user_a", "member"), member_json("user_b", "admin")],
            "added_count": 2
        });
        mount(&server, "POST", &route, 200, body).await;

        let request =
            AddWorkspaceMembersRequest::new(vec!["user_a".to_owned(), "user_b".to_owned()]);
        let added = client(&server)
            .workspaces()
            .add_members(WS_ID, request)
            .send()
            .await?;

        assert_eq!(added.added_count, 2);
        assert_eq!(added.data[1].role, WorkspaceMemberRole::Admin);
        assert_eq!(added.data[0].id, "wm_user_a");
        assert_request(
            &single_request(&server).await,
            "POST",
            &route,
            &[],
            Some(json!({"user_ids": ["user_a", "user_b"]})),
        );
        Ok(())
    }

    #[tokio::test]
    async fn remove_members_posts_the_user_ids() -> Result<()> {
        let server = MockServer::start().await;
        let route = format!("/workspaces/{WS_ID}/members/remove");
        mount(&server, "POST", &route, 200, json!({"removed_count": 1})).await;

        let request = RemoveWorkspaceMembersRequest::new(vec!["user_a".to_owned()]);
        let removed = client(&server)
            .workspaces()
            .remove_members(WS_ID, request)
            .send()
            .await?;

        assert_eq!(removed.removed_count, 1);
        assert_request(
            &single_request(&server).await,
            "POST",
            &route,
            &[],
            Some(json!({"user_ids": ["user_a"]})),
        );
        Ok(())
    }
}

mod credits_ops {
    use super::*;

    #[tokio::test]
    async fn get_sends_get_credits_and_decodes_the_balance() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 150.0, "total_usage": 42.75}}),
        )
        .await;

        let credits = client(&server).credits().get().send().await?.data;

        assert_eq!(credits.total_credits, 150.0);
        assert_eq!(credits.total_usage, 42.75);
        assert_request(&single_request(&server).await, "GET", "/credits", &[], None);
        Ok(())
    }
}

mod models_ops {
    use super::*;

    #[tokio::test]
    async fn list_sends_every_filter_as_a_query_parameter() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/models",
            200,
            models_page(&["openai/gpt-4o"], 1),
        )
        .await;

        let page = client(&server)
            .models()
            .list()
            .offset(0)
            .limit(100)
            .category(ListModelsCategory::MarketingSeo)
            .supported_parameters("tools,response_format")
            .output_modalities("text,image")
            .sort(ListModelsSort::PricingLowToHigh)
            .q("gpt")
            .input_modalities("image")
            .context(128_000)
            .min_price(0.5)
            .max_price(12.75)
            .arch("GPT")
            .model_authors("openai,anthropic")
            .providers("azure")
            .distillable(ListModelsDistillable::False)
            .zdr(ListModelsZdr::default())
            .region(ListModelsRegion::Eu)
            .min_output_price(1.5)
            .max_output_price(40.25)
            .min_age_days(3)
            .max_age_days(400)
            .min_intelligence_index(20.5)
            .max_intelligence_index(80.5)
            .min_coding_index(10.5)
            .max_coding_index(90.5)
            .min_agentic_index(5.5)
            .max_agentic_index(95.5)
            .min_tool_success_rate(0.75)
            .max_tool_success_rate(0.95)
            .send()
            .await?;

        assert_eq!(page.total_count, Some(1));
        assert_eq!(page.links.as_ref().and_then(|l| l.next.clone()), None);
        let model = &page.data[0];
        assert_eq!(model.id, "openai/gpt-4o");
        assert_eq!(model.context_length, Some(128_000));
        assert_eq!(model.pricing.prompt, "0.0000025");
        assert_eq!(model.pricing.discount, Some(0.0));
        assert_eq!(model.top_provider.max_completion_tokens, Some(16_384));
        assert_eq!(model.architecture.tokenizer, Some(ModelTokenizer::Gpt));
        assert_eq!(model.architecture.instruct_type, None);
        assert_eq!(
            model.architecture.input_modalities,
            [
                InputModality::Text,
                InputModality::Image,
                InputModality::File
            ]
        );
        assert_eq!(model.supported_parameters[3], SupportedParameter::Tools);
        assert_eq!(model.per_request_limits, None);
        let reasoning = model.reasoning.as_ref().expect("reasoning block");
        assert_eq!(
            reasoning.supported_efforts,
            Some(vec![ReasoningEffort::Low, ReasoningEffort::High])
        );
        let benchmarks = model.benchmarks.as_ref().expect("benchmarks block");
        assert_eq!(benchmarks.design_arena[0].rank, 7);
        assert_eq!(
            benchmarks
                .artificial_analysis
                .as_ref()
                .and_then(|a| a.coding_index),
            None
        );

        let req = single_request(&server).await;
        assert_request(
            &req,
            "GET",
            "/models",
            &[
                ("offset", "0"),
                ("limit", "100"),
                ("category", "marketing/seo"),
                ("supported_parameters", "tools,response_format"),
                ("output_modalities", "text,image"),
                ("sort", "pricing-low-to-high"),
                ("q", "gpt"),
                ("input_modalities", "image"),
                ("context", "128000"),
                ("min_price", "0.5"),
                ("max_price", "12.75"),
                ("arch", "GPT"),
                ("model_authors", "openai,anthropic"),
                ("providers", "azure"),
                ("distillable", "false"),
                ("zdr", "true"),
                ("region", "eu"),
                ("min_output_price", "1.5"),
                ("max_output_price", "40.25"),
                ("min_age_days", "3"),
                ("max_age_days", "400"),
                ("min_intelligence_index", "20.5"),
                ("max_intelligence_index", "80.5"),
                ("min_coding_index", "10.5"),
                ("max_coding_index", "90.5"),
                ("min_agentic_index", "5.5"),
                ("max_agentic_index", "95.5"),
                ("min_tool_success_rate", "0.75"),
                ("max_tool_success_rate", "0.95"),
            ],
            None,
        );
        // The slash of `marketing/seo` is escaped in the raw query string.
        let raw = req.url.query().expect("query string");
        assert!(raw.contains("category=marketing%2Fseo"), "raw query: {raw}");
        Ok(())
    }

    /// With `use_rss` the server answers an RSS feed (the spec's `application/rss+xml`
    /// alternative). The typed call cannot decode it, but the feed is not lost: it is the body
    /// of the `Decode` error.
    #[tokio::test]
    async fn list_as_rss_keeps_the_feed_in_a_decode_error() -> Result<()> {
        let server = MockServer::start().await;
        let feed = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>OpenRouter models</title></channel></rss>"#;
        Mock::given(method("GET"))
            .and(path("/models"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(feed, "application/rss+xml"))
            .mount(&server)
            .await;

        let err = client(&server)
            .models()
            .list()
            .use_rss("true")
            .use_rss_chat_links("true")
            .send()
            .await
            .expect_err("an RSS body is not a ListModelsResponse");

        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert_eq!(err.body().map(|b| b.as_ref()), Some(feed.as_bytes()));
        assert_request(
            &single_request(&server).await,
            "GET",
            "/models",
            &[("use_rss", "true"), ("use_rss_chat_links", "true")],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn list_without_filters_sends_no_query_string() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/models",
            200,
            models_page(&["openai/gpt-4o", "anthropic/claude-sonnet-4"], 2),
        )
        .await;

        let page = client(&server).models().list().send().await?;

        assert_eq!(page.data.len(), 2);
        assert_eq!(page.data[1].id, "anthropic/claude-sonnet-4");
        assert_request(&single_request(&server).await, "GET", "/models", &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn count_sends_output_modalities() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/models/count",
            200,
            json!({"data": {"count": 345}}),
        )
        .await;

        let count = client(&server)
            .models()
            .count()
            .output_modalities("text,image")
            .send()
            .await?;

        assert_eq!(count.data.count, 345);
        assert_request(
            &single_request(&server).await,
            "GET",
            "/models/count",
            &[("output_modalities", "text,image")],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn list_for_user_sends_offset_and_limit() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/models/user",
            200,
            models_page(&["mistralai/mistral-large"], 40),
        )
        .await;

        let page = client(&server)
            .models()
            .list_for_user()
            .offset(10)
            .limit(1)
            .send()
            .await?;

        assert_eq!(page.total_count, Some(40));
        assert_eq!(page.data[0].id, "mistralai/mistral-large");
        assert_eq!(
            page.data[0].links.details,
            "https://openrouter.ai/api/v1/models/mistralai/mistral-large/endpoints"
        );
        assert_request(
            &single_request(&server).await,
            "GET",
            "/models/user",
            &[("offset", "10"), ("limit", "1")],
            None,
        );
        Ok(())
    }

    #[tokio::test]
    async fn get_sends_author_and_slug_with_variant_suffix() -> Result<()> {
        let server = MockServer::start().await;
        let mut model = model_json("openai/gpt-4o:free");
        model["alias_target"] = json!({"slug": "openai/gpt-4o", "name": "OpenAI: GPT-4o"});
        mount(
            &server,
            "GET",
            "/model/openai/gpt-4o:free",
            200,
            json!({"data": model}),
        )
        .await;

        let model = client(&server)
            .models()
            .get("openai", "gpt-4o:free")
            .send()
            .await?
            .data;

        assert_eq!(model.id, "openai/gpt-4o:free");
        assert_eq!(model.created, 1_715_367_049);
        assert_eq!(model.knowledge_cutoff.as_deref(), Some("2023-10-01"));
        assert_eq!(
            model.alias_target.as_ref().map(|a| a.slug.as_str()),
            Some("openai/gpt-4o")
        );
        assert_eq!(
            model
                .default_parameters
                .as_ref()
                .and_then(|d| d.temperature),
            Some(1.0)
        );
        assert!(model.top_provider.is_moderated);
        assert_request(
            &single_request(&server).await,
            "GET",
            "/model/openai/gpt-4o:free",
            &[],
            None,
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Pagination
// ---------------------------------------------------------------------------------------------

mod pagination {
    use super::*;

    /// Five workspaces served two at a time: offsets 0 and 2 answer two items, offset 4 one.
    async fn mount_five_workspaces(server: &MockServer) {
        let pages: [(&str, &[&str]); 3] =
            [("0", &["w0", "w1"]), ("2", &["w2", "w3"]), ("4", &["w4"])];
        for (offset, ids) in pages {
            let data: Vec<Value> = ids.iter().map(|id| workspace_json(id, id)).collect();
            Mock::given(method("GET"))
                .and(path("/workspaces"))
                .and(query_param("offset", offset))
                .and(query_param("limit", "2"))
                .respond_with(json_response(200, json!({"data": data, "total_count": 5})))
                .mount(server)
                .await;
        }
    }

    fn assert_offsets(reqs: &[Request], route: &str, offsets: &[&str], limit: Option<&str>) {
        let got: Vec<Vec<(String, String)>> = reqs.iter().map(query_of).collect();
        let want: Vec<Vec<(String, String)>> = offsets
            .iter()
            .map(|offset| match limit {
                Some(limit) => pairs(&[("offset", offset), ("limit", limit)]),
                None => pairs(&[("offset", offset)]),
            })
            .collect();
        assert_eq!(got, want, "queries of the page requests");
        for req in reqs {
            assert_eq!(req.method.as_str(), "GET");
            assert_eq!(req.url.path(), route);
            assert_client_headers(req);
        }
    }

    #[tokio::test]
    async fn collect_items_walks_three_pages_in_order() -> Result<()> {
        let server = MockServer::start().await;
        mount_five_workspaces(&server).await;

        let items = client(&server)
            .workspaces()
            .list()
            .limit(2)
            .into_paginator()
            .collect_items()
            .await?;

        let ids: Vec<&str> = items.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, ["w0", "w1", "w2", "w3", "w4"]);
        assert_offsets(
            &requests(&server).await,
            "/workspaces",
            &["0", "2", "4"],
            Some("2"),
        );
        Ok(())
    }

    #[tokio::test]
    async fn pages_yields_each_page_and_stops_after_the_short_one() -> Result<()> {
        let server = MockServer::start().await;
        mount_five_workspaces(&server).await;

        let pages: Vec<_> = client(&server)
            .workspaces()
            .list()
            .limit(2)
            .into_paginator()
            .pages()
            .try_collect()
            .await?;

        let sizes: Vec<usize> = pages.iter().map(|p| p.data.len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        assert!(pages.iter().all(|p| p.total_count == 5));
        let ids: Vec<&str> = pages
            .iter()
            .flat_map(|p| p.data.iter().map(|w| w.id.as_str()))
            .collect();
        assert_eq!(ids, ["w0", "w1", "w2", "w3", "w4"]);
        assert_offsets(
            &requests(&server).await,
            "/workspaces",
            &["0", "2", "4"],
            Some("2"),
        );
        Ok(())
    }

    #[tokio::test]
    async fn items_stream_yields_every_item_in_order() -> Result<()> {
        let server = MockServer::start().await;
        mount_five_workspaces(&server).await;

        let stream = client(&server)
            .workspaces()
            .list()
            .limit(2)
            .into_paginator()
            .items();
        let slugs: Vec<String> = stream.map_ok(|w| w.slug).try_collect().await?;

        assert_eq!(slugs, ["w0", "w1", "w2", "w3", "w4"]);
        assert_eq!(requests(&server).await.len(), 3);
        Ok(())
    }

    #[tokio::test]
    async fn paginator_starts_at_the_offset_set_on_the_builder() -> Result<()> {
        let server = MockServer::start().await;
        mount_five_workspaces(&server).await;

        let items = client(&server)
            .workspaces()
            .list()
            .offset(2)
            .limit(2)
            .into_paginator()
            .collect_items()
            .await?;

        let ids: Vec<&str> = items.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, ["w2", "w3", "w4"]);
        assert_offsets(
            &requests(&server).await,
            "/workspaces",
            &["2", "4"],
            Some("2"),
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_full_last_page_is_followed_by_one_empty_page() -> Result<()> {
        let server = MockServer::start().await;
        let pages: [(&str, &[&str]); 3] = [("0", &["a", "b"]), ("2", &["c", "d"]), ("4", &[])];
        for (offset, users) in pages {
            let data: Vec<Value> = users.iter().map(|u| member_json(u, "member")).collect();
            Mock::given(method("GET"))
                .and(path(format!("/workspaces/{WS_ID}/members")))
                .and(query_param("offset", offset))
                .respond_with(json_response(200, json!({"data": data, "total_count": 4})))
                .mount(&server)
                .await;
        }

        let members = client(&server)
            .workspaces()
            .list_members(WS_ID)
            .limit(2)
            .into_paginator()
            .collect_items()
            .await?;

        let users: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
        assert_eq!(users, ["a", "b", "c", "d"]);
        let route = format!("/workspaces/{WS_ID}/members");
        assert_offsets(
            &requests(&server).await,
            &route,
            &["0", "2", "4"],
            Some("2"),
        );
        Ok(())
    }

    #[tokio::test]
    async fn api_keys_paginator_without_limit_stops_at_an_empty_page() -> Result<()> {
        let server = MockServer::start().await;
        let pages: [(&str, &[&str]); 3] =
            [("0", &["k0", "k1", "k2"]), ("3", &["k3", "k4"]), ("5", &[])];
        for (offset, hashes) in pages {
            let data: Vec<Value> = hashes.iter().map(|h| api_key_json(h, h)).collect();
            Mock::given(method("GET"))
                .and(path("/keys"))
                .and(query_param("offset", offset))
                .respond_with(json_response(200, json!({"data": data})))
                .mount(&server)
                .await;
        }

        let keys = client(&server)
            .api_keys()
            .list()
            .include_disabled(true)
            .workspace_id(WS_ID)
            .into_paginator()
            .collect_items()
            .await?;

        let hashes: Vec<&str> = keys.iter().map(|k| k.hash.as_str()).collect();
        assert_eq!(hashes, ["k0", "k1", "k2", "k3", "k4"]);
        let reqs = requests(&server).await;
        let queries: Vec<Vec<(String, String)>> = reqs.iter().map(query_of).collect();
        let want: Vec<Vec<(String, String)>> = ["0", "3", "5"]
            .iter()
            .map(|o| {
                pairs(&[
                    ("include_disabled", "true"),
                    ("offset", o),
                    ("workspace_id", WS_ID),
                ])
            })
            .collect();
        assert_eq!(
            queries, want,
            "every page keeps the other parameters and only moves the offset"
        );
        Ok(())
    }

    #[tokio::test]
    async fn an_error_page_ends_the_walk_after_being_yielded() -> Result<()> {
        let server = MockServer::start().await;
        let first: Vec<Value> = ["w0", "w1"]
            .iter()
            .map(|id| workspace_json(id, id))
            .collect();
        Mock::given(method("GET"))
            .and(path("/workspaces"))
            .and(query_param("offset", "0"))
            .respond_with(json_response(200, json!({"data": first, "total_count": 9})))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/workspaces"))
            .and(query_param("offset", "2"))
            .respond_with(ResponseTemplate::new(500).set_body_raw(
                error_json(500, "Internal Server Error", json!({})),
                "application/json",
            ))
            .mount(&server)
            .await;

        let mut items = std::pin::pin!(
            client(&server)
                .workspaces()
                .list()
                .limit(2)
                .into_paginator()
                .items()
        );
        assert_eq!(items.try_next().await?.map(|w| w.id), Some("w0".to_owned()));
        assert_eq!(items.try_next().await?.map(|w| w.id), Some("w1".to_owned()));
        let err = items.try_next().await.expect_err("the second page fails");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
        assert!(items.try_next().await?.is_none(), "nothing after the error");
        assert_eq!(requests(&server).await.len(), 2);

        let collected = client(&server)
            .workspaces()
            .list()
            .limit(2)
            .into_paginator()
            .collect_items()
            .await;
        assert_eq!(
            collected
                .expect_err("collect fails too")
                .status()
                .map(|s| s.as_u16()),
            Some(500)
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Nullable PATCH fields: absent, null and value are three different bodies
// ---------------------------------------------------------------------------------------------

mod nullable_patch {
    use super::*;

    async fn patched_body(request: UpdateApiKeyRequest) -> Result<Value> {
        let server = MockServer::start().await;
        let route = format!("/keys/{KEY_HASH}");
        mount(
            &server,
            "PATCH",
            &route,
            200,
            json!({"data": api_key_json(KEY_HASH, "k")}),
        )
        .await;
        client(&server)
            .api_keys()
            .update(KEY_HASH, request)
            .send()
            .await?;
        let req = single_request(&server).await;
        assert_eq!(req.method.as_str(), "PATCH");
        assert_eq!(req.url.path(), route);
        assert_eq!(
            header(&req, "content-type").as_deref(),
            Some("application/json")
        );
        Ok(body_of(&req))
    }

    #[tokio::test]
    async fn limit_none_sends_an_explicit_null() -> Result<()> {
        let body = patched_body(UpdateApiKeyRequest::new().limit(None)).await?;
        assert_eq!(body, json!({"limit": null}));
        Ok(())
    }

    #[tokio::test]
    async fn limit_not_set_leaves_the_key_out() -> Result<()> {
        let body = patched_body(UpdateApiKeyRequest::new().name("x")).await?;
        assert_eq!(body, json!({"name": "x"}));
        assert!(body.get("limit").is_none());
        Ok(())
    }

    #[tokio::test]
    async fn limit_some_sends_the_value() -> Result<()> {
        let body = patched_body(UpdateApiKeyRequest::new().limit(Some(5.0))).await?;
        assert_eq!(body, json!({"limit": 5.0}));
        assert_eq!(body["limit"].as_f64(), Some(5.0));
        Ok(())
    }

    #[tokio::test]
    async fn an_empty_update_sends_an_empty_object() -> Result<()> {
        let body = patched_body(UpdateApiKeyRequest::new()).await?;
        assert_eq!(body, json!({}));
        Ok(())
    }

    #[tokio::test]
    async fn limit_reset_null_and_limit_value_mix() -> Result<()> {
        let body = patched_body(
            UpdateApiKeyRequest::new()
                .limit(Some(12.5))
                .limit_reset(None),
        )
        .await?;
        assert_eq!(body, json!({"limit": 12.5, "limit_reset": null}));
        Ok(())
    }

    #[tokio::test]
    async fn the_last_setter_call_wins() -> Result<()> {
        let body = patched_body(UpdateApiKeyRequest::new().limit(Some(3.0)).limit(None)).await?;
        assert_eq!(body, json!({"limit": null}));
        Ok(())
    }

    #[tokio::test]
    async fn create_key_with_limit_none_sends_null() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "POST",
            "/keys",
            200,
            json!({"data": api_key_json("h", "n"), "key": "sk-or-v1-z"}),
        )
        .await;
        client(&server)
            .api_keys()
            .create(CreateApiKeyRequest::new("n").limit(None))
            .send()
            .await?;
        let req = single_request(&server).await;
        assert_eq!(body_of(&req), json!({"name": "n", "limit": null}));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Auth and attribution headers, per-call options
// ---------------------------------------------------------------------------------------------

mod headers {
    use super::*;

    #[tokio::test]
    async fn every_method_carries_auth_and_attribution_headers() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 1.0, "total_usage": 0.0}}),
        )
        .await;
        mount(
            &server,
            "POST",
            "/keys",
            200,
            json!({"data": api_key_json("h", "n"), "key": "sk-or-v1-z"}),
        )
        .await;
        mount(
            &server,
            "PATCH",
            "/keys/h",
            200,
            json!({"data": api_key_json("h", "n")}),
        )
        .await;
        mount(
            &server,
            "PUT",
            "/workspaces/w/budgets/daily",
            200,
            json!({"data": budget_json("daily", 1.0)}),
        )
        .await;
        mount(&server, "DELETE", "/keys/h", 200, json!({"deleted": true})).await;

        let client = client(&server);
        client.credits().get().send().await?;
        client
            .api_keys()
            .create(CreateApiKeyRequest::new("n"))
            .send()
            .await?;
        client
            .api_keys()
            .update("h", UpdateApiKeyRequest::new().name("n"))
            .send()
            .await?;
        client
            .workspaces()
            .set_budget(
                "w",
                WorkspaceBudgetInterval::Daily,
                SetWorkspaceBudgetRequest::new(1.0),
            )
            .send()
            .await?;
        client.api_keys().delete("h").send().await?;

        let reqs = requests(&server).await;
        let methods: Vec<&str> = reqs.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["GET", "POST", "PATCH", "PUT", "DELETE"]);
        for req in &reqs {
            assert_client_headers(req);
        }
        Ok(())
    }

    #[tokio::test]
    async fn per_call_options_override_client_headers_for_that_call_only() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 1.0, "total_usage": 0.0}}),
        )
        .await;
        let client = client(&server);

        client
            .credits()
            .get()
            .options(
                RequestOptions::new()
                    .app_title("Per-call Title")
                    .header("X-Trace-Id", "trace-42")
                    .header("User-Agent", "per-call-agent/2"),
            )
            .send()
            .await?;
        client
            .credits()
            .get()
            .options(
                RequestOptions::new()
                    .app_url("https://other.example.org")
                    .app_categories(["roleplay"]),
            )
            .send()
            .await?;
        client.credits().get().send().await?;

        let reqs = requests(&server).await;
        assert_eq!(reqs.len(), 3);

        let first = &reqs[0];
        assert_eq!(
            header(first, "x-openrouter-title").as_deref(),
            Some("Per-call Title")
        );
        assert_eq!(
            header_count(first, "x-openrouter-title"),
            1,
            "the client title is replaced, not added"
        );
        assert_eq!(header(first, "x-trace-id").as_deref(), Some("trace-42"));
        assert_eq!(
            header(first, "user-agent").as_deref(),
            Some("per-call-agent/2")
        );
        assert_eq!(header_count(first, "user-agent"), 1);
        assert_eq!(
            header(first, "authorization"),
            Some(format!("Bearer {API_KEY}"))
        );
        assert_eq!(header(first, "http-referer").as_deref(), Some(APP_URL));
        assert_eq!(
            header(first, "x-openrouter-categories").as_deref(),
            Some("cli-agent,programming-app")
        );

        let second = &reqs[1];
        assert_eq!(
            header(second, "http-referer").as_deref(),
            Some("https://other.example.org")
        );
        assert_eq!(header_count(second, "http-referer"), 1);
        assert_eq!(
            header(second, "x-openrouter-categories").as_deref(),
            Some("roleplay")
        );
        assert_eq!(
            header(second, "x-openrouter-title").as_deref(),
            Some(APP_TITLE)
        );
        assert_eq!(header(second, "x-trace-id"), None);

        // The next call without options is back to the client's values.
        assert_client_headers(&reqs[2]);
        assert_eq!(header(&reqs[2], "x-trace-id"), None);
        Ok(())
    }

    #[tokio::test]
    async fn default_headers_of_the_builder_are_sent_on_every_call() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 1.0, "total_usage": 0.0}}),
        )
        .await;
        let client = builder(&server).default_header("X-Team", "infra").build()?;

        client.credits().get().send().await?;
        client
            .credits()
            .get()
            .options(RequestOptions::new().header("x-team", "override"))
            .send()
            .await?;

        let reqs = requests(&server).await;
        assert_eq!(header(&reqs[0], "x-team").as_deref(), Some("infra"));
        assert_eq!(header(&reqs[1], "x-team").as_deref(), Some("override"));
        assert_eq!(header_count(&reqs[1], "x-team"), 1);
        assert_client_headers(&reqs[0]);
        Ok(())
    }

    #[tokio::test]
    async fn a_plain_client_sends_no_attribution_and_a_default_user_agent() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/models/count",
            200,
            json!({"data": {"count": 1}}),
        )
        .await;
        let client = Client::builder()
            .api_key(API_KEY)
            .base_url(server.uri())
            .retry_policy(RetryPolicy::none())
            .build()?;

        client.models().count().send().await?;

        let req = single_request(&server).await;
        assert_eq!(
            header(&req, "authorization"),
            Some(format!("Bearer {API_KEY}"))
        );
        assert_eq!(header(&req, "http-referer"), None);
        assert_eq!(header(&req, "x-openrouter-title"), None);
        assert_eq!(header(&req, "x-openrouter-categories"), None);
        let agent = header(&req, "user-agent").expect("a user agent");
        assert!(
            agent.starts_with("openrouter-generated/"),
            "default user agent: {agent}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_client_without_a_key_sends_no_authorization() -> Result<()> {
        let server = MockServer::start().await;
        mount(&server, "GET", "/models", 200, models_page(&[], 0)).await;
        let client = Client::builder().base_url(server.uri()).build()?;

        client.models().list().send().await?;

        assert_eq!(
            header(&single_request(&server).await, "authorization"),
            None
        );
        Ok(())
    }

    #[tokio::test]
    async fn the_api_key_is_trimmed() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 1.0, "total_usage": 0.0}}),
        )
        .await;
        let client = Client::builder()
            .api_key(format!("  {API_KEY}\n"))
            .base_url(server.uri())
            .build()?;

        client.credits().get().send().await?;

        assert_eq!(
            header(&single_request(&server).await, "authorization"),
            Some(format!("Bearer {API_KEY}"))
        );
        Ok(())
    }

    #[tokio::test]
    async fn an_invalid_per_call_header_fails_before_sending() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 1.0, "total_usage": 0.0}}),
        )
        .await;

        let err = client(&server)
            .credits()
            .get()
            .options(RequestOptions::new().header("bad header", "v"))
            .send()
            .await
            .expect_err("an invalid header name is refused");

        assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
        assert!(requests(&server).await.is_empty(), "nothing was sent");
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Base URL handling and path encoding
// ---------------------------------------------------------------------------------------------

mod urls {
    use super::*;

    #[tokio::test]
    async fn a_base_url_path_prefix_is_kept_with_or_without_trailing_slash() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/api/v1/credits",
            200,
            json!({"data": {"total_credits": 2.0, "total_usage": 1.0}}),
        )
        .await;

        for base in [
            format!("{}/api/v1", server.uri()),
            format!("{}/api/v1/", server.uri()),
        ] {
            let client = Client::builder().api_key(API_KEY).base_url(&base).build()?;
            let credits = client.credits().get().send().await?;
            assert_eq!(credits.data.total_credits, 2.0, "base {base}");
        }

        let paths: Vec<String> = requests(&server)
            .await
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect();
        assert_eq!(paths, ["/api/v1/credits", "/api/v1/credits"]);
        Ok(())
    }

    #[tokio::test]
    async fn path_parameters_are_percent_encoded_as_one_segment() -> Result<()> {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/keys/a%2Fb%20c%3Fd",
            200,
            json!({"data": api_key_json("a/b c?d", "odd")}),
        )
        .await;

        let key = client(&server).api_keys().get("a/b c?d").send().await?.data;

        assert_eq!(key.hash, "a/b c?d");
        let req = single_request(&server).await;
        assert_eq!(req.url.path(), "/keys/a%2Fb%20c%3Fd");
        assert_eq!(req.url.query(), None);
        Ok(())
    }

    /// A path parameter is one path segment, whatever its text: `.` and `..` must not be
    /// dropped, which would send the call to another endpoint (`DELETE /keys/..` becoming
    /// `DELETE /keys`, `get_budget(id, "..")` becoming `GET /workspaces/{id}/budgets`).
    /// Refusing them with `Error::InvalidRequest` before sending, or sending them as an escaped
    /// segment, are both acceptable.
    #[tokio::test]
    async fn dot_segment_path_parameters_never_reach_another_endpoint() -> Result<()> {
        let cases = [
            ("DELETE /keys/{hash} with hash \"..\"", "/keys/", 3),
            ("DELETE /keys/{hash} with hash \".\"", "/keys/", 3),
            (
                "GET /workspaces/{id}/budgets/{interval} with interval \"..\"",
                "/workspaces/",
                5,
            ),
        ];
        let mut problems = Vec::new();
        for (case, (what, prefix, segments)) in cases.into_iter().enumerate() {
            let server = MockServer::start().await;
            // A server that answers anything, as a real one answers the endpoint hit by mistake.
            Mock::given(method("DELETE"))
                .respond_with(json_response(200, json!({"deleted": true})))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .respond_with(json_response(
                    200,
                    json!({"data": budget_json("daily", 1.0)}),
                ))
                .mount(&server)
                .await;
            let client = client(&server);
            let result = match case {
                0 => client.api_keys().delete("..").send().await.map(drop),
                1 => client.api_keys().delete(".").send().await.map(drop),
                _ => client
                    .workspaces()
                    .get_budget(WS_ID, WorkspaceBudgetInterval::from(".."))
                    .send()
                    .await
                    .map(drop),
            };
            match requests(&server).await.as_slice() {
                [] if matches!(result, Err(Error::InvalidRequest(_))) => {}
                [] => problems.push(format!("{what}: nothing sent, yet the result is {result:?}")),
                [req] if req.url.path().starts_with(prefix)
                    && req.url.path().split('/').count() == segments => {}
                [req] => problems.push(format!(
                    "{what} was sent as `{} {}` (the path parameter was dropped; result {result:?})",
                    req.method,
                    req.url.path()
                )),
                more => problems.push(format!("{what}: {} requests sent", more.len())),
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        Ok(())
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for base in ["not a url", "mailto:someone@example.com"] {
            let err = Client::builder()
                .api_key(API_KEY)
                .base_url(base)
                .build()
                .expect_err(base);
            assert!(matches!(err, Error::Config(_)), "{base}: {err:?}");
        }
    }

    #[test]
    fn client_new_uses_the_documented_base_url() -> Result<()> {
        let client = Client::new(API_KEY)?;
        assert_eq!(
            client.base_url().as_str(),
            openrouter_generated::DEFAULT_BASE_URL
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Client::from_env, run in a child process so no test changes this process's environment
// ---------------------------------------------------------------------------------------------

mod from_env {
    use super::*;

    const CHILD_MODE: &str = "OPENROUTER_E2E_FROM_ENV_CHILD";
    const TEST_NAME: &str = "from_env::from_env_reads_the_key_and_base_url";

    async fn child(mode: &str) {
        match mode {
            "ok" => {
                let client = Client::from_env().expect("from_env builds");
                let credits = client
                    .credits()
                    .get()
                    .send()
                    .await
                    .expect("the call succeeds");
                assert_eq!(credits.data.total_credits, 9.0);
            }
            "missing" => {
                let err = Client::from_env().expect_err("no key set");
                assert!(
                    matches!(&err, Error::Config(m) if m.contains("OPENROUTER_API_KEY")),
                    "{err:?}"
                );
            }
            other => panic!("unknown child mode {other}"),
        }
    }

    fn run_child(mode: &str, key: Option<&str>, base: &str) -> std::process::Output {
        let mut command =
            std::process::Command::new(std::env::current_exe().expect("test binary path"));
        command
            .args([TEST_NAME, "--exact", "--test-threads=1"])
            .env(CHILD_MODE, mode);
        command.env("OPENROUTER_BASE_URL", base);
        match key {
            Some(key) => command.env("OPENROUTER_API_KEY", key),
            None => command.env_remove("OPENROUTER_API_KEY"),
        };
        command.output().expect("the child test runs")
    }

    #[tokio::test]
    async fn from_env_reads_the_key_and_base_url() -> Result<()> {
        if let Ok(mode) = std::env::var(CHILD_MODE) {
            child(&mode).await;
            return Ok(());
        }
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            "/credits",
            200,
            json!({"data": {"total_credits": 9.0, "total_usage": 0.0}}),
        )
        .await;
        let base = server.uri();

        let ok = tokio::task::spawn_blocking({
            let base = base.clone();
            move || run_child("ok", Some("  sk-or-v1-from-env  "), &base)
        })
        .await?;
        assert!(
            ok.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&ok.stdout)
        );
        let stdout = String::from_utf8_lossy(&ok.stdout);
        assert!(
            stdout.contains("1 passed"),
            "the child ran the test: {stdout}"
        );
        let req = single_request(&server).await;
        assert_eq!(
            header(&req, "authorization").as_deref(),
            Some("Bearer sk-or-v1-from-env")
        );
        assert_eq!(req.url.path(), "/credits");

        for key in [None, Some("   ")] {
            let missing = tokio::task::spawn_blocking({
                let base = base.clone();
                move || run_child("missing", key, &base)
            })
            .await?;
            assert!(
                missing.status.success(),
                "child failed: {}",
                String::from_utf8_lossy(&missing.stdout)
            );
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Error mapping: status, code, message, metadata and the raw body are all kept
// ---------------------------------------------------------------------------------------------

mod errors {
    use super::*;

    #[tokio::test]
    async fn json_error_bodies_become_api_errors_with_everything_kept() -> Result<()> {
        let server = MockServer::start().await;
        let cases = [
            (
                400,
                "Invalid limit: must be a positive number",
                json!({"field": "limit"}),
            ),
            (401, "No auth credentials found", json!({})),
            (
                402,
                "Insufficient credits",
                json!({"balance": -0.42, "required": 1.5}),
            ),
            (404, "API key not found", json!({"hash": KEY_HASH})),
            (
                429,
                "Rate limit exceeded",
                json!({"retry_after_seconds": 30, "scope": "key"}),
            ),
            (
                500,
                "Internal Server Error",
                json!({"request_id": "req_abc"}),
            ),
        ];
        for (status, message, metadata) in &cases {
            let body = error_json(i64::from(*status), message, metadata.clone());
            Mock::given(method("GET"))
                .and(path(format!("/keys/status-{status}")))
                .respond_with(
                    ResponseTemplate::new(*status)
                        .set_body_raw(body, "application/json")
                        .insert_header("x-request-id", format!("req-{status}").as_str()),
                )
                .mount(&server)
                .await;
        }

        let client = client(&server);
        for (status, message, metadata) in cases {
            let sent = error_json(i64::from(status), message, metadata.clone());
            let err = client
                .api_keys()
                .get(format!("status-{status}"))
                .send()
                .await
                .expect_err("an error");

            assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
            assert_eq!(
                err.body().map(|b| b.to_vec()),
                Some(sent.clone().into_bytes())
            );
            assert_eq!(
                err.is_retryable(),
                matches!(status, 429 | 500),
                "is_retryable for {status}"
            );
            let display = err.to_string();
            assert!(
                display.contains(&status.to_string()) && display.contains(message),
                "{display}"
            );
            let api = match err {
                Error::Api(api) => api,
                other => panic!("expected Error::Api for {status}, got {other:?}"),
            };
            assert_eq!(api.status.as_u16(), status);
            assert_eq!(api.code, Some(ErrorCode::Int(i64::from(status))));
            assert_eq!(api.message, message);
            assert_eq!(api.metadata, Some(metadata), "metadata for {status}");
            assert_eq!(api.body.as_ref(), sent.as_bytes());
            assert_eq!(api.body_text(), sent);
            assert_eq!(
                api.headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok()),
                Some(format!("req-{status}").as_str())
            );
        }
        assert_eq!(
            requests(&server).await.len(),
            6,
            "no retries with RetryPolicy::none()"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_string_code_becomes_error_code_text() -> Result<()> {
        let server = MockServer::start().await;
        let sent = r#"{"error":{"code":"rate_limited","message":"Slow down","metadata":null}}"#;
        Mock::given(method("GET"))
            .and(path("/credits"))
            .respond_with(ResponseTemplate::new(429).set_body_raw(sent, "application/json"))
            .mount(&server)
            .await;

        let err = client(&server)
            .credits()
            .get()
            .send()
            .await
            .expect_err("429");

        assert!(err.is_retryable());
        let api = err.as_api().expect("an API error");
        assert_eq!(api.code, Some(ErrorCode::Text("rate_limited".to_owned())));
        assert_eq!(
            api.code.as_ref().map(ToString::to_string).as_deref(),
            Some("rate_limited")
        );
        assert_eq!(api.message, "Slow down");
        assert_eq!(api.metadata, None, "a null metadata is no metadata");
        assert_eq!(api.body.as_ref(), sent.as_bytes());
        Ok(())
    }

    #[tokio::test]
    async fn a_non_json_502_keeps_the_body_verbatim() -> Result<()> {
        let server = MockServer::start().await;
        let sent = "<html>Bad gateway</html>";
        Mock::given(method("GET"))
            .and(path("/models"))
            .respond_with(ResponseTemplate::new(502).set_body_raw(sent, "text/html"))
            .mount(&server)
            .await;

        let err = client(&server)
            .models()
            .list()
            .send()
            .await
            .expect_err("502");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
        assert!(err.is_retryable());
        assert_eq!(err.body().map(|b| b.as_ref()), Some(sent.as_bytes()));
        let api = err.as_api().expect("an API error");
        assert_eq!(api.code, None);
        assert_eq!(api.metadata, None);
        assert_eq!(api.message, "Bad Gateway", "falls back to the status text");
        assert_eq!(api.body_text(), sent);
        assert_eq!(
            api.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/html")
        );
        assert_eq!(requests(&server).await.len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn a_200_that_does_not_match_the_type_is_a_decode_error_with_the_body() -> Result<()> {
        let server = MockServer::start().await;
        let sent = r#"{"data": 5}"#;
        Mock::given(method("GET"))
            .and(path("/credits"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(sent, "application/json")
                    .insert_header("x-request-id", "req-decode"),
            )
            .mount(&server)
            .await;

        let err = client(&server)
            .credits()
            .get()
            .send()
            .await
            .expect_err("a decode error");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
        assert_eq!(err.body().map(|b| b.as_ref()), Some(sent.as_bytes()));
        assert!(!err.is_retryable());
        assert!(err.as_api().is_none());
        assert!(err.to_string().contains("decode"), "{err}");
        match err {
            Error::Decode {
                status,
                headers,
                body,
                source,
            } => {
                assert_eq!(status.as_u16(), 200);
                assert_eq!(body.as_ref(), sent.as_bytes());
                assert_eq!(
                    headers.get("x-request-id").and_then(|v| v.to_str().ok()),
                    Some("req-decode")
                );
                assert!(
                    source.is_data(),
                    "a type mismatch, not a syntax error: {source}"
                );
            }
            other => panic!("expected Error::Decode, got {other:?}"),
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_200_with_invalid_json_is_a_decode_error() -> Result<()> {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/credits"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw("{\"data\": {", "application/json"),
            )
            .mount(&server)
            .await;

        let err = client(&server)
            .credits()
            .get()
            .send()
            .await
            .expect_err("a decode error");

        assert!(
            matches!(&err, Error::Decode { body, .. } if body.as_ref() == b"{\"data\": {"),
            "{err:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn retryability_by_status() -> Result<()> {
        let server = MockServer::start().await;
        for status in [400u16, 401, 402, 403, 404, 408, 429, 500, 502, 503, 504] {
            Mock::given(method("GET"))
                .and(path(format!("/workspaces/s{status}")))
                .respond_with(ResponseTemplate::new(status).set_body_raw(
                    error_json(i64::from(status), "x", json!({})),
                    "application/json",
                ))
                .mount(&server)
                .await;
        }
        let client = client(&server);
        for status in [400u16, 401, 402, 403, 404, 408, 429, 500, 502, 503, 504] {
            let err = client
                .workspaces()
                .get(format!("s{status}"))
                .send()
                .await
                .expect_err("error");
            let expected = matches!(status, 408 | 429 | 500 | 502 | 503 | 504);
            assert_eq!(err.is_retryable(), expected, "is_retryable for {status}");
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_retryable_transport_error() -> Result<()> {
        let err = refused_connection_error().await?;

        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert!(err.is_retryable());
        assert!(err.body().is_none());
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Open enums and unknown fields
// ---------------------------------------------------------------------------------------------

mod forward_compat {
    use super::*;

    #[tokio::test]
    async fn unknown_budget_interval_and_extra_fields_decode() -> Result<()> {
        let server = MockServer::start().await;
        let mut budget = budget_json("monthly", 75.0);
        budget["reset_interval"] = json!("quarterly");
        budget["currency"] = json!("USD");
        budget["alerts"] = json!({"email": true, "thresholds": [0.5, 0.9]});
        let body = json!({"data": budget, "include_byok_in_budgets": true, "request_id": "r1", "debug": {"x": 1}});
        let route = format!("/workspaces/{WS_ID}/budgets/quarterly");
        mount(&server, "GET", &route, 200, body).await;

        // An interval this version does not know is still sent as written.
        let interval = WorkspaceBudgetInterval::from("quarterly");
        assert_eq!(
            interval,
            WorkspaceBudgetInterval::Unknown("quarterly".to_owned())
        );
        let budget = client(&server)
            .workspaces()
            .get_budget(WS_ID, interval)
            .send()
            .await?;

        let reset = budget.data.reset_interval.clone().expect("an interval");
        assert_eq!(
            reset,
            WorkspaceBudgetResetInterval::Unknown("quarterly".to_owned())
        );
        assert_eq!(reset.as_str(), "quarterly");
        assert_eq!(reset.to_string(), "quarterly");
        assert_eq!(WorkspaceBudgetResetInterval::from(reset.as_str()), reset);
        assert_eq!(serde_json::to_value(&reset)?, json!("quarterly"));
        assert_eq!(budget.data.limit_usd, 75.0);
        assert_eq!(budget.include_byok_in_budgets, Some(true));
        assert_request(&single_request(&server).await, "GET", &route, &[], None);
        Ok(())
    }

    #[tokio::test]
    async fn unknown_member_role_decodes() -> Result<()> {
        let server = MockServer::start().await;
        let mut owner = member_json("user_o", "owner");
        owner["invited_by"] = json!("user_a");
        let body = json!({"data": [owner, member_json("user_m", "member")], "total_count": 2, "next_cursor": null});
        let route = format!("/workspaces/{WS_ID}/members");
        mount(&server, "GET", &route, 200, body).await;

        let page = client(&server)
            .workspaces()
            .list_members(WS_ID)
            .send()
            .await?;

        assert_eq!(
            page.data[0].role,
            WorkspaceMemberRole::Unknown("owner".to_owned())
        );
        assert_eq!(page.data[0].role.as_str(), "owner");
        assert_eq!(
            WorkspaceMemberRole::from(page.data[0].role.as_str()),
            page.data[0].role
        );
        assert_eq!(page.data[1].role, WorkspaceMemberRole::Member);
        Ok(())
    }

    #[tokio::test]
    async fn api_keys_with_extra_fields_decode() -> Result<()> {
        let server = MockServer::start().await;
        let mut key = api_key_json(KEY_HASH, "prod");
        key["limit_reset"] = json!("hourly");
        key["tags"] = json!(["a", "b"]);
        key["guardrail"] = json!({"id": "g1", "rules": [{"kind": "pii"}]});
        mount(
            &server,
            "GET",
            &format!("/keys/{KEY_HASH}"),
            200,
            json!({"data": key, "meta": {"v": 2}}),
        )
        .await;
        let mut current = current_key_json();
        current["rate_limit"]["burst"] = json!(10);
        current["tier"] = json!("enterprise");
        mount(
            &server,
            "GET",
            "/key",
            200,
            json!({"data": current, "extra": [1, 2, 3]}),
        )
        .await;

        let client = client(&server);
        let key = client.api_keys().get(KEY_HASH).send().await?.data;
        let current = client.api_keys().get_current().send().await?.data;

        assert_eq!(key.limit_reset.as_deref(), Some("hourly"));
        assert_eq!(key.name, "prod");
        assert_eq!(current.label, "sk-or-v1-au7...890");
        assert!(current.is_management_key);
        Ok(())
    }

    #[tokio::test]
    async fn a_model_with_unknown_enum_values_and_fields_at_every_level_decodes() -> Result<()> {
        let server = MockServer::start().await;
        let mut model = model_json("acme/hologram-1");
        model["architecture"]["input_modalities"] = json!(["text", "hologram"]);
        model["architecture"]["output_modalities"] = json!(["text", "smell"]);
        model["architecture"]["tokenizer"] = json!("Zeta");
        model["architecture"]["instruct_type"] = json!("acme-chat");
        model["architecture"]["layers"] = json!(96);
        model["supported_parameters"] = json!(["temperature", "quantum_sampling"]);
        model["reasoning"] = json!({
            "mandatory": true,
            "default_effort": "ultra",
            "supported_efforts": ["low", "ultra"],
            "budget_tokens": 4096
        });
        model["pricing"]["teleport"] = json!("0.5");
        model["pricing"]["overrides"] =
            json!([{"prompt": "0.000001", "region": "mars", "utc_start": 0}]);
        model["top_provider"]["uptime"] = json!(0.999);
        model["links"]["paper"] = json!("https://example.com/paper.pdf");
        model["benchmarks"]["design_arena"][0]["confidence"] = json!(0.8);
        model["license"] = json!({"name": "acme-1.0", "commercial": false});
        let body = json!({"data": model, "served_by": "edge-7"});
        mount(&server, "GET", "/model/acme/hologram-1", 200, body).await;

        let model = client(&server)
            .models()
            .get("acme", "hologram-1")
            .send()
            .await?
            .data;

        let arch = &model.architecture;
        assert_eq!(
            arch.input_modalities,
            [
                InputModality::Text,
                InputModality::Unknown("hologram".to_owned())
            ]
        );
        assert_eq!(
            arch.output_modalities[1],
            OutputModality::Unknown("smell".to_owned())
        );
        assert_eq!(arch.output_modalities[1].as_str(), "smell");
        assert_eq!(
            arch.tokenizer,
            Some(ModelTokenizer::Unknown("Zeta".to_owned()))
        );
        assert_eq!(
            arch.instruct_type,
            Some(InstructType::Unknown("acme-chat".to_owned()))
        );
        assert_eq!(
            arch.instruct_type.as_ref().map(InstructType::as_str),
            Some("acme-chat")
        );
        assert_eq!(
            model.supported_parameters,
            [
                SupportedParameter::Temperature,
                SupportedParameter::Unknown("quantum_sampling".to_owned())
            ]
        );
        let reasoning = model.reasoning.as_ref().expect("reasoning");
        assert_eq!(
            reasoning.default_effort,
            Some(ReasoningEffort::Unknown("ultra".to_owned()))
        );
        assert_eq!(
            reasoning.supported_efforts,
            Some(vec![
                ReasoningEffort::Low,
                ReasoningEffort::Unknown("ultra".to_owned())
            ])
        );
        let overrides = model.pricing.overrides.as_ref().expect("overrides");
        assert_eq!(overrides[0].prompt.as_deref(), Some("0.000001"));
        assert_eq!(overrides[0].utc_start, Some(0.0));

        // Unknown values serialize back to exactly what was received.
        assert_eq!(
            serde_json::to_value(&arch.input_modalities)?,
            json!(["text", "hologram"])
        );
        assert_eq!(
            serde_json::to_value(&model.supported_parameters)?,
            json!(["temperature", "quantum_sampling"])
        );
        assert_eq!(serde_json::to_value(&arch.tokenizer)?, json!("Zeta"));
        for unknown in ["hologram", "video"] {
            assert_eq!(InputModality::from(unknown).as_str(), unknown);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Retries
// ---------------------------------------------------------------------------------------------

mod retries {
    use super::*;

    /// Answers `verb route` with `first` for the first `times` calls, then with `then`.
    async fn mount_sequence(
        server: &MockServer,
        verb: &str,
        route: &str,
        first: ResponseTemplate,
        times: u64,
        then: ResponseTemplate,
    ) {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(first)
            .up_to_n_times(times)
            .with_priority(1)
            .mount(server)
            .await;
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(then)
            .with_priority(2)
            .mount(server)
            .await;
    }

    fn failure(status: u16) -> ResponseTemplate {
        ResponseTemplate::new(status).set_body_raw(
            error_json(i64::from(status), "try later", json!({})),
            "application/json",
        )
    }

    fn credits_ok() -> ResponseTemplate {
        json_response(
            200,
            json!({"data": {"total_credits": 5.0, "total_usage": 1.0}}),
        )
    }

    fn created_key() -> ResponseTemplate {
        json_response(
            200,
            json!({"data": api_key_json("h", "n"), "key": "sk-or-v1-new"}),
        )
    }

    #[tokio::test]
    async fn a_503_then_200_succeeds_after_two_requests_even_for_post() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "POST", "/keys", failure(503), 1, created_key()).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        let created = client
            .api_keys()
            .create(CreateApiKeyRequest::new("retry me").limit(Some(1.0)))
            .send()
            .await?;

        assert_eq!(created.key, "sk-or-v1-new");
        let reqs = requests(&server).await;
        assert_eq!(reqs.len(), 2);
        for req in &reqs {
            assert_request(
                req,
                "POST",
                "/keys",
                &[],
                Some(json!({"name": "retry me", "limit": 1.0})),
            );
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_429_on_post_is_retried() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "POST", "/keys", failure(429), 2, created_key()).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        client
            .api_keys()
            .create(CreateApiKeyRequest::new("n"))
            .send()
            .await?;

        assert_eq!(requests(&server).await.len(), 3);
        Ok(())
    }

    #[tokio::test]
    async fn a_500_on_post_is_not_retried() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "POST", "/keys", failure(500), 1, created_key()).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        let err = client
            .api_keys()
            .create(CreateApiKeyRequest::new("n"))
            .send()
            .await
            .expect_err("500");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
        assert_eq!(
            requests(&server).await.len(),
            1,
            "a POST that may have run is not repeated"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_500_on_get_is_retried() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "GET", "/credits", failure(500), 1, credits_ok()).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        let credits = client.credits().get().send().await?;

        assert_eq!(credits.data.total_credits, 5.0);
        let reqs = requests(&server).await;
        assert_eq!(reqs.len(), 2);
        for req in &reqs {
            assert_request(req, "GET", "/credits", &[], None);
        }
        Ok(())
    }

    #[tokio::test]
    async fn retryable_statuses_on_put_and_delete_are_retried() -> Result<()> {
        let server = MockServer::start().await;
        let budget = format!("/workspaces/{WS_ID}/budgets/daily");
        let budget_ok = json_response(200, json!({"data": budget_json("daily", 3.0)}));
        mount_sequence(&server, "PUT", &budget, failure(502), 1, budget_ok).await;
        let deleted = json_response(200, json!({"deleted": true}));
        mount_sequence(&server, "DELETE", "/keys/h", failure(504), 1, deleted).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        client
            .workspaces()
            .set_budget(
                WS_ID,
                WorkspaceBudgetInterval::Daily,
                SetWorkspaceBudgetRequest::new(3.0),
            )
            .send()
            .await?;
        client.api_keys().delete("h").send().await?;

        let methods: Vec<String> = requests(&server)
            .await
            .iter()
            .map(|r| r.method.to_string())
            .collect();
        assert_eq!(methods, ["PUT", "PUT", "DELETE", "DELETE"]);
        Ok(())
    }

    #[tokio::test]
    async fn a_500_on_patch_is_not_retried() -> Result<()> {
        let server = MockServer::start().await;
        let ok = json_response(200, json!({"data": api_key_json("h", "n")}));
        mount_sequence(&server, "PATCH", "/keys/h", failure(500), 1, ok).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        let err = client
            .api_keys()
            .update("h", UpdateApiKeyRequest::new().name("n"))
            .send()
            .await
            .expect_err("500");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
        assert_eq!(requests(&server).await.len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn retries_stop_after_max_retries_and_return_the_last_error() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "GET", "/credits", failure(503), 10, credits_ok()).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        let err = client.credits().get().send().await.expect_err("still 503");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(err.as_api().map(|a| a.message.as_str()), Some("try later"));
        assert_eq!(
            requests(&server).await.len(),
            3,
            "one attempt plus two retries"
        );
        Ok(())
    }

    #[tokio::test]
    async fn non_retryable_statuses_are_not_retried() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "GET", "/credits", failure(404), 1, credits_ok()).await;
        let client = builder(&server).retry_policy(fast_retries(2)).build()?;

        let err = client.credits().get().send().await.expect_err("404");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
        assert_eq!(requests(&server).await.len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn retry_after_zero_is_honoured_instead_of_the_backoff() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(
            &server,
            "GET",
            "/credits",
            failure(503).insert_header("retry-after", "0"),
            1,
            credits_ok(),
        )
        .await;
        // A backoff of 30 s would blow the guard below; `Retry-After: 0` must win.
        let slow = RetryPolicy::new(1)
            .initial_backoff(Duration::from_secs(30))
            .max_backoff(Duration::from_secs(30));
        let client = builder(&server).retry_policy(slow).build()?;

        let credits = tokio::time::timeout(Duration::from_secs(5), client.credits().get().send())
            .await
            .expect("Retry-After: 0 means no 30 s backoff")?;

        assert_eq!(credits.data.total_usage, 1.0);
        assert_eq!(requests(&server).await.len(), 2);
        Ok(())
    }

    #[tokio::test]
    async fn a_long_retry_after_is_capped_by_max_backoff() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(
            &server,
            "GET",
            "/credits",
            failure(429).insert_header("retry-after", "3600"),
            1,
            credits_ok(),
        )
        .await;
        let client = builder(&server).retry_policy(fast_retries(1)).build()?;

        let credits = tokio::time::timeout(Duration::from_secs(5), client.credits().get().send())
            .await
            .expect("the wait is capped at max_backoff (5 ms)")?;

        assert_eq!(credits.data.total_credits, 5.0);
        assert_eq!(requests(&server).await.len(), 2);
        Ok(())
    }

    #[tokio::test]
    async fn retry_policy_none_makes_exactly_one_request() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "GET", "/credits", failure(503), 1, credits_ok()).await;
        let client = builder(&server).retry_policy(RetryPolicy::none()).build()?;

        let err = client
            .credits()
            .get()
            .send()
            .await
            .expect_err("503 is returned as is");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(requests(&server).await.len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn per_call_retry_policy_overrides_the_client_policy() -> Result<()> {
        let server = MockServer::start().await;
        mount_sequence(&server, "GET", "/credits", failure(503), 1, credits_ok()).await;

        // Client never retries, this call does.
        let client = builder(&server).retry_policy(RetryPolicy::none()).build()?;
        client
            .credits()
            .get()
            .options(RequestOptions::new().retry(fast_retries(1)))
            .send()
            .await?;
        assert_eq!(requests(&server).await.len(), 2);

        // Client retries, this call does not.
        server.reset().await;
        mount_sequence(&server, "GET", "/credits", failure(503), 1, credits_ok()).await;
        let client = builder(&server).retry_policy(fast_retries(3)).build()?;
        let err = client
            .credits()
            .get()
            .options(RequestOptions::new().retry(RetryPolicy::none()))
            .send()
            .await
            .expect_err("no retry for this call");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(requests(&server).await.len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn a_timed_out_get_is_retried_but_a_timed_out_post_is_not() -> Result<()> {
        let server = MockServer::start().await;
        let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(5));
        mount_sequence(&server, "GET", "/credits", slow.clone(), 1, credits_ok()).await;
        mount_sequence(&server, "POST", "/keys", slow, 1, created_key()).await;
        let options = || {
            RequestOptions::new()
                .timeout(Duration::from_millis(200))
                .retry(fast_retries(1))
        };
        let client = client(&server);

        let credits = client.credits().get().options(options()).send().await?;
        assert_eq!(credits.data.total_credits, 5.0);

        let err = client
            .api_keys()
            .create(CreateApiKeyRequest::new("n"))
            .options(options())
            .send()
            .await
            .expect_err("the POST times out");
        assert!(
            matches!(err, Error::Timeout { phase: openrouter_generated::TimeoutPhase::Head, limit } if limit == Duration::from_millis(200)),
            "{err:?}"
        );
        assert!(err.is_retryable());

        let methods: Vec<String> = requests(&server)
            .await
            .iter()
            .map(|r| r.method.to_string())
            .collect();
        assert_eq!(methods, ["GET", "GET", "POST"]);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 8. The API key is never printed
// ---------------------------------------------------------------------------------------------

mod secrets {
    use super::*;

    fn assert_no_key(what: &str, text: &str) {
        assert!(!text.contains(API_KEY), "{what} leaks the API key: {text}");
        assert!(
            !text.contains("e2e5ecret"),
            "{what} leaks part of the API key: {text}"
        );
    }

    #[test]
    fn per_call_credentials_are_not_printed() {
        let options = RequestOptions::new().header("Authorization", &format!("Bearer {API_KEY}"));
        assert_no_key("RequestOptions Debug", &format!("{options:?}"));
    }

    #[tokio::test]
    async fn client_builder_and_request_builders_do_not_print_the_key() -> Result<()> {
        let server = MockServer::start().await;
        let builder = builder(&server);
        let printed = format!("{builder:?}");
        assert_no_key("ClientBuilder Debug", &printed);
        assert!(
            printed.contains("redacted"),
            "the builder shows that a key is set: {printed}"
        );

        let client = builder.build()?;
        let printed = format!("{client:?}");
        assert_no_key("Client Debug", &printed);
        assert_no_key("Client pretty Debug", &format!("{client:#?}"));
        assert!(printed.contains("redacted"), "{printed}");

        assert_no_key(
            "request builder Debug",
            &format!("{:?}", client.credits().get()),
        );
        assert_no_key(
            "request builder with body Debug",
            &format!(
                "{:?}",
                client
                    .api_keys()
                    .update("h", UpdateApiKeyRequest::new().limit(None))
            ),
        );
        assert_no_key(
            "paginator Debug",
            &format!("{:?}", client.api_keys().list().into_paginator()),
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_401_error_does_not_print_the_key() -> Result<()> {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/key"))
            .respond_with(ResponseTemplate::new(401).set_body_raw(
                error_json(401, "User not found.", json!({})),
                "application/json",
            ))
            .mount(&server)
            .await;

        let err = client(&server)
            .api_keys()
            .get_current()
            .send()
            .await
            .expect_err("401");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
        assert!(!err.is_retryable());
        assert_no_key("error Display", &err.to_string());
        assert_no_key("error Debug", &format!("{err:?}"));
        assert_no_key("error pretty Debug", &format!("{err:#?}"));
        assert_no_key(
            "ApiError Debug",
            &format!("{:?}", err.as_api().expect("api error")),
        );
        // The request did carry the key.
        assert_eq!(
            header(&single_request(&server).await, "authorization"),
            Some(format!("Bearer {API_KEY}"))
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_transport_error_does_not_print_the_key() -> Result<()> {
        let err = refused_connection_error().await?;

        assert_no_key("transport error Display", &err.to_string());
        assert_no_key("transport error Debug", &format!("{err:?}"));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// 9. send_with_response exposes status and headers
// ---------------------------------------------------------------------------------------------

mod response_metadata {
    use super::*;

    #[tokio::test]
    async fn send_with_response_exposes_status_and_headers() -> Result<()> {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/workspaces"))
            .respond_with(
                json_response(201, json!({"data": workspace_json(WS_ID, "new")}))
                    .insert_header("x-request-id", "req-7f3a")
                    .insert_header("x-ratelimit-remaining", "99"),
            )
            .mount(&server)
            .await;

        let response = client(&server)
            .workspaces()
            .create(CreateWorkspaceRequest::new("New", "new"))
            .send_with_response()
            .await?;

        assert_eq!(response.status.as_u16(), 201);
        assert_eq!(
            response
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok()),
            Some("req-7f3a")
        );
        assert_eq!(
            response
                .headers
                .get("x-ratelimit-remaining")
                .and_then(|v| v.to_str().ok()),
            Some("99")
        );
        assert_eq!(
            response
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        assert_eq!(response.data.slug, "new", "derefs to the body");
        assert_eq!(response.value.data.id, WS_ID);
        let (value, status, headers) = response.into_parts();
        assert_eq!(value.data.slug, "new");
        assert_eq!(status.as_u16(), 201);
        assert!(headers.contains_key("x-request-id"));
        assert_request(
            &single_request(&server).await,
            "POST",
            "/workspaces",
            &[],
            Some(json!({"name": "New", "slug": "new"})),
        );
        Ok(())
    }

    #[tokio::test]
    async fn send_with_response_on_a_get_with_query() -> Result<()> {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/models/count"))
            .respond_with(
                json_response(200, json!({"data": {"count": 12}}))
                    .insert_header("x-request-id", "req-c"),
            )
            .mount(&server)
            .await;

        let response = client(&server)
            .models()
            .count()
            .output_modalities("all")
            .send_with_response()
            .await?;

        assert_eq!(response.status.as_u16(), 200);
        assert_eq!(
            response
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok()),
            Some("req-c")
        );
        assert_eq!(response.into_inner().data.count, 12);
        assert_request(
            &single_request(&server).await,
            "GET",
            "/models/count",
            &[("output_modalities", "all")],
            None,
        );
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// OAuth PKCE
// ---------------------------------------------------------------------------------------------

/// The S256 challenge of RFC 7636's worked example (its appendix B).
#[test]
fn pkce_challenge_matches_the_rfc_7636_example() {
    use openrouter_generated::oauth::Pkce;
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    assert_eq!(
        pkce.challenge(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert!(
        !format!("{pkce:?}").contains("dBjftJeZ"),
        "the verifier is a secret: {pkce:?}"
    );
}

/// Fresh verifiers are 43 URL-safe characters, differ from each other, and bad ones are refused.
#[test]
fn pkce_verifiers_are_fresh_and_checked() {
    use openrouter_generated::oauth::Pkce;
    let (a, b) = (Pkce::new().unwrap(), Pkce::new().unwrap());
    assert_eq!(a.verifier().len(), 43);
    assert!(
        a.verifier()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{}",
        a.verifier()
    );
    assert_ne!(a.verifier(), b.verifier());
    assert!(Pkce::from_verifier("short").is_err());
    assert!(Pkce::from_verifier("x".repeat(42) + " ").is_err());
    assert!(Pkce::from_verifier("x".repeat(129)).is_err());
}

/// The authorization URL carries the callback and the challenge; the exchange sends the code,
/// the verifier and `S256` to `POST /auth/keys` and returns the key.
#[tokio::test]
async fn pkce_flow_builds_the_url_and_exchanges_the_code() -> Result<()> {
    use openrouter_generated::oauth::{AUTHORIZATION_URL, Pkce};
    let pkce = Pkce::new()?;
    let url = pkce.authorization_url("http://localhost:3000/callback?state=a b")?;
    assert!(url.as_str().starts_with(AUTHORIZATION_URL), "{url}");
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        query,
        [
            (
                "callback_url".to_owned(),
                "http://localhost:3000/callback?state=a%20b".to_owned()
            ),
            ("code_challenge".to_owned(), pkce.challenge().to_owned()),
            ("code_challenge_method".to_owned(), "S256".to_owned()),
        ]
    );
    assert!(pkce.authorization_url("not a url").is_err());

    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/auth/keys",
        200,
        json!({"key": "sk-or-v1-new", "user_id": "user_1"}),
    )
    .await;
    let key = client(&server)
        .oauth()
        .exchange_code(pkce.exchange_request("code-123"))
        .send()
        .await?;
    assert_eq!(
        (key.key.as_str(), key.user_id.as_deref()),
        ("sk-or-v1-new", Some("user_1"))
    );
    let request = single_request(&server).await;
    let body: Value = serde_json::from_slice(&request.body)?;
    assert_eq!(
        body,
        json!({"code": "code-123", "code_verifier": pkce.verifier(), "code_challenge_method": "S256"})
    );
    Ok(())
}

/// An error in OAuth 2.0's shape (`{"error": "<code>", "error_description": ...}`, as the token
/// endpoint answers) gives the code and the description.
#[tokio::test]
async fn an_oauth_shaped_error_gives_its_code_and_description() -> Result<()> {
    let server = MockServer::start().await;
    let body = json!({"error": "invalid_grant", "error_description": "The code has expired."});
    mount(&server, "GET", "/credits", 400, body).await;
    let error = client(&server)
        .credits()
        .get()
        .send()
        .await
        .expect_err("a 400");
    let Error::Api(api) = error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.code, Some(ErrorCode::Text("invalid_grant".to_owned())));
    assert_eq!(api.message, "The code has expired.");
    Ok(())
}
