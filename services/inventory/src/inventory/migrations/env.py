from clinic_shared.migrations import run_env
from inventory.adapters.orm import metadata
from inventory.settings import InventorySettings

run_env(metadata, lambda: InventorySettings().database_url)
