"""Settings (admin only): staff accounts, practitioners and their hours, rooms, reminders,
time off and closures."""

from dashboard.pages.settings import clinic, closures, reminders, staff

routers = [staff.router, clinic.router, reminders.router, closures.router]
