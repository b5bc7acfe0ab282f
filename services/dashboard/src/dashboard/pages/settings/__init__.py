"""Settings (admin only): staff accounts, practitioners and their hours, rooms, reminders,
time off and closures, calendar feeds."""

from dashboard.pages.settings import clinic, closures, feeds, reminders, staff

routers = [staff.router, clinic.router, reminders.router, closures.router, feeds.router]
