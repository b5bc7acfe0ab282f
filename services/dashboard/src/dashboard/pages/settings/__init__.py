"""Settings (admin only): staff accounts, practitioners and their hours, rooms, reminders."""

from dashboard.pages.settings import clinic, reminders, staff

routers = [staff.router, clinic.router, reminders.router]
