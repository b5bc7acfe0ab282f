from clinic_shared.migrations import run_env
from notifications.adapters.orm import metadata
from notifications.settings import NotificationsSettings

run_env(metadata, lambda: NotificationsSettings().database_url)
