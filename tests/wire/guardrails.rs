//! Guardrails, organization members and SCIM group mappings.

use crate::{WS_ID, assert_request, client, exchange, json_answer, requests, serve};
use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::types::*;
use serde_json::{Value, json};

const GR_ID: &str = "5a1c7e2b-0f3d-4c8e-9b6a-2d4f6e8a0c1e";
const KEY_HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";
const USER_ID: &str = "user_2yOPcMpKeCTvRpSNcJMW4YSVOGw";
const MAPPING_ID: &str = "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b";

fn guardrail_json(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "Caps the support bots",
        "workspace_id": WS_ID,
        "limit_usd": 50.0,
        "reset_interval": "monthly",
        "include_byok_in_budgets": false,
        "allowed_providers": ["openai", "anthropic"],
        "ignored_providers": null,
        "allowed_models": null,
        "ignored_models": ["openai/gpt-3.5-turbo"],
        "enforce_zdr_anthropic": true,
        "enforce_zdr_openai": false,
        "enforce_zdr_google": false,
        "enforce_zdr_xai": false,
        "enforce_zdr_other": false,
        "enable_free_model_publication": false,
        "enable_free_model_training": false,
        "enable_paid_model_training": true,
        "content_filters": [{"pattern": "\\bACME-\\d{6}\\b", "action": "redact", "label": "order numbers"}],
        "content_filter_builtins": [
            {"slug": "credit-card", "action": "block", "label": "Credit card"},
            {"slug": "regex-prompt-injection", "action": "flag", "scan_scope": "user_only"}
        ],
        "created_at": "2025-06-01T09:00:00Z",
        "updated_at": null
    })
}

fn key_assignment_json(n: usize) -> Value {
    json!({
        "id": format!("gka_{n}"),
        "guardrail_id": GR_ID,
        "key_hash": format!("{n:064x}"),
        "key_name": format!("key {n}"),
        "key_label": format!("sk-or-v1-{n:03}...abc"),
        "assigned_by": if n % 2 == 0 { json!(USER_ID) } else { Value::Null },
        "created_at": "2025-06-02T10:00:00Z"
    })
}

fn member_assignment_json(n: usize) -> Value {
    json!({
        "id": format!("gma_{n}"),
        "guardrail_id": GR_ID,
        "user_id": format!("user_{n}"),
        "organization_id": "org_2zXyAbC",
        "assigned_by": USER_ID,
        "created_at": "2025-06-03T11:00:00Z"
    })
}

fn page(items: Vec<Value>, total: usize) -> Value {
    json!({"data": items, "total_count": total})
}

// ---- guardrails --------------------------------------------------------------------------

#[tokio::test]
async fn list_guardrails_sends_every_parameter_and_decodes_the_page() -> Result<()> {
    let body = page(
        vec![
            guardrail_json(GR_ID, "support"),
            guardrail_json("gr-2", "batch"),
        ],
        12,
    );
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.guardrails()
            .list()
            .offset(10)
            .limit(2)
            .workspace_id(WS_ID)
            .send()
            .await
    })
    .await?;

    assert_eq!(page.total_count, 12);
    assert_eq!(page.data.len(), 2);
    let g = &page.data[0];
    assert_eq!((g.id.as_str(), g.name.as_str()), (GR_ID, "support"));
    assert_eq!(g.limit_usd, Some(50.0));
    assert_eq!(g.reset_interval, Some(GuardrailInterval::Monthly));
    assert_eq!(
        g.allowed_providers.as_deref(),
        Some(&["openai".to_owned(), "anthropic".to_owned()][..])
    );
    assert_eq!(g.ignored_providers, None);
    assert_eq!(g.enforce_zdr_anthropic, Some(true));
    assert_eq!(g.enable_paid_model_training, Some(true));
    let filter = &g.content_filters.as_ref().expect("content filters")[0];
    assert_eq!(filter.action, GuardrailFilterAction::Redact);
    assert_eq!(
        filter.label.as_ref().map(String::as_str),
        Some("order numbers")
    );
    let builtins = g.content_filter_builtins.as_ref().expect("builtins");
    assert_eq!(builtins[0].slug, GuardrailBuiltinFilterSlug::CreditCard);
    assert_eq!(builtins[0].action, GuardrailFilterAction::Block);
    assert_eq!(
        builtins[1].slug,
        GuardrailBuiltinFilterSlug::RegexPromptInjection
    );
    assert_eq!(builtins[1].scan_scope, Some(GuardrailScanScope::UserOnly));
    assert_eq!(g.updated_at, None);
    assert_eq!(page.data[1].name, "batch");
    assert_request(
        &req,
        "GET",
        "/guardrails",
        &[("offset", "10"), ("limit", "2"), ("workspace_id", WS_ID)],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn create_guardrail_posts_the_body_and_decodes_201() -> Result<()> {
    let request = CreateGuardrailRequest::new("support")
        .description(Some("Caps the support bots".to_owned()))
        .workspace_id(WS_ID)
        .limit_usd(Some(50.0))
        .reset_interval(GuardrailInterval::Monthly)
        .include_byok_in_budgets(false)
        .allowed_providers(Some(vec!["openai".to_owned(), "anthropic".to_owned()]))
        .ignored_models(Some(vec!["openai/gpt-3.5-turbo".to_owned()]))
        .allowed_models(None)
        .enforce_zdr_anthropic(Some(true))
        .enable_free_model_training(Some(false))
        .content_filters(Some(vec![
            GuardrailContentFilter::new("\\bACME-\\d{6}\\b", GuardrailFilterAction::Redact)
                .label(Some("order numbers".to_owned())),
        ]))
        .content_filter_builtins(Some(vec![
            GuardrailBuiltinFilterInput::new(
                GuardrailBuiltinFilterSlug::CreditCard,
                GuardrailFilterAction::Block,
            ),
            GuardrailBuiltinFilterInput::new(
                GuardrailBuiltinFilterSlug::RegexPromptInjection,
                GuardrailFilterAction::Flag,
            )
            .scan_scope(GuardrailScanScope::UserOnly),
        ]));
    let (created, req) = exchange(
        json_answer(201, json!({"data": guardrail_json(GR_ID, "support")})),
        |c| async move { c.guardrails().create(request).send().await },
    )
    .await?;

    assert_eq!(created.data.id, GR_ID);
    assert_eq!(created.data.workspace_id.as_deref(), Some(WS_ID));
    assert_request(
        &req,
        "POST",
        "/guardrails",
        &[],
        Some(json!({
            "name": "support",
            "description": "Caps the support bots",
            "workspace_id": WS_ID,
            "limit_usd": 50.0,
            "reset_interval": "monthly",
            "include_byok_in_budgets": false,
            "allowed_providers": ["openai", "anthropic"],
            "allowed_models": null,
            "ignored_models": ["openai/gpt-3.5-turbo"],
            "enforce_zdr_anthropic": true,
            "enable_free_model_training": false,
            "content_filters": [{"pattern": "\\bACME-\\d{6}\\b", "action": "redact", "label": "order numbers"}],
            "content_filter_builtins": [
                {"slug": "credit-card", "action": "block"},
                {"slug": "regex-prompt-injection", "action": "flag", "scan_scope": "user_only"}
            ]
        })),
    );
    Ok(())
}

#[tokio::test]
async fn get_guardrail_percent_encodes_the_id() -> Result<()> {
    let id = "gr/eu west?v=2#1%";
    let (got, req) = exchange(
        json_answer(200, json!({"data": guardrail_json(id, "eu")})),
        |c| async move { c.guardrails().get(id).send().await },
    )
    .await?;

    assert_eq!(got.data.id, id);
    assert_eq!(
        got.data.description.as_deref(),
        Some("Caps the support bots")
    );
    assert_request(
        &req,
        "GET",
        "/guardrails/gr%2Feu%20west%3Fv=2%231%25",
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn update_guardrail_sends_null_for_cleared_fields_and_leaves_others_out() -> Result<()> {
    let mut updated = guardrail_json(GR_ID, "support v2");
    updated["limit_usd"] = Value::Null;
    updated["description"] = Value::Null;
    let request = UpdateGuardrailRequest::new()
        .name("support v2")
        .limit_usd(None)
        .description(None)
        .reset_interval(GuardrailInterval::Weekly)
        .allowed_providers(Some(vec!["anthropic".to_owned()]))
        .enforce_zdr_openai(Some(true))
        .content_filter_builtins(None);
    let (got, req) = exchange(json_answer(200, json!({"data": updated})), |c| async move {
        c.guardrails().update(GR_ID, request).send().await
    })
    .await?;

    assert_eq!(got.data.name, "support v2");
    assert_eq!(got.data.limit_usd, None);
    assert_eq!(got.data.description, None);
    assert_request(
        &req,
        "PATCH",
        &format!("/guardrails/{GR_ID}"),
        &[],
        Some(json!({
            "name": "support v2",
            "limit_usd": null,
            "description": null,
            "reset_interval": "weekly",
            "allowed_providers": ["anthropic"],
            "enforce_zdr_openai": true,
            "content_filter_builtins": null
        })),
    );
    Ok(())
}

#[tokio::test]
async fn delete_guardrail() -> Result<()> {
    let (deleted, req) = exchange(json_answer(200, json!({"deleted": true})), |c| async move {
        c.guardrails().delete(GR_ID).send().await
    })
    .await?;
    assert!(deleted.deleted);
    assert_request(&req, "DELETE", &format!("/guardrails/{GR_ID}"), &[], None);
    Ok(())
}

#[tokio::test]
async fn list_key_assignments_of_a_guardrail() -> Result<()> {
    let body = page(vec![key_assignment_json(2), key_assignment_json(3)], 2);
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.guardrails()
            .list_key_assignments(GR_ID)
            .offset(0)
            .limit(25)
            .send()
            .await
    })
    .await?;

    assert_eq!(page.total_count, 2);
    assert_eq!(page.data[0].key_hash, format!("{:064x}", 2));
    assert_eq!(page.data[0].assigned_by.as_deref(), Some(USER_ID));
    assert_eq!(page.data[1].assigned_by, None);
    assert_eq!(page.data[1].key_label, "sk-or-v1-003...abc");
    assert_request(
        &req,
        "GET",
        &format!("/guardrails/{GR_ID}/assignments/keys"),
        &[("offset", "0"), ("limit", "25")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn assign_and_unassign_keys() -> Result<()> {
    let hashes = vec![KEY_HASH.to_owned(), "a".repeat(64)];
    let (assigned, req) = exchange(json_answer(200, json!({"assigned_count": 2})), |c| {
        let body = GuardrailKeysRequest::new(hashes.clone());
        async move { c.guardrails().assign_keys(GR_ID, body).send().await }
    })
    .await?;
    assert_eq!(assigned.assigned_count, 2);
    let expected_body = json!({"key_hashes": [KEY_HASH, "a".repeat(64)]});
    assert_request(
        &req,
        "POST",
        &format!("/guardrails/{GR_ID}/assignments/keys"),
        &[],
        Some(expected_body.clone()),
    );

    let (removed, req) = exchange(json_answer(200, json!({"unassigned_count": 1})), |c| {
        let body = GuardrailKeysRequest::new(hashes.clone());
        async move { c.guardrails().unassign_keys(GR_ID, body).send().await }
    })
    .await?;
    assert_eq!(removed.unassigned_count, 1);
    assert_request(
        &req,
        "POST",
        &format!("/guardrails/{GR_ID}/assignments/keys/remove"),
        &[],
        Some(expected_body),
    );
    Ok(())
}

#[tokio::test]
async fn list_member_assignments_of_a_guardrail() -> Result<()> {
    let (page, req) = exchange(
        json_answer(200, page(vec![member_assignment_json(7)], 31)),
        |c| async move {
            c.guardrails()
                .list_member_assignments(GR_ID)
                .offset(30)
                .limit(10)
                .send()
                .await
        },
    )
    .await?;

    assert_eq!(page.total_count, 31);
    assert_eq!(page.data[0].user_id, "user_7");
    assert_eq!(page.data[0].organization_id, "org_2zXyAbC");
    assert_request(
        &req,
        "GET",
        &format!("/guardrails/{GR_ID}/assignments/members"),
        &[("offset", "30"), ("limit", "10")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn assign_and_unassign_members() -> Result<()> {
    let users = vec![USER_ID.to_owned(), "user_3aBcD".to_owned()];
    let (assigned, req) = exchange(json_answer(200, json!({"assigned_count": 2})), |c| {
        let body = GuardrailMembersRequest::new(users.clone());
        async move { c.guardrails().assign_members(GR_ID, body).send().await }
    })
    .await?;
    assert_eq!(assigned.assigned_count, 2);
    let expected_body = json!({"member_user_ids": [USER_ID, "user_3aBcD"]});
    assert_request(
        &req,
        "POST",
        &format!("/guardrails/{GR_ID}/assignments/members"),
        &[],
        Some(expected_body.clone()),
    );

    let (removed, req) = exchange(json_answer(200, json!({"unassigned_count": 0})), |c| {
        let body = GuardrailMembersRequest::new(users.clone());
        async move { c.guardrails().unassign_members(GR_ID, body).send().await }
    })
    .await?;
    assert_eq!(removed.unassigned_count, 0);
    assert_request(
        &req,
        "POST",
        &format!("/guardrails/{GR_ID}/assignments/members/remove"),
        &[],
        Some(expected_body),
    );
    Ok(())
}

#[tokio::test]
async fn list_all_key_assignments() -> Result<()> {
    let (page, req) = exchange(
        json_answer(200, page(vec![key_assignment_json(4)], 1)),
        |c| async move {
            c.guardrails()
                .list_all_key_assignments()
                .offset(5)
                .limit(50)
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(page.data[0].id, "gka_4");
    assert_eq!(page.data[0].key_name, "key 4");
    assert_request(
        &req,
        "GET",
        "/guardrails/assignments/keys",
        &[("offset", "5"), ("limit", "50")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn list_all_member_assignments() -> Result<()> {
    let (page, req) = exchange(
        json_answer(200, page(vec![member_assignment_json(9)], 9)),
        |c| async move {
            c.guardrails()
                .list_all_member_assignments()
                .offset(8)
                .limit(1)
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(page.total_count, 9);
    assert_eq!(page.data[0].id, "gma_9");
    assert_eq!(page.data[0].guardrail_id, GR_ID);
    assert_request(
        &req,
        "GET",
        "/guardrails/assignments/members",
        &[("offset", "8"), ("limit", "1")],
        None,
    );
    Ok(())
}

/// Offset paging: the second request starts where the first page ended; a page shorter than
/// `limit` ends the walk.
#[tokio::test]
async fn guardrail_key_assignments_paginate_by_offset() -> Result<()> {
    let server = serve(crate::Sequence::new(vec![
        json_answer(
            200,
            page(vec![key_assignment_json(0), key_assignment_json(1)], 3),
        ),
        json_answer(200, page(vec![key_assignment_json(2)], 3)),
        json_answer(
            500,
            json!({"error": {"code": 500, "message": "walked too far"}}),
        ),
    ]))
    .await;

    let items = client(&server)
        .guardrails()
        .list_key_assignments(GR_ID)
        .limit(2)
        .into_paginator()
        .collect_items()
        .await?;

    let ids: Vec<&str> = items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["gka_0", "gka_1", "gka_2"]);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    let route = format!("/guardrails/{GR_ID}/assignments/keys");
    assert_request(
        &sent[0],
        "GET",
        &route,
        &[("offset", "0"), ("limit", "2")],
        None,
    );
    assert_request(
        &sent[1],
        "GET",
        &route,
        &[("offset", "2"), ("limit", "2")],
        None,
    );
    Ok(())
}

/// Without a `limit`, the walk goes on until an empty page; `items()` streams across pages.
#[tokio::test]
async fn guardrails_paginate_until_an_empty_page() -> Result<()> {
    let server = serve(crate::Sequence::new(vec![
        json_answer(
            200,
            page(
                vec![guardrail_json("g1", "one"), guardrail_json("g2", "two")],
                3,
            ),
        ),
        json_answer(200, page(vec![guardrail_json("g3", "three")], 3)),
        json_answer(200, page(vec![], 3)),
    ]))
    .await;

    let names: Vec<String> = client(&server)
        .guardrails()
        .list()
        .offset(4)
        .workspace_id(WS_ID)
        .into_paginator()
        .items()
        .map_ok(|g| g.name)
        .try_collect()
        .await?;

    assert_eq!(names, ["one", "two", "three"]);
    let offsets: Vec<Vec<(String, String)>> = requests(&server)
        .await
        .iter()
        .map(crate::query_of)
        .collect();
    let expected = |offset: &str| {
        vec![
            ("offset".to_owned(), offset.to_owned()),
            ("workspace_id".to_owned(), WS_ID.to_owned()),
        ]
    };
    assert_eq!(offsets, [expected("4"), expected("6"), expected("7")]);
    Ok(())
}

// ---- organization ------------------------------------------------------------------------

#[tokio::test]
async fn list_organization_members() -> Result<()> {
    let body = page(
        vec![
            json!({"id": USER_ID, "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "role": "org:admin"}),
            json!({"id": "user_9", "first_name": null, "last_name": null, "email": "ops@example.com", "role": "org:member"}),
        ],
        2,
    );
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.organization()
            .list_members()
            .offset(0)
            .limit(100)
            .send()
            .await
    })
    .await?;

    assert_eq!(page.total_count, 2);
    assert_eq!(page.data[0].first_name.as_deref(), Some("Ada"));
    assert_eq!(page.data[0].role, OrganizationMemberRole::OrgAdmin);
    assert_eq!(page.data[1].last_name, None);
    assert_eq!(page.data[1].role, OrganizationMemberRole::OrgMember);
    assert_eq!(page.data[1].email, "ops@example.com");
    assert_request(
        &req,
        "GET",
        "/organization/members",
        &[("offset", "0"), ("limit", "100")],
        None,
    );
    Ok(())
}

// ---- SCIM --------------------------------------------------------------------------------

fn mapping_json(id: &str, role: &str) -> Value {
    json!({
        "id": id,
        "organization_id": "org_2zXyAbC",
        "scim_group_id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
        "workspace_id": WS_ID,
        "role": role,
        "created_at": "2025-07-01T08:00:00Z",
        "updated_at": "2025-07-02T08:00:00Z"
    })
}

#[tokio::test]
async fn list_scim_group_mappings() -> Result<()> {
    let (page, req) = exchange(
        json_answer(200, page(vec![mapping_json(MAPPING_ID, "admin")], 1)),
        |c| async move { c.scim().list_mappings().offset(0).limit(20).send().await },
    )
    .await?;
    assert_eq!(page.total_count, 1);
    assert_eq!(page.data[0].id, MAPPING_ID);
    assert_eq!(page.data[0].role, ScimGroupMappingRole::Admin);
    assert_request(
        &req,
        "GET",
        "/scim/group-mappings",
        &[("offset", "0"), ("limit", "20")],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn create_scim_group_mapping() -> Result<()> {
    let request = CreateScimGroupMappingRequest::new(
        "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
        WS_ID,
        ScimGroupMappingRole::Member,
    );
    let (created, req) = exchange(
        json_answer(201, json!({"data": mapping_json(MAPPING_ID, "member")})),
        |c| async move { c.scim().create_mapping(request).send().await },
    )
    .await?;
    assert_eq!(created.data.role, ScimGroupMappingRole::Member);
    assert_eq!(created.data.workspace_id, WS_ID);
    assert_request(
        &req,
        "POST",
        "/scim/group-mappings",
        &[],
        Some(json!({
            "scim_group_id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
            "workspace_id": WS_ID,
            "role": "member"
        })),
    );
    Ok(())
}

#[tokio::test]
async fn get_scim_group_mapping() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": mapping_json(MAPPING_ID, "admin")})),
        |c| async move { c.scim().get_mapping(MAPPING_ID).send().await },
    )
    .await?;
    assert_eq!(
        got.data.scim_group_id,
        "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"
    );
    assert_eq!(got.data.updated_at, "2025-07-02T08:00:00Z");
    assert_request(
        &req,
        "GET",
        &format!("/scim/group-mappings/{MAPPING_ID}"),
        &[],
        None,
    );
    Ok(())
}

#[tokio::test]
async fn update_scim_group_mapping() -> Result<()> {
    let (got, req) = exchange(
        json_answer(200, json!({"data": mapping_json(MAPPING_ID, "admin")})),
        |c| async move {
            c.scim()
                .update_mapping(
                    MAPPING_ID,
                    UpdateScimGroupMappingRequest::new(ScimGroupMappingRole::Admin),
                )
                .send()
                .await
        },
    )
    .await?;
    assert_eq!(got.data.role, ScimGroupMappingRole::Admin);
    assert_request(
        &req,
        "PATCH",
        &format!("/scim/group-mappings/{MAPPING_ID}"),
        &[],
        Some(json!({"role": "admin"})),
    );
    Ok(())
}

#[tokio::test]
async fn delete_scim_group_mapping_sends_keep_members() -> Result<()> {
    for (keep, text) in [(true, "true"), (false, "false")] {
        let (deleted, req) = exchange(json_answer(200, json!({"deleted": true})), |c| async move {
            c.scim().delete_mapping(MAPPING_ID, keep).send().await
        })
        .await?;
        assert!(deleted.deleted);
        assert_request(
            &req,
            "DELETE",
            &format!("/scim/group-mappings/{MAPPING_ID}"),
            &[("keep_members", text)],
            None,
        );
    }
    Ok(())
}

#[tokio::test]
async fn list_scim_groups() -> Result<()> {
    let body = page(
        vec![json!({
            "id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
            "organization_id": "org_2zXyAbC",
            "external_id": "okta-00g1a2b3c4",
            "display_name": "Engineering",
            "created_at": "2025-05-01T00:00:00Z",
            "updated_at": "2025-05-02T00:00:00Z"
        })],
        14,
    );
    let (page, req) = exchange(json_answer(200, body), |c| async move {
        c.scim().list_groups().offset(13).limit(1).send().await
    })
    .await?;
    assert_eq!(page.total_count, 14);
    assert_eq!(page.data[0].display_name, "Engineering");
    assert_eq!(page.data[0].external_id.as_deref(), Some("okta-00g1a2b3c4"));
    assert_request(
        &req,
        "GET",
        "/scim/groups",
        &[("offset", "13"), ("limit", "1")],
        None,
    );
    Ok(())
}
