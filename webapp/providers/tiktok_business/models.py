"""Pydantic models of TikTok API for Business response payloads (the ``data`` object).

All models keep unknown fields (TikTok adds fields without notice) and turn numeric ids into
strings, so a live response with more or slightly different fields still parses.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TTModel(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, populate_by_name=True)


class PageInfo(TTModel):
    page: int = 1
    page_size: int = 0
    total_number: int = 0
    total_page: int = 0


class AccessTokenData(TTModel):
    access_token: str = Field(repr=False)
    advertiser_ids: list[str] = Field(default_factory=list)
    scope: list[int] = Field(default_factory=list)


class RevokeTokenData(TTModel):
    app_id: str | None = None
    advertiser_ids: list[str] = Field(default_factory=list)


class AuthorizedAdvertiser(TTModel):
    advertiser_id: str
    advertiser_name: str | None = None


class UserInfo(TTModel):
    core_user_id: str | None = None
    display_name: str | None = None
    email: str | None = None
    create_time: int | None = None
    avatar_url: str | None = None


class BcInfo(TTModel):
    bc_id: str
    name: str | None = None
    company: str | None = None
    currency: str | None = None
    registered_area: str | None = None
    status: str | None = None
    timezone: str | None = None
    type: str | None = None


class ExtUserRole(TTModel):
    finance_role: str | None = None


class BusinessCenterItem(TTModel):
    bc_info: BcInfo
    user_role: str | None = None
    ext_user_role: ExtUserRole | None = None


class BcAsset(TTModel):
    asset_type: str | None = None
    asset_id: str
    asset_name: str | None = None
    advertiser_account_type: str | None = None
    advertiser_role: str | None = None
    catalog_role: str | None = None
    ad_creation_eligible: str | None = None
    store_role: str | None = None
    tt_account_roles: list[str] | None = None
    owner_bc_name: str | None = None


class AdvertiserInfo(TTModel):
    advertiser_id: str
    name: str | None = None
    owner_bc_id: str | None = None
    status: str | None = None
    role: str | None = None
    rejection_reason: str | None = None
    timezone: str | None = None
    display_timezone: str | None = None
    company: str | None = None
    company_name_editable: bool | None = None
    industry: str | None = None
    address: str | None = None
    country: str | None = None
    advertiser_account_type: str | None = None
    currency: str | None = None
    contacter: str | None = None
    email: str | None = None
    cellphone_number: str | None = None
    telephone_number: str | None = None
    language: str | None = None
    license_no: str | None = None
    license_url: str | None = None
    description: str | None = None
    balance: float | None = None
    create_time: int | None = None


class Store(TTModel):
    store_id: str
    store_type: str | None = None
    store_name: str | None = None
    store_code: str | None = None
    store_authorized_bc_id: str | None = None
    targeting_region_codes: list[str] = Field(default_factory=list)
    catalog_id: str | None = None
    tiktok_account_binding_status: str | None = None


class StoreProduct(TTModel):
    store_id: str | None = None
    item_group_id: str
    title: str | None = None
    product_image_url: str | None = None
    min_price: str | None = None
    max_price: str | None = None
    currency: str | None = None
    historical_sales: int | None = None
    category: str | None = None
    status: str | None = None
    gmv_max_ads_status: str | None = None
    is_running_custom_shop_ads: bool | None = None
    catalog_id: str | None = None


class StoreAuthorizedBcInfo(TTModel):
    bc_id: str | None = None
    bc_name: str | None = None
    bc_profile_image: str | None = None
    user_role: str | None = None


class ExclusiveAdvertiserInfo(TTModel):
    advertiser_id: str | None = None
    advertiser_name: str | None = None
    advertiser_status: str | None = None


class GmvMaxStore(TTModel):
    store_id: str
    store_name: str | None = None
    store_code: str | None = None
    thumbnail_url: str | None = None
    store_status: str | None = None
    store_role: str | None = None
    targeting_region_codes: list[str] = Field(default_factory=list)
    is_gmv_max_available: bool | None = None
    store_authorized_bc_id: str | None = None
    is_owner_bc: bool | None = None
    store_authorized_bc_info: StoreAuthorizedBcInfo | None = None
    exclusive_authorized_advertiser_info: ExclusiveAdvertiserInfo | None = None


class ExclusiveAuthorization(TTModel):
    store_id: str | None = None
    advertiser_id: str | None = None
    authorization_status: str
    advertiser_name: str | None = None
    advertiser_status: str | None = None
    identity_id: str | None = None


class GmvMaxCampaign(TTModel):
    advertiser_id: str | None = None
    campaign_id: str
    campaign_name: str | None = None
    operation_status: str | None = None
    create_time: str | None = None
    modify_time: str | None = None
    objective_type: str | None = None
    secondary_status: str | None = None
    roi_protection_compensation_status: str | None = None
