from clinic_shared.migrations import run_env
from scheduling.adapters.orm import metadata
from scheduling.settings import SchedulingSettings

run_env(metadata, lambda: SchedulingSettings().database_url)
