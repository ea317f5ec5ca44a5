"""Recorded official response shapes (TIKTOK_API.md examples) parse into the client models,
keeping every field (known or extra)."""

from __future__ import annotations

import pytest

from webapp.providers.tiktok_business import models as m

EXAMPLES = [
    (
        m.AccessTokenData,
        {
            "access_token": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0",
            "scope": [4, 5, 6, 9],
            "advertiser_ids": ["7401234567890123456", "7401234567890123457"],
        },
    ),
    (
        m.RevokeTokenData,
        {"app_id": "7399887766554433221", "advertiser_ids": ["7401234567890123456", "7401234567890123457"]},
    ),
    (m.AuthorizedAdvertiser, {"advertiser_id": "7401234567890123456", "advertiser_name": "Acme US Shop Ads"}),
    (
        m.UserInfo,
        {
            "core_user_id": "7123000011112222333",
            "display_name": "Jane Ops",
            "email": "j***s@example.com",
            "create_time": 1690000000,
            "avatar_url": "https://p16-sign.example/avatar.jpeg",
        },
    ),
    (
        m.BusinessCenterItem,
        {
            "bc_info": {
                "bc_id": "7300111122223333444",
                "name": "Acme BC",
                "company": "Acme Trading Ltd",
                "currency": "USD",
                "registered_area": "US",
                "status": "ENABLE",
                "timezone": "America/Los_Angeles",
                "type": "SELF_SERVICE",
            },
            "user_role": "ADMIN",
            "ext_user_role": {"finance_role": "MANAGER"},
        },
    ),
    (
        m.BcAsset,
        {
            "asset_type": "ADVERTISER",
            "asset_id": "7401234567890123456",
            "asset_name": "Acme US Shop Ads",
            "advertiser_account_type": "AUCTION",
            "advertiser_role": "ADMIN",
            "catalog_role": None,
            "store_role": None,
            "tt_account_roles": None,
            "owner_bc_name": "Acme BC",
        },
    ),
    (
        m.AdvertiserInfo,
        {
            "advertiser_id": "7401234567890123456",
            "name": "Acme US Shop Ads",
            "company": "Acme Trading Ltd",
            "status": "STATUS_ENABLE",
            "role": "ROLE_CHILD_ADVERTISER",
            "currency": "USD",
            "timezone": "Etc/GMT+7",
            "display_timezone": "America/Los_Angeles",
            "country": "US",
            "industry": "291102",
            "language": "en",
            "advertiser_account_type": "AUCTION",
            "owner_bc_id": "7300111122223333444",
            "balance": 1523.4,
            "create_time": 1712345678,
            "rejection_reason": "",
            "description": "Acme apparel",
            "address": None,
            "contacter": "Ja******ps",
            "email": "j***s@example.com",
            "cellphone_number": None,
            "telephone_number": None,
            "license_no": "",
            "license_url": None,
        },
    ),
    (
        m.Store,
        {
            "store_id": "7494012345678901234",
            "store_type": "TIKTOK_SHOP",
            "store_name": "Acme Official Store",
            "store_code": "USLCACME01",
            "store_authorized_bc_id": "7300111122223333444",
            "catalog_id": None,
            "targeting_region_codes": ["US"],
            "tiktok_account_binding_status": None,
        },
    ),
    (
        m.StoreProduct,
        {
            "store_id": "7494012345678901234",
            "item_group_id": "1729384756102938475",
            "title": "Linen Summer Shirt",
            "product_image_url": "https://p16-oec.example/img/shirt.jpeg",
            "min_price": "19.99",
            "max_price": "24.99",
            "currency": "USD",
            "historical_sales": 1342,
            "category": "Menswear > Tops > Shirts",
            "status": "AVAILABLE",
            "gmv_max_ads_status": "UNOCCUPIED",
            "is_running_custom_shop_ads": False,
            "catalog_id": None,
        },
    ),
    (
        m.GmvMaxStore,
        {
            "store_id": "7494012345678901234",
            "store_name": "Acme Official Store",
            "store_code": "USLCACME01",
            "thumbnail_url": "https://p16-oec.example/shop/thumb.jpeg",
            "store_status": "ACTIVE",
            "store_role": "AD_PROMOTION",
            "targeting_region_codes": ["US"],
            "is_gmv_max_available": True,
            "store_authorized_bc_id": "7300111122223333444",
            "is_owner_bc": True,
            "store_authorized_bc_info": {
                "bc_id": "7300111122223333444",
                "bc_name": "Acme BC",
                "bc_profile_image": "https://p16.example/bc.png",
                "user_role": "ADMIN",
            },
            "exclusive_authorized_advertiser_info": {
                "advertiser_id": "7401234567890123456",
                "advertiser_name": "Acme US Shop Ads",
                "advertiser_status": "STATUS_ENABLE",
            },
        },
    ),
    (
        m.ExclusiveAuthorization,
        {
            "store_id": "7494012345678901234",
            "advertiser_id": "7401234567890123456",
            "authorization_status": "EFFECTIVE",
            "advertiser_name": "Acme US Shop Ads",
            "advertiser_status": "STATUS_ENABLE",
            "identity_id": "7350000000000000001",
        },
    ),
    (
        m.GmvMaxCampaign,
        {
            "advertiser_id": "7401234567890123456",
            "campaign_id": "1834567890123456",
            "campaign_name": "PGMV - All products - US",
            "operation_status": "ENABLE",
            "create_time": "2025-07-01 08:00:00",
            "modify_time": "2025-08-10 02:15:44",
            "objective_type": "PRODUCT_SALES",
            "secondary_status": "CAMPAIGN_STATUS_ENABLE",
            "roi_protection_compensation_status": "IN_EFFECT",
        },
    ),
    (m.PageInfo, {"page": 1, "page_size": 100, "total_number": 2, "total_page": 1}),
]


@pytest.mark.parametrize(("model", "payload"), EXAMPLES, ids=[e[0].__name__ for e in EXAMPLES])
def test_official_example_parses_without_losing_fields(model: type[m.TTModel], payload: dict) -> None:
    parsed = model.model_validate(payload)
    assert parsed.model_dump(exclude_unset=True) == payload


def test_unknown_fields_are_kept_and_numeric_ids_become_strings() -> None:
    p = m.StoreProduct.model_validate({"item_group_id": 1729384756102938475, "brand_new_field": {"x": 1}})
    assert p.item_group_id == "1729384756102938475"
    assert p.model_extra == {"brand_new_field": {"x": 1}}


def test_access_token_not_in_repr() -> None:
    tok = m.AccessTokenData(access_token="supersecrettoken", advertiser_ids=["1"])
    assert "supersecrettoken" not in repr(tok)
