//! Presets, model endpoints, providers, parameters, OAuth and the retired Coinbase charge.

use crate::{WS_ID, assert_request, client, exchange, json_answer, serve, single_request};
use anyhow::Result;
use openrouter_generated::Error;
use openrouter_generated::chat::ChatMessage;
use openrouter_generated::types::*;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

const USER_ID: &str = "user_2yOPcMpKeCTvRpSNcJMW4YSVOGw";

// ---- presets ---------------------------------------------------------------------------------

fn version_json(version: i64) -> Value {
    json!({
        "id": format!("prv_{version}"),
        "preset_id": "prs_support",
        "creator_id": USER_ID,
        "version": version,
        "system_prompt": if version > 1 { json!("You are concise.") } else { Value::Null },
        "config": {"model": "openai/gpt-4o", "temperature": 0.3, "provider": {"sort": "price"}},
        "created_at": "2025-09-01T10:00:00Z",
        "updated_at": "2025-09-01T10:00:00Z"
    })
}

fn preset_json(slug: &str) -> Value {
    json!({
        "id": "prs_support",
        "creator_user_id": USER_ID,
        "workspace_id": WS_ID,
        "name": "Support bot",
        "slug": slug,
        "description": "Short answers for the help desk",
        "status": "active",
        "designated_version_id": "prv_3",
        "created_at": "2025-08-01T10:00:00Z",
        "updated_at": "2025-09-01T10:00:00Z",
        "status_updated_at": null
    })
}

fn preset_with_version_json(slug: &str) -> Value {
    let mut preset = preset_json(slug);
    preset["designated_version"] = version_json(3);
    json!({"data": preset})
}

fn assert_designated(preset: &PresetWithDesignatedVersion, slug: &str) {
    assert_eq!(preset.slug, slug);
    assert_eq!(preset.status, PresetStatus::Active);
    assert_eq!(preset.designated_version_id.as_deref(), Some("prv_3"));
    let version = preset
        .designated_version
        .as_ref()
        .expect("a designated version");
    assert_eq!(version.version, 3);
    assert_eq!(version.system_prompt.as_deref(), Some("You are concise."));
    assert_eq!(version.config.get("temperature"), Some(&json!(0.3)));
}

#[tokio::test]
async fn list_presets() -> Result<()> {
    let body =
        json!({"data": [preset_json("support-bot"), preset_json("batch-jobs")], "total_count": 7});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.presets().list().offset(5).limit(2).send().await
    })
    .await?;
    assert_eq!(page.total_count, 7);
    assert_eq!(page.data[1].slug, "batch-jobs");
    assert_eq!(
        page.data[0].description.as_deref(),
        Some("Short answers for the help desk")
    );
    assert_eq!(page.data[0].status_updated_at, None);
    assert_request(
        &req,
        "GET",
        "/presets",
        &[("offset", "5"), ("limit", "2")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn get_preset_includes_its_designated_version() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, preset_with_version_json("support-bot")),
        |c| async move { c.presets().get("support-bot").send().await },
    )
    .await?;
    assert_designated(&got.data, "support-bot");
    assert_request(&req, "GET", "/presets/support-bot", &[], None);
    Ok(())
}

#[tokio::test]
async fn create_preset_from_a_chat_request() -> Result<()> {
    let request = ChatRequest::new(vec![
        ChatMessage::system("You are concise."),
        ChatMessage::user("hi"),
    ])
    .model("openai/gpt-4o")
    .temperature(Some(0.3))
    .max_tokens(Some(512));
    let (saved, req) = exchange(
        json_answer(200, preset_with_version_json("support-bot")),
        |c| async move {
            c.presets()
                .create_from_chat("support-bot", request)
                .send()
                .await
        },
    )
    .await?;
    assert_designated(&saved.data, "support-bot");
    assert_request(
        &req,
        "POST",
        "/presets/support-bot/chat/completions",
        &[],
        Some(json!({
            "messages": [{"role": "system", "content": "You are concise."}, {"role": "user", "content": "hi"}],
            "model": "openai/gpt-4o",
            "temperature": 0.3,
            "max_tokens": 512
        })),
    );
    Ok(())
}

#[tokio::test]
async fn create_preset_from_a_messages_request() -> Result<()> {
    let turn = MessagesMessageParam::new(
        MessagesMessageParamRole::User,
        MessagesMessageParamContent::String("hi".into()),
    );
    let request = MessagesRequest::new("anthropic/claude-sonnet-4", Some(vec![turn]))
        .max_tokens(1024)
        .system(MessagesRequestSystem::String("You are concise.".into()))
        .temperature(0.5);
    let (saved, req) = exchange(
        json_answer(200, preset_with_version_json("claude-helper")),
        |c| async move {
            c.presets()
                .create_from_messages("claude-helper", request)
                .send()
                .await
        },
    )
    .await?;
    assert_designated(&saved.data, "claude-helper");
    assert_request(
        &req,
        "POST",
        "/presets/claude-helper/messages",
        &[],
        Some(json!({
            "model": "anthropic/claude-sonnet-4",
            "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 1024,
            "system": "You are concise.",
            "temperature": 0.5
        })),
    );
    Ok(())
}

#[tokio::test]
async fn create_preset_from_a_responses_request() -> Result<()> {
    let request = ResponsesRequest::new()
        .model("openai/gpt-4o")
        .instructions(Some("Answer in French.".into()))
        .temperature(Some(0.7))
        .max_output_tokens(Some(800));
    let (saved, req) = exchange(
        json_answer(200, preset_with_version_json("french")),
        |c| async move {
            c.presets()
                .create_from_responses("french", request)
                .send()
                .await
        },
    )
    .await?;
    assert_designated(&saved.data, "french");
    assert_request(
        &req,
        "POST",
        "/presets/french/responses",
        &[],
        Some(json!({
            "model": "openai/gpt-4o",
            "instructions": "Answer in French.",
            "temperature": 0.7,
            "max_output_tokens": 800
        })),
    );
    Ok(())
}

#[tokio::test]
async fn list_preset_versions() -> Result<()> {
    let body = json!({"data": [version_json(1), version_json(2)], "total_count": 3});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.presets()
            .list_versions("support-bot")
            .offset(0)
            .limit(2)
            .send()
            .await
    })
    .await?;
    assert_eq!(page.total_count, 3);
    let versions: Vec<i64> = page.data.iter().map(|v| v.version).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(page.data[0].system_prompt, None);
    assert_eq!(
        page.data[1].config.get("model"),
        Some(&json!("openai/gpt-4o"))
    );
    assert_request(
        &req,
        "GET",
        "/presets/support-bot/versions",
        &[("offset", "0"), ("limit", "2")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn get_preset_version() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": version_json(2)})),
        |c| async move { c.presets().get_version("support bot", "2").send().await },
    )
    .await?;
    assert_eq!(got.data.id, "prv_2");
    assert_eq!(got.data.preset_id, "prs_support");
    assert_eq!(
        got.data.config.get("provider"),
        Some(&json!({"sort": "price"}))
    );
    assert_request(&req, "GET", "/presets/support%20bot/versions/2", &[], None);
    Ok(())
}

// ---- endpoints, providers, parameters ------------------------------------------------------

fn endpoint_json(provider: &str, tag: &str) -> Value {
    json!({
        "name": format!("{provider} | meta-llama/llama-3.1-8b-instruct"),
        "model_id": "meta-llama/llama-3.1-8b-instruct",
        "model_name": "Meta: Llama 3.1 8B Instruct",
        "context_length": 131072,
        "pricing": {"prompt": "0.00000002", "completion": "0.00000005", "request": "0", "image": "0"},
        "provider_name": provider,
        "tag": tag,
        "quantization": "fp8",
        "max_completion_tokens": 16384,
        "max_prompt_tokens": null,
        "supported_parameters": ["temperature", "top_p", "max_tokens", "tools"],
        "status": 0,
        "uptime_last_30m": 99.5,
        "uptime_last_5m": 100.0,
        "uptime_last_1d": 98.75,
        "supports_implicit_caching": false,
        "latency_last_30m": {"p50": 250.0, "p75": 320.5, "p90": 480.0, "p99": 1200.0},
        "throughput_last_30m": null
    })
}

#[tokio::test]
async fn list_zdr_endpoints() -> Result<()> {
    let (zdr, req) = exchange(
        json_answer(
            200,
            json!({"data": [endpoint_json("DeepInfra", "deepinfra/fp8")]}),
        ),
        |c| async move { c.endpoints().list_zdr().send().await },
    )
    .await?;
    let e = &zdr.data[0];
    assert_eq!(e.provider_name, ProviderName::DeepInfra);
    assert_eq!(e.quantization, Some(Quantization::Fp8));
    assert_eq!(e.supported_parameters[3], SupportedParameter::Tools);
    assert_eq!(e.pricing.completion, "0.00000005");
    assert_eq!(e.latency_last_30m.as_ref().map(|l| l.p75), Some(320.5));
    assert_eq!(e.throughput_last_30m, None);
    assert_eq!((e.context_length, e.max_prompt_tokens), (131072, None));
    assert_request(&req, "GET", "/endpoints/zdr", &[], None);
    Ok(())
}

#[tokio::test]
async fn list_model_endpoints_keeps_the_colon_of_a_variant_slug() -> Result<()> {
    let body = json!({"data": {
        "id": "meta-llama/llama-3.1-8b-instruct:free",
        "name": "Meta: Llama 3.1 8B Instruct (free)",
        "created": 1721692800,
        "description": "Meta's 8B instruction-tuned Llama 3.1.",
        "architecture": {"modality": "text->text", "input_modalities": ["text"], "output_modalities": ["text"],
                         "tokenizer": "Llama3", "instruct_type": "llama3"},
        "endpoints": [endpoint_json("DeepInfra", "deepinfra/fp8"), endpoint_json("Groq", "groq")]
    }});
    let (endpoints, req) = exchange(json_answer(200, body), |c| async move {
        c.endpoints()
            .list("meta-llama", "llama-3.1-8b-instruct:free")
            .send()
            .await
    })
    .await?;
    let model = endpoints.data;
    assert_eq!(model.id, "meta-llama/llama-3.1-8b-instruct:free");
    assert_eq!(model.architecture.tokenizer, Some(ModelTokenizer::Llama3));
    assert_eq!(model.architecture.instruct_type, Some(InstructType::Llama3));
    let tags: Vec<&str> = model.endpoints.iter().map(|e| e.tag.as_str()).collect();
    assert_eq!(tags, ["deepinfra/fp8", "groq"]);
    assert_eq!(model.endpoints[1].provider_name, ProviderName::Groq);
    assert_request(
        &req,
        "GET",
        "/models/meta-llama/llama-3.1-8b-instruct:free/endpoints",
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn list_providers() -> Result<()> {
    let body = json!({"data": [
        {"name": "OpenAI", "slug": "openai", "privacy_policy_url": "https://openai.com/policies/privacy-policy/",
         "terms_of_service_url": "https://openai.com/policies/row-terms-of-use/", "status_page_url": "https://status.openai.com/",
         "headquarters": "US", "datacenters": ["US", "IE"]},
        {"name": "Mistral", "slug": "mistral", "privacy_policy_url": null, "terms_of_service_url": null,
         "status_page_url": null, "headquarters": "FR", "datacenters": null}
    ]});
    let (providers, req) = exchange(json_answer(200, body), |c| async move {
        c.providers().list().send().await
    })
    .await?;
    assert_eq!(providers.data.len(), 2);
    assert_eq!(providers.data[0].headquarters, Some(CountryCode::Us));
    assert_eq!(
        providers.data[0].datacenters,
        Some(vec![CountryCode::Us, CountryCode::Ie])
    );
    assert_eq!(providers.data[1].headquarters, Some(CountryCode::Fr));
    assert_eq!(providers.data[1].status_page_url, None);
    assert_request(&req, "GET", "/providers", &[], None);
    Ok(())
}

#[tokio::test]
async fn get_parameters_for_one_provider() -> Result<()> {
    let body = json!({"data": {"model": "anthropic/claude-sonnet-4", "supported_parameters": ["temperature", "max_tokens", "tools"]}});
    let (params, req) = exchange(json_answer(200, body), |c| async move {
        c.parameters()
            .get("anthropic", "claude-sonnet-4")
            .provider(GetParametersProvider::AmazonBedrock)
            .send()
            .await
    })
    .await?;
    assert_eq!(params.data.model, "anthropic/claude-sonnet-4");
    assert_eq!(
        params.data.supported_parameters,
        [
            SupportedParameter::Temperature,
            SupportedParameter::MaxTokens,
            SupportedParameter::Tools
        ]
    );
    assert_eq!(req.url.query(), Some("provider=Amazon+Bedrock"));
    assert_request(
        &req,
        "GET",
        "/parameters/anthropic/claude-sonnet-4",
        &[("provider", "Amazon Bedrock")],
        None,
    );
    Ok(())
}

// ---- OAuth -----------------------------------------------------------------------------------

#[tokio::test]
async fn exchange_an_auth_code_for_a_key() -> Result<()> {
    let request = ExchangeAuthCodeRequest::new("auth_code_9f8e7d")
        .code_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        .code_challenge_method(Some(CodeChallengeMethod::S256));
    let body = json!({"key": "sk-or-v1-0123456789abcdef", "user_id": USER_ID});
    let (key, req) = exchange(json_answer(200, body), |c| async move {
        c.oauth().exchange_code(request).send().await
    })
    .await?;
    assert_eq!(key.key, "sk-or-v1-0123456789abcdef");
    assert_eq!(key.user_id.as_deref(), Some(USER_ID));
    assert_request(
        &req,
        "POST",
        "/auth/keys",
        &[],
        Some(json!({
            "code": "auth_code_9f8e7d",
            "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "code_challenge_method": "S256"
        })),
    );
    Ok(())
}

#[tokio::test]
async fn create_an_auth_code() -> Result<()> {
    let request = CreateAuthCodeRequest::new("http://localhost:3000/callback")
        .code_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        .code_challenge_method(CodeChallengeMethod::Plain)
        .limit(25.5)
        .usage_limit_type(AuthCodeLimitReset::Monthly)
        .expires_at(None)
        .key_label("my CLI")
        .workspace_id(WS_ID)
        .spawn_agent("agent-x")
        .spawn_cloud("cloud-y");
    let body = json!({"data": {"id": "auth_code_abc", "app_id": 4242, "created_at": "2025-10-01T00:00:00Z"}});
    let (code, req) = exchange(json_answer(200, body), |c| async move {
        c.oauth().create_code(request).send().await
    })
    .await?;
    assert_eq!(
        (code.data.id.as_str(), code.data.app_id),
        ("auth_code_abc", 4242)
    );
    assert_eq!(code.data.created_at, "2025-10-01T00:00:00Z");
    assert_request(
        &req,
        "POST",
        "/auth/keys/code",
        &[],
        Some(json!({
            "callback_url": "http://localhost:3000/callback",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "plain",
            "limit": 25.5,
            "usage_limit_type": "monthly",
            "expires_at": null,
            "key_label": "my CLI",
            "workspace_id": WS_ID,
            "spawn_agent": "agent-x",
            "spawn_cloud": "cloud-y"
        })),
    );
    Ok(())
}

// ---- credits: the retired Coinbase charge --------------------------------------------------

/// The operation is deprecated: it still compiles (with `allow(deprecated)`), sends a bodiless
/// POST, and a success without a body decodes to `()`.
#[tokio::test]
#[allow(deprecated)]
async fn coinbase_charge_has_an_empty_answer() -> Result<()> {
    let server = serve(ResponseTemplate::new(200)).await;

    // `()` by type; an empty body would fail any JSON decoding.
    let () = client(&server)
        .credits()
        .create_coinbase_charge()
        .send()
        .await?;

    // The document marks the operation as taking no credentials: no key is sent.
    crate::assert_request_with_auth(
        &single_request(&server).await,
        "POST",
        "/credits/coinbase",
        &[],
        None,
        None,
    );
    Ok(())
}

#[tokio::test]
#[allow(deprecated)]
async fn coinbase_charge_gone_is_an_api_error() -> Result<()> {
    let body =
        json!({"error": {"code": 410, "message": "Coinbase payments are no longer supported"}});
    let server = serve(json_answer(410, body)).await;

    let err = client(&server)
        .credits()
        .create_coinbase_charge()
        .send()
        .await
        .expect_err("410");

    let Error::Api(api) = &err else {
        panic!("an API error: {err:?}")
    };
    assert_eq!(api.status.as_u16(), 410);
    assert_eq!(api.message, "Coinbase payments are no longer supported");
    Ok(())
}
