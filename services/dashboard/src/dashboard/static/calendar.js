// The calendar page: EventCalendar's resource time grid over /calendar/api/*. Times on the grid
// are the clinic's wall clock: the library is given times without offset, and its time zone is
// the clinic's offset from UTC, so that its "now" line and today are the clinic's too. Its
// callbacks hand back Dates whose local fields (getHours...) are that wall clock.
"use strict";

(function () {
  const el = document.getElementById("calendar");
  if (!el || !window.EventCalendar) return;
  const by = el.dataset.by;
  const frontDesk = el.dataset.frontDesk === "true";
  const status = document.getElementById("calendar-status");
  const refusal = document.getElementById("calendar-refusal");
  const courseSelect = document.getElementById("f-course");
  const roomSelect = document.getElementById("f-room");
  let refusals = {}; // day -> why the chosen course's next session may not fall on it
  let ec = null; // the calendar, once created (its first fetch may come before)

  const pad = (n) => String(n).padStart(2, "0");
  const dayOf = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const wallClock = (d) => `${dayOf(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

  // The page's words (data-say-*, in its language), with {name} filled in.
  const text = (key, values = {}) =>
    el.dataset[key].replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));

  // The clinic's offset from UTC now, as "+01:00": this EventCalendar (5.10) takes offsets, not
  // zone names. Read once, at load: changing it later would shift the events already shown, so
  // a page left open across a change of offset (a night in spring or autumn) draws its "now"
  // line an hour off until it is reloaded. The library reads an offset of zero as the
  // browser's own: for a clinic on UTC (London in winter) the line follows the browser's clock.
  function offsetNow(zone) {
    const now = new Date();
    now.setSeconds(0, 0);
    const fields = {};
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit",
    });
    for (const part of format.formatToParts(now)) fields[part.type] = Number(part.value);
    const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute);
    const minutes = Math.round((wall - now.getTime()) / 60000);
    const sign = minutes < 0 ? "-" : "+";
    return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  }

  function say(message) {
    refusal.textContent = "";
    status.textContent = message;
  }

  // The status alone: a reload of the grid describes the course's days again, and must not
  // wipe the refusal that made it reload.
  function describe(message) {
    status.textContent = message;
  }

  function refuse(message) {
    refusal.textContent = message;
  }

  async function call(method, url, body) {
    return (await answered(method, url, body)).answer;
  }

  // The answer and its response's headers.
  async function answered(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": el.dataset.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(answer.detail || text("sayRefused"));
      error.problem = answer;
      throw error;
    }
    return { answer, headers: response.headers };
  }

  async function loadEvents(info) {
    try {
      return await gridEvents(info);
    } catch (error) {
      refuse(text("sayNotLoaded", { reason: error.message }));
      return [];
    }
  }

  async function gridEvents(info) {
    const span = `start=${dayOf(info.start)}&end=${dayOf(info.end)}`;
    const data = await call("GET", `/calendar/api/events?${span}&by=${by}`);
    const events = data.events;
    await loadCourseDays(span);
    for (const [day, reason] of Object.entries(refusals)) {
      events.push({
        start: `${day}T00:00`,
        end: `${day}T23:59`,
        resourceIds: data.resources.map((r) => r.id),
        display: "background",
        classNames: ["cal-not-allowed"],
        extendedProps: { reason, day },
      });
    }
    return events;
  }

  async function loadCourseDays(span) {
    refusals = {};
    const course = courseSelect && courseSelect.value;
    if (!course) {
      if (ec) ec.setOption("highlightedDates", []);
      return;
    }
    const found = await call("GET", `/calendar/api/courses/${course}/days?${span}`);
    const allowed = [];
    for (const d of found.days) {
      if (d.refusal) refusals[d.day] = d.refusal;
      else allowed.push(d);
    }
    if (ec) ec.setOption("highlightedDates", allowed.map((d) => d.day));
    const days = allowed.map((d) => d.label).join(", ");
    describe(
      allowed.length
        ? text("sayDaysOpen", { number: found.sequence, days })
        : text("sayNoDayOpen", { number: found.sequence })
    );
  }

  function marked(info) {
    const reason = info.event.extendedProps.reason;
    if (reason) {
      info.el.title = reason;
      if (info.event.classNames.includes("cal-not-allowed")) {
        info.el.setAttribute("data-day", info.event.extendedProps.day);
      }
    }
    if (info.event.extendedProps.status) {
      info.el.setAttribute("data-session-id", info.event.id);
      info.el.setAttribute("aria-label", info.event.title);
      info.el.title = info.event.title; // the whole text, which its box may cut short
    }
  }

  async function book(info) {
    if (!frontDesk) return;
    const column = by === "room" ? { room_id: info.resource.id } : { practitioner_id: info.resource.id };
    await bookAt(wallClock(info.date), column);
  }

  // A booking from a click on the grid, or from the keyboard's day-and-time field.
  async function bookAt(startsAt, column) {
    const course = courseSelect.value;
    if (!course) {
      refuse(text("sayCourseFirst"));
      return;
    }
    const day = startsAt.slice(0, 10);
    if (refusals[day]) {
      refuse(refusals[day]);
      return;
    }
    const body = { course_id: course, starts_at: startsAt, room_id: roomSelect.value, ...column };
    try {
      const booked = await call("POST", "/calendar/api/book", body);
      say(booked.message);
      courseSelect.value = "";
    } catch (error) {
      refuse(error.message);
    }
    ec.refetchEvents();
  }

  const prompt = document.getElementById("shift-prompt");

  function askToShift(reason) {
    document.getElementById("shift-reason").textContent = reason;
    prompt.showModal();
    return new Promise((resolve) => {
      const answer = (yes) => () => {
        prompt.close();
        resolve(yes);
      };
      document.getElementById("shift-yes").onclick = answer(true);
      document.getElementById("shift-no").onclick = answer(false);
      prompt.oncancel = answer(false);
    });
  }

  function move(info) {
    if (info.newResource) {
      info.revert();
      refuse(text("sayOwnColumn"));
      return;
    }
    moveTo(info.event.id, wallClock(info.event.start), info.revert);
  }

  // Ask the server; on a broken next interval, offer to shift the following sessions; on a
  // refusal, `revert` puts a dragged session back where it was.
  async function moveTo(sessionId, startsAt, revert) {
    const url = `/calendar/api/sessions/${sessionId}/move`;
    try {
      say((await call("POST", url, { starts_at: startsAt })).message);
    } catch (error) {
      if (!(error.problem && error.problem.shift_possible)) {
        revert();
        refuse(error.message);
        return false;
      }
      if (!(await askToShift(error.message))) {
        revert();
        say(text("sayPutBack"));
        return false;
      }
      try {
        say((await call("POST", url, { starts_at: startsAt, shift_following: true })).message);
      } catch (again) {
        revert();
        refuse(again.message);
        return false;
      }
    }
    ec.refetchEvents();
    return true;
  }

  const moveForm = document.getElementById("move-form");
  let moving = null;
  let movingFrom = null;

  // A session chosen by click or Enter: the keyboard's way to move it.
  function chosen(info) {
    if (!frontDesk || !info.event.editable) {
      say(info.event.title);
      return;
    }
    moving = info.event.id;
    movingFrom = wallClock(info.event.start);
    document.getElementById("move-what").textContent = info.event.title;
    const field = document.getElementById("f-move-to");
    field.value = movingFrom;
    moveForm.hidden = false;
    // Focused once the key that chose the session is done: focused at once, the rest of that
    // Enter could land on the field and submit the form unchanged (seen on a busy machine).
    setTimeout(() => field.focus(), 0);
  }

  if (moveForm) {
    moveForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const to = document.getElementById("f-move-to").value;
      if (to === movingFrom) {
        refuse(text("saySameTime"));
        return;
      }
      if (moving && (await moveTo(moving, to, () => {}))) moveForm.hidden = true;
    });
    document.getElementById("move-close").addEventListener("click", () => {
      moveForm.hidden = true;
    });
  }

  // The library's previous and next buttons hold only an icon: name them for screen readers
  // (axe's button-name), in the page's language.
  function labelArrows() {
    for (const [selector, label] of [[".ec-prev.ec-button", el.dataset.labelPrev], [".ec-next.ec-button", el.dataset.labelNext]]) {
      const button = el.querySelector(selector);
      if (button) button.setAttribute("aria-label", label);
    }
  }

  ec = EventCalendar.create(el, {
    view: el.dataset.view === "day" ? "resourceTimeGridDay" : "resourceTimeGridWeek",
    date: el.dataset.day,
    timeZone: offsetNow(el.dataset.timeZone),
    locale: document.documentElement.lang === "fr" ? "fr-FR" : "en-GB",
    firstDay: 1,
    resources: JSON.parse(el.dataset.resources),
    datesAboveResources: true,
    allDaySlot: false,
    slotMinTime: "08:00",
    slotMaxTime: "20:00",
    slotDuration: "00:30",
    slotHeight: 40,
    // plain text (the library sets strings as text): the time, then who and what
    eventContent: (info) => (info.event.display === "auto" ? `${info.timeText} ${info.event.title}` : ""),
    scrollTime: "08:00",
    height: "auto",
    nowIndicator: true,
    pointer: frontDesk,
    editable: frontDesk,
    eventStartEditable: frontDesk,
    eventDurationEditable: false,
    headerToolbar: {
      start: "prev,next today",
      center: "title",
      end: "resourceTimeGridDay,resourceTimeGridWeek",
    },
    buttonText: {
      today: el.dataset.labelToday,
      resourceTimeGridDay: el.dataset.labelDay,
      resourceTimeGridWeek: el.dataset.labelWeek,
    },
    datesSet: () => {
      refusal.textContent = ""; // about the days left behind
      labelArrows();
    },
    eventSources: [{ events: loadEvents }],
    eventDidMount: marked,
    dateClick: book,
    eventDrop: move,
    eventClick: chosen,
  });
  window.clinicCalendar = ec; // the browser tests find a slot's position through it
  labelArrows();

  if (courseSelect) {
    document.getElementById("course-picker").addEventListener("submit", async (event) => {
      event.preventDefault();
      const q = document.getElementById("f-patient").value.trim();
      if (!q) return;
      const url = `/calendar/api/courses?q=${encodeURIComponent(q)}`;
      const { answer: found, headers } = await answered("GET", url);
      courseSelect.length = 1;
      for (const course of found) courseSelect.add(new Option(course.label, course.id));
      if (headers.get("X-Patients-Matched") === "0") say(text("sayNoPatient", { query: q }));
      else if (found.length === 0) say(text("sayNoCourse"));
      else say(found.length === 1 ? text("sayOneCourse") : text("sayCourses", { count: found.length }));
      if (found.length === 1) {
        courseSelect.value = found[0].id;
        ec.refetchEvents();
      }
    });
    courseSelect.addEventListener("change", () => {
      refusal.textContent = ""; // about the course chosen before
      ec.refetchEvents();
    });
    document.getElementById("book-at").addEventListener("click", () => {
      const at = document.getElementById("f-book-at").value;
      if (at) bookAt(at, {});
      else refuse(text("sayEnterTime"));
    });
  }
})();
