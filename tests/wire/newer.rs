//! The operations newer than the published document, part one: private endpoints (and the
//! retry policy with `Idempotency-Key`), organization settings, SCIM sync jobs, server tools,
//! the vault, external users and OAuth (JWKS, form-encoded token exchange, OAuth errors).

use crate::{
    API_KEY, APP_TITLE, APP_URL, Sequence, WS_ID, assert_request, body_of, client, exchange,
    header, json_answer, requests, serve, single_request,
};
use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::types::*;
use openrouter_generated::{ApiErrorKind, Client, Error, ErrorCode, RetryPolicy, WaitOptions};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::{MockServer, Request};

fn fast_wait() -> WaitOptions {
    WaitOptions::new()
        .interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(5))
}

/// The `Error::Api` inside `err`, or a panic naming what it was instead.
fn api_error(err: &Error) -> &openrouter_generated::ApiError {
    err.as_api()
        .unwrap_or_else(|| panic!("an API error: {err:?}"))
}

// ---- private endpoints -------------------------------------------------------------------------

const PE_ID: &str = "pe_3f9a1c2b7d5e";
const MODEL: &str = "meta-llama/llama-3.1-8b-instruct";
const UPSTREAM: &str = "acme/llama-3.1-8b-eu-ft";

fn managed_json(status: &str) -> Value {
    json!({
        "id": PE_ID,
        "status": status,
        "model_permaslug": MODEL,
        "model_slug": "meta-llama/llama-3.1-8b-instruct",
        "model_name": "Meta: Llama 3.1 8B Instruct",
        "provider_name": "Together",
        "created_at": "2025-10-02T09:15:00Z",
        "declared_region": "europe",
        "declared_zdr": true
    })
}

fn assert_managed(got: &ManagedPrivateEndpoint, status: PrivateEndpointStatus) {
    assert_eq!(got.id, PE_ID);
    assert_eq!(got.status, status);
    assert_eq!(got.model_permaslug, MODEL);
    assert_eq!(
        got.model_name.as_deref(),
        Some("Meta: Llama 3.1 8B Instruct")
    );
    assert_eq!(got.provider_name, "Together");
    assert_eq!(got.created_at, "2025-10-02T09:15:00Z");
    assert_eq!(got.declared_region, Some(DataRegion::Europe));
    assert_eq!(got.declared_zdr, Some(true));
}

fn endpoint_json(pricing: Value) -> Value {
    json!({
        "id": PE_ID,
        "status": "draft",
        "model_permaslug": MODEL,
        "model_slug": null,
        "model_name": null,
        "provider_slug": "together",
        "provider_name": "Together",
        "upstream_model_id": UPSTREAM,
        "base_url": "https://llm.acme.example/v1",
        "declared_region": null,
        "declared_zdr": false,
        "pricing": pricing
    })
}

fn server_error() -> wiremock::ResponseTemplate {
    json_answer(
        500,
        json!({"error": {"code": 500, "message": "Internal Server Error"}}),
    )
}

#[tokio::test]
async fn list_private_endpoints() -> Result<()> {
    let body = json!({"data": [
        {"id": PE_ID, "status": "active", "model_permaslug": MODEL, "model_slug": "meta-llama/llama-3.1-8b-instruct",
         "model_name": "Meta: Llama 3.1 8B Instruct", "provider_name": "Together", "created_at": "2025-10-02T09:15:00Z"},
        {"id": "pe_0b1c2d3e4f5a", "status": "draft", "model_permaslug": "acme/retired-model-2024-01-01", "model_slug": null,
         "model_name": null, "provider_name": "Fireworks", "created_at": "2025-10-03T11:00:00Z"}
    ]});
    let (list, req) = exchange(json_answer(200, body), |c| async move {
        c.private_endpoints().list().send().await
    })
    .await?;

    assert_eq!(list.data.len(), 2);
    let active = &list.data[0];
    assert_eq!(
        (active.id.as_str(), &active.status),
        (PE_ID, &PrivateEndpointStatus::Active)
    );
    assert_eq!(
        active.model_slug.as_deref(),
        Some("meta-llama/llama-3.1-8b-instruct")
    );
    let draft = &list.data[1];
    assert_eq!(draft.status, PrivateEndpointStatus::Draft);
    assert_eq!(
        (draft.model_slug.as_deref(), draft.model_name.as_deref()),
        (None, None)
    );
    assert_eq!(draft.provider_name, "Fireworks");
    assert_eq!(draft.created_at, "2025-10-03T11:00:00Z");
    assert_request(&req, "GET", "/private-endpoints", &[], None);
    Ok(())
}

/// Every field of the body, and no `Idempotency-Key` header when none was set.
#[tokio::test]
async fn create_private_endpoint_sends_the_whole_body_and_no_idempotency_key() -> Result<()> {
    let request = CreatePrivateEndpointRequest::new(MODEL, "together", UPSTREAM)
        .base_url("https://llm.acme.example/v1")
        .declared_region(Some(DataRegion::Europe))
        .declared_zdr(Some(true))
        .pricing(
            PrivateEndpointPricing::new("0.0000002", "0.0000006")
                .cache_read("0.00000005")
                .cache_write("0.00000025"),
        )
        .activate(ValidatePrivateEndpointRequest::new(WS_ID));
    let (created, req) = exchange(
        json_answer(201, json!({"data": managed_json("active")})),
        |c| async move { c.private_endpoints().create(request).send().await },
    )
    .await?;

    assert_managed(&created.data, PrivateEndpointStatus::Active);
    assert_request(
        &req,
        "POST",
        "/private-endpoints",
        &[],
        Some(json!({
            "model_permaslug": MODEL,
            "provider_slug": "together",
            "upstream_model_id": UPSTREAM,
            "base_url": "https://llm.acme.example/v1",
            "declared_region": "europe",
            "declared_zdr": true,
            "pricing": {"prompt": "0.0000002", "completion": "0.0000006",
                        "cache_read": "0.00000005", "cache_write": "0.00000025"},
            "activate": {"workspace_id": WS_ID}
        })),
    );
    assert_eq!(header(&req, "idempotency-key"), None);
    Ok(())
}

/// `.idempotency_key(..)` sends the header; a declaration set to `None` goes as `null`, one never
/// set is left out.
#[tokio::test]
async fn create_private_endpoint_with_an_idempotency_key_sends_the_header() -> Result<()> {
    let request =
        CreatePrivateEndpointRequest::new(MODEL, "together", UPSTREAM).declared_region(None);
    let (created, req) = exchange(
        json_answer(201, json!({"data": managed_json("draft")})),
        |c| async move {
            c.private_endpoints()
                .create(request)
                .idempotency_key("llama-eu-1")
                .send()
                .await
        },
    )
    .await?;

    assert_managed(&created.data, PrivateEndpointStatus::Draft);
    assert_request(
        &req,
        "POST",
        "/private-endpoints",
        &[],
        Some(json!({
            "model_permaslug": MODEL,
            "provider_slug": "together",
            "upstream_model_id": UPSTREAM,
            "declared_region": null
        })),
    );
    assert_eq!(
        header(&req, "idempotency-key").as_deref(),
        Some("llama-eu-1")
    );
    Ok(())
}

/// A create with `activate` whose checks fail: a 422 `Error::Api` whose body decodes into
/// `PrivateEndpointCreateError`, carrying the saved draft and the checks.
#[tokio::test]
async fn create_with_failing_activation_keeps_the_draft_in_the_error_body() -> Result<()> {
    let body = json!({
        "data": {
            "endpoint": managed_json("draft"),
            "validation": {"passed": false, "checks": [
                {"name": "byok_key", "passed": false, "reason": "no_byok_key"},
                {"name": "upstream_call", "passed": false, "reason": "upstream_error",
                 "upstream_status": 401, "upstream_message": "invalid api key"}
            ]}
        },
        "error": {"code": 422, "message": "Validation failed; the draft was saved"}
    });
    let server = serve(json_answer(422, body)).await;

    let err = client(&server)
        .private_endpoints()
        .create(
            CreatePrivateEndpointRequest::new(MODEL, "together", UPSTREAM)
                .activate(ValidatePrivateEndpointRequest::new(WS_ID)),
        )
        .send()
        .await
        .expect_err("422");

    let api = api_error(&err);
    assert_eq!(api.status.as_u16(), 422);
    assert_eq!(api.kind(), ApiErrorKind::Unprocessable);
    assert_eq!(api.code, Some(ErrorCode::Int(422)));
    assert_eq!(api.message, "Validation failed; the draft was saved");
    let decoded: PrivateEndpointCreateError = serde_json::from_slice(&api.body)?;
    let PrivateEndpointCreateError::PrivateEndpointValidationFailed(failed) = decoded else {
        panic!("the validation-failed shape: {decoded:?}")
    };
    assert_managed(&failed.data.endpoint, PrivateEndpointStatus::Draft);
    let validation = failed.data.validation.expect("the checks ran");
    assert!(!validation.passed);
    assert_eq!(
        validation.checks[0].reason,
        Some(PrivateEndpointCheckReason::NoByokKey)
    );
    assert_eq!(validation.checks[1].upstream_status, Some(401));
    assert_eq!(
        validation.checks[1].upstream_message.as_deref(),
        Some("invalid api key")
    );
    assert_eq!(
        failed.error.message,
        "Validation failed; the draft was saved"
    );
    Ok(())
}

#[tokio::test]
async fn get_private_endpoint() -> Result<()> {
    let pricing =
        json!({"prompt": "0.0000002", "completion": "0.0000006", "cache_read": "0.00000005"});
    let (got, req) = exchange(
        json_answer(200, json!({"data": endpoint_json(pricing)})),
        |c| async move { c.private_endpoints().get(PE_ID).send().await },
    )
    .await?;

    let ep = got.data;
    assert_eq!(
        (ep.id.as_str(), &ep.status),
        (PE_ID, &PrivateEndpointStatus::Draft)
    );
    assert_eq!((ep.model_slug, ep.model_name), (None, None));
    assert_eq!(ep.provider_slug.as_deref(), Some("together"));
    assert_eq!(ep.upstream_model_id, UPSTREAM);
    assert_eq!(ep.base_url.as_deref(), Some("https://llm.acme.example/v1"));
    assert_eq!((ep.declared_region, ep.declared_zdr), (None, Some(false)));
    assert_eq!(
        (ep.pricing.prompt.as_str(), ep.pricing.completion.as_str()),
        ("0.0000002", "0.0000006")
    );
    assert_eq!(ep.pricing.cache_read.as_deref(), Some("0.00000005"));
    assert_eq!(ep.pricing.cache_write, None);
    assert_request(
        &req,
        "GET",
        &format!("/private-endpoints/{PE_ID}"),
        &[],
        None,
    );
    Ok(())
}

/// An ID is one path segment: characters that would change the route are percent-encoded.
#[tokio::test]
async fn get_private_endpoint_encodes_the_id() -> Result<()> {
    let (_, req) = exchange(
        json_answer(
            200,
            json!({"data": endpoint_json(json!({"prompt": "0", "completion": "0"}))}),
        ),
        |c| async move { c.private_endpoints().get("pe 7/b?x#y").send().await },
    )
    .await?;
    assert_request(
        &req,
        "GET",
        "/private-endpoints/pe%207%2Fb%3Fx%23y",
        &[],
        None,
    );
    Ok(())
}

/// PATCH: `upstream_model_id` always, `base_url` when set, a declaration set to `None` as
/// `null`, one never set left out.
#[tokio::test]
async fn update_private_endpoint() -> Result<()> {
    let mut updated = endpoint_json(json!({"prompt": "0.0000002", "completion": "0.0000006"}));
    updated["upstream_model_id"] = json!("acme/llama-3.1-8b-eu-ft-v2");
    updated["declared_zdr"] = Value::Null;
    let request = UpdatePrivateEndpointRequest::new("acme/llama-3.1-8b-eu-ft-v2")
        .base_url("https://llm2.acme.example/v1")
        .declared_zdr(None);
    let (got, req) = exchange(json_answer(200, json!({"data": updated})), |c| async move {
        c.private_endpoints().update(PE_ID, request).send().await
    })
    .await?;

    assert_eq!(got.data.upstream_model_id, "acme/llama-3.1-8b-eu-ft-v2");
    assert_eq!(got.data.declared_zdr, None);
    assert_request(
        &req,
        "PATCH",
        &format!("/private-endpoints/{PE_ID}"),
        &[],
        Some(json!({
            "upstream_model_id": "acme/llama-3.1-8b-eu-ft-v2",
            "base_url": "https://llm2.acme.example/v1",
            "declared_zdr": null
        })),
    );
    assert!(body_of(&req).get("declared_region").is_none());
    Ok(())
}

#[tokio::test]
async fn delete_private_endpoint_draft_only() -> Result<()> {
    let (deleted, req) = exchange(
        json_answer(200, json!({"data": {"id": PE_ID}})),
        |c| async move {
            c.private_endpoints()
                .delete(PE_ID)
                .draft_only(true)
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(deleted.data.id, PE_ID);
    assert_request(
        &req,
        "DELETE",
        &format!("/private-endpoints/{PE_ID}"),
        &[("draft_only", "true")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn delete_private_endpoint_without_draft_only_sends_no_query() -> Result<()> {
    let (deleted, req) = exchange(
        json_answer(200, json!({"data": {"id": "pe_other"}})),
        |c| async move { c.private_endpoints().delete("pe_other").send().await },
    )
    .await?;
    assert_eq!(deleted.data.id, "pe_other");
    assert_request(&req, "DELETE", "/private-endpoints/pe_other", &[], None);
    Ok(())
}

#[tokio::test]
async fn activate_private_endpoint_posts_no_body() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": managed_json("active")})),
        |c| async move { c.private_endpoints().activate(PE_ID).send().await },
    )
    .await?;
    assert_managed(&got.data, PrivateEndpointStatus::Active);
    assert_request(
        &req,
        "POST",
        &format!("/private-endpoints/{PE_ID}/activate"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn disable_private_endpoint_posts_no_body() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": managed_json("disabled")})),
        |c| async move { c.private_endpoints().disable(PE_ID).send().await },
    )
    .await?;
    assert_managed(&got.data, PrivateEndpointStatus::Disabled);
    assert_request(
        &req,
        "POST",
        &format!("/private-endpoints/{PE_ID}/disable"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn enable_private_endpoint_posts_no_body() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": managed_json("active")})),
        |c| async move { c.private_endpoints().enable(PE_ID).send().await },
    )
    .await?;
    assert_managed(&got.data, PrivateEndpointStatus::Active);
    assert_request(
        &req,
        "POST",
        &format!("/private-endpoints/{PE_ID}/enable"),
        &[],
        None,
    );
    Ok(())
}

/// Failed checks still answer 200; a reason this version does not know is kept.
#[tokio::test]
async fn validate_private_endpoint_reports_each_check() -> Result<()> {
    let body = json!({"data": {"passed": false, "checks": [
        {"name": "base_url", "passed": true},
        {"name": "model_identity", "passed": false, "reason": "model_mismatch",
         "upstream_status": 200, "upstream_message": null, "actual_model": "llama-3.1-70b-instruct"},
        {"name": "quota", "passed": false, "reason": "quota_exhausted"}
    ]}});
    let (run, req) = exchange(json_answer(200, body), |c| async move {
        c.private_endpoints()
            .validate(PE_ID, ValidatePrivateEndpointRequest::new(WS_ID))
            .send()
            .await
    })
    .await?;

    let run = run.data;
    assert!(!run.passed);
    assert_eq!(run.checks.len(), 3);
    assert!(run.checks[0].passed);
    assert_eq!(run.checks[0].reason, None);
    let mismatch = &run.checks[1];
    assert_eq!(
        mismatch.reason,
        Some(PrivateEndpointCheckReason::ModelMismatch)
    );
    assert_eq!(mismatch.upstream_status, Some(200));
    assert_eq!(mismatch.upstream_message, None);
    assert_eq!(
        mismatch.actual_model.as_deref(),
        Some("llama-3.1-70b-instruct")
    );
    assert_eq!(
        run.checks[2].reason,
        Some(PrivateEndpointCheckReason::Unknown(
            "quota_exhausted".into()
        ))
    );
    assert_request(
        &req,
        "POST",
        &format!("/private-endpoints/{PE_ID}/validate"),
        &[],
        Some(json!({"workspace_id": WS_ID})),
    );
    Ok(())
}

#[tokio::test]
async fn update_private_endpoint_pricing_puts_the_whole_price_set() -> Result<()> {
    let new_prices =
        json!({"prompt": "0.00000015", "completion": "0.0000005", "cache_read": "0.00000003"});
    let request = UpdatePrivateEndpointPricingRequest::new(
        PrivateEndpointPricing::new("0.00000015", "0.0000005").cache_read("0.00000003"),
    );
    let (got, req) = exchange(
        json_answer(200, json!({"data": endpoint_json(new_prices.clone())})),
        |c| async move {
            c.private_endpoints()
                .update_pricing(PE_ID, request)
                .send()
                .await
        },
    )
    .await?;

    assert_eq!(got.data.pricing.prompt, "0.00000015");
    assert_eq!(got.data.pricing.completion, "0.0000005");
    assert_eq!(got.data.pricing.cache_read.as_deref(), Some("0.00000003"));
    assert_eq!(got.data.pricing.cache_write, None);
    assert_request(
        &req,
        "PUT",
        &format!("/private-endpoints/{PE_ID}/pricing"),
        &[],
        Some(json!({"pricing": new_prices})),
    );
    Ok(())
}

// ---- retry policy with Idempotency-Key -----------------------------------------------------

fn retrying_client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .app_url(APP_URL)
        .app_title(APP_TITLE)
        .retry_policy(
            RetryPolicy::new(2)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
        .build()
        .expect("the retrying client builds")
}

/// A POST carrying an `Idempotency-Key` is safe to repeat: a 500 is retried, with the same key.
#[tokio::test]
async fn create_with_idempotency_key_is_retried_after_a_500() -> Result<()> {
    let server = serve(Sequence::new(vec![
        server_error(),
        json_answer(201, json!({"data": managed_json("draft")})),
    ]))
    .await;

    let created = retrying_client(&server)
        .private_endpoints()
        .create(CreatePrivateEndpointRequest::new(
            MODEL, "together", UPSTREAM,
        ))
        .idempotency_key("k1")
        .send()
        .await?;

    assert_managed(&created.data, PrivateEndpointStatus::Draft);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "the 500, then the retry");
    for req in &sent {
        assert_request(
            req,
            "POST",
            "/private-endpoints",
            &[],
            Some(
                json!({"model_permaslug": MODEL, "provider_slug": "together", "upstream_model_id": UPSTREAM}),
            ),
        );
        assert_eq!(header(req, "idempotency-key").as_deref(), Some("k1"));
    }
    Ok(())
}

/// Without the key a POST may have been acted upon: the 500 is returned, not retried.
#[tokio::test]
async fn create_without_idempotency_key_is_not_retried_after_a_500() -> Result<()> {
    let server = serve(Sequence::new(vec![
        server_error(),
        json_answer(201, json!({"data": managed_json("draft")})),
    ]))
    .await;

    let err = retrying_client(&server)
        .private_endpoints()
        .create(CreatePrivateEndpointRequest::new(
            MODEL, "together", UPSTREAM,
        ))
        .send()
        .await
        .expect_err("the 500");

    let api = api_error(&err);
    assert_eq!(api.status.as_u16(), 500);
    assert_eq!(api.message, "Internal Server Error");
    let sent = single_request(&server).await;
    assert_eq!(header(&sent, "idempotency-key"), None);
    Ok(())
}

/// With the key, the policy's two retries are used up and the last 500 is returned.
#[tokio::test]
async fn create_with_idempotency_key_gives_up_after_the_policy_retries() -> Result<()> {
    let server = serve(Sequence::new(vec![
        server_error(),
        server_error(),
        server_error(),
        json_answer(201, json!({"data": managed_json("draft")})),
    ]))
    .await;

    let err = retrying_client(&server)
        .private_endpoints()
        .create(CreatePrivateEndpointRequest::new(
            MODEL, "together", UPSTREAM,
        ))
        .idempotency_key("k2")
        .send()
        .await
        .expect_err("three 500s");

    assert_eq!(api_error(&err).status.as_u16(), 500);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "the first attempt and two retries");
    for req in &sent {
        assert_eq!(header(req, "idempotency-key").as_deref(), Some("k2"));
    }
    Ok(())
}

// ---- organization settings -----------------------------------------------------------------

const ORG_ID: &str = "org_2yQ8nW4kLmP0aBcD";

#[tokio::test]
async fn get_organization_settings() -> Result<()> {
    let (settings, req) = exchange(
        json_answer(
            200,
            json!({"data": {"id": ORG_ID, "is_filtered_model_catalog_enabled": false}}),
        ),
        |c| async move { c.organization().get_settings().send().await },
    )
    .await?;
    assert_eq!(settings.data.id, ORG_ID);
    assert!(!settings.data.is_filtered_model_catalog_enabled);
    assert_request(&req, "GET", "/organization/settings", &[], None);
    Ok(())
}

#[tokio::test]
async fn update_organization_settings() -> Result<()> {
    let (settings, req) = exchange(
        json_answer(
            200,
            json!({"data": {"id": ORG_ID, "is_filtered_model_catalog_enabled": true}}),
        ),
        |c| async move {
            c.organization()
                .update_settings(UpdateOrganizationSettingsRequest::new(true))
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(settings.data.id, ORG_ID);
    assert!(settings.data.is_filtered_model_catalog_enabled);
    assert_request(
        &req,
        "PATCH",
        "/organization/settings",
        &[],
        Some(json!({"is_filtered_model_catalog_enabled": true})),
    );
    Ok(())
}

// ---- SCIM sync jobs ------------------------------------------------------------------------

const SYNC_ID: &str = "scimsync_01JZA4X8QH";
const SYNC_ERROR: &str = "The identity provider rejected the SCIM token (HTTP 401)";

fn sync_job_json(status: &str) -> Value {
    let mut job = json!({
        "id": SYNC_ID,
        "status": status,
        "created_at": "2025-10-03T08:00:00Z",
        "started_at": null,
        "finished_at": null,
        "synced_groups": null,
        "deleted_groups": null,
        "error_message": null
    });
    if status != "queued" {
        job["started_at"] = json!("2025-10-03T08:00:04Z");
    }
    match status {
        "succeeded" => {
            job["finished_at"] = json!("2025-10-03T08:01:10Z");
            job["synced_groups"] = json!(14);
            job["deleted_groups"] = json!(2);
        }
        "failed" => {
            job["finished_at"] = json!("2025-10-03T08:00:09Z");
            job["error_message"] = json!(SYNC_ERROR);
        }
        _ => {}
    }
    job
}

/// The start answers 202 with the queued job itself (not an empty body).
#[tokio::test]
async fn create_scim_sync_job_returns_the_queued_job() -> Result<()> {
    let server = serve(json_answer(202, json!({"data": sync_job_json("queued")}))).await;

    let answer = client(&server)
        .scim()
        .create_sync_job()
        .send_with_response()
        .await?;

    assert_eq!(answer.status.as_u16(), 202);
    let job = answer.into_inner().data;
    assert_eq!(job.id, SYNC_ID);
    assert_eq!(job.status, ScimSyncJobStatus::Queued);
    assert_eq!(job.created_at, "2025-10-03T08:00:00Z");
    assert_eq!(
        (job.started_at, job.synced_groups, job.error_message),
        (None, None, None)
    );
    assert_request(
        &single_request(&server).await,
        "POST",
        "/scim/sync-jobs",
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn get_scim_sync_job() -> Result<()> {
    let (job, req) = exchange(
        json_answer(200, json!({"data": sync_job_json("succeeded")})),
        |c| async move { c.scim().get_sync_job(SYNC_ID).send().await },
    )
    .await?;
    let job = job.data;
    assert_eq!(job.status, ScimSyncJobStatus::Succeeded);
    assert_eq!(job.started_at.as_deref(), Some("2025-10-03T08:00:04Z"));
    assert_eq!(job.finished_at.as_deref(), Some("2025-10-03T08:01:10Z"));
    assert_eq!((job.synced_groups, job.deleted_groups), (Some(14), Some(2)));
    assert_eq!(job.error_message, None);
    assert_request(
        &req,
        "GET",
        &format!("/scim/sync-jobs/{SYNC_ID}"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn wait_on_a_scim_sync_job_polls_until_it_succeeds() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(200, json!({"data": sync_job_json("queued")})),
        json_answer(200, json!({"data": sync_job_json("running")})),
        json_answer(200, json!({"data": sync_job_json("succeeded")})),
        server_error(),
    ]))
    .await;

    let job = client(&server)
        .scim()
        .get_sync_job(SYNC_ID)
        .wait(fast_wait())
        .await?;

    assert_eq!(job.data.status, ScimSyncJobStatus::Succeeded);
    assert_eq!(job.data.synced_groups, Some(14));
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "queued, running, succeeded");
    for req in &sent {
        assert_request(req, "GET", &format!("/scim/sync-jobs/{SYNC_ID}"), &[], None);
    }
    Ok(())
}

#[tokio::test]
async fn wait_on_a_failed_scim_sync_job_is_job_failed_with_its_error_message() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(200, json!({"data": sync_job_json("queued")})),
        json_answer(200, json!({"data": sync_job_json("failed")})),
    ]))
    .await;

    let err = client(&server)
        .scim()
        .get_sync_job(SYNC_ID)
        .wait(fast_wait())
        .await
        .expect_err("the sync failed");

    let Error::JobFailed {
        status, message, ..
    } = &err
    else {
        panic!("JobFailed: {err:?}")
    };
    assert_eq!(status, "failed");
    assert_eq!(message.as_deref(), Some(SYNC_ERROR));
    let job = err
        .job::<ScimSyncJobResponse>()
        .expect("the last state, typed");
    assert_eq!(job.data.status, ScimSyncJobStatus::Failed);
    assert_eq!(
        job.data.finished_at.as_deref(),
        Some("2025-10-03T08:00:09Z")
    );
    assert_eq!(requests(&server).await.len(), 2);
    Ok(())
}

// ---- server tools --------------------------------------------------------------------------

fn tool_json(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "summary": format!("{name}, run by OpenRouter for any model"),
        "tool_description": "Search the web for up-to-date information.",
        "docs_url": "https://openrouter.ai/docs/features/web-search",
        "status": "active",
        "supported_api_formats": ["responses", "chat-completions", "anthropic-messages"],
        "aliases": [
            {"type": id, "api_formats": ["responses", "chat-completions", "anthropic-messages"],
             "output_names": [
                {"api_format": "responses", "type": "web_search_call"},
                {"api_format": "anthropic-messages", "type": "server_tool_use", "name": "web_search"}
             ]},
            {"type": "web_search_preview", "api_formats": ["responses"], "output_names": []}
        ],
        "engines": [
            {"id": "exa", "name": "Exa", "executed_by": "openrouter", "byok": "optional",
             "data_regions": ["global", "us"], "default_mode": "auto",
             "pricing": [{"unit": "result", "price": "0.004", "max_units_per_call": 10, "mode": null}],
             "pricing_source": "openrouter", "pricing_doc_url": null},
            {"id": "native", "name": "Provider native", "executed_by": "provider", "byok": "none",
             "data_regions": ["global"], "default_mode": null, "pricing": [],
             "pricing_source": "provider", "pricing_doc_url": "https://openai.com/api/pricing"}
        ],
        "default_engine": "native",
        "fallback_engine": "exa",
        "native_support": {"endpoint_count": 37, "model_count": 21},
        "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        "output_schema": null,
        "parameters_schema": {"type": "object", "properties": {"max_results": {"type": "integer"}}}
    })
}

#[tokio::test]
async fn list_tools_sends_the_filters_and_decodes_a_tool() -> Result<()> {
    let body = json!({
        "data": [tool_json("openrouter:web_search", "Web search")],
        "links": {"next": "https://openrouter.ai/api/v1/tools?offset=1&limit=1&api_format=chat-completions"},
        "total_count": 6
    });
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.tools()
            .list()
            .offset(0)
            .limit(1)
            .api_format(ServerToolApiFormat::ChatCompletions)
            .send()
            .await
    })
    .await?;

    assert_eq!(page.total_count, 6);
    assert_eq!(
        page.links.next.as_deref(),
        Some("https://openrouter.ai/api/v1/tools?offset=1&limit=1&api_format=chat-completions")
    );
    let tool = &page.data[0];
    assert_eq!(
        (tool.id.as_str(), tool.name.as_str()),
        ("openrouter:web_search", "Web search")
    );
    assert_eq!(tool.status, ServerToolStatus::Active);
    assert_eq!(
        tool.supported_api_formats,
        [
            ServerToolApiFormat::Responses,
            ServerToolApiFormat::ChatCompletions,
            ServerToolApiFormat::AnthropicMessages
        ]
    );
    let alias = &tool.aliases[0];
    assert_eq!(alias.r#type, "openrouter:web_search");
    assert_eq!(
        alias.output_names[1].api_format,
        ServerToolApiFormat::AnthropicMessages
    );
    assert_eq!(alias.output_names[1].name.as_deref(), Some("web_search"));
    assert_eq!(alias.output_names[0].name, None);
    assert!(tool.aliases[1].output_names.is_empty());
    let exa = &tool.engines[0];
    assert_eq!(exa.id.as_deref(), Some("exa"));
    assert_eq!(
        (&exa.executed_by, &exa.byok, &exa.pricing_source),
        (
            &ServerToolExecutedBy::Openrouter,
            &ServerToolByok::Optional,
            &ServerToolPricingSource::Openrouter
        )
    );
    assert_eq!(exa.data_regions, [DataRegion::Global, DataRegion::Us]);
    assert_eq!(
        (
            exa.pricing[0].price.as_str(),
            exa.pricing[0].max_units_per_call,
            exa.pricing[0].mode.as_deref()
        ),
        ("0.004", 10, None)
    );
    let native = &tool.engines[1];
    assert_eq!(native.executed_by, ServerToolExecutedBy::Provider);
    assert_eq!(native.byok, ServerToolByok::None);
    assert_eq!(
        native.pricing_doc_url.as_deref(),
        Some("https://openai.com/api/pricing")
    );
    assert_eq!(
        (
            tool.default_engine.as_deref(),
            tool.fallback_engine.as_deref()
        ),
        (Some("native"), Some("exa"))
    );
    assert_eq!(
        (
            tool.native_support.endpoint_count,
            tool.native_support.model_count
        ),
        (37, 21)
    );
    assert_eq!(tool.input_schema.get("required"), Some(&json!(["query"])));
    assert_eq!(tool.output_schema, None);
    assert_eq!(
        tool.parameters_schema.get("properties"),
        Some(&json!({"max_results": {"type": "integer"}}))
    );
    assert_request(
        &req,
        "GET",
        "/tools",
        &[
            ("offset", "0"),
            ("limit", "1"),
            ("api_format", "chat-completions"),
        ],
        None,
    );
    Ok(())
}

/// The offset paginator walks two pages (the second is short), keeping the other filters.
#[tokio::test]
async fn tools_paginate_by_offset() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(
            200,
            json!({"data": [tool_json("openrouter:web_search", "Web search"), tool_json("openrouter:datetime", "Date and time")],
                   "links": {"next": "https://openrouter.ai/api/v1/tools?offset=2&limit=2"}, "total_count": 3}),
        ),
        json_answer(
            200,
            json!({"data": [tool_json("openrouter:web_fetch", "Web fetch")], "links": {"next": null}, "total_count": 3}),
        ),
        server_error(),
    ]))
    .await;

    let ids: Vec<String> = client(&server)
        .tools()
        .list()
        .limit(2)
        .api_format(ServerToolApiFormat::Responses)
        .into_paginator()
        .items()
        .map_ok(|tool| tool.id)
        .try_collect()
        .await?;

    assert_eq!(
        ids,
        [
            "openrouter:web_search",
            "openrouter:datetime",
            "openrouter:web_fetch"
        ]
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_request(
        &sent[0],
        "GET",
        "/tools",
        &[("offset", "0"), ("limit", "2"), ("api_format", "responses")],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        "/tools",
        &[("offset", "2"), ("limit", "2"), ("api_format", "responses")],
        None,
    );
    Ok(())
}

fn tool_details_json(id: &str) -> Value {
    let mut tool = tool_json(id, "Web search");
    tool["native_support"] = json!({"endpoint_count": 3, "model_count": 2, "models": [
        {"slug": "openai/gpt-4o", "providers": ["OpenAI", "Azure"]},
        {"slug": "x-ai/grok-4", "providers": ["xAI"]}
    ]});
    tool["output_schema"] = json!({"type": "object", "properties": {"results": {"type": "array"}}});
    tool
}

#[tokio::test]
async fn get_tool_by_its_canonical_name() -> Result<()> {
    let (got, req) = exchange(
        json_answer(
            200,
            json!({"data": tool_details_json("openrouter:web_search")}),
        ),
        |c| async move { c.tools().get("openrouter:web_search").send().await },
    )
    .await?;

    let tool = got.data;
    assert_eq!(tool.id, "openrouter:web_search");
    assert_eq!(tool.native_support.endpoint_count, 3);
    assert_eq!(tool.native_support.models[0].slug, "openai/gpt-4o");
    assert_eq!(tool.native_support.models[0].providers, ["OpenAI", "Azure"]);
    assert_eq!(tool.native_support.models[1].providers, ["xAI"]);
    assert_eq!(
        tool.output_schema.as_ref().and_then(|s| s.get("type")),
        Some(&json!("object"))
    );
    assert_request(&req, "GET", "/tools/openrouter:web_search", &[], None);
    Ok(())
}

/// An alias answers 308 with the canonical location; the client follows it on the same host,
/// still authenticated.
#[tokio::test]
async fn get_tool_by_an_alias_follows_the_permanent_redirect() -> Result<()> {
    let server = serve(Sequence::new(vec![
        wiremock::ResponseTemplate::new(308)
            .insert_header("location", "/tools/openrouter:web_search"),
        json_answer(
            200,
            json!({"data": tool_details_json("openrouter:web_search")}),
        ),
        server_error(),
    ]))
    .await;

    let got = client(&server)
        .tools()
        .get("web_search_preview")
        .send()
        .await?;

    assert_eq!(got.data.id, "openrouter:web_search");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "the alias, then the canonical name");
    assert_request(&sent[0], "GET", "/tools/web_search_preview", &[], None);
    assert_request(&sent[1], "GET", "/tools/openrouter:web_search", &[], None);
    Ok(())
}

// ---- vault ---------------------------------------------------------------------------------

const INTERN: &str = "4f1e2d3c-5b6a-4789-8abc-def012345678";
const SECRET_VALUE: &str = "ghp_R3alLyS3cr3tT0k3nV4lu3xyz0123456789";
const FINGERPRINT: &str = "9c3e1f0a7b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e";

fn secret_json(name: &str, hosts: Value, fingerprint: Value) -> Value {
    json!({"name": name, "hosts": hosts, "fingerprint": fingerprint, "created_at": "2025-09-30T12:00:00Z"})
}

#[tokio::test]
async fn list_vault_secrets() -> Result<()> {
    let body = json!({"data": [
        secret_json("github_token", json!(["api.github.com"]), json!(FINGERPRINT)),
        secret_json("legacy_key", Value::Null, Value::Null)
    ], "has_more": true});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.vault().list_secrets().limit(2).offset(4).send().await
    })
    .await?;

    assert!(page.has_more);
    let github = &page.data[0];
    assert_eq!(github.name, "github_token");
    assert_eq!(
        github.hosts.as_deref(),
        Some(&["api.github.com".to_owned()][..])
    );
    assert_eq!(github.fingerprint.as_deref(), Some(FINGERPRINT));
    assert_eq!(github.created_at, "2025-09-30T12:00:00Z");
    assert_eq!(
        (&page.data[1].hosts, &page.data[1].fingerprint),
        (&None, &None)
    );
    assert_request(
        &req,
        "GET",
        "/vault/secrets",
        &[("limit", "2"), ("offset", "4")],
        None,
    );
    Ok(())
}

/// The offset walk stops before an offset past the documented maximum (10000).
#[tokio::test]
async fn vault_secrets_paginate_up_to_the_maximum_offset() -> Result<()> {
    let secret = |name: &str| secret_json(name, json!(["api.example.com"]), json!(FINGERPRINT));
    let server = serve(Sequence::new(vec![
        json_answer(
            200,
            json!({"data": [secret("s_a"), secret("s_b")], "has_more": true}),
        ),
        json_answer(
            200,
            json!({"data": [secret("s_c"), secret("s_d")], "has_more": true}),
        ),
        server_error(),
    ]))
    .await;

    let names: Vec<String> = client(&server)
        .vault()
        .list_secrets()
        .offset(9998)
        .limit(2)
        .into_paginator()
        .items()
        .map_ok(|s| s.name)
        .try_collect()
        .await?;

    assert_eq!(names, ["s_a", "s_b", "s_c", "s_d"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "offset 10002 is past the maximum");
    assert_request(
        &sent[0],
        "GET",
        "/vault/secrets",
        &[("limit", "2"), ("offset", "9998")],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        "/vault/secrets",
        &[("limit", "2"), ("offset", "10000")],
        None,
    );
    Ok(())
}

/// The document says to page the vault by `has_more` ("one page at a time (check `has_more`)",
/// the next offset moved on by the entries received). A page shorter than `limit` that says
/// more follow must not end the walk.
#[tokio::test]
async fn vault_secrets_paginator_follows_has_more_past_a_short_page() -> Result<()> {
    let secret = |name: &str| secret_json(name, json!(["api.example.com"]), json!(FINGERPRINT));
    let server = serve(Sequence::new(vec![
        json_answer(200, json!({"data": [secret("s_a")], "has_more": true})),
        json_answer(
            200,
            json!({"data": [secret("s_b"), secret("s_c")], "has_more": false}),
        ),
        server_error(),
    ]))
    .await;

    let names: Vec<String> = client(&server)
        .vault()
        .list_secrets()
        .limit(2)
        .into_paginator()
        .items()
        .map_ok(|s| s.name)
        .try_collect()
        .await?;

    assert_eq!(names, ["s_a", "s_b", "s_c"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_request(
        &sent[1],
        "GET",
        "/vault/secrets",
        &[("limit", "2"), ("offset", "1")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn store_vault_secret_puts_the_value_and_hosts() -> Result<()> {
    let request = VaultSecretWriteRequest::new(
        vec!["api.github.com".to_owned(), "uploads.github.com".to_owned()],
        SECRET_VALUE,
    );
    let (stored, req) = exchange(
        json_answer(
            200,
            json!({"data": secret_json("github_token", json!(["api.github.com", "uploads.github.com"]), json!(FINGERPRINT))}),
        ),
        |c| async move { c.vault().store_secret("github_token", request).send().await },
    )
    .await?;

    assert_eq!(stored.data.name, "github_token");
    assert_eq!(
        stored.data.hosts,
        Some(vec![
            "api.github.com".to_owned(),
            "uploads.github.com".to_owned()
        ])
    );
    assert_eq!(stored.data.fingerprint.as_deref(), Some(FINGERPRINT));
    assert_request(
        &req,
        "PUT",
        "/vault/secrets/github_token",
        &[],
        Some(json!({"hosts": ["api.github.com", "uploads.github.com"], "value": SECRET_VALUE})),
    );
    Ok(())
}

/// The secret goes over the wire, but never into `Debug` output: not of the body, not of the
/// request builders that hold it.
#[tokio::test]
async fn store_requests_do_not_print_the_secret_value() -> Result<()> {
    let body = VaultSecretWriteRequest::new(vec!["api.github.com".to_owned()], SECRET_VALUE);
    let printed = format!("{body:?}");
    assert!(printed.contains("<redacted>"), "{printed}");
    assert!(printed.contains("api.github.com"), "{printed}");
    assert!(!printed.contains(SECRET_VALUE), "{printed}");
    assert!(!format!("{body:#?}").contains(SECRET_VALUE));

    let server = serve(json_answer(200, json!({}))).await;
    let c = client(&server);
    let workspace = c.vault().store_secret("github_token", body.clone());
    let printed = format!("{workspace:?}");
    assert!(printed.contains("<redacted>"), "{printed}");
    assert!(!printed.contains(SECRET_VALUE), "{printed}");
    let intern = c.vault().store_intern_secret(INTERN, "github_token", body);
    let printed = format!("{intern:?}");
    assert!(printed.contains("<redacted>"), "{printed}");
    assert!(!printed.contains(SECRET_VALUE), "{printed}");
    assert!(requests(&server).await.is_empty(), "nothing was sent");
    Ok(())
}

#[tokio::test]
async fn delete_vault_secret_answers_204_with_no_body() -> Result<()> {
    let server = serve(wiremock::ResponseTemplate::new(204)).await;
    let answer = client(&server)
        .vault()
        .delete_secret("github_token")
        .send_with_response()
        .await?;
    assert_eq!(answer.status.as_u16(), 204);
    assert_request(
        &single_request(&server).await,
        "DELETE",
        "/vault/secrets/github_token",
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn delete_missing_vault_secret_is_a_404_api_error() -> Result<()> {
    let server = serve(json_answer(
        404,
        json!({"error": {"code": 404, "message": "No secret named gone_token"}}),
    ))
    .await;
    let err = client(&server)
        .vault()
        .delete_secret("gone_token")
        .send()
        .await
        .expect_err("404");
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::NotFound);
    assert_eq!(api.message, "No secret named gone_token");
    Ok(())
}

#[tokio::test]
async fn list_intern_vault_secrets() -> Result<()> {
    let body = json!({"data": [secret_json("slack_bot_token", json!(["slack.com"]), json!(FINGERPRINT))], "has_more": false});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.vault()
            .list_intern_secrets(INTERN)
            .limit(25)
            .offset(0)
            .send()
            .await
    })
    .await?;
    assert!(!page.has_more);
    assert_eq!(page.data[0].name, "slack_bot_token");
    assert_eq!(page.data[0].hosts, Some(vec!["slack.com".to_owned()]));
    assert_request(
        &req,
        "GET",
        &format!("/vault/interns/{INTERN}/secrets"),
        &[("limit", "25"), ("offset", "0")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn copy_vault_secrets_to_an_intern() -> Result<()> {
    let body = json!({"data": [
        secret_json("github_token", json!(["api.github.com"]), json!("0a1b2c")),
        secret_json("linear_api_key", json!(["api.linear.app"]), json!("3d4e5f"))
    ]});
    let (copies, req) = exchange(json_answer(200, body), |c| async move {
        c.vault()
            .copy_secrets_to_intern(
                INTERN,
                VaultSecretCopyRequest::new(vec![
                    "github_token".to_owned(),
                    "linear_api_key".to_owned(),
                ]),
            )
            .send()
            .await
    })
    .await?;
    let names: Vec<&str> = copies.data.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["github_token", "linear_api_key"]);
    assert_eq!(copies.data[1].fingerprint.as_deref(), Some("3d4e5f"));
    assert_request(
        &req,
        "POST",
        &format!("/vault/interns/{INTERN}/secrets/copy"),
        &[],
        Some(json!({"names": ["github_token", "linear_api_key"]})),
    );
    Ok(())
}

#[tokio::test]
async fn store_intern_vault_secret() -> Result<()> {
    let request =
        VaultSecretWriteRequest::new(vec!["slack.com".to_owned()], "xoxb-1234-5678-abcdEFGH");
    let (stored, req) = exchange(
        json_answer(
            200,
            json!({"data": secret_json("slack_bot_token", json!(["slack.com"]), json!(FINGERPRINT))}),
        ),
        |c| async move {
            c.vault()
                .store_intern_secret(INTERN, "slack_bot_token", request)
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(stored.data.name, "slack_bot_token");
    assert_eq!(stored.data.hosts, Some(vec!["slack.com".to_owned()]));
    assert_request(
        &req,
        "PUT",
        &format!("/vault/interns/{INTERN}/secrets/slack_bot_token"),
        &[],
        Some(json!({"hosts": ["slack.com"], "value": "xoxb-1234-5678-abcdEFGH"})),
    );
    Ok(())
}

#[tokio::test]
async fn delete_intern_vault_secret_answers_204_with_no_body() -> Result<()> {
    let server = serve(wiremock::ResponseTemplate::new(204)).await;
    let answer = client(&server)
        .vault()
        .delete_intern_secret(INTERN, "slack_bot_token")
        .send_with_response()
        .await?;
    assert_eq!(answer.status.as_u16(), 204);
    assert_request(
        &single_request(&server).await,
        "DELETE",
        &format!("/vault/interns/{INTERN}/secrets/slack_bot_token"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn list_intern_effective_vault_secrets() -> Result<()> {
    let body = json!({"data": [
        {"name": "github_token", "scope": "intern", "hosts": ["api.github.com"], "fingerprint": "aa11", "created_at": "2025-10-01T00:00:00Z"},
        {"name": "linear_api_key", "scope": "attached", "hosts": ["api.linear.app"], "fingerprint": "bb22", "created_at": "2025-09-01T00:00:00Z"},
        {"name": "legacy_key", "scope": "workspace", "hosts": null, "fingerprint": null, "created_at": "2024-05-01T00:00:00Z"}
    ], "has_more": false});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.vault()
            .list_intern_effective_secrets(INTERN)
            .limit(3)
            .send()
            .await
    })
    .await?;

    let scopes: Vec<&VaultEffectiveSecretScope> = page.data.iter().map(|s| &s.scope).collect();
    assert_eq!(
        scopes,
        [
            &VaultEffectiveSecretScope::Intern,
            &VaultEffectiveSecretScope::Attached,
            &VaultEffectiveSecretScope::Workspace
        ]
    );
    assert_eq!(page.data[1].fingerprint.as_deref(), Some("bb22"));
    assert_eq!(
        (&page.data[2].hosts, &page.data[2].fingerprint),
        (&None, &None)
    );
    assert_eq!(page.data[2].created_at, "2024-05-01T00:00:00Z");
    assert!(!page.has_more);
    assert_request(
        &req,
        "GET",
        &format!("/vault/interns/{INTERN}/effective-secrets"),
        &[("limit", "3")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn list_intern_connections() -> Result<()> {
    let body =
        json!({"data": [{"key": "github"}, {"key": "linear"}, {"key": "mcp:mcp.acme.example"}]});
    let (connections, req) = exchange(json_answer(200, body), |c| async move {
        c.vault().list_intern_connections(INTERN).send().await
    })
    .await?;
    let keys: Vec<&str> = connections.data.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["github", "linear", "mcp:mcp.acme.example"]);
    assert_request(
        &req,
        "GET",
        &format!("/vault/interns/{INTERN}/connections"),
        &[],
        None,
    );
    Ok(())
}

// ---- external users ------------------------------------------------------------------------

fn external_user_json(user: &str, active: bool) -> Value {
    json!({"user": user, "is_active": active, "created_at": "2025-08-01T10:00:00Z", "updated_at": "2025-09-15T16:30:00Z"})
}

#[tokio::test]
async fn list_external_users_sends_every_filter() -> Result<()> {
    let body = json!({"data": [external_user_json("..", false)], "total_count": 1});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.external_users()
            .list()
            .offset(0)
            .limit(20)
            .user("..")
            .include_inactive(true)
            .send()
            .await
    })
    .await?;
    assert_eq!(page.total_count, 1);
    assert_eq!(page.data[0].user, "..");
    assert!(!page.data[0].is_active);
    assert_eq!(page.data[0].updated_at, "2025-09-15T16:30:00Z");
    assert_request(
        &req,
        "GET",
        "/external-users",
        &[
            ("offset", "0"),
            ("limit", "20"),
            ("user", ".."),
            ("include_inactive", "true"),
        ],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn external_users_paginate_by_offset() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(
            200,
            json!({"data": [external_user_json("cust_1", true), external_user_json("cust_2", true)], "total_count": 3}),
        ),
        json_answer(
            200,
            json!({"data": [external_user_json("cust_3", false)], "total_count": 3}),
        ),
        server_error(),
    ]))
    .await;

    let users: Vec<(String, bool)> = client(&server)
        .external_users()
        .list()
        .limit(2)
        .into_paginator()
        .items()
        .map_ok(|u| (u.user, u.is_active))
        .try_collect()
        .await?;

    assert_eq!(
        users,
        [
            ("cust_1".to_owned(), true),
            ("cust_2".to_owned(), true),
            ("cust_3".to_owned(), false)
        ]
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_request(
        &sent[0],
        "GET",
        "/external-users",
        &[("offset", "0"), ("limit", "2")],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        "/external-users",
        &[("offset", "2"), ("limit", "2")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn create_external_user() -> Result<()> {
    let (created, req) = exchange(
        json_answer(201, json!({"data": external_user_json("cust_8842", true)})),
        |c| async move {
            c.external_users()
                .create(CreateExternalUserRequest::new("cust_8842"))
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(created.data.user, "cust_8842");
    assert!(created.data.is_active);
    assert_eq!(created.data.created_at, "2025-08-01T10:00:00Z");
    assert_request(
        &req,
        "POST",
        "/external-users",
        &[],
        Some(json!({"user": "cust_8842"})),
    );
    Ok(())
}

/// The registered ID is case-sensitive free text: it travels percent-encoded as one segment.
#[tokio::test]
async fn get_external_user_percent_encodes_the_id() -> Result<()> {
    let user = "Acme/ops lead#1?x%";
    let (got, req) = exchange(
        json_answer(200, json!({"data": external_user_json(user, true)})),
        |c| async move { c.external_users().get(user).send().await },
    )
    .await?;
    assert_eq!(got.data.user, user);
    assert_request(
        &req,
        "GET",
        "/external-users/Acme%2Fops%20lead%231%3Fx%25",
        &[],
        None,
    );
    Ok(())
}

/// `.` and `..` cannot travel in a path: refused before anything is sent.
#[tokio::test]
async fn get_external_user_refuses_dot_segments() -> Result<()> {
    let server = serve(json_answer(
        200,
        json!({"data": external_user_json("x", true)}),
    ))
    .await;
    for user in [".", ".."] {
        let err = client(&server)
            .external_users()
            .get(user)
            .send()
            .await
            .expect_err("a dot segment");
        assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    }
    assert!(requests(&server).await.is_empty(), "nothing was sent");
    Ok(())
}

#[tokio::test]
async fn update_external_user() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": external_user_json("cust_8842", false)})),
        |c| async move {
            c.external_users()
                .update("cust_8842", UpdateExternalUserRequest::new(false))
                .send()
                .await
        },
    )
    .await?;
    assert!(!got.data.is_active);
    assert_eq!(got.data.user, "cust_8842");
    assert_request(
        &req,
        "PATCH",
        "/external-users/cust_8842",
        &[],
        Some(json!({"is_active": false})),
    );
    Ok(())
}

#[tokio::test]
async fn delete_external_user_answers_204_with_no_body() -> Result<()> {
    let server = serve(wiremock::ResponseTemplate::new(204)).await;
    let answer = client(&server)
        .external_users()
        .delete("cust_8842")
        .send_with_response()
        .await?;
    assert_eq!(answer.status.as_u16(), 204);
    assert_request(
        &single_request(&server).await,
        "DELETE",
        "/external-users/cust_8842",
        &[],
        None,
    );
    Ok(())
}

// ---- OAuth ---------------------------------------------------------------------------------

#[tokio::test]
async fn oauth_jwks() -> Result<()> {
    let body = json!({"keys": [
        {"kid": "or-2025-10", "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
         "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kid": "or-2025-07", "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
         "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}
    ]});
    let (jwks, req) = exchange(json_answer(200, body), |c| async move {
        c.oauth().jwks().send().await
    })
    .await?;

    assert_eq!(jwks.keys.len(), 2);
    let key = &jwks.keys[0];
    assert_eq!(key.kid, "or-2025-10");
    assert_eq!(
        (
            key.kty.as_str(),
            key.crv.as_str(),
            key.alg.as_str(),
            key.r#use.as_str()
        ),
        ("EC", "P-256", "ES256", "sig")
    );
    assert_eq!(key.x, "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
    assert_eq!(key.y, "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
    assert_eq!(jwks.keys[1].kid, "or-2025-07");
    assert_request(&req, "GET", "/oauth/jwks", &[], None);
    Ok(())
}

const SUBJECT_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImdoIn0.eyJzdWIiOiJyZXBvOmFjbWUvYXBpOnJlZjpyZWZzL2hlYWRzL21haW4ifQ.c2lnbmF0dXJl";
const POLICY: &str = "policy/github-actions:acme main";

/// The decoded pairs of a form body, sorted.
fn form_pairs(req: &Request) -> Vec<(String, String)> {
    let text = std::str::from_utf8(&req.body).expect("a text form body");
    let parsed = reqwest::Url::parse(&format!("http://form.invalid/?{text}")).expect("form text");
    let mut pairs: Vec<_> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

fn assert_token_request(req: &Request) {
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), "/oauth/token");
    assert_eq!(req.url.query(), None);
    assert_eq!(
        header(req, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        header(req, "authorization"),
        Some(format!("Bearer {API_KEY}"))
    );
    assert_eq!(header(req, "http-referer").as_deref(), Some(APP_URL));
}

fn token_json(scope: &str) -> Value {
    json!({
        "access_token": "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9yLTIwMjUtMTAifQ.eyJzY29wZSI6Im1hbmFnZW1lbnQifQ.sig",
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "token_type": "Bearer",
        "expires_in": 900,
        "scope": scope
    })
}

/// The body is a form, not JSON: every set field one pair, percent-encoded, absent ones left out.
#[tokio::test]
async fn oauth_token_sends_a_form_body() -> Result<()> {
    let request =
        TokenExchangeRequest::new(SUBJECT_TOKEN, POLICY).scope(TokenExchangeScope::Management);
    let (token, req) = exchange(json_answer(200, token_json("management")), |c| async move {
        c.oauth().token(request).send().await
    })
    .await?;

    assert_eq!(
        token.access_token,
        "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9yLTIwMjUtMTAifQ.eyJzY29wZSI6Im1hbmFnZW1lbnQifQ.sig"
    );
    assert_eq!(
        token.issued_token_type.as_str(),
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(token.token_type.as_str(), "Bearer");
    assert_eq!(
        (token.expires_in, token.scope.as_str()),
        (900, "management")
    );

    assert_token_request(&req);
    assert_eq!(
        form_pairs(&req),
        pairs(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ),
            ("subject_token", SUBJECT_TOKEN),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            ("federation_policy_id", POLICY),
            ("scope", "management"),
        ])
    );
    let raw = String::from_utf8(req.body.clone())?;
    assert!(
        raw.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"),
        "{raw}"
    );
    assert!(
        raw.contains("federation_policy_id=policy%2Fgithub-actions%3Aacme+main"),
        "{raw}"
    );
    assert!(!raw.contains("requested_token_type"), "{raw}");
    assert!(!raw.starts_with('{'), "not JSON: {raw}");
    Ok(())
}

#[tokio::test]
async fn oauth_token_sends_requested_token_type_when_set_and_no_scope_when_not() -> Result<()> {
    let request = TokenExchangeRequest::new(SUBJECT_TOKEN, "fp_01")
        .requested_token_type(AccessTokenType::default());
    let (token, req) = exchange(json_answer(200, token_json("inference")), |c| async move {
        c.oauth().token(request).send().await
    })
    .await?;
    assert_eq!(token.scope, "inference");
    assert_token_request(&req);
    assert_eq!(
        form_pairs(&req),
        pairs(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ),
            ("subject_token", SUBJECT_TOKEN),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            ("federation_policy_id", "fp_01"),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:access_token"
            ),
        ])
    );
    Ok(())
}

/// An OAuth error body (`error` is a string) is `Error::Api` with the OAuth code and description.
#[tokio::test]
async fn oauth_token_error_is_an_api_error_with_the_oauth_code() -> Result<()> {
    let body =
        json!({"error": "invalid_grant", "error_description": "The subject token has expired"});
    let server = serve(json_answer(400, body)).await;

    let err = client(&server)
        .oauth()
        .token(TokenExchangeRequest::new(SUBJECT_TOKEN, "fp_01"))
        .send()
        .await
        .expect_err("400");

    let api = api_error(&err);
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.kind(), ApiErrorKind::BadRequest);
    assert_eq!(api.code, Some(ErrorCode::Text("invalid_grant".to_owned())));
    assert_eq!(api.message, "The subject token has expired");
    assert!(!err.is_retryable());
    let decoded: OAuthErrorResponse = serde_json::from_slice(&api.body)?;
    assert_eq!(decoded.error, OAuthErrorCode::InvalidGrant);
    assert_eq!(decoded.error_description, "The subject token has expired");
    assert_token_request(&single_request(&server).await);
    Ok(())
}

/// A workload that holds no API key exchanges its identity token: no `Authorization` is sent.
#[tokio::test]
async fn oauth_token_from_a_client_without_an_api_key_sends_no_authorization() -> Result<()> {
    let server = serve(json_answer(200, token_json("inference"))).await;
    let keyless = Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()?;

    let token = keyless
        .oauth()
        .token(TokenExchangeRequest::new(SUBJECT_TOKEN, "fp_01"))
        .send()
        .await?;

    assert_eq!(token.expires_in, 900);
    let req = single_request(&server).await;
    assert_eq!(req.url.path(), "/oauth/token");
    assert_eq!(header(&req, "authorization"), None);
    assert_eq!(
        header(&req, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    Ok(())
}

/// The identity token sent and the access token received are credentials (the access token
/// "works as the API key"); like the API key and vault values they should not appear in `Debug`
/// output (README: "a created key or a vault secret's value, print as `<redacted>`").
#[tokio::test]
async fn oauth_tokens_are_not_printed_by_debug() -> Result<()> {
    let request = TokenExchangeRequest::new(SUBJECT_TOKEN, "fp_01");
    let printed = format!("{request:?}");
    assert!(!printed.contains(SUBJECT_TOKEN), "{printed}");

    let (token, _) = exchange(json_answer(200, token_json("management")), |c| async move {
        c.oauth()
            .token(TokenExchangeRequest::new(SUBJECT_TOKEN, "fp_01"))
            .send()
            .await
    })
    .await?;
    let printed = format!("{token:?}");
    assert!(!printed.contains(&token.access_token), "{printed}");
    Ok(())
}
