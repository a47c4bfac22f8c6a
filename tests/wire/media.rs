//! Files (cursor paging, multipart upload, download), video generation (job waiting, download),
//! audio (JSON and multipart transcription, speech as bytes) and images (JSON and SSE).

use crate::{
    Sequence, WS_ID, assert_request, client, exchange, header, json_answer, multipart_parts,
    requests, serve, single_request,
};
use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::types::*;
use openrouter_generated::{Error, TimeoutPhase, Upload, WaitOptions};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use wiremock::ResponseTemplate;

/// A path in the temp directory, unique to this process and `name`.
fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("openrouter-wire-{}-{name}", std::process::id()))
}

fn bytes_answer(body: &[u8], media_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_vec(), media_type)
}

fn not_found() -> String {
    json!({"error": {"code": 404, "message": "File not found", "metadata": {"file_id": "file_gone"}}}).to_string()
}

// ---- files ---------------------------------------------------------------------------------

/// A file in OpenRouter's format, as the published examples show it (without `_shape`).
fn or_file(id: &str, filename: &str) -> Value {
    json!({
        "id": id,
        "type": "file",
        "filename": filename,
        "mime_type": "application/pdf",
        "size_bytes": 48213,
        "created_at": "2025-08-01T12:00:00Z",
        "downloadable": false
    })
}

fn or_page(ids: &[&str], has_more: bool, cursor: Option<&str>) -> Value {
    json!({
        "data": ids.iter().map(|id| or_file(id, &format!("{id}.pdf"))).collect::<Vec<_>>(),
        "has_more": has_more,
        "first_id": ids.first(),
        "last_id": ids.last(),
        "cursor": cursor
    })
}

fn file_ids(files: &[FileResponse]) -> Vec<&str> {
    files
        .iter()
        .map(|f| match f {
            FileResponse::StoredFile(f) => f.id.as_str(),
            other => panic!("an OpenRouter file expected: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn list_files_in_openai_format_with_openai_paging_parameters() -> Result<()> {
    let body = json!({
        "_shape": "openai",
        "object": "list",
        "data": [{
            "_shape": "openai", "id": "file-abc123", "object": "file", "bytes": 120000,
            "created_at": 1677610602, "filename": "train.jsonl", "purpose": "fine-tune", "status": "processed"
        }],
        "has_more": false,
        "first_id": "file-abc123",
        "last_id": "file-abc123"
    });
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.files()
            .list()
            .provider(FileProvider::Openai)
            .workspace_id(WS_ID)
            .limit(1)
            .after("file-000")
            .order(ListFilesOrder::Desc)
            .send()
            .await
    })
    .await?;

    assert_eq!(page.shape, Some(FileListShape::Openai));
    assert!(page.object.is_some());
    assert!(!page.has_more);
    assert_eq!(page.cursor, None);
    assert_eq!(page.last_id.as_deref(), Some("file-abc123"));
    let FileResponse::OpenAiFile(file) = &page.data[0] else {
        panic!("an OpenAI file: {:?}", page.data[0])
    };
    assert_eq!((file.bytes, file.created_at), (120000, 1677610602));
    assert_eq!(file.purpose, OpenAiFilePurpose::FineTune);
    assert_eq!(file.filename, "train.jsonl");
    assert_request(
        &req,
        "GET",
        "/files",
        &[
            ("provider", "openai"),
            ("workspace_id", WS_ID),
            ("limit", "1"),
            ("after", "file-000"),
            ("order", "desc"),
        ],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn list_files_in_anthropic_format_with_anthropic_paging_parameters() -> Result<()> {
    let file = json!({
        "_shape": "anthropic", "id": "file_011CNha8iCJcU1wXNR6q4V8w", "type": "file", "filename": "spec.pdf",
        "mime_type": "application/pdf", "size_bytes": 1024, "created_at": "2025-01-01T00:00:00Z", "downloadable": true
    });
    let body = json!({"_shape": "anthropic", "data": [file], "has_more": true,
        "first_id": "file_011CNha8iCJcU1wXNR6q4V8w", "last_id": "file_011CNha8iCJcU1wXNR6q4V8w"});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.files()
            .list()
            .provider(FileProvider::Anthropic)
            .after_id("file_a")
            .before_id("file_z")
            .send()
            .await
    })
    .await?;

    assert_eq!(page.shape, Some(FileListShape::Anthropic));
    assert!(page.has_more);
    let FileResponse::StoredFile(file) = &page.data[0] else {
        panic!("an Anthropic file: {:?}", page.data[0])
    };
    assert!(file.downloadable);
    assert_eq!(file.size_bytes, 1024);
    assert_eq!(file.shape, Some(StoredFileShape::Anthropic));
    assert_request(
        &req,
        "GET",
        "/files",
        &[
            ("provider", "anthropic"),
            ("after_id", "file_a"),
            ("before_id", "file_z"),
        ],
        None,
    );
    Ok(())
}

/// Cursor paging: each request carries the `cursor` of the page before; `has_more: false` ends
/// the walk even when the page still names a cursor.
#[tokio::test]
async fn list_files_paginates_by_cursor_until_has_more_is_false() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(200, or_page(&["file_1", "file_2"], true, Some("cur_2"))),
        json_answer(200, or_page(&["file_3"], true, Some("cur_3"))),
        json_answer(200, or_page(&["file_4"], false, Some("cur_4"))),
        json_answer(
            500,
            json!({"error": {"code": 500, "message": "walked too far"}}),
        ),
    ]))
    .await;

    let files = client(&server)
        .files()
        .list()
        .limit(2)
        .into_paginator()
        .collect_items()
        .await?;

    assert_eq!(file_ids(&files), ["file_1", "file_2", "file_3", "file_4"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    assert_request(&sent[0], "GET", "/files", &[("limit", "2")], None);
    assert_request(
        &sent[1],
        "GET",
        "/files",
        &[("limit", "2"), ("cursor", "cur_2")],
        None,
    );
    assert_request(
        &sent[2],
        "GET",
        "/files",
        &[("limit", "2"), ("cursor", "cur_3")],
        None,
    );
    Ok(())
}

/// A page that says more follow but names no cursor: its items, then `Error::Paging`; a start
/// cursor set on the builder is the first one sent.
#[tokio::test]
async fn list_files_paginator_reports_a_null_cursor_while_more_follow() -> Result<()> {
    use futures::StreamExt;
    let server = serve(Sequence::new(vec![
        json_answer(200, or_page(&["file_5"], true, Some("cur_5"))),
        json_answer(200, or_page(&["file_6"], true, None)),
        json_answer(
            500,
            json!({"error": {"code": 500, "message": "walked too far"}}),
        ),
    ]))
    .await;

    let outcomes: Vec<_> = client(&server)
        .files()
        .list()
        .cursor("cur_4")
        .into_paginator()
        .items()
        .collect()
        .await;
    let ids: Vec<FileResponse> = outcomes
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect();
    assert_eq!(file_ids(&ids), ["file_5", "file_6"]);
    assert!(
        matches!(outcomes.last(), Some(Err(Error::Paging(_)))),
        "has_more without a cursor ends in Error::Paging: {:?}",
        outcomes.last()
    );
    let cursors: Vec<_> = requests(&server)
        .await
        .iter()
        .map(crate::query_of)
        .collect();
    let pair = |c: &str| vec![("cursor".to_owned(), c.to_owned())];
    assert_eq!(
        cursors,
        [pair("cur_4"), pair("cur_5")],
        "no third request is guessed"
    );
    Ok(())
}

/// Provider-format pages carry no `cursor`: with `provider=openai` the next page is asked for
/// with `after` set to the page's `last_id`, and `has_more: false` ends the walk.
#[tokio::test]
async fn list_files_paginator_follows_openai_pages_by_after() -> Result<()> {
    let openai_file = |id: &str| {
        json!({"_shape": "openai", "id": id, "object": "file", "bytes": 10, "created_at": 1,
               "filename": "a.jsonl", "purpose": "batch", "status": "processed"})
    };
    let page = |ids: &[&str], more: bool| {
        json!({"_shape": "openai", "object": "list", "has_more": more,
               "data": ids.iter().map(|id| openai_file(id)).collect::<Vec<_>>(),
               "first_id": ids.first(), "last_id": ids.last()})
    };
    let server = serve(Sequence::new(vec![
        json_answer(200, page(&["file-1", "file-2"], true)),
        json_answer(200, page(&["file-3"], true)),
        json_answer(200, page(&["file-4"], false)),
        json_answer(
            500,
            json!({"error": {"code": 500, "message": "walked too far"}}),
        ),
    ]))
    .await;

    let files = client(&server)
        .files()
        .list()
        .provider(FileProvider::Openai)
        .limit(2)
        .into_paginator()
        .collect_items()
        .await?;
    let ids: Vec<&str> = files
        .iter()
        .map(|f| match f {
            FileResponse::OpenAiFile(f) => f.id.as_str(),
            other => panic!("an OpenAI-format file expected: {other:?}"),
        })
        .collect();
    assert_eq!(ids, ["file-1", "file-2", "file-3", "file-4"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3);
    let base = [("limit", "2"), ("provider", "openai")];
    assert_request(&sent[0], "GET", "/files", &base, None);
    assert_request(
        &sent[1],
        "GET",
        "/files",
        &[base[0], base[1], ("after", "file-2")],
        None,
    );
    assert_request(
        &sent[2],
        "GET",
        "/files",
        &[base[0], base[1], ("after", "file-3")],
        None,
    );
    Ok(())
}

/// With `provider=anthropic` pages are chained through `after_id` (from an `after_id` set on the
/// builder); a page that says more follow but has no `last_id` is yielded, then `Error::Paging`.
#[tokio::test]
async fn list_files_paginator_follows_anthropic_pages_by_after_id() -> Result<()> {
    use futures::StreamExt;
    let page = |ids: &[&str], more: bool, last: Option<&str>| {
        json!({"_shape": "anthropic", "has_more": more,
               "data": ids.iter().map(|id| or_file(id, "notes.pdf")).collect::<Vec<_>>(),
               "first_id": ids.first(), "last_id": last})
    };
    let server = serve(Sequence::new(vec![
        json_answer(200, page(&["file_a"], true, Some("file_a"))),
        json_answer(200, page(&["file_b"], true, None)),
        json_answer(
            500,
            json!({"error": {"code": 500, "message": "walked too far"}}),
        ),
    ]))
    .await;

    let outcomes: Vec<_> = client(&server)
        .files()
        .list()
        .provider(FileProvider::Anthropic)
        .after_id("file_0")
        .into_paginator()
        .items()
        .collect()
        .await;
    let files: Vec<FileResponse> = outcomes
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect();
    assert_eq!(file_ids(&files), ["file_a", "file_b"]);
    assert!(
        matches!(outcomes.last(), Some(Err(Error::Paging(_)))),
        "{:?}",
        outcomes.last()
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "no guessed third request");
    assert_request(
        &sent[0],
        "GET",
        "/files",
        &[("provider", "anthropic"), ("after_id", "file_0")],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        "/files",
        &[("provider", "anthropic"), ("after_id", "file_a")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn upload_file_from_bytes_is_multipart_with_one_file_part() -> Result<()> {
    let content = b"quarterly numbers\n\x00\x01\xff binary tail".to_vec();
    let upload = Upload::new(content.clone(), "Q3 notes – résumé.txt", "text/plain");
    let (stored, req) = exchange(
        json_answer(200, or_file("file_new", "notes.txt")),
        |c| async move {
            c.files()
                .upload(UploadFileRequest::new(upload))
                .workspace_id(WS_ID)
                .provider(FileProvider::Anthropic)
                .send()
                .await
        },
    )
    .await?;

    let FileResponse::StoredFile(file) = stored else {
        panic!("an OpenRouter file: {stored:?}")
    };
    assert_eq!(file.id, "file_new");
    assert_eq!(file.filename, "notes.txt");
    assert_eq!(file.shape, None, "the published answers carry no `_shape`");
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), "/files");
    assert_eq!(
        crate::query_of(&req),
        [
            ("provider".to_owned(), "anthropic".to_owned()),
            ("workspace_id".to_owned(), WS_ID.to_owned())
        ]
    );
    assert!(
        header(&req, "content-type")
            .is_some_and(|t| t.starts_with("multipart/form-data; boundary="))
    );
    assert_eq!(
        header(&req, "authorization"),
        Some(format!("Bearer {}", crate::API_KEY))
    );
    let parts = multipart_parts(&req);
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert_eq!(parts[0].name, "file");
    assert_eq!(
        parts[0].filename.as_deref(),
        Some("Q3 notes – résumé.txt"),
        "sent as given"
    );
    assert_eq!(parts[0].content_type.as_deref(), Some("text/plain"));
    assert_eq!(parts[0].data, content);
    Ok(())
}

#[tokio::test]
async fn upload_file_from_path_sends_the_file_name_and_bytes() -> Result<()> {
    let path = temp_path("report-2025.pdf");
    let content: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(3000))
        .collect();
    std::fs::write(&path, &content)?;
    let upload = Upload::from_path(&path, "application/pdf");
    let result = exchange(
        json_answer(200, or_file("file_pdf", "report.pdf")),
        |c| async move {
            c.files()
                .upload(UploadFileRequest::new(upload))
                .send()
                .await
        },
    )
    .await;
    std::fs::remove_file(&path)?;
    let (_, req) = result?;

    assert_eq!(req.url.query(), None);
    let parts = multipart_parts(&req);
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].name, "file");
    let expected_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name");
    assert_eq!(parts[0].filename.as_deref(), Some(expected_name));
    assert_eq!(parts[0].content_type.as_deref(), Some("application/pdf"));
    assert_eq!(parts[0].data, content);
    Ok(())
}

#[tokio::test]
async fn get_file_metadata_with_provider() -> Result<()> {
    let body = json!({
        "_shape": "anthropic", "id": "file_011", "type": "file", "filename": "image.png",
        "mime_type": "image/png", "size_bytes": 5120, "created_at": "2025-02-02T02:02:02Z", "downloadable": false
    });
    let (file, req) = exchange(json_answer(200, body), |c| async move {
        c.files()
            .get("file_011")
            .workspace_id(WS_ID)
            .provider(FileProvider::Anthropic)
            .send()
            .await
    })
    .await?;
    let FileResponse::StoredFile(file) = file else {
        panic!("an Anthropic file: {file:?}")
    };
    assert_eq!(
        (file.mime_type.as_str(), file.size_bytes),
        ("image/png", 5120)
    );
    assert_request(
        &req,
        "GET",
        "/files/file_011",
        &[("workspace_id", WS_ID), ("provider", "anthropic")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn delete_file_in_each_format() -> Result<()> {
    let (deleted, req) = exchange(
        json_answer(200, json!({"id": "file_1", "type": "file_deleted"})),
        |c| async move { c.files().delete("file_1").send().await },
    )
    .await?;
    let FileDeleteResponse::StoredFileDeleted(gone) = deleted else {
        panic!("OpenRouter shape: {deleted:?}")
    };
    assert_eq!(gone.id, "file_1");
    assert_request(&req, "DELETE", "/files/file_1", &[], None);

    let (deleted, req) = exchange(
        json_answer(
            200,
            json!({"_shape": "openai", "id": "file-abc", "object": "file", "deleted": true}),
        ),
        |c| async move {
            c.files()
                .delete("file-abc")
                .provider(FileProvider::Openai)
                .workspace_id(WS_ID)
                .send()
                .await
        },
    )
    .await?;
    let FileDeleteResponse::OpenAiFileDeleted(gone) = deleted else {
        panic!("OpenAI shape: {deleted:?}")
    };
    assert!(gone.deleted);
    assert_eq!(gone.id, "file-abc");
    assert_request(
        &req,
        "DELETE",
        "/files/file-abc",
        &[("provider", "openai"), ("workspace_id", WS_ID)],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn download_file_returns_a_byte_stream() -> Result<()> {
    let content: Vec<u8> = (0..2048u32).map(|i| (i * 7 % 251) as u8).collect();
    let server = serve(bytes_answer(&content, "application/octet-stream")).await;

    let stream = client(&server)
        .files()
        .download("file_out")
        .workspace_id(WS_ID)
        .provider(FileProvider::Openai)
        .send()
        .await?;

    assert_eq!(stream.status().as_u16(), 200);
    assert_eq!(stream.content_type(), Some("application/octet-stream"));
    assert_eq!(stream.content_length(), Some(2048));
    assert_eq!(stream.bytes(4096).await?, content);
    assert_request(
        &single_request(&server).await,
        "GET",
        "/files/file_out/content",
        &[("workspace_id", WS_ID), ("provider", "openai")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn download_file_error_status_is_an_api_error_with_the_body() -> Result<()> {
    let server =
        serve(ResponseTemplate::new(404).set_body_raw(not_found(), "application/json")).await;

    let err = client(&server)
        .files()
        .download("file_gone")
        .send()
        .await
        .expect_err("404");

    let Error::Api(api) = &err else {
        panic!("an API error: {err:?}")
    };
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.message, "File not found");
    assert_eq!(api.metadata, Some(json!({"file_id": "file_gone"})));
    assert_eq!(
        err.body().map(|b| b.to_vec()),
        Some(not_found().into_bytes())
    );
    Ok(())
}

#[tokio::test]
async fn download_bytes_over_the_limit_is_response_too_large() -> Result<()> {
    let server = serve(bytes_answer(&[0x42; 1000], "application/octet-stream")).await;

    let stream = client(&server).files().download("file_big").send().await?;
    let err = stream.bytes(100).await.expect_err("over the limit");

    let Error::ResponseTooLarge { status, limit, .. } = err else {
        panic!("ResponseTooLarge: {err:?}")
    };
    assert_eq!((status.as_u16(), limit), (200, 100));
    Ok(())
}

// ---- video generation ----------------------------------------------------------------------

const JOB: &str = "vgen_01JZ8Q6";

fn job_json(status: &str) -> Value {
    let mut job = json!({
        "id": JOB,
        "polling_url": format!("https://openrouter.ai/api/v1/videos/{JOB}"),
        "status": status
    });
    match status {
        "completed" => {
            job["generation_id"] = json!("gen-1754-video");
            job["unsigned_urls"] = json!([format!(
                "https://openrouter.ai/api/v1/videos/{JOB}/content?index=0"
            )]);
            job["usage"] = json!({"cost": 3.2, "is_byok": false});
        }
        "failed" => job["error"] = json!("The prompt was rejected by the provider's safety filter"),
        _ => {}
    }
    job
}

fn fast_wait() -> WaitOptions {
    WaitOptions::new()
        .interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn create_video_posts_the_request_and_decodes_202() -> Result<()> {
    let request = VideoGenerationRequest::new("google/veo-3")
        .prompt("A paper boat drifting down a rainy street")
        .aspect_ratio(VideoAspectRatio::V169)
        .resolution(VideoResolution::V1080p)
        .size("1920x1080")
        .duration(8)
        .seed(42)
        .generate_audio(true)
        .frame_images(vec![VideoFrameImage::new(
            VideoFrameImageImageUrl::new("https://example.com/first.png"),
            VideoFrameType::FirstFrame,
        )])
        .input_references(vec![VideoInputReference::AudioUrl(ContentPartAudio::new(
            ContentPartAudioUrl::new("https://example.com/rain.mp3"),
        ))])
        .callback_url("https://example.com/hooks/video")
        .creativity(3)
        .upscale_factor(1.5);
    let (job, req) = exchange(json_answer(202, job_json("pending")), |c| async move {
        c.video_generation().create(request).send().await
    })
    .await?;

    assert_eq!(job.id, JOB);
    assert_eq!(job.status, VideoGenerationStatus::Pending);
    assert_eq!(
        job.polling_url,
        format!("https://openrouter.ai/api/v1/videos/{JOB}")
    );
    assert_eq!(job.usage, None);
    assert_request(
        &req,
        "POST",
        "/videos",
        &[],
        Some(json!({
            "model": "google/veo-3",
            "prompt": "A paper boat drifting down a rainy street",
            "aspect_ratio": "16:9",
            "resolution": "1080p",
            "size": "1920x1080",
            "duration": 8,
            "seed": 42,
            "generate_audio": true,
            "frame_images": [{"type": "image_url", "image_url": {"url": "https://example.com/first.png"}, "frame_type": "first_frame"}],
            "input_references": [{"type": "audio_url", "audio_url": {"url": "https://example.com/rain.mp3"}}],
            "callback_url": "https://example.com/hooks/video",
            "creativity": 3,
            "upscale_factor": 1.5
        })),
    );
    Ok(())
}

#[tokio::test]
async fn get_video_job() -> Result<()> {
    let (job, req) = exchange(json_answer(200, job_json("completed")), |c| async move {
        c.video_generation().get(JOB).send().await
    })
    .await?;
    assert_eq!(job.status, VideoGenerationStatus::Completed);
    assert_eq!(job.generation_id.as_deref(), Some("gen-1754-video"));
    assert_eq!(job.usage.as_ref().and_then(|u| u.cost), Some(3.2));
    assert_eq!(job.unsigned_urls.as_ref().map(Vec::len), Some(1));
    assert_request(&req, "GET", &format!("/videos/{JOB}"), &[], None);
    Ok(())
}

#[tokio::test]
async fn wait_polls_until_the_job_completes() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(200, job_json("pending")),
        json_answer(200, job_json("in_progress")),
        json_answer(200, job_json("completed")),
    ]))
    .await;

    let job = client(&server)
        .video_generation()
        .get(JOB)
        .wait(fast_wait())
        .await?;

    assert_eq!(job.status, VideoGenerationStatus::Completed);
    assert_eq!(job.usage.and_then(|u| u.is_byok), Some(false));
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 3, "pending, in_progress, completed");
    for req in &sent {
        assert_request(req, "GET", &format!("/videos/{JOB}"), &[], None);
    }
    Ok(())
}

#[tokio::test]
async fn wait_on_a_failed_job_is_job_failed_holding_the_job() -> Result<()> {
    let server = serve(Sequence::new(vec![
        json_answer(200, job_json("in_progress")),
        json_answer(200, job_json("failed")),
    ]))
    .await;

    let err = client(&server)
        .video_generation()
        .get(JOB)
        .wait(fast_wait())
        .await
        .expect_err("the job failed");

    let Error::JobFailed {
        status, message, ..
    } = &err
    else {
        panic!("JobFailed: {err:?}")
    };
    assert_eq!(status, "failed");
    assert_eq!(
        message.as_deref(),
        Some("The prompt was rejected by the provider's safety filter")
    );
    let job = err
        .job::<VideoGenerationResponse>()
        .expect("the last state, typed");
    assert_eq!(
        (job.id.as_str(), &job.status),
        (JOB, &VideoGenerationStatus::Failed)
    );
    assert!(err.job::<String>().is_none());
    assert_eq!(requests(&server).await.len(), 2);
    Ok(())
}

#[tokio::test]
async fn wait_on_a_job_that_never_ends_times_out() -> Result<()> {
    let server = serve(json_answer(200, job_json("in_progress"))).await;
    let limit = Duration::from_millis(150);

    let started = std::time::Instant::now();
    let err = client(&server)
        .video_generation()
        .get(JOB)
        .wait(
            WaitOptions::new()
                .interval(Duration::from_millis(10))
                .multiplier(1.0)
                .timeout(limit),
        )
        .await
        .expect_err("never completes");

    let Error::Timeout {
        phase,
        limit: reported,
    } = err
    else {
        panic!("Timeout: {err:?}")
    };
    assert_eq!((phase, reported), (TimeoutPhase::Job, limit));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        requests(&server).await.len() >= 3,
        "it polled several times"
    );
    Ok(())
}

#[tokio::test]
async fn download_video_saves_the_bytes_to_a_file() -> Result<()> {
    let video: Vec<u8> = b"\x00\x00\x00\x18ftypmp42"
        .iter()
        .copied()
        .chain((0..5000u32).map(|i| i as u8))
        .collect();
    let server = serve(bytes_answer(&video, "video/mp4")).await;
    let path = temp_path("clip.mp4");

    let stream = client(&server)
        .video_generation()
        .download(JOB)
        .index(1)
        .send()
        .await?;
    assert_eq!(stream.content_type(), Some("video/mp4"));
    assert_eq!(stream.content_length(), Some(video.len() as u64));
    let written = stream.save(&path).await?;
    let saved = std::fs::read(&path);
    std::fs::remove_file(&path)?;

    assert_eq!(written, video.len() as u64);
    assert_eq!(saved?, video);
    assert_request(
        &single_request(&server).await,
        "GET",
        &format!("/videos/{JOB}/content"),
        &[("index", "1")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn download_video_of_an_unknown_job_is_an_api_error() -> Result<()> {
    let body =
        json!({"error": {"code": 404, "message": "Video generation job not found"}}).to_string();
    let server =
        serve(ResponseTemplate::new(404).set_body_raw(body.clone(), "application/json")).await;

    let err = client(&server)
        .video_generation()
        .download("vgen_missing")
        .send()
        .await
        .expect_err("404");

    let api = err.as_api().expect("an API error");
    assert_eq!(
        (api.status.as_u16(), api.message.as_str()),
        (404, "Video generation job not found")
    );
    assert_eq!(api.body_text(), body);
    assert_eq!(single_request(&server).await.url.query(), None);
    Ok(())
}

#[tokio::test]
async fn list_video_models() -> Result<()> {
    let body = json!({"data": [{
        "id": "google/veo-3",
        "canonical_slug": "google/veo-3-20250520",
        "name": "Google: Veo 3",
        "description": "Text and image to video with native audio.",
        "created": 1747699200,
        "hugging_face_id": null,
        "supported_resolutions": ["720p", "1080p"],
        "supported_aspect_ratios": ["16:9", "9:16"],
        "supported_sizes": ["1280x720", "1920x1080"],
        "supported_durations": [4, 6, 8],
        "supported_frame_images": ["first_frame", "last_frame"],
        "upscale_factor": {"min": 1.0, "max": 2.0},
        "creativity": null,
        "generate_audio": true,
        "seed": true,
        "allowed_passthrough_parameters": ["personGeneration", "negativePrompt"],
        "pricing_skus": {"video_per_second": "0.40", "video_with_audio_per_second": "0.75"}
    }]});
    let (models, req) = exchange(json_answer(200, body), |c| async move {
        c.video_generation().list_models().send().await
    })
    .await?;

    let m = &models.data[0];
    assert_eq!(m.canonical_slug, "google/veo-3-20250520");
    assert_eq!(
        m.supported_resolutions,
        Some(vec![VideoResolution::V720p, VideoResolution::V1080p])
    );
    assert_eq!(
        m.supported_aspect_ratios,
        Some(vec![VideoAspectRatio::V169, VideoAspectRatio::V916])
    );
    assert_eq!(
        m.supported_sizes,
        Some(vec![VideoSize::V1280x720, VideoSize::V1920x1080])
    );
    assert_eq!(m.supported_durations, Some(vec![4, 6, 8]));
    assert_eq!(
        m.supported_frame_images,
        Some(vec![VideoFrameType::FirstFrame, VideoFrameType::LastFrame])
    );
    assert_eq!(m.upscale_factor.as_ref().and_then(|u| u.max), Some(2.0));
    assert_eq!(
        m.pricing_skus
            .as_ref()
            .and_then(|p| p.get("video_per_second"))
            .map(String::as_str),
        Some("0.40")
    );
    assert_request(&req, "GET", "/videos/models", &[], None);
    Ok(())
}

// ---- audio ---------------------------------------------------------------------------------

fn transcript_json() -> Value {
    json!({
        "text": "Hello world.",
        "usage": {"seconds": 2.5, "cost": 0.00025},
        "task": "transcribe",
        "language": "english",
        "duration": 2.5,
        "segments": [{
            "id": 0, "start": 0.0, "end": 2.5, "text": "Hello world.", "seek": 0, "tokens": [50364, 2425, 1002],
            "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 0.8, "no_speech_prob": 0.01
        }],
        "words": [{"word": "Hello", "start": 0.0, "end": 0.6}, {"word": "world", "start": 0.7, "end": 1.2}]
    })
}

fn assert_transcript(t: &TranscriptionResponse) {
    assert_eq!(t.text, "Hello world.");
    assert_eq!(t.usage.as_ref().and_then(|u| u.seconds), Some(2.5));
    assert_eq!(t.duration, Some(2.5));
    let segment = &t.segments.as_ref().expect("segments")[0];
    assert_eq!(
        (segment.end, segment.tokens.as_deref()),
        (2.5, Some(&[50364, 2425, 1002][..]))
    );
    let words: Vec<&str> = t
        .words
        .as_ref()
        .expect("words")
        .iter()
        .map(|w| w.word.as_str())
        .collect();
    assert_eq!(words, ["Hello", "world"]);
}

#[tokio::test]
async fn transcribe_sends_base64_audio_as_json() -> Result<()> {
    let request = TranscriptionRequest::new(
        "openai/whisper-1",
        TranscriptionInputAudio::new("UklGRiQAAABXQVZF", "wav"),
    )
    .language("en")
    .response_format(TranscriptionResponseFormat::VerboseJson)
    .temperature(0.2)
    .timestamp_granularities(vec![
        TimestampGranularity::Word,
        TimestampGranularity::Segment,
    ]);
    let (transcript, req) = exchange(json_answer(200, transcript_json()), |c| async move {
        c.audio().transcribe(request).send().await
    })
    .await?;

    assert_transcript(&transcript);
    assert_request(
        &req,
        "POST",
        "/audio/transcriptions",
        &[],
        Some(json!({
            "model": "openai/whisper-1",
            "input_audio": {"data": "UklGRiQAAABXQVZF", "format": "wav"},
            "language": "en",
            "response_format": "verbose_json",
            "temperature": 0.2,
            "timestamp_granularities": ["word", "segment"]
        })),
    );
    Ok(())
}

#[tokio::test]
async fn transcribe_file_uploads_a_multipart_form() -> Result<()> {
    let audio = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00".to_vec();
    let request = TranscriptionFileRequest::new("openai/whisper-1")
        .file(Upload::new(audio.clone(), "clip.wav", "audio/wav"))
        .language("en")
        .response_format(TranscriptionResponseFormat::VerboseJson)
        .temperature(0.2)
        .timestamp_granularities(vec![
            TimestampGranularity::Word,
            TimestampGranularity::Segment,
        ]);
    let (transcript, req) = exchange(json_answer(200, transcript_json()), |c| async move {
        c.audio().transcribe_file(request).send().await
    })
    .await?;

    assert_transcript(&transcript);
    assert_eq!(
        (req.method.as_str(), req.url.path(), req.url.query()),
        ("POST", "/audio/transcriptions", None)
    );
    let parts = multipart_parts(&req);
    let file = &parts[0];
    assert_eq!(
        (file.name.as_str(), file.filename.as_deref()),
        ("file", Some("clip.wav"))
    );
    assert_eq!(file.content_type.as_deref(), Some("audio/wav"));
    assert_eq!(file.data, audio);
    let fields: Vec<(&str, &str)> = parts[1..]
        .iter()
        .map(|p| (p.name.as_str(), p.text()))
        .collect();
    assert_eq!(
        fields,
        [
            ("model", "openai/whisper-1"),
            ("language", "en"),
            ("response_format", "verbose_json"),
            ("temperature", "0.2"),
            ("timestamp_granularities[]", "word"),
            ("timestamp_granularities[]", "segment"),
        ]
    );
    assert!(
        parts[1..].iter().all(|p| p.filename.is_none()),
        "text fields are no files"
    );
    Ok(())
}

#[tokio::test]
async fn speak_returns_the_audio_bytes() -> Result<()> {
    let mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64".repeat(20);
    let server = serve(bytes_answer(&mp3, "audio/mpeg")).await;
    let request = SpeechRequest::new("openai/gpt-4o-mini-tts", "Your order has shipped.")
        .voice("alloy")
        .response_format(SpeechRequestResponseFormat::Mp3)
        .speed(1.25);

    let audio = client(&server).audio().speak(request).send().await?;

    assert_eq!(audio.content_type(), Some("audio/mpeg"));
    assert_eq!(audio.content_length(), Some(mp3.len() as u64));
    assert_eq!(audio.bytes(1 << 20).await?, mp3);
    assert_request(
        &single_request(&server).await,
        "POST",
        "/audio/speech",
        &[],
        Some(json!({
            "model": "openai/gpt-4o-mini-tts",
            "input": "Your order has shipped.",
            "voice": "alloy",
            "response_format": "mp3",
            "speed": 1.25
        })),
    );
    Ok(())
}

#[tokio::test]
async fn speak_error_is_an_api_error() -> Result<()> {
    let body = json!({"error": {"code": 402, "message": "Insufficient credits"}}).to_string();
    let server =
        serve(ResponseTemplate::new(402).set_body_raw(body.clone(), "application/json")).await;

    let err = client(&server)
        .audio()
        .speak(SpeechRequest::new("openai/tts-1", "hi"))
        .send()
        .await
        .expect_err("402");

    let Error::Api(api) = &err else {
        panic!("an API error: {err:?}")
    };
    assert_eq!(
        (api.status.as_u16(), api.message.as_str()),
        (402, "Insufficient credits")
    );
    assert_eq!(api.body, body.as_bytes());
    Ok(())
}

// ---- images --------------------------------------------------------------------------------

fn image_request() -> ImageGenerationRequest {
    ImageGenerationRequest::new("openai/gpt-image-1", "A red fox in the snow, watercolor")
        .input_references(vec![ContentPartImage::new(ContentPartImageUrl::new(
            "https://example.com/fox.png",
        ))])
        .n(2)
        .size("1024x1024")
        .resolution(ImageResolution::V1k)
        .aspect_ratio(ImageAspectRatio::V11)
        .quality(ImageQuality::High)
        .background(ImageBackground::Transparent)
        .output_format(ImageOutputFormat::Png)
        .output_compression(80)
        .seed(7)
}

fn image_request_json(stream: bool) -> Value {
    json!({
        "model": "openai/gpt-image-1",
        "prompt": "A red fox in the snow, watercolor",
        "input_references": [{"type": "image_url", "image_url": {"url": "https://example.com/fox.png"}}],
        "n": 2,
        "size": "1024x1024",
        "resolution": "1K",
        "aspect_ratio": "1:1",
        "quality": "high",
        "background": "transparent",
        "output_format": "png",
        "output_compression": 80,
        "seed": 7,
        "stream": stream
    })
}

#[tokio::test]
async fn generate_images_sends_stream_false_and_decodes_the_images() -> Result<()> {
    let body = json!({
        "created": 1754000000,
        "data": [{"b64_json": "iVBORw0KGgoAAAANSUhEUg==", "media_type": "image/png"}, {"b64_json": "iVBORw0KGgoAAAAB"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 4160, "total_tokens": 4172, "cost": 0.167,
                  "completion_tokens_details": {"image_tokens": 4160}}
    });
    let (images, req) = exchange(json_answer(200, body), |c| async move {
        c.images()
            .generate(image_request().stream(true))
            .send()
            .await
    })
    .await?;

    assert_eq!(images.created, 1754000000);
    assert_eq!(images.data.len(), 2);
    assert_eq!(images.data[0].media_type.as_deref(), Some("image/png"));
    assert_eq!(images.data[1].b64_json, "iVBORw0KGgoAAAAB");
    let usage = images.usage.expect("usage");
    assert_eq!((usage.total_tokens, usage.cost), (4172, Some(0.167)));
    assert_eq!(
        usage.completion_tokens_details.and_then(|d| d.image_tokens),
        Some(4160)
    );
    assert_request(
        &req,
        "POST",
        "/images",
        &[],
        Some(image_request_json(false)),
    );
    Ok(())
}

#[tokio::test]
async fn generate_images_stream_yields_typed_events_until_done() -> Result<()> {
    let events = [
        json!({"type": "image_generation.partial_image", "partial_image_index": 0, "b64_json": "cGFydGlhbA=="}),
        json!({"type": "image_generation.text_chunk", "text": "<svg", "phase": "content"}),
        json!({"type": "image_generation.completed", "b64_json": "ZmluYWw=", "media_type": "image/png",
               "created": 1754000001, "usage": {"prompt_tokens": 12, "completion_tokens": 4160, "total_tokens": 4172}}),
    ];
    let mut sse = String::from(": OPENROUTER PROCESSING\n\n");
    for event in &events {
        sse.push_str(&format!("data: {event}\n\n"));
    }
    sse.push_str("data: [DONE]\n\n");
    let server = serve(ResponseTemplate::new(200).set_body_raw(sse, "text/event-stream")).await;

    let received: Vec<ImageStreamEvent> = client(&server)
        .images()
        .generate(image_request())
        .stream()
        .await?
        .try_collect()
        .await?;

    assert_eq!(received.len(), 3);
    let ImageStreamEvent::ImageGenerationPartialImage(partial) = &received[0] else {
        panic!("{:?}", received[0])
    };
    assert_eq!(
        (partial.partial_image_index, partial.b64_json.as_str()),
        (0, "cGFydGlhbA==")
    );
    let ImageStreamEvent::ImageGenerationTextChunk(chunk) = &received[1] else {
        panic!("{:?}", received[1])
    };
    assert_eq!(
        (chunk.text.as_str(), &chunk.phase),
        ("<svg", &ImageTextChunkPhase::Content)
    );
    let ImageStreamEvent::ImageGenerationCompleted(done) = &received[2] else {
        panic!("{:?}", received[2])
    };
    assert_eq!(
        (done.b64_json.as_str(), done.created),
        ("ZmluYWw=", 1754000001)
    );
    assert_eq!(done.usage.as_ref().map(|u| u.completion_tokens), Some(4160));
    let req = single_request(&server).await;
    assert_eq!(header(&req, "accept").as_deref(), Some("text/event-stream"));
    assert_request(&req, "POST", "/images", &[], Some(image_request_json(true)));
    Ok(())
}

#[tokio::test]
async fn list_image_models() -> Result<()> {
    let body = json!({"data": [{
        "id": "openai/gpt-image-1",
        "name": "OpenAI: GPT Image 1",
        "description": "OpenAI's natively multimodal image model.",
        "created": 1745452800,
        "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["image"]},
        "supported_parameters": {
            "quality": {"type": "enum", "values": ["low", "medium", "high", "auto"]},
            "output_compression": {"type": "range", "min": 0, "max": 100},
            "seed": {"type": "boolean"}
        },
        "supports_streaming": true,
        "endpoints": "/api/v1/images/models/openai/gpt-image-1/endpoints"
    }]});
    let (models, req) = exchange(json_answer(200, body), |c| async move {
        c.images().list_models().send().await
    })
    .await?;

    let m = &models.data[0];
    assert_eq!(m.id, "openai/gpt-image-1");
    assert!(m.supports_streaming);
    assert_eq!(m.architecture.output_modalities, [OutputModality::Image]);
    let Some(ParameterCapability::Enum(quality)) = m.supported_parameters.get("quality") else {
        panic!("enum quality")
    };
    assert_eq!(quality.values, ["low", "medium", "high", "auto"]);
    let Some(ParameterCapability::Range(range)) = m.supported_parameters.get("output_compression")
    else {
        panic!("range output_compression")
    };
    assert_eq!((range.min, range.max), (0.0, 100.0));
    assert!(matches!(
        m.supported_parameters.get("seed"),
        Some(ParameterCapability::Boolean(_))
    ));
    assert_request(&req, "GET", "/images/models", &[], None);
    Ok(())
}

#[tokio::test]
async fn list_image_model_endpoints() -> Result<()> {
    let body = json!({
        "id": "black-forest-labs/flux-1.1-pro",
        "endpoints": [{
            "provider_name": "Black Forest Labs",
            "provider_slug": "black-forest-labs",
            "provider_tag": null,
            "supported_parameters": {"seed": {"type": "boolean"}},
            "allowed_passthrough_parameters": ["safety_tolerance", "prompt_upsampling"],
            "supports_streaming": false,
            "pricing": [
                {"billable": "output_image", "unit": "megapixel", "cost_usd": 0.04},
                {"billable": "input_reference", "unit": "image", "cost_usd": 0.01, "variant": "ultra"}
            ]
        }]
    });
    let (endpoints, req) = exchange(json_answer(200, body), |c| async move {
        c.images()
            .list_model_endpoints("black-forest-labs", "flux-1.1-pro")
            .send()
            .await
    })
    .await?;

    assert_eq!(endpoints.id, "black-forest-labs/flux-1.1-pro");
    let e = &endpoints.endpoints[0];
    assert_eq!(
        (e.provider_slug.as_str(), e.provider_tag.as_deref()),
        ("black-forest-labs", None)
    );
    assert_eq!(
        e.allowed_passthrough_parameters,
        ["safety_tolerance", "prompt_upsampling"]
    );
    assert_eq!(e.pricing[0].billable, ImagePricingBillable::OutputImage);
    assert_eq!(e.pricing[0].unit, ImagePricingUnit::Megapixel);
    assert_eq!(
        (e.pricing[1].cost_usd, e.pricing[1].variant.as_deref()),
        (0.01, Some("ultra"))
    );
    assert_request(
        &req,
        "GET",
        "/images/models/black-forest-labs/flux-1.1-pro/endpoints",
        &[],
        None,
    );
    Ok(())
}
