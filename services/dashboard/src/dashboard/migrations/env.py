from clinic_shared.migrations import run_env
from dashboard.adapters.orm import metadata
from dashboard.settings import DashboardSettings

run_env(metadata, lambda: DashboardSettings().database_url)
