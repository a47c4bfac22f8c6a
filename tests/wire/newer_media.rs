//! The operations newer than the published document, part two: batches (cursor paging, job
//! waiting), container files (cursor paging, binary download, promotion), decisions (served from
//! the host root, not the base path) and System One.

use crate::{
    API_KEY, APP_TITLE, APP_URL, Sequence, assert_request, client, exchange, json_answer, requests,
    serve, single_request,
};
use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::types::*;
use openrouter_generated::{Client, Error, WaitOptions};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use wiremock::ResponseTemplate;

fn object(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Object(map) => map.into_iter().collect(),
        other => panic!("an object: {other}"),
    }
}

fn fast_wait() -> WaitOptions {
    WaitOptions::new()
        .interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(5))
}

fn server_error() -> ResponseTemplate {
    json_answer(
        500,
        json!({"error": {"code": 500, "message": "walked too far"}}),
    )
}

// ---- batches -------------------------------------------------------------------------------

const BATCH: &str = "batch_01JZB7QK4M2N";
const BATCH_FAILURE: &str = "The input contained no valid requests";

fn batch_json(id: &str, status: &str) -> Value {
    let mut batch = json!({
        "id": id,
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "model": "openai/gpt-4o-mini",
        "status": status,
        "completion_window": "24h",
        "created_at": 1759400000,
        "expires_at": 1759486400,
        "finalized_at": null,
        "provider": "OpenAI",
        "request_counts": {"total": 2, "completed": 0, "failed": 0},
        "error": null,
        "usage": null,
        "results": null
    });
    match status {
        "in_progress" => batch["request_counts"] = json!({"total": 2, "completed": 1, "failed": 0}),
        "completed" => {
            batch["finalized_at"] = json!(1759403600);
            batch["request_counts"] = json!({"total": 2, "completed": 1, "failed": 1});
            batch["usage"] = json!({"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49, "cost": 0.0000315});
        }
        "failed" => {
            batch["finalized_at"] = json!(1759400100);
            batch["error"] = json!({"message": BATCH_FAILURE});
        }
        _ => {}
    }
    batch
}

fn batch_results() -> Value {
    json!([
        {"id": "bres_1", "custom_id": "q-capital", "error": null, "response": {
            "status_code": 200, "request_id": "gen-1759400123-Xb3k", "body": {
                "id": "gen-1759400123-Xb3k", "object": "chat.completion", "created": 1759400123,
                "model": "openai/gpt-4o-mini", "system_fingerprint": null,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "Paris"}}],
                "usage": {"prompt_tokens": 21, "completion_tokens": 2, "total_tokens": 23}
            }}},
        {"id": "bres_2", "custom_id": "q-too-long", "response": null, "error": {
            "type": "invalid_request_error", "message": "max_tokens is too large for this model", "param": "max_tokens"}}
    ])
}

#[tokio::test]
async fn list_batches_sends_every_filter() -> Result<()> {
    let body = json!({"object": "list", "data": [batch_json(BATCH, "completed")],
                      "first_id": BATCH, "last_id": BATCH, "has_more": false});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.batches()
            .list()
            .limit(10)
            .after("batch_01JZB0000000")
            .status(vec![
                BatchStatusFilter::InProgress,
                BatchStatusFilter::Completed,
            ])
            .created_after("2025-10-01")
            .created_before("2025-10-03T00:00:00Z")
            .send()
            .await
    })
    .await?;

    assert_eq!(page.object.as_str(), "list");
    assert!(!page.has_more);
    assert_eq!(
        (page.first_id.as_deref(), page.last_id.as_deref()),
        (Some(BATCH), Some(BATCH))
    );
    let item = &page.data[0];
    assert_eq!(
        (item.id.as_str(), &item.status),
        (BATCH, &BatchStatus::Completed)
    );
    assert_eq!(item.endpoint, "/v1/chat/completions");
    assert_eq!(item.completion_window.as_str(), "24h");
    assert_eq!(item.finalized_at, Some(1759403600));
    assert_eq!(
        (
            item.request_counts.total,
            item.request_counts.completed,
            item.request_counts.failed
        ),
        (2, 1, 1)
    );
    assert_eq!(item.usage.as_ref().map(|u| u.total_tokens), Some(49));
    assert_eq!(item.results, None, "null in a listing");
    assert_request(
        &req,
        "GET",
        "/batches",
        &[
            ("limit", "10"),
            ("after", "batch_01JZB0000000"),
            ("status", "in_progress"),
            ("status", "completed"),
            ("created_after", "2025-10-01"),
            ("created_before", "2025-10-03T00:00:00Z"),
        ],
        None,
    );
    Ok(())
}

/// `listBatches` says "Entries leave out `results`" (the schema: "Always null in a listing"): a
/// listing whose entries have no `results` key must still decode.
#[tokio::test]
async fn list_batches_decodes_entries_that_leave_out_results() -> Result<()> {
    let mut item = batch_json(BATCH, "completed");
    item.as_object_mut()
        .expect("a batch object")
        .remove("results");
    let body = json!({"object": "list", "data": [item], "first_id": BATCH, "last_id": BATCH, "has_more": false});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.batches().list().send().await
    })
    .await?;
    assert_eq!(page.data[0].id, BATCH);
    assert_eq!(page.data[0].results, None, "left out of a listing");
    assert_request(&req, "GET", "/batches", &[], None);
    Ok(())
}

/// Cursor paging: the second request carries `after` = the first page's `last_id`; a page with
/// `has_more: false` ends the walk.
#[tokio::test]
async fn batches_paginate_by_cursor() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(
            200,
            json!({"object": "list", "data": [batch_json("batch_c", "completed"), batch_json("batch_b", "failed")],
                   "first_id": "batch_c", "last_id": "batch_b", "has_more": true}),
        ),
        json_answer(
            200,
            json!({"object": "list", "data": [batch_json("batch_a", "completed")],
                   "first_id": "batch_a", "last_id": "batch_a", "has_more": false}),
        ),
        server_error(),
    ]))
    .await;

    let ids: Vec<String> = client(&server)
        .batches()
        .list()
        .limit(2)
        .status(vec![
            BatchStatusFilter::Completed,
            BatchStatusFilter::Failed,
        ])
        .into_paginator()
        .items()
        .map_ok(|b| b.id)
        .try_collect()
        .await?;

    assert_eq!(ids, ["batch_c", "batch_b", "batch_a"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "has_more: false ends the walk");
    assert_request(
        &sent[0],
        "GET",
        "/batches",
        &[
            ("limit", "2"),
            ("status", "completed"),
            ("status", "failed"),
        ],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        "/batches",
        &[
            ("limit", "2"),
            ("after", "batch_b"),
            ("status", "completed"),
            ("status", "failed"),
        ],
        None,
    );
    Ok(())
}

/// 202 with the batch; `callback_url` is written before `requests` (the API needs that order).
#[tokio::test]
async fn create_batch_posts_the_requests_and_decodes_202() -> Result<()> {
    let request = CreateBatchRequest::new(
        BatchEndpoint::V1ChatCompletions,
        "openai/gpt-4o-mini",
        vec![
            BatchRequestItem::new(
                "q-capital",
                object(json!({"messages": [{"role": "user", "content": "Capital of France?"}], "max_tokens": 16})),
            ),
            BatchRequestItem::new(
                "q-too-long",
                object(json!({"messages": [{"role": "user", "content": "Write a novel."}], "max_tokens": 999999})),
            ),
        ],
    )
    .callback_url("https://hooks.acme.example/batches")
    .completion_window(BatchCompletionWindow::default())
    .provider(Some(
        BatchProviderPreferences::new()
            .allow_fallbacks(Some(false))
            .only(Some(vec![ProviderName::OpenAi.into(), "azure".into()])),
    ));
    let (batch, req) = exchange(
        json_answer(202, batch_json(BATCH, "validating")),
        |c| async move { c.batches().create(request).send().await },
    )
    .await?;

    assert_eq!(batch.id, BATCH);
    assert_eq!(batch.object.as_str(), "batch");
    assert_eq!(batch.status, BatchStatus::Validating);
    assert_eq!(batch.model, "openai/gpt-4o-mini");
    assert_eq!(
        (batch.created_at, batch.expires_at),
        (1759400000, Some(1759486400))
    );
    assert_eq!(batch.provider.as_deref(), Some("OpenAI"));
    assert_eq!(
        (batch.error, batch.usage, batch.results),
        (None, None, None)
    );
    assert_request(
        &req,
        "POST",
        "/batches",
        &[],
        Some(json!({
            "endpoint": "/v1/chat/completions",
            "model": "openai/gpt-4o-mini",
            "callback_url": "https://hooks.acme.example/batches",
            "completion_window": "24h",
            "provider": {"allow_fallbacks": false, "only": ["OpenAI", "azure"]},
            "requests": [
                {"custom_id": "q-capital", "body": {"messages": [{"role": "user", "content": "Capital of France?"}], "max_tokens": 16}},
                {"custom_id": "q-too-long", "body": {"messages": [{"role": "user", "content": "Write a novel."}], "max_tokens": 999999}}
            ]
        })),
    );
    let raw = String::from_utf8(req.body.clone())?;
    let callback = raw.find("\"callback_url\"").expect("callback_url is sent");
    let requests_at = raw.find("\"requests\"").expect("requests are sent");
    assert!(
        callback < requests_at,
        "callback_url must precede requests: {raw}"
    );
    Ok(())
}

#[tokio::test]
async fn get_batch_decodes_its_results() -> Result<()> {
    let mut body = batch_json(BATCH, "completed");
    body["results"] = batch_results();
    let (batch, req) = exchange(json_answer(200, body), |c| async move {
        c.batches().get(BATCH).send().await
    })
    .await?;

    assert_eq!(batch.status, BatchStatus::Completed);
    assert_eq!(batch.finalized_at, Some(1759403600));
    let usage = batch.usage.as_ref().expect("usage");
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (42, 7));
    assert_eq!(usage.cost, Some(0.0000315));
    let results = batch.results.as_ref().expect("results once ended");
    assert_eq!(results.len(), 2);
    let answered = &results[0];
    assert_eq!(answered.custom_id, "q-capital");
    assert_eq!(answered.error, None);
    let response = answered.response.as_ref().expect("an answer");
    assert_eq!(response.status_code, 200);
    assert_eq!(response.request_id.as_deref(), Some("gen-1759400123-Xb3k"));
    let BatchResultBody::ChatResult(chat) = &response.body else {
        panic!("a chat completion: {:?}", response.body)
    };
    assert_eq!(chat.id, "gen-1759400123-Xb3k");
    assert_eq!(
        chat.choices[0].finish_reason,
        Some(ChatFinishReasonEnum::Stop)
    );
    assert_eq!(
        chat.choices[0].message.content,
        openrouter_generated::Nullable::Value(ChatAssistantMessageContent::String("Paris".into()))
    );
    let failed = &results[1];
    assert_eq!(
        (failed.custom_id.as_str(), &failed.response),
        ("q-too-long", &None)
    );
    let error = failed.error.as_ref().expect("an error");
    assert_eq!(error.r#type, "invalid_request_error");
    assert_eq!(error.message, "max_tokens is too large for this model");
    assert_eq!(error.param.as_deref(), Some("max_tokens"));
    assert_request(&req, "GET", &format!("/batches/{BATCH}"), &[], None);
    Ok(())
}

#[tokio::test]
async fn delete_batch() -> Result<()> {
    let body = json!({"id": BATCH, "object": "batch",
                      "deletion": {"openrouter": "deleted", "upstream": {"provider": "OpenAI", "status": "unsupported"}}});
    let (deleted, req) = exchange(json_answer(200, body), |c| async move {
        c.batches().delete(BATCH).send().await
    })
    .await?;
    assert_eq!(deleted.id, BATCH);
    assert_eq!(deleted.object.as_str(), "batch");
    assert_eq!(deleted.deletion.openrouter.as_str(), "deleted");
    let upstream = deleted.deletion.upstream.expect("a provider was assigned");
    assert_eq!(upstream.provider, "OpenAI");
    assert_eq!(upstream.status, BatchDeletionOutcome::Unsupported);
    assert_request(&req, "DELETE", &format!("/batches/{BATCH}"), &[], None);
    Ok(())
}

#[tokio::test]
async fn delete_batch_without_a_provider_has_no_upstream_outcome() -> Result<()> {
    let body = json!({"id": BATCH, "object": "batch", "deletion": {"openrouter": "deleted"}});
    let (deleted, _) = exchange(json_answer(200, body), |c| async move {
        c.batches().delete(BATCH).send().await
    })
    .await?;
    assert_eq!(deleted.deletion.upstream, None);
    Ok(())
}

#[tokio::test]
async fn wait_on_a_batch_polls_until_it_completes() -> Result<()> {
    let mut done = batch_json(BATCH, "completed");
    done["results"] = batch_results();
    let server = serve(Sequence::new(vec![
        json_answer(200, batch_json(BATCH, "in_progress")),
        json_answer(200, batch_json(BATCH, "in_progress")),
        json_answer(200, done),
        server_error(),
    ]))
    .await;

    let batch = client(&server)
        .batches()
        .get(BATCH)
        .wait(fast_wait())
        .await?;

    assert_eq!(batch.status, BatchStatus::Completed);
    assert_eq!(batch.results.as_ref().map(Vec::len), Some(2));
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "in_progress twice, then completed");
    for req in &sent {
        assert_request(req, "GET", &format!("/batches/{BATCH}"), &[], None);
    }
    Ok(())
}

#[tokio::test]
async fn wait_on_a_failed_batch_is_job_failed_with_the_batch_error_message() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(200, batch_json(BATCH, "validating")),
        json_answer(200, batch_json(BATCH, "failed")),
        server_error(),
    ]))
    .await;

    let err = client(&server)
        .batches()
        .get(BATCH)
        .wait(fast_wait())
        .await
        .expect_err("the batch failed");

    let Error::JobFailed {
        status, message, ..
    } = &err
    else {
        panic!("JobFailed: {err:?}")
    };
    assert_eq!(status, "failed");
    assert_eq!(message.as_deref(), Some(BATCH_FAILURE));
    assert!(err.to_string().contains(BATCH_FAILURE), "{err}");
    let batch = err.job::<Batch>().expect("the last state, typed");
    assert_eq!(
        (batch.id.as_str(), &batch.status),
        (BATCH, &BatchStatus::Failed)
    );
    assert_eq!(requests(&server).await.len(), 2);
    Ok(())
}

/// `expired` is final too; with no `error` the failure has no message.
#[tokio::test]
async fn wait_on_an_expired_batch_is_job_failed_without_a_message() -> Result<()> {
    let server = serve(json_answer(200, batch_json(BATCH, "expired"))).await;
    let err = client(&server)
        .batches()
        .get(BATCH)
        .wait(fast_wait())
        .await
        .expect_err("expired");
    let Error::JobFailed {
        status, message, ..
    } = &err
    else {
        panic!("JobFailed: {err:?}")
    };
    assert_eq!((status.as_str(), message), ("expired", &None));
    assert_eq!(requests(&server).await.len(), 1);
    Ok(())
}

// ---- containers ----------------------------------------------------------------------------

const CONTAINER: &str = "cntr_68b2f0e1a9c84d7e";
/// `cfile_` and the base64url form of `/mnt/data/report.csv`.
const FILE_ID: &str = "cfile_L21udC9kYXRhL3JlcG9ydC5jc3Y";

fn container_file_json(id: &str, path: &str, bytes: i64) -> Value {
    json!({"id": id, "object": "container.file", "container_id": CONTAINER, "path": path,
           "bytes": bytes, "created_at": 1759401000, "source": "assistant"})
}

#[tokio::test]
async fn list_container_files_sends_limit_and_after() -> Result<()> {
    let body = json!({"object": "list", "data": [container_file_json(FILE_ID, "/mnt/data/report.csv", 5120)],
                      "first_id": FILE_ID, "last_id": FILE_ID, "has_more": false});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.containers()
            .list_files(CONTAINER)
            .limit(50)
            .after("cfile_L21udC9kYXRhL2E")
            .send()
            .await
    })
    .await?;

    assert_eq!(page.object.as_str(), "list");
    assert!(!page.has_more);
    let file = &page.data[0];
    assert_eq!(
        (file.id.as_str(), file.path.as_str()),
        (FILE_ID, "/mnt/data/report.csv")
    );
    assert_eq!((file.bytes, file.created_at), (5120, 1759401000));
    assert_eq!(file.object.as_str(), "container.file");
    assert_eq!(file.source.as_str(), "assistant");
    assert_eq!(file.container_id, CONTAINER);
    assert_request(
        &req,
        "GET",
        &format!("/containers/{CONTAINER}/files"),
        &[("limit", "50"), ("after", "cfile_L21udC9kYXRhL2E")],
        None,
    );
    Ok(())
}

/// An empty page that still has more (a scan position as `last_id`) is followed, not the end.
#[tokio::test]
async fn container_files_paginate_by_cursor_past_an_empty_page() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(
            200,
            json!({"object": "list", "data": [container_file_json("cfile_a", "/mnt/data/a.txt", 1),
                                               container_file_json("cfile_b", "/mnt/data/b.txt", 2)],
                   "first_id": "cfile_a", "last_id": "cfile_b", "has_more": true}),
        ),
        json_answer(
            200,
            json!({"object": "list", "data": [], "first_id": null, "last_id": "cfile_scan_0042", "has_more": true}),
        ),
        json_answer(
            200,
            json!({"object": "list", "data": [container_file_json("cfile_z", "/mnt/data/z.txt", 26)],
                   "first_id": "cfile_z", "last_id": "cfile_z", "has_more": false}),
        ),
        server_error(),
    ]))
    .await;

    let paths: Vec<String> = client(&server)
        .containers()
        .list_files(CONTAINER)
        .limit(2)
        .into_paginator()
        .items()
        .map_ok(|f| f.path)
        .try_collect()
        .await?;

    assert_eq!(
        paths,
        ["/mnt/data/a.txt", "/mnt/data/b.txt", "/mnt/data/z.txt"]
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    let route = format!("/containers/{CONTAINER}/files");
    assert_request(&sent[0], "GET", &route, &[("limit", "2")], None);
    assert_request(
        &sent[1],
        "GET",
        &route,
        &[("limit", "2"), ("after", "cfile_b")],
        None,
    );
    assert_request(
        &sent[2],
        "GET",
        &route,
        &[("limit", "2"), ("after", "cfile_scan_0042")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn get_container_file() -> Result<()> {
    let (file, req) = exchange(
        json_answer(
            200,
            container_file_json(FILE_ID, "/mnt/data/report.csv", 5120),
        ),
        |c| async move { c.containers().get_file(CONTAINER, FILE_ID).send().await },
    )
    .await?;
    assert_eq!(file.id, FILE_ID);
    assert_eq!(file.path, "/mnt/data/report.csv");
    assert_eq!(file.bytes, 5120);
    assert_request(
        &req,
        "GET",
        &format!("/containers/{CONTAINER}/files/{FILE_ID}"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn download_container_file_returns_a_byte_stream() -> Result<()> {
    let content: Vec<u8> = b"region,revenue\n"
        .iter()
        .copied()
        .chain((0..3000u32).map(|i| (i * 13 % 251) as u8))
        .collect();
    let server =
        serve(ResponseTemplate::new(200).set_body_raw(content.clone(), "application/octet-stream"))
            .await;

    let stream = client(&server)
        .containers()
        .download_file(CONTAINER, FILE_ID)
        .send()
        .await?;

    assert_eq!(stream.status().as_u16(), 200);
    assert_eq!(stream.content_type(), Some("application/octet-stream"));
    assert_eq!(stream.content_length(), Some(content.len() as u64));
    assert_eq!(stream.bytes(1 << 20).await?, content);
    assert_request(
        &single_request(&server).await,
        "GET",
        &format!("/containers/{CONTAINER}/files/{FILE_ID}/content"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn download_container_file_over_the_limit_is_response_too_large() -> Result<()> {
    let server = serve(
        ResponseTemplate::new(200).set_body_raw(vec![0x2a; 4096], "application/octet-stream"),
    )
    .await;
    let stream = client(&server)
        .containers()
        .download_file(CONTAINER, FILE_ID)
        .send()
        .await?;
    let err = stream.bytes(1024).await.expect_err("over the limit");
    let Error::ResponseTooLarge { status, limit, .. } = err else {
        panic!("ResponseTooLarge: {err:?}")
    };
    assert_eq!((status.as_u16(), limit), (200, 1024));
    Ok(())
}

#[tokio::test]
async fn download_missing_container_file_is_an_api_error() -> Result<()> {
    let server = serve(json_answer(
        404,
        json!({"error": {"code": 404, "message": "Container file not found"}}),
    ))
    .await;
    let err = client(&server)
        .containers()
        .download_file(CONTAINER, "cfile_gone")
        .send()
        .await
        .expect_err("404");
    let api = err
        .as_api()
        .unwrap_or_else(|| panic!("an API error: {err:?}"));
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.message, "Container file not found");
    Ok(())
}

#[tokio::test]
async fn promote_container_file_returns_the_stored_file() -> Result<()> {
    let body = json!({"id": "file_01JZC9H2V6", "type": "file", "filename": "report.csv", "mime_type": "text/csv",
                      "size_bytes": 5120, "created_at": "2025-10-02T10:00:00Z", "downloadable": true});
    let (file, req) = exchange(json_answer(200, body), |c| async move {
        c.containers().promote_file(CONTAINER, FILE_ID).send().await
    })
    .await?;

    let FileResponse::StoredFile(stored) = file else {
        panic!("a stored file: {file:?}")
    };
    assert_eq!(stored.id, "file_01JZC9H2V6");
    assert_eq!(
        (stored.filename.as_str(), stored.mime_type.as_str()),
        ("report.csv", "text/csv")
    );
    assert_eq!(stored.size_bytes, 5120);
    assert!(stored.downloadable);
    assert_request(
        &req,
        "POST",
        &format!("/containers/{CONTAINER}/files/{FILE_ID}/promote"),
        &[],
        None,
    );
    Ok(())
}

// ---- decisions and System One --------------------------------------------------------------

/// A client whose base URL is `base`.
fn client_at(base: String) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(base)
        .app_url(APP_URL)
        .app_title(APP_TITLE)
        .retry_policy(openrouter_generated::RetryPolicy::none())
        .build()
        .expect("the test client builds")
}

fn decisions_request(model: &str) -> DecisionsRequest {
    let questions: BTreeMap<String, DecisionsQuestion> = [
        (
            "mood".to_owned(),
            DecisionsChoiceQuestion::new(
                "How does the customer feel?",
                BTreeMap::from([
                    (
                        "happy".to_owned(),
                        DecisionsContent::from("Satisfied with the answer"),
                    ),
                    (
                        "angry".to_owned(),
                        DecisionsContent::from("Upset or threatening to leave"),
                    ),
                ]),
            )
            .into(),
        ),
        (
            "escalate".to_owned(),
            DecisionsNoulQuestion::new("Should a human take over?")
                .criteria(DecisionsNoulCriteria::new(
                    "The customer asks for a person",
                    "The bot can resolve it",
                ))
                .into(),
        ),
        (
            "urgency".to_owned(),
            DecisionsScoreQuestion::new(
                "Rate the urgency",
                vec![
                    DecisionsContent::from("1: can wait a week"),
                    DecisionsContent::from("5: production outage"),
                ],
            )
            .into(),
        ),
        (
            "logo".to_owned(),
            DecisionsBoxQuestion::new("Where is the error dialog in the screenshot?").into(),
        ),
    ]
    .into();
    let state = DecisionsContent::Map(object(json!({
        "ticket": 48213,
        "messages": ["The dashboard is down again", "Get me a manager"]
    })));
    DecisionsRequest::new(model, questions, state)
        .session_id("support-run-42")
        .user("user_77")
}

fn decisions_body(model: &str) -> Value {
    json!({
        "model": model,
        "questions": {
            "mood": {"type": "choice", "instructions": "How does the customer feel?",
                     "criteria": {"happy": "Satisfied with the answer", "angry": "Upset or threatening to leave"}},
            "escalate": {"type": "noul", "instructions": "Should a human take over?",
                         "criteria": {"true": "The customer asks for a person", "false": "The bot can resolve it"}},
            "urgency": {"type": "score", "instructions": "Rate the urgency",
                        "criteria": ["1: can wait a week", "5: production outage"]},
            "logo": {"type": "box", "instructions": "Where is the error dialog in the screenshot?"}
        },
        "state": {"ticket": 48213, "messages": ["The dashboard is down again", "Get me a manager"]},
        "session_id": "support-run-42",
        "user": "user_77"
    })
}

fn decisions_answer() -> Value {
    json!({
        "id": "dec_01JZD2K8",
        "model": "openai/gpt-4o-mini",
        "provider": "OpenAI",
        "answers": {
            "mood": {"type": "choice", "choice": "angry", "confidence": 0.82, "probabilities": {"happy": 0.18, "angry": 0.82}},
            "escalate": {"type": "noul", "noul": 0.91},
            "urgency": {"type": "score", "score": 4.0, "confidence": 0.7, "legend": {"4": "Service degraded"}},
            "logo": {"type": "box", "box": {"left": 12.0, "top": 8.0, "right": 140.5, "bottom": 60.0}, "confidence": 0.95}
        },
        "usage": {"input_tokens": 312, "output_tokens": 24, "cost": 0.000071}
    })
}

fn assert_decisions_answer(answer: &DecisionsResponse) {
    assert_eq!(answer.id.as_deref(), Some("dec_01JZD2K8"));
    assert_eq!(answer.model, "openai/gpt-4o-mini");
    assert_eq!(answer.provider.as_deref(), Some("OpenAI"));
    let Some(DecisionsAnswer::Choice(mood)) = answer.answers.get("mood") else {
        panic!("a choice: {:?}", answer.answers.get("mood"))
    };
    assert_eq!(
        (mood.choice.as_str(), mood.confidence),
        ("angry", Some(0.82))
    );
    assert_eq!(
        mood.probabilities.as_ref().and_then(|p| p.get("happy")),
        Some(&0.18)
    );
    let Some(DecisionsAnswer::Noul(escalate)) = answer.answers.get("escalate") else {
        panic!("a noul: {:?}", answer.answers.get("escalate"))
    };
    assert_eq!(escalate.noul, 0.91);
    let Some(DecisionsAnswer::Score(urgency)) = answer.answers.get("urgency") else {
        panic!("a score: {:?}", answer.answers.get("urgency"))
    };
    assert_eq!((urgency.score, urgency.confidence), (4.0, Some(0.7)));
    assert_eq!(
        urgency.legend.as_ref().and_then(|l| l.get("4")),
        Some(&DecisionsContent::String("Service degraded".into()))
    );
    let Some(DecisionsAnswer::Box(logo)) = answer.answers.get("logo") else {
        panic!("a box: {:?}", answer.answers.get("logo"))
    };
    assert_eq!(
        (
            logo.r#box.left,
            logo.r#box.top,
            logo.r#box.right,
            logo.r#box.bottom
        ),
        (12.0, 8.0, 140.5, 60.0)
    );
    assert_eq!(
        (
            answer.usage.input_tokens,
            answer.usage.output_tokens,
            answer.usage.cost
        ),
        (312, 24, Some(0.000071))
    );
}

/// With the usual base URL (`.../api/v1`) the call goes to `/api/alpha/decisions` on the same
/// host: the default server path is replaced, not added to.
#[tokio::test]
async fn decisions_are_served_from_the_host_root_not_the_base_path() -> Result<()> {
    let server = serve(json_answer(200, decisions_answer())).await;
    let answer = client_at(format!("{}/api/v1", server.uri()))
        .decisions()
        .create(decisions_request("openai/gpt-4o-mini"))
        .send()
        .await?;

    assert_decisions_answer(&answer);
    assert_request(
        &single_request(&server).await,
        "POST",
        "/api/alpha/decisions",
        &[],
        Some(decisions_body("openai/gpt-4o-mini")),
    );
    Ok(())
}

/// A base URL at the host root (a local mock) gives the same path.
#[tokio::test]
async fn decisions_with_a_root_base_url() -> Result<()> {
    let server = serve(json_answer(200, decisions_answer())).await;
    let answer = client(&server)
        .decisions()
        .create(decisions_request("openai/gpt-4o-mini"))
        .send()
        .await?;

    assert_decisions_answer(&answer);
    assert_request(
        &single_request(&server).await,
        "POST",
        "/api/alpha/decisions",
        &[],
        Some(decisions_body("openai/gpt-4o-mini")),
    );
    Ok(())
}

/// Behind a proxy prefix the prefix is kept and only the default server path is replaced.
#[tokio::test]
async fn decisions_behind_a_path_prefix_keep_the_prefix() -> Result<()> {
    let server = serve(json_answer(200, decisions_answer())).await;
    client_at(format!("{}/gateway/api/v1/", server.uri()))
        .decisions()
        .create(decisions_request("openai/gpt-4o-mini"))
        .send()
        .await?;
    assert_eq!(
        single_request(&server).await.url.path(),
        "/gateway/api/alpha/decisions"
    );
    Ok(())
}

/// System One lives under the base path like every other operation; an answer of a question
/// type this version does not know is kept raw.
#[tokio::test]
async fn system_one_is_served_under_the_base_path() -> Result<()> {
    let body = json!({
        "model": "typesafe/jev-latest",
        "answers": {
            "mood": {"type": "choice", "choice": "happy"},
            "ranking": {"type": "rank", "order": ["b", "a"]}
        },
        "usage": {"input_tokens": 120, "output_tokens": 6}
    });
    let server = serve(json_answer(200, body)).await;
    let request = DecisionsRequest::new(
        "jev-latest",
        BTreeMap::from([(
            "mood".to_owned(),
            DecisionsQuestion::from(DecisionsChoiceQuestion::new(
                "How does the customer feel?",
                BTreeMap::from([
                    ("happy".to_owned(), DecisionsContent::from("Satisfied")),
                    ("angry".to_owned(), DecisionsContent::from("Upset")),
                ]),
            )),
        )]),
        "Thanks, that fixed it!",
    );

    let answer = client_at(format!("{}/api/v1", server.uri()))
        .system_one()
        .create(request)
        .send()
        .await?;

    assert_eq!(answer.model, "typesafe/jev-latest");
    assert_eq!((answer.id, answer.provider), (None, None));
    let Some(DecisionsAnswer::Choice(mood)) = answer.answers.get("mood") else {
        panic!("a choice: {:?}", answer.answers.get("mood"))
    };
    assert_eq!((mood.choice.as_str(), mood.confidence), ("happy", None));
    let Some(DecisionsAnswer::Unknown(raw)) = answer.answers.get("ranking") else {
        panic!("kept raw: {:?}", answer.answers.get("ranking"))
    };
    assert_eq!(raw["order"], json!(["b", "a"]));
    assert_eq!((answer.usage.input_tokens, answer.usage.cost), (120, None));
    assert_request(
        &single_request(&server).await,
        "POST",
        "/api/v1/systemone",
        &[],
        Some(json!({
            "model": "jev-latest",
            "questions": {"mood": {"type": "choice", "instructions": "How does the customer feel?",
                                   "criteria": {"happy": "Satisfied", "angry": "Upset"}}},
            "state": "Thanks, that fixed it!"
        })),
    );
    Ok(())
}
