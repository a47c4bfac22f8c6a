//! Analytics, BYOK keys, benchmarks, task classifications, datasets and observability
//! destinations.

use crate::{Sequence, WS_ID, assert_request, client, exchange, json_answer, requests, serve};
use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::types::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const KEY_HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";
const USER_ID: &str = "user_2yOPcMpKeCTvRpSNcJMW4YSVOGw";
const BYOK_ID: &str = "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4";
const DEST_ID: &str = "d5e4f3a2-b1c0-4d9e-8f7a-6b5c4d3e2f10";

fn object(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Object(map) => map.into_iter().collect(),
        other => panic!("an object: {other}"),
    }
}

// ---- analytics -------------------------------------------------------------------------------

#[tokio::test]
async fn activity_sends_every_filter() -> Result<()> {
    let body = json!({"data": [{
        "date": "2025-10-01",
        "model": "openai/gpt-4o",
        "model_permaslug": "openai/gpt-4o-2024-08-06",
        "endpoint_id": "ep_7c9d2e",
        "provider_name": "OpenAI",
        "usage": 0.0125,
        "byok_usage_inference": 0.5,
        "requests": 3,
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "reasoning_tokens": 64,
        "workspace_id": WS_ID
    }]});
    let (activity, req) = exchange(json_answer(200, body), |c| async move {
        c.analytics()
            .activity()
            .date("2025-10-01")
            .api_key_hash(KEY_HASH)
            .user_id(USER_ID)
            .group_by(GetUserActivityGroupBy::default())
            .workspace_id(WS_ID)
            .send()
            .await
    })
    .await?;

    let row = &activity.data[0];
    assert_eq!(
        (row.model_permaslug.as_str(), row.requests),
        ("openai/gpt-4o-2024-08-06", 3)
    );
    assert_eq!(
        (row.usage, row.byok_usage_inference, row.reasoning_tokens),
        (0.0125, 0.5, 64)
    );
    assert_eq!(row.workspace_id.as_deref(), Some(WS_ID));
    assert_request(
        &req,
        "GET",
        "/activity",
        &[
            ("date", "2025-10-01"),
            ("api_key_hash", KEY_HASH),
            ("user_id", USER_ID),
            ("group_by", "workspace"),
            ("workspace_id", WS_ID),
        ],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn analytics_meta() -> Result<()> {
    let body = json!({"data": {
        "metrics": [{"name": "total_cost", "display_label": "Total cost", "is_rate": false, "display_format": "currency"},
                    {"name": "cache_hit_rate", "display_label": "Cache hit rate", "is_rate": true, "display_format": "percent"}],
        "dimensions": [{"name": "model", "display_label": "Model"}],
        "operators": [{"name": "not_in", "value_type": "array"}, {"name": "gte", "value_type": "scalar"}],
        "granularities": [{"name": "hour", "display_label": "Hour"}, {"name": "day", "display_label": "Day"}]
    }});
    let (meta, req) = exchange(json_answer(200, body), |c| async move {
        c.analytics().meta().send().await
    })
    .await?;

    let meta = meta.data;
    assert_eq!(
        meta.metrics[0].display_format,
        AnalyticsDisplayFormat::Currency
    );
    assert!(meta.metrics[1].is_rate);
    assert_eq!(meta.dimensions[0].display_label, "Model");
    assert_eq!(meta.operators[0].name, AnalyticsOperatorName::NotIn);
    assert_eq!(
        meta.operators[0].value_type,
        AnalyticsOperatorValueType::Array
    );
    assert_eq!(meta.operators[1].name, AnalyticsOperatorName::Gte);
    assert_eq!(meta.granularities[0].name, AnalyticsGranularity::Hour);
    assert_request(&req, "GET", "/analytics/meta", &[], None);
    Ok(())
}

#[tokio::test]
async fn analytics_query_posts_the_whole_query() -> Result<()> {
    let request =
        AnalyticsQueryRequest::new(vec!["total_cost".to_owned(), "request_count".to_owned()])
            .dimensions(vec!["model".to_owned()])
            .filters(vec![
                AnalyticsFilter::new(
                    "provider",
                    "in",
                    AnalyticsFilterValue::AnalyticsFilterScalarList(vec![
                        AnalyticsFilterScalar::String("OpenAI".into()),
                        AnalyticsFilterScalar::String("Anthropic".into()),
                    ]),
                )
                .include_unset(false),
                AnalyticsFilter::new("latency_ms", "lt", AnalyticsFilterValue::Number(1500.5)),
            ])
            .granularity("day")
            .time_range(AnalyticsTimeRange::new(
                "2025-10-01T00:00:00Z",
                "2025-10-08T00:00:00Z",
            ))
            .order_by(AnalyticsOrderBy::new(
                "total_cost",
                AnalyticsSortDirection::Desc,
            ))
            .limit(100)
            .group_limit(10)
            .classifier_dimensions(
                AnalyticsClassifierDimensions::new("task")
                    .dimension_names(vec!["programming".to_owned()])
                    .include_nulls(true),
            )
            .classifier_filters(AnalyticsClassifierFilters::new(
                "task",
                vec![AnalyticsClassifierFilter::new(
                    "tag",
                    "eq",
                    AnalyticsFilterValue::String("programming".into()),
                )],
            ));
    let body = json!({"data": {
        "data": [{"date": "2025-10-01", "model": "openai/gpt-4o", "total_cost": 1.25, "request_count": 40}],
        "metadata": {"query_time_ms": 35.2, "row_count": 1, "truncated": false},
        "cachedAt": 1759300000000.0,
        "warnings": ["group_limit capped the model dimension"]
    }});
    let (result, req) = exchange(json_answer(200, body), |c| async move {
        c.analytics().query(request).send().await
    })
    .await?;

    let result = result.data;
    assert_eq!(result.data[0].get("total_cost"), Some(&json!(1.25)));
    assert_eq!(result.data[0].get("model"), Some(&json!("openai/gpt-4o")));
    assert_eq!(
        (result.metadata.row_count, result.metadata.truncated),
        (1, false)
    );
    assert_eq!(result.cached_at, Some(1759300000000.0));
    assert_eq!(result.warnings.as_ref().map(Vec::len), Some(1));
    assert_request(
        &req,
        "POST",
        "/analytics/query",
        &[],
        Some(json!({
            "metrics": ["total_cost", "request_count"],
            "dimensions": ["model"],
            "filters": [
                {"field": "provider", "operator": "in", "value": ["OpenAI", "Anthropic"], "include_unset": false},
                {"field": "latency_ms", "operator": "lt", "value": 1500.5}
            ],
            "granularity": "day",
            "time_range": {"start": "2025-10-01T00:00:00Z", "end": "2025-10-08T00:00:00Z"},
            "order_by": {"field": "total_cost", "direction": "desc"},
            "limit": 100,
            "group_limit": 10,
            "classifier_dimensions": {"classifier_id": "task", "dimension_names": ["programming"], "include_nulls": true},
            "classifier_filters": {"classifier_id": "task", "filters": [{"field": "tag", "operator": "eq", "value": "programming"}]}
        })),
    );
    Ok(())
}

// ---- BYOK ------------------------------------------------------------------------------------

fn byok_json(id: &str, name: Option<&str>) -> Value {
    json!({
        "id": id,
        "provider": "amazon-bedrock",
        "workspace_id": WS_ID,
        "name": name,
        "label": "AKIA...7QXZ",
        "disabled": false,
        "is_fallback": true,
        "allowed_models": ["anthropic/claude-sonnet-4"],
        "allowed_api_key_hashes": null,
        "allowed_user_ids": [USER_ID],
        "sort_order": 2,
        "created_at": "2025-04-01T00:00:00Z"
    })
}

fn assert_byok(key: &ByokKey, name: Option<&str>) {
    assert_eq!(key.id, BYOK_ID);
    assert_eq!(key.provider, ByokProviderSlug::AmazonBedrock);
    assert_eq!(key.name.as_deref(), name);
    assert_eq!(
        (key.label.as_str(), key.is_fallback, key.sort_order),
        ("AKIA...7QXZ", true, 2)
    );
    assert_eq!(key.allowed_api_key_hashes, None);
    assert_eq!(
        key.allowed_user_ids.as_deref(),
        Some(&[USER_ID.to_owned()][..])
    );
}

#[tokio::test]
async fn list_byok_keys() -> Result<()> {
    let body = json!({"data": [byok_json(BYOK_ID, Some("Bedrock prod"))], "total_count": 1});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.byok()
            .list()
            .offset(0)
            .limit(10)
            .workspace_id(WS_ID)
            .provider(ByokProviderSlug::AmazonBedrock)
            .send()
            .await
    })
    .await?;
    assert_eq!(page.total_count, 1);
    assert_byok(&page.data[0], Some("Bedrock prod"));
    assert_request(
        &req,
        "GET",
        "/byok",
        &[
            ("offset", "0"),
            ("limit", "10"),
            ("workspace_id", WS_ID),
            ("provider", "amazon-bedrock"),
        ],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn create_byok_key() -> Result<()> {
    let request = CreateByokKeyRequest::new(
        ByokProviderSlug::AmazonBedrock,
        "AKIAEXAMPLE:secret:us-east-1",
    )
    .name(Some("Bedrock prod".to_owned()))
    .workspace_id(WS_ID)
    .disabled(false)
    .is_fallback(true)
    .allowed_models(Some(vec!["anthropic/claude-sonnet-4".to_owned()]))
    .allowed_api_key_hashes(None)
    .allowed_user_ids(Some(vec![USER_ID.to_owned()]));
    let (created, req) = exchange(
        json_answer(
            201,
            json!({"data": byok_json(BYOK_ID, Some("Bedrock prod"))}),
        ),
        |c| async move { c.byok().create(request).send().await },
    )
    .await?;
    assert_byok(&created.data, Some("Bedrock prod"));
    assert_request(
        &req,
        "POST",
        "/byok",
        &[],
        Some(json!({
            "provider": "amazon-bedrock",
            "key": "AKIAEXAMPLE:secret:us-east-1",
            "name": "Bedrock prod",
            "workspace_id": WS_ID,
            "disabled": false,
            "is_fallback": true,
            "allowed_models": ["anthropic/claude-sonnet-4"],
            "allowed_api_key_hashes": null,
            "allowed_user_ids": [USER_ID]
        })),
    );
    Ok(())
}

#[tokio::test]
async fn get_byok_key() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": byok_json(BYOK_ID, None)})),
        |c| async move { c.byok().get(BYOK_ID).send().await },
    )
    .await?;
    assert_byok(&got.data, None);
    assert_request(&req, "GET", &format!("/byok/{BYOK_ID}"), &[], None);
    Ok(())
}

/// PATCH: a field set to `None` is sent as `null` (cleared), a field never set is left out.
#[tokio::test]
async fn update_byok_key_sends_null_for_cleared_fields_only() -> Result<()> {
    let mut updated = byok_json(BYOK_ID, None);
    updated["allowed_models"] = Value::Null;
    let request = UpdateByokKeyRequest::new()
        .key("AKIAROTATED:secret:us-west-2")
        .name(None)
        .allowed_models(None)
        .is_fallback(true);
    let (got, req) = exchange(json_answer(200, json!({"data": updated})), |c| async move {
        c.byok().update(BYOK_ID, request).send().await
    })
    .await?;

    assert_byok(&got.data, None);
    assert_eq!(got.data.allowed_models, None);
    assert_request(
        &req,
        "PATCH",
        &format!("/byok/{BYOK_ID}"),
        &[],
        Some(
            json!({"key": "AKIAROTATED:secret:us-west-2", "name": null, "allowed_models": null, "is_fallback": true}),
        ),
    );
    let sent = crate::body_of(&req);
    for absent in ["disabled", "allowed_api_key_hashes", "allowed_user_ids"] {
        assert!(
            sent.get(absent).is_none(),
            "{absent} was never set and must not be sent"
        );
    }
    Ok(())
}

#[tokio::test]
async fn delete_byok_key() -> Result<()> {
    let (deleted, req) = exchange(json_answer(200, json!({"deleted": true})), |c| async move {
        c.byok().delete(BYOK_ID).send().await
    })
    .await?;
    assert!(deleted.deleted);
    assert_request(&req, "DELETE", &format!("/byok/{BYOK_ID}"), &[], None);
    Ok(())
}

// ---- benchmarks, classifications ---------------------------------------------------------------

#[tokio::test]
async fn benchmarks_send_every_filter_and_decode_each_result_shape() -> Result<()> {
    let body = json!({
        "data": [
            {"source": "design-arena", "model_permaslug": "anthropic/claude-sonnet-4", "display_name": "Claude Sonnet 4",
             "arena": "builders", "category": "uicomponent", "elo": 1312.5, "win_rate": 0.64, "avg_generation_time_ms": 41000.0,
             "tournament_stats": {"first_place": 120, "second_place": 80, "third_place": 40, "fourth_place": 10, "total": 250},
             "pricing": {"prompt": "0.000003", "completion": "0.000015"}},
            {"source": "openrouter", "model_permaslug": "openai/gpt-5", "display_name": "GPT-5",
             "benchmark_type": "gpqa_diamond", "accuracy": 0.87, "accuracy_stddev": 0.01, "avg_cost_per_task": 0.02,
             "total_tasks": 198, "last_run_timestamp": "2025-09-30T12:00:00Z"},
            {"source": "openrouter", "model_permaslug": "openai/gpt-5", "display_name": "GPT-5",
             "benchmark_type": "search_hle", "primary_metric": "f1_by_item", "primary_score": 0.41, "total_tasks": 500,
             "avg_cost_per_task": 0.11, "avg_latency_per_task_ms": 5300.0, "search_engine": "exa",
             "search_surface": "server-tool", "run_config": {"max_agent_turns": 20, "reasoning_effort": "high", "temperature": null},
             "last_run_timestamp": "2025-09-29T12:00:00Z"},
            {"source": "artificial-analysis", "model_permaslug": "google/gemini-2.5-pro", "display_name": "Gemini 2.5 Pro",
             "intelligence_index": 69.5, "coding_index": 55.25, "agentic_index": null}
        ],
        "meta": {"as_of": "2025-10-01T00:00:00Z", "version": "v1", "source": null, "source_url": null, "citation": null,
                 "model_count": 4, "task_type": "search"}
    });
    let (bench, req) = exchange(json_answer(200, body), |c| async move {
        c.benchmarks()
            .list()
            .source(BenchmarkSource::Openrouter)
            .task_type(GetBenchmarksTaskType::Search)
            .benchmark_type(GetBenchmarksBenchmarkType::SearchHle)
            .include_run_config(true)
            .search_engine("exa")
            .search_surface(BenchmarkSearchSurface::ServerTool)
            .arena(GetBenchmarksArena::Builders)
            .category("uicomponent")
            .max_results(25)
            .send()
            .await
    })
    .await?;

    assert_eq!(bench.meta.model_count, 4);
    assert_eq!(bench.meta.task_type.as_deref(), Some("search"));
    let BenchmarkResult::DesignArenaScore(arena) = &bench.data[0] else {
        panic!("design arena: {:?}", bench.data[0])
    };
    assert_eq!(
        (arena.elo, arena.tournament_stats.total),
        (1312.5, Some(250))
    );
    let BenchmarkResult::OpenRouterEvalScore(eval) = &bench.data[1] else {
        panic!("openrouter eval: {:?}", bench.data[1])
    };
    assert_eq!(
        (eval.benchmark_type.clone(), eval.accuracy),
        (OpenRouterEvalType::GpqaDiamond, 0.87)
    );
    let BenchmarkResult::SearchEvalScore(search) = &bench.data[2] else {
        panic!("search eval: {:?}", bench.data[2])
    };
    assert_eq!(search.primary_metric, SearchEvalMetric::F1ByItem);
    assert_eq!(search.search_surface, BenchmarkSearchSurface::ServerTool);
    assert_eq!(
        search.run_config.as_ref().and_then(|r| r.max_agent_turns),
        Some(20)
    );
    let BenchmarkResult::ArtificialAnalysisScore(aa) = &bench.data[3] else {
        panic!("artificial analysis: {:?}", bench.data[3])
    };
    assert_eq!(
        (aa.intelligence_index, aa.agentic_index),
        (Some(69.5), None)
    );
    assert_request(
        &req,
        "GET",
        "/benchmarks",
        &[
            ("source", "openrouter"),
            ("task_type", "search"),
            ("benchmark_type", "search_hle"),
            ("include_run_config", "true"),
            ("search_engine", "exa"),
            ("search_surface", "server-tool"),
            ("arena", "builders"),
            ("category", "uicomponent"),
            ("max_results", "25"),
        ],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn task_classifications() -> Result<()> {
    let body = json!({"data": {
        "window_days": 7,
        "as_of": "2025-10-05",
        "classifications": [{
            "tag": "programming", "display_name": "Programming", "macro_category": "technical",
            "usage_share": 0.42, "token_share": 0.55, "category_usage_share": 0.8, "category_token_share": 0.85,
            "models": [{"id": "anthropic/claude-sonnet-4", "tag_usage_share": 0.3, "tag_token_share": 0.35}]
        }],
        "macro_categories": [{"key": "technical", "label": "Technical", "usage_share": 0.5, "token_share": 0.6}]
    }});
    let (tasks, req) = exchange(json_answer(200, body), |c| async move {
        c.classifications()
            .tasks()
            .window(GetTaskClassificationsWindow::default())
            .send()
            .await
    })
    .await?;

    let tasks = tasks.data;
    assert_eq!(tasks.window_days, 7);
    assert_eq!(tasks.classifications[0].token_share, 0.55);
    assert_eq!(
        tasks.classifications[0].models[0].id,
        "anthropic/claude-sonnet-4"
    );
    assert_eq!(tasks.macro_categories[0].label, "Technical");
    assert_request(
        &req,
        "GET",
        "/classifications/task",
        &[("window", "7d")],
        None,
    );
    Ok(())
}

// ---- datasets --------------------------------------------------------------------------------

fn rankings_meta() -> Value {
    json!({"as_of": "2025-10-05T00:00:00Z", "version": "v1", "start_date": "2025-09-01", "end_date": "2025-09-30"})
}

#[tokio::test]
async fn app_rankings() -> Result<()> {
    let body = json!({
        "data": [{"rank": 1, "app_id": 101, "app_name": "Cline", "total_tokens": "123456789012", "total_requests": 456789}],
        "meta": rankings_meta()
    });
    let (rankings, req) = exchange(json_answer(200, body), |c| async move {
        c.datasets()
            .app_rankings()
            .category(GetAppRankingsCategory::Coding)
            .subcategory(GetAppRankingsSubcategory::CliAgent)
            .sort(GetAppRankingsSort::Trending)
            .start_date("2025-09-01")
            .end_date("2025-09-30")
            .limit(1)
            .offset(0)
            .send()
            .await
    })
    .await?;

    assert_eq!(rankings.data[0].app_name, "Cline");
    assert_eq!(rankings.data[0].total_tokens, "123456789012");
    assert_eq!(rankings.meta.end_date, "2025-09-30");
    assert_request(
        &req,
        "GET",
        "/datasets/app-rankings",
        &[
            ("category", "coding"),
            ("subcategory", "cli-agent"),
            ("sort", "trending"),
            ("start_date", "2025-09-01"),
            ("end_date", "2025-09-30"),
            ("limit", "1"),
            ("offset", "0"),
        ],
        None,
    );
    Ok(())
}

/// A rankings server that enforces the documented bounds of `GET /datasets/app-rankings`
/// (`offset` at most 100, `limit` at most 100) and always has more apps than asked for.
struct BoundedRankings;

impl wiremock::Respond for BoundedRankings {
    fn respond(&self, req: &wiremock::Request) -> wiremock::ResponseTemplate {
        let param = |name: &str| {
            req.url
                .query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<i64>().ok())
        };
        let (offset, limit) = (param("offset").unwrap_or(0), param("limit").unwrap_or(50));
        if offset > 100 || limit > 100 {
            let error = json!({"error": {"code": 400, "message": "offset must be at most 100"}});
            return json_answer(400, error);
        }
        let apps: Vec<Value> = (offset..offset + limit)
            .map(|i| {
                json!({"rank": i + 1, "app_id": 1000 + i, "app_name": format!("App {}", i + 1),
                            "total_tokens": "1000", "total_requests": 10})
            })
            .collect();
        json_answer(200, json!({"data": apps, "meta": rankings_meta()}))
    }
}

/// The spec caps `offset` at 100 for app rankings, so a walk in pages of 100 can reach at most
/// 200 apps: the paginator stops before asking for `offset=200`, which the server refuses.
#[tokio::test]
async fn app_rankings_paginator_stops_at_the_documented_offset_maximum() -> Result<()> {
    let server = serve(BoundedRankings).await;

    let apps = client(&server)
        .datasets()
        .app_rankings()
        .limit(100)
        .into_paginator()
        .collect_items()
        .await?;

    assert_eq!(apps.len(), 200);
    assert_eq!(apps[199].rank, 200);
    for req in requests(&server).await {
        let offset = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "offset")
            .map(|(_, v)| v.into_owned());
        assert!(
            offset
                .as_deref()
                .and_then(|o| o.parse::<i64>().ok())
                .is_some_and(|o| o <= 100),
            "offset {offset:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn rankings_daily() -> Result<()> {
    let body = json!({
        "data": [
            {"date": "2025-09-29", "model_permaslug": "anthropic/claude-sonnet-4", "total_tokens": "98765432100"},
            {"date": "2025-09-29", "model_permaslug": "other", "total_tokens": "1234"}
        ],
        "meta": rankings_meta()
    });
    let (daily, req) = exchange(json_answer(200, body), |c| async move {
        c.datasets()
            .rankings_daily()
            .start_date("2025-09-01")
            .end_date("2025-09-30")
            .period(GetRankingsDailyPeriod::Week)
            .modality(GetRankingsDailyModality::ToolCalling)
            .context_bucket(GetRankingsDailyContextBucket::V100k)
            .category(GetRankingsDailyCategory::MarketingSeo)
            .language_type(GetRankingsDailyLanguageType::Natural)
            .send()
            .await
    })
    .await?;

    assert_eq!(daily.data.len(), 2);
    assert_eq!(daily.data[1].model_permaslug, "other");
    assert_eq!(daily.meta.start_date, "2025-09-01");
    assert_request(
        &req,
        "GET",
        "/datasets/rankings-daily",
        &[
            ("start_date", "2025-09-01"),
            ("end_date", "2025-09-30"),
            ("period", "week"),
            ("modality", "tool_calling"),
            ("context_bucket", "100K"),
            ("category", "marketing/seo"),
            ("language_type", "natural"),
        ],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn session_cost() -> Result<()> {
    let body = json!({
        "data": [{"app_slug": "cline", "app_name": "Cline", "turn_range": "10-49-turns",
                  "model_permaslug": "anthropic/claude-sonnet-4", "median_session_cost_usd": 0.84}],
        "meta": {"as_of": "2025-10-05T00:00:00Z", "version": "v1", "window_days": 28, "window_end_date": "2025-10-04"}
    });
    let (costs, req) = exchange(json_answer(200, body), |c| async move {
        c.datasets()
            .session_cost()
            .app_slug("cline")
            .model("anthropic/claude-sonnet-4")
            .turn_range(SessionTurnRange::V1049Turns)
            .limit(50)
            .offset(100)
            .send()
            .await
    })
    .await?;

    assert_eq!(costs.data[0].turn_range, SessionTurnRange::V1049Turns);
    assert_eq!(costs.data[0].median_session_cost_usd, 0.84);
    assert_eq!(
        (
            costs.meta.window_days,
            costs.meta.window_end_date.as_deref()
        ),
        (Some(28), Some("2025-10-04"))
    );
    assert_request(
        &req,
        "GET",
        "/datasets/session-cost",
        &[
            ("app_slug", "cline"),
            ("model", "anthropic/claude-sonnet-4"),
            ("turn_range", "10-49-turns"),
            ("limit", "50"),
            ("offset", "100"),
        ],
        None,
    );
    Ok(())
}

// ---- observability destinations --------------------------------------------------------------

fn destination_json(id: &str, kind: &str, config: Value) -> Value {
    json!({
        "id": id,
        "workspace_id": WS_ID,
        "name": format!("{kind} sink"),
        "enabled": true,
        "privacy_mode": false,
        "broadcast_generation_cost": true,
        "broadcast_generation_identity": false,
        "broadcast_generation_request_context": true,
        "sampling_rate": 0.25,
        "api_key_hashes": [KEY_HASH],
        "filter_rules": {"enabled": true, "groups": [{"logic": "and", "rules": [
            {"field": "model", "operator": "contains", "value": "claude"},
            {"field": "total_cost", "operator": "gt", "value": 0.05}
        ]}]},
        "created_at": "2025-05-05T05:05:05Z",
        "updated_at": "2025-05-06T05:05:05Z",
        "type": kind,
        "config": config
    })
}

fn langfuse_config() -> Value {
    json!({"secretKey": "sk-lf-****", "publicKey": "pk-lf-1234", "baseUrl": "https://cloud.langfuse.com"})
}

fn filter_rules() -> ObservabilityFilterRules {
    ObservabilityFilterRules::new(vec![
        ObservabilityFilterRuleGroup::new(vec![
            ObservabilityFilterRule::new(
                ObservabilityFilterField::Model,
                ObservabilityFilterOperator::Contains,
            )
            .value(ObservabilityFilterValue::String("claude".into())),
            ObservabilityFilterRule::new(
                ObservabilityFilterField::TotalCost,
                ObservabilityFilterOperator::Gt,
            )
            .value(ObservabilityFilterValue::Number(0.05)),
        ])
        .logic(ObservabilityFilterLogic::And),
    ])
    .enabled(true)
}

#[tokio::test]
async fn list_observability_destinations_decodes_each_type() -> Result<()> {
    let body = json!({"data": [
        destination_json(DEST_ID, "langfuse", langfuse_config()),
        destination_json("d-2", "otel-collector", json!({"endpoint": "https://otel.example.com/v1/traces",
                                                         "headers": {"x-team": "ml"}})),
        destination_json("d-3", "future-sink", json!({"anything": 1}))
    ], "total_count": 3});
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.observability()
            .list()
            .offset(0)
            .limit(3)
            .workspace_id(WS_ID)
            .send()
            .await
    })
    .await?;

    assert_eq!(page.total_count, 3);
    let ObservabilityDestination::Langfuse(langfuse) = &page.data[0] else {
        panic!("langfuse: {:?}", page.data[0])
    };
    assert_eq!(langfuse.config.public_key, "pk-lf-1234");
    assert_eq!(
        langfuse.config.base_url.as_deref(),
        Some("https://cloud.langfuse.com")
    );
    assert_eq!(langfuse.sampling_rate, 0.25);
    let rules = langfuse.filter_rules.as_ref().expect("filter rules");
    assert_eq!(
        rules.groups[0].rules[1].field,
        ObservabilityFilterField::TotalCost
    );
    assert_eq!(
        rules.groups[0].rules[1].value,
        Some(ObservabilityFilterValue::Number(0.05))
    );
    let ObservabilityDestination::OtelCollector(otel) = &page.data[1] else {
        panic!("otel: {:?}", page.data[1])
    };
    assert_eq!(
        otel.config
            .headers
            .as_ref()
            .and_then(|h| h.get("x-team"))
            .map(String::as_str),
        Some("ml")
    );
    let ObservabilityDestination::Unknown(raw) = &page.data[2] else {
        panic!("unknown: {:?}", page.data[2])
    };
    assert_eq!(raw["type"], "future-sink");
    assert_request(
        &req,
        "GET",
        "/observability/destinations",
        &[("offset", "0"), ("limit", "3"), ("workspace_id", WS_ID)],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn create_observability_destination() -> Result<()> {
    let config = object(
        json!({"secretKey": "sk-lf-secret", "publicKey": "pk-lf-1234", "baseUrl": "https://cloud.langfuse.com"}),
    );
    let request = CreateObservabilityDestinationRequest::new(
        ObservabilityDestinationType::Langfuse,
        "langfuse sink",
        config,
    )
    .workspace_id(WS_ID)
    .enabled(true)
    .privacy_mode(false)
    .broadcast_generation_cost(true)
    .broadcast_generation_identity(false)
    .broadcast_generation_request_context(true)
    .sampling_rate(0.25)
    .api_key_hashes(Some(vec![KEY_HASH.to_owned()]))
    .filter_rules(Some(filter_rules()));
    let (created, req) = exchange(
        json_answer(
            201,
            json!({"data": destination_json(DEST_ID, "langfuse", langfuse_config())}),
        ),
        |c| async move { c.observability().create(request).send().await },
    )
    .await?;

    let ObservabilityDestination::Langfuse(created) = created.data else {
        panic!("a langfuse destination")
    };
    assert_eq!(created.id, DEST_ID);
    assert_eq!(created.api_key_hashes, Some(vec![KEY_HASH.to_owned()]));
    assert_request(
        &req,
        "POST",
        "/observability/destinations",
        &[],
        Some(json!({
            "type": "langfuse",
            "name": "langfuse sink",
            "config": {"secretKey": "sk-lf-secret", "publicKey": "pk-lf-1234", "baseUrl": "https://cloud.langfuse.com"},
            "workspace_id": WS_ID,
            "enabled": true,
            "privacy_mode": false,
            "broadcast_generation_cost": true,
            "broadcast_generation_identity": false,
            "broadcast_generation_request_context": true,
            "sampling_rate": 0.25,
            "api_key_hashes": [KEY_HASH],
            "filter_rules": {"enabled": true, "groups": [{"logic": "and", "rules": [
                {"field": "model", "operator": "contains", "value": "claude"},
                {"field": "total_cost", "operator": "gt", "value": 0.05}
            ]}]}
        })),
    );
    Ok(())
}

#[tokio::test]
async fn get_observability_destination() -> Result<()> {
    let config = json!({"url": "https://hooks.example.com/or", "method": "PUT", "headers": {"authorization": "Bearer x"}});
    let (got, req) = exchange(
        json_answer(
            200,
            json!({"data": destination_json(DEST_ID, "webhook", config)}),
        ),
        |c| async move { c.observability().get(DEST_ID).send().await },
    )
    .await?;
    let ObservabilityDestination::Webhook(hook) = got.data else {
        panic!("a webhook destination")
    };
    assert_eq!(hook.config.url, "https://hooks.example.com/or");
    assert_eq!(hook.config.method, Some(ObservabilityWebhookMethod::Put));
    assert_eq!(hook.name.as_deref(), Some("webhook sink"));
    assert_request(
        &req,
        "GET",
        &format!("/observability/destinations/{DEST_ID}"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn update_observability_destination_clears_with_null() -> Result<()> {
    let mut updated = destination_json(DEST_ID, "langfuse", langfuse_config());
    updated["api_key_hashes"] = Value::Null;
    updated["filter_rules"] = Value::Null;
    let request = UpdateObservabilityDestinationRequest::new()
        .name("langfuse staging")
        .config(object(json!({"publicKey": "pk-lf-5678"})))
        .sampling_rate(0.5)
        .broadcast_generation_request_context(false)
        .api_key_hashes(None)
        .filter_rules(None);
    let (got, req) = exchange(json_answer(200, json!({"data": updated})), |c| async move {
        c.observability().update(DEST_ID, request).send().await
    })
    .await?;

    let ObservabilityDestination::Langfuse(got) = got.data else {
        panic!("a langfuse destination")
    };
    assert_eq!((got.api_key_hashes, got.filter_rules), (None, None));
    assert_request(
        &req,
        "PATCH",
        &format!("/observability/destinations/{DEST_ID}"),
        &[],
        Some(json!({
            "name": "langfuse staging",
            "config": {"publicKey": "pk-lf-5678"},
            "sampling_rate": 0.5,
            "broadcast_generation_request_context": false,
            "api_key_hashes": null,
            "filter_rules": null
        })),
    );
    Ok(())
}

#[tokio::test]
async fn delete_observability_destination() -> Result<()> {
    let (deleted, req) = exchange(json_answer(200, json!({"deleted": true})), |c| async move {
        c.observability().delete(DEST_ID).send().await
    })
    .await?;
    assert!(deleted.deleted);
    assert_request(
        &req,
        "DELETE",
        &format!("/observability/destinations/{DEST_ID}"),
        &[],
        None,
    );
    Ok(())
}

/// Offset paging on a list other than guardrails: `items()` walks two pages.
#[tokio::test]
async fn observability_destinations_paginate_by_offset() -> Result<()> {
    let webhook = |id: &str| {
        destination_json(
            id,
            "webhook",
            json!({"url": format!("https://hooks.example.com/{id}")}),
        )
    };
    let server = serve(Sequence::new(vec![
        json_answer(
            200,
            json!({"data": [webhook("d1"), webhook("d2")], "total_count": 3}),
        ),
        json_answer(200, json!({"data": [webhook("d3")], "total_count": 3})),
        json_answer(
            500,
            json!({"error": {"code": 500, "message": "walked too far"}}),
        ),
    ]))
    .await;

    let urls: Vec<String> = client(&server)
        .observability()
        .list()
        .limit(2)
        .into_paginator()
        .items()
        .map_ok(|d| match d {
            ObservabilityDestination::Webhook(hook) => hook.config.url,
            other => panic!("a webhook: {other:?}"),
        })
        .try_collect()
        .await?;

    assert_eq!(
        urls,
        [
            "https://hooks.example.com/d1",
            "https://hooks.example.com/d2",
            "https://hooks.example.com/d3"
        ]
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_request(
        &sent[0],
        "GET",
        "/observability/destinations",
        &[("offset", "0"), ("limit", "2")],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        "/observability/destinations",
        &[("offset", "2"), ("limit", "2")],
        None,
    );
    Ok(())
}
