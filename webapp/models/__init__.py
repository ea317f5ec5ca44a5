"""All models, imported here so Alembic and the app see every table."""

from webapp.models.base import Base, WorkspaceScoped, isoformat, utcnow  # noqa: F401
from webapp.models.gmvmax import BindingConfig  # noqa: F401
from webapp.models.providers import Binding, OAuthState, ProviderApp  # noqa: F401
from webapp.models.runs import Schedule, SyncRun, TaskCatalog  # noqa: F401
from webapp.models.tenancy import ApiToken, LoginSession, Membership, User, Workspace  # noqa: F401
from webapp.models.ttb import (  # noqa: F401
                               Advertiser,
                               AdvertiserStoreLink,
                               BcAdvertiserLink,
                               BusinessCenter,
                               Product,
                               ResourceRevision,
                               Store,
)
