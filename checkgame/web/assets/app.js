// The page: a hash router over five screens (lobby, account, profile, join, session), using only the public
// REST API and the session's WebSocket. The session screen is the waiting room, the table or the results,
// whichever the session's status calls for.
import { Api } from "./api.js";
import { h, render } from "./dom.js";
import { SessionModel } from "./model.js";
import { leaderboardScreen, ratingPanel } from "./leaderboard.js";
import { GameSocket } from "./socket.js";
import { ChatPanel } from "./chat.js";
import { momentOf, motionFor, showMoment } from "./motion.js";
import { historyPanel, replayScreen, stopReplay } from "./replay.js";
import { play, playedCues, setSoundEnabled, soundEnabled, unlock } from "./sound.js";
import { avatar, tableView, suitPicker } from "./table.js";
import { watchScreen } from "./watch.js";
import { BOT_LEVELS, endReasonText, errorText, language, LANGUAGES, onLanguageChange, ordinal, setLanguage, t, word } from "./words.js";

const SEATS_KEY = "checkgame.seats"; // sessionId -> {token, playerId, code}: a reload finds its seats again
const NAME_KEY = "checkgame.name";
const main = document.getElementById("main");
const api = new Api(() => renderNav());
let current = null; // the open session: {id, seat, model, socket, record, picking, hint, ticker, myTurn, offline, games}
let lobbyTimer = null;
let botLevel = "normal"; // the level the host picked for the next computer player; kept across redraws
let watching = null; // the watch screen while one is open: {close()}

// ------------------------------------------------------------------ small helpers

const seats = () => JSON.parse(localStorage.getItem(SEATS_KEY) || "{}");
function keepSeat(sessionId, seat) {
  const all = seats();
  if (seat) all[sessionId] = seat;
  else delete all[sessionId];
  localStorage.setItem(SEATS_KEY, JSON.stringify(all));
}
const guestName = () => localStorage.getItem(NAME_KEY) || "";
const go = (hash) => {
  if (location.hash === hash) route();
  else location.hash = hash;
};

let noticeTimer = null;
function notice(text, kind = "error", showMs = 6000) {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, showMs);
}
const fail = (error) => notice(errorText(error));

/** Tell screen readers something once (the region only speaks when its text changes). */
function announce(text) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

let shownConnection = ["", undefined]; // redrawn in the new language after a switch
function setConnection(status, detail) {
  shownConnection = [status, detail];
  const el = document.getElementById("connection");
  const words = {
    connecting: () => t("connection.connecting"),
    online: () => t("connection.online"),
    reconnecting: () => (detail ? t("connection.retryingIn", { seconds: detail }) : t("connection.retrying")),
    offline: () => t("connection.offline"),
    "": () => "",
  };
  el.textContent = words[status]();
  el.dataset.status = status;
}

/** A form whose submit runs `action(values)` with its button disabled meanwhile; errors become notices. */
function form(attrs, fields, label, action) {
  const button = h("button", { type: "submit", class: "primary" }, label);
  return h("form", {
    ...attrs,
    onsubmit: async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(event.target));
      button.disabled = true;
      try {
        await action(values);
      } catch (error) {
        fail(error);
      } finally {
        button.disabled = false;
      }
    },
  }, fields, button);
}

const field = (label, attrs) => h("label", { class: "field" }, h("span", {}, label), h("input", attrs));

function renderNav() {
  const nav = document.getElementById("nav");
  const user = api.user;
  render(nav,
    h("a", { href: "#/", class: "nav-lobby" }, t("nav.lobby")),
    h("a", { href: "#/rules", class: "nav-rules" }, t("nav.rules")),
    h("a", { href: "#/leaderboard/all", class: "nav-leaderboard" }, t("nav.leaderboard")),
    user ? h("a", { href: "#/profile" }, user.username) : h("a", { href: "#/login" }, t("nav.logIn")),
    user ? h("button", { class: "link nav-log-out", onclick: async () => { await api.logOut(); go("#/"); } }, t("nav.logOut")) : null);
}

/** The words of index.html itself (the title, the skip link…), in the current language. */
function pageWords() {
  document.documentElement.lang = language();
  document.title = t("page.title");
  for (const el of document.querySelectorAll("[data-words]")) el.textContent = t(el.dataset.words);
  for (const el of document.querySelectorAll("[data-words-label]")) el.setAttribute("aria-label", t(el.dataset.wordsLabel));
}

/** The header's two switches: the other language, and sound (off until turned on). */
function renderSwitches() {
  const other = LANGUAGES.find((code) => code !== language());
  const languageButton = document.getElementById("language");
  languageButton.textContent = other.toUpperCase();
  languageButton.lang = other; // its name is said in its own language
  languageButton.dataset.language = other;
  languageButton.setAttribute("aria-label", t("language.switchLabel"));
  languageButton.title = t("language.switch");
  const soundButton = document.getElementById("sound");
  soundButton.replaceChildren(speaker(soundEnabled()));
  soundButton.setAttribute("aria-pressed", String(soundEnabled()));
  soundButton.setAttribute("aria-label", t("sound.label"));
  soundButton.title = soundEnabled() ? t("sound.on") : t("sound.off");
}

/** A loudspeaker drawn in SVG (no emoji font needed): with sound waves when on, crossed out when off. */
function speaker(on) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "22");
  svg.setAttribute("height", "22");
  svg.setAttribute("aria-hidden", "true");
  const shapes = [["path", { d: "M3 9h4l5-4v14l-5-4H3z", fill: "currentColor" }]];
  if (on) shapes.push(["path", { d: "M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12", fill: "none" }]);
  else shapes.push(["path", { d: "M16 9l6 6M22 9l-6 6", fill: "none" }]);
  for (const [tag, attrs] of shapes) {
    const shape = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries({ stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", ...attrs })) {
      shape.setAttribute(name, value);
    }
    svg.append(shape);
  }
  return svg;
}

/** Play a sound cue (when sound is on), noting it on the toggle for whoever checks what was heard. */
function cue(name) {
  if (play(name)) document.getElementById("sound").dataset.lastCue = playedCues().at(-1);
}

// ------------------------------------------------------------------ router

function leaveScreen() {
  if (current) {
    current.socket.close();
    clearInterval(current.ticker);
    if (current.chat) current.chat.element.remove();
    current = null;
  }
  document.getElementById("moments")?.replaceChildren(); // a table's news stays with the table
  setConnection("");
}

async function route() {
  const hash = location.hash || "#/";
  const [, screen, arg] = hash.match(/^#\/([^/]*)\/?(.*)$/) || [];
  clearInterval(lobbyTimer);
  if (watching) watching = watching.close();
  stopReplay();
  if (current && !(screen === "s" && arg === current.id)) leaveScreen();
  if (!current && navigator.onLine && shownConnection[0] === "offline") setConnection("");
  try {
    if (!navigator.onLine) return offlineScreen();
    if (screen === "rules") return rulesScreen();
    if (screen === "login") return accountScreen();
    if (screen === "profile") return await profileScreen();
    if (screen === "leaderboard") return await leaderboardScreen(main, api, arg, api.user && api.user.id);
    if (screen === "replay" && arg) return api.user ? await replayScreen(api, main, arg) : go("#/login");
    if (screen === "join") return await joinScreen(decodeURIComponent(arg).toUpperCase());
    if (screen === "s" && arg) return await sessionScreen(arg);
    if (screen === "watch" && arg) return (watching = watchScreen(main, api, arg, setConnection));
    return await lobbyScreen();
  } catch (error) {
    if (error.code === "NETWORK") offlineScreen();
    else fail(error);
  } finally {
    main.focus({ preventScroll: true });
  }
}

/** No network, or no server: say so plainly, and come back by itself when the connection does. */
function offlineScreen() {
  setConnection("offline");
  render(main, h("section", { class: "panel stopped", "data-screen": "offline" },
    h("h1", {}, t("offline.title")),
    h("p", { class: "lead" }, t("offline.lead")),
    h("p", {}, t("offline.body")),
    h("div", { class: "actions" }, h("button", { class: "primary", onclick: () => route() }, t("offline.retry")))));
  clearInterval(lobbyTimer);
  lobbyTimer = setInterval(() => { if (navigator.onLine) route(); }, 5000);
}

// ------------------------------------------------------------------ rules

function rulesScreen() {
  render(main, h("article", { class: "rules panel", "data-screen": "rules" },
    h("h1", {}, t("rules.title")),
    t("rules.sections").map(([title, paragraphs]) => h("section", {},
      h("h2", {}, title),
      paragraphs.length > 1
        ? h("ul", {}, paragraphs.map((text) => h("li", {}, text)))
        : paragraphs.map((text) => h("p", {}, text))))));
}

// ------------------------------------------------------------------ lobby

async function lobbyScreen() {
  const user = api.user;
  const list = h("ul", { class: "tables", "aria-live": "polite" });
  const refresh = async () => {
    try {
      const page = await api.call("GET", "/sessions?status=waiting&limit=20");
      const mine = seats();
      render(list, page.items.length ? page.items.map((s) => h("li", {},
        h("span", { class: "table-name" }, s.name),
        h("span", { class: "muted" }, t("lobby.seatsTaken", { n: s.playerCount, max: s.maxPlayers })),
        s.spectators ? h("span", { class: "muted" }, t("watch.watching", { n: s.spectators })) : null,
        h("a", { class: "button", href: `#/watch/${s.id}` }, t("watch.watch")),
        mine[s.id]
          ? h("a", { class: "button", href: `#/s/${s.id}` }, t("lobby.open"))
          : h("a", { class: "button", href: `#/join/${s.code}` }, t("lobby.join")),
      )) : h("li", { class: "muted" }, t("lobby.noTables")));
    } catch (error) {
      if (error.code === "NETWORK" && main.contains(list)) offlineScreen();
      else render(list, h("li", { class: "muted" }, errorText(error)));
    }
  };
  const yours = Object.entries(seats()).map(([id, seat]) => {
    const item = h("li", {}, h("a", { href: `#/s/${id}` }, t("lobby.yourTable", { code: seat.code || id.slice(0, 6) })));
    api.call("GET", `/sessions/${id}`).then((detail) => { // a table that ended without us says why
      const why = endReasonText(detail.session.endReason);
      if (why) item.append(" ", h("span", { class: "muted", "data-end-reason": detail.session.endReason }, t("lobby.endedBecause", { why })));
    }).catch(() => {});
    return item;
  });

  const create = user
    ? form({ class: "panel", "aria-labelledby": "create-title" }, [
      h("h2", { id: "create-title" }, t("lobby.createTitle")),
      field(t("lobby.tableName"), { name: "name", required: true, maxlength: 50, value: t("lobby.defaultName", { name: user.username }) }),
      h("label", { class: "field" }, h("span", {}, t("lobby.players")),
        h("select", { name: "maxPlayers" }, [2, 3, 4, 5, 6, 7, 8].map((n) =>
          h("option", { value: n, selected: n === 4 }, t("lobby.playersOption", { n }))))),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "isPrivate" }), t("lobby.private")),
    ], t("lobby.create"), async (v) => {
      const created = await api.call("POST", "/sessions", {
        auth: "access",
        body: { name: v.name, maxPlayers: Number(v.maxPlayers), isPrivate: v.isPrivate === "on" },
      });
      keepSeat(created.session.id, { token: created.sessionToken, playerId: created.playerId, code: created.joinCode });
      go(`#/s/${created.session.id}`);
    })
    : h("section", { class: "panel" },
      h("h2", {}, t("lobby.createTitle")),
      h("p", {}, t("lobby.createNeedsAccount1"), h("a", { href: "#/login" }, t("lobby.createNeedsAccountLink")),
        t("lobby.createNeedsAccount2")));

  const quickForm = form({ class: "panel", "aria-labelledby": "quick-title", "data-form": "quick-play" }, [
    h("h2", { id: "quick-title" }, t("quick.title")),
    h("p", { class: "muted" }, t("quick.intro")),
    // Not "name": the join screen that replaces the lobby has that field, and must not be mistaken for this one.
    user ? null : field(t("join.yourName"), { name: "guestName", required: true, maxlength: 32, value: guestName(), autocomplete: "nickname" }),
    h("label", { class: "field" }, h("span", {}, t("lobby.players")),
      h("select", { name: "maxPlayers" }, [2, 3, 4, 5, 6, 7, 8].map((n) =>
        h("option", { value: n, selected: n === 4 }, t("lobby.playersOption", { n }))))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "acceptComputers", checked: true }), t("quick.computers")),
  ], t("quick.button"), async (v) => {
    const body = { maxPlayers: Number(v.maxPlayers), acceptComputers: v.acceptComputers === "on" };
    if (!user) localStorage.setItem(NAME_KEY, (body.name = v.guestName.trim()));
    const match = await api.call("POST", "/matchmaking", { body, auth: user ? "access" : undefined });
    keepSeat(match.sessionId, { token: match.sessionToken, playerId: match.playerId, code: "" });
    go(`#/s/${match.sessionId}`);
  });

  const joinForm = form({ class: "panel", "aria-labelledby": "join-title" }, [
    h("h2", { id: "join-title" }, t("lobby.joinTitle")),
    field(t("lobby.code"), { name: "code", required: true, minlength: 6, maxlength: 6, pattern: "[A-Za-z0-9]{6}",
      autocomplete: "off", autocapitalize: "characters", class: "code-input", placeholder: "ABC234" }),
  ], t("lobby.join"), async (v) => go(`#/join/${v.code.trim().toUpperCase()}`));

  render(main,
    h("h1", {}, user ? t("lobby.welcome", { name: user.username }) : t("lobby.play")),
    h("div", { class: "columns" }, quickForm, create, joinForm),
    yours.length ? h("section", { class: "panel" }, h("h2", {}, t("lobby.yourTables")), h("ul", { class: "plain" }, yours)) : null,
    h("section", { class: "panel" }, h("h2", {}, t("lobby.openTables")), list),
    h("p", { class: "muted rules-hint" }, t("lobby.rulesHint"), " ", h("a", { href: "#/rules" }, t("lobby.rulesLink")),
      " · ", h("a", { href: "#/leaderboard/all" }, t("nav.leaderboard"))));
  await refresh();
  lobbyTimer = setInterval(refresh, 5000);
}

// ------------------------------------------------------------------ account and profile

function accountScreen() {
  const after = () => {
    const next = sessionStorage.getItem("checkgame.after") || "#/";
    sessionStorage.removeItem("checkgame.after");
    go(next);
  };
  render(main,
    h("h1", {}, t("account.title")),
    h("div", { class: "columns" },
      form({ class: "panel", "aria-labelledby": "login-title" }, [
        h("h2", { id: "login-title" }, t("account.logIn")),
        field(t("account.login"), { name: "login", required: true, autocomplete: "username" }),
        field(t("account.password"), { name: "password", type: "password", required: true, autocomplete: "current-password" }),
      ], t("account.logIn"), async (v) => { await api.logIn(v.login, v.password); after(); }),
      form({ class: "panel", "aria-labelledby": "register-title" }, [
        h("h2", { id: "register-title" }, t("account.register")),
        field(t("account.username"), { name: "username", required: true, minlength: 3, maxlength: 32, pattern: "[A-Za-z0-9_.\\-]+",
          autocomplete: "username", title: t("account.usernameRule") }),
        field(t("account.email"), { name: "email", type: "email", required: true, autocomplete: "email" }),
        field(t("account.password"), { name: "password", type: "password", required: true, minlength: 8,
          autocomplete: "new-password", title: t("account.passwordRule") }),
      ], t("account.register"), async (v) => { await api.register(v.username, v.email, v.password); after(); })),
    h("p", { class: "muted" }, t("account.noAccountNeeded")));
}

async function profileScreen() {
  if (!api.user) return go("#/login");
  const { user, stats, rating, ratingHistory } = await api.call("GET", "/users/profile", { auth: "access" });
  const stat = (label, value) => h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, value));
  render(main,
    h("h1", {}, user.username),
    h("section", { class: "panel" },
      h("h2", {}, t("profile.statistics")),
      h("dl", { class: "stats" },
        stat(t("profile.gamesPlayed"), stats.totalGames), stat(t("profile.wins"), stats.wins),
        stat(t("profile.losses"), stats.losses), stat(t("profile.winRate"), `${Math.round(stats.winRate * 100)} %`),
        stat(t("profile.places"), stats.placements.map((n, i) => `${ordinal(i + 1)} ×${n}`).join(" · ") || "–"),
        stat(t("profile.tournamentsPlayed"), stats.tournamentsPlayed), stat(t("profile.tournamentsWon"), stats.tournamentsWon))),
    ratingPanel(rating, ratingHistory),
    historyPanel(api),
    h("p", { class: "muted" }, t("profile.since", { email: user.email, date: new Date(user.createdAt).toLocaleDateString(language()) })),
    h("div", { class: "actions" }, // the header has no room for it on a phone
      h("button", { "data-action": "log-out", onclick: async () => { await api.logOut(); go("#/"); } }, t("nav.logOut"))));
}

// ------------------------------------------------------------------ joining

async function joinScreen(code) {
  const known = Object.entries(seats()).find(([, seat]) => seat.code === code);
  if (known) return go(`#/s/${known[0]}`);
  const join = async (name) => {
    const body = api.user ? { code } : { code, name };
    const joined = await api.call("POST", "/sessions/join-by-code", { body, auth: api.user ? "access" : undefined });
    keepSeat(joined.sessionId, { token: joined.sessionToken, playerId: joined.playerId, code });
    go(`#/s/${joined.sessionId}`);
  };
  if (api.user) return join();
  render(main,
    h("h1", {}, t("join.title", { code })),
    form({ class: "panel narrow" }, [
      field(t("join.yourName"), { name: "name", required: true, maxlength: 32, value: guestName(), autocomplete: "nickname" }),
    ], t("join.takeSeat"), async (v) => {
      localStorage.setItem(NAME_KEY, v.name.trim());
      await join(v.name.trim());
    }),
    h("p", { class: "muted" }, t("join.haveAccount"), h("a", { href: "#/login", onclick: () =>
      sessionStorage.setItem("checkgame.after", `#/join/${code}`) }, t("join.logIn")), t("join.keepStats")));
  main.querySelector("input").focus();
}

// ------------------------------------------------------------------ the session

async function sessionScreen(id) {
  if (current && current.id === id) return;
  const seat = seats()[id];
  if (!seat) {
    const detail = await api.call("GET", `/sessions/${id}`, { auth: api.user ? "access" : undefined });
    if (detail.session.code) return go(`#/join/${detail.session.code}`);
    render(main, h("p", { class: "panel" }, t("join.private")));
    return;
  }
  const model = new SessionModel(seat.playerId);
  current = { id, seat, model, record: null, picking: null, hint: "", ticker: null, offline: null, games: null, motions: [], moments: [] };
  render(main, h("p", { class: "loading" }, t("join.takingSeat")));
  const mine = current;
  mine.socket = openSocket(mine);
  mine.chat = new ChatPanel(id, (type, data) => mine.socket.send(type, data));
  main.after(mine.chat.element);
  mine.ticker = setInterval(() => tick(mine), 250);
  api.call("GET", `/sessions/${id}`, { auth: api.user ? "access" : undefined })
    .then((detail) => { mine.record = detail.session; draw(); })
    .catch(() => {});
}

function openSocket(session) {
  return new GameSocket(session.seat.token, () => session.model.lastSeq, {
    status: (status, detail) => {
      if (current !== session) return;
      setConnection(status, detail);
      session.offline = status === "reconnecting" ? { seconds: detail } : null;
      draw();
    },
    frame: (frame) => {
      if (current !== session) return;
      if (session.chat && session.chat.take(frame)) return;
      if (frame.type === "invalid_action" || frame.type === "error") {
        notice(errorText(frame.data));
        session.hint = errorText(frame.data);
      }
      if (session.model.apply(frame)) {
        if (frame.type === "card_played" || frame.type === "turn_changed") session.hint = "";
        operatorNews(session, frame);
        if (frame.type === "game_finished") cue("gameOver");
        const moment = momentOf(frame, session.model);
        if (moment) session.moments.push(moment);
        const motion = motionFor(frame, session.model, main); // measured now, on the table as it still stands
        if (motion) session.motions.push(motion);
        drawSoon(session);
      }
    },
    closed: async (code, reason) => {
      if (current !== session) return;
      if (code === 1000) return; // we left
      if (code === 4403 || session.model.kicked) { // removed by an operator: say so, and stay off the table
        session.model.kicked = session.model.kicked || { reason: "" };
        keepSeat(session.id, null);
        draw();
        return;
      }
      if (api.user && (reason === "EXPIRED_TOKEN" || reason === "INVALID_TOKEN")) {
        try { // a registered player's seat is theirs: rejoining only issues a fresh session token
          const joined = await api.call("POST", `/sessions/${session.id}/join`, { auth: "access", body: {} });
          session.seat = { ...session.seat, token: joined.sessionToken };
          keepSeat(session.id, session.seat);
          session.socket = openSocket(session);
          return;
        } catch (error) {
          fail(error);
        }
      }
      if (reason === "SESSION_NOT_FOUND" && await showLost(session)) return;
      notice(errorText({ code: reason || "NOT_IN_SESSION" }));
      keepSeat(session.id, null);
      go("#/");
    },
  });
}

/** What an operator did, told once as it happens (a replayed entry is not applied twice, so not told twice). */
function operatorNews(session, frame) {
  const d = frame.data || {};
  if (frame.type === "notice") notice(t("session.operatorMessage", { message: d.message }), "operator", 20_000);
  if (frame.type === "player_kicked" && d.player === session.model.me) {
    keepSeat(session.id, null); // the seat is gone: a reload must not try it again
    announce(t("session.youWereRemoved"));
  }
  if (frame.type === "session_ended") {
    announce(d.by === "server" ? t("session.tableClosed", { reason: d.reason }) : t("session.operatorEnded"));
  }
}

/** Refresh the countdowns without rebuilding the screen. */
function tick(session) {
  for (const el of main.querySelectorAll("[data-deadline]")) {
    const left = session.model.remaining(Number(el.dataset.deadline));
    const seconds = Math.max(0, Math.ceil(left));
    el.textContent = `${seconds} s`;
    el.classList.toggle("urgent", seconds <= 5);
  }
  const turn = session.model.state ? session.model.state.settings.turnTimeoutSeconds : 30;
  for (const el of main.querySelectorAll("[data-deadline-ring]")) { // the ring around the avatar of the player to move
    const left = Math.max(0, session.model.remaining(Number(el.dataset.deadlineRing)));
    el.style.setProperty("--left", String(Math.min(1, left / turn)));
    el.classList.toggle("urgent", left <= 5);
  }
}

/** Frames that arrive together (a batch, a replay) render once, after the last; then their animations run. */
function drawSoon(session) {
  if (session.drawQueued) return;
  session.drawQueued = true;
  queueMicrotask(() => {
    session.drawQueued = false;
    if (current !== session) return;
    draw();
    // Moments belong to the table: the between-games and results screens say the same in full.
    const moments = session.moments.splice(0);
    if (main.querySelector("[data-screen=table]")) for (const moment of moments.slice(-2)) showMoment(moment.text, moment.kind);
    const motions = session.motions.splice(0);
    for (const motion of motions) motion();
  });
}

function draw() {
  const session = current;
  if (!session) return;
  if (session.model.kicked) return render(main, removed(session));
  if (!session.model.state) return;
  const state = session.model.state;
  const phase = session.model.phase;
  if (phase === "between" || phase === "results") loadGames(session);
  if (state.status === "waiting") render(main, waitingRoom(session));
  else if (state.status === "finished") render(main, session.model.endedReason === null ? results(session) : ended(session));
  else if (phase === "between") render(main, betweenGames(session));
  else {
    const game = state.game;
    const owed = game && game.awaitingSuit && game.currentPlayer === session.model.me; // a Jack played without a suit
    const picker = session.picking || owed ? suitPicker(session, actions(session)) : null;
    render(main, tableView(session, actions(session)), picker);
    const myTurn = Boolean(game && game.currentPlayer === session.model.me);
    if (myTurn && !session.myTurn) {
      announce(t("session.yourTurn"));
      cue(game.pendingPenalty > 0 ? "attack" : "turn");
    }
    session.myTurn = myTurn; // told once per turn to screen readers, not on every frame
  }
  tick(session);
}

function actions(session) {
  const socket = () => session.socket;
  return {
    play(card) {
      if (card.rank === "J") {
        session.picking = { card };
        draw();
        const first = main.querySelector(".suit-picker button");
        if (first) first.focus();
        return;
      }
      if (!socket().act("play_card", { card })) notice(t("session.notSent"));
    },
    pickSuit(suit) {
      const picking = session.picking;
      session.picking = null;
      const sent = picking
        ? socket().act("play_card", { card: picking.card, chosenSuit: suit })
        : socket().act("choose_suit", { suit });
      if (!sent) notice(t("session.notSent"));
      draw();
    },
    cancelPick() { session.picking = null; draw(); },
    drawCard() {
      if (!socket().act("draw_card")) notice(t("session.notSent"));
    },
    explain(text) { session.hint = text; draw(); },
    leave: () => leaveSession(session),
    retry: () => session.socket.retryNow(),
  };
}

async function leaveSession(session) {
  const phase = session.model.phase; // finished or eliminated: nothing is lost by leaving
  const playing = ["your-turn", "their-turn", "attacked", "choosing-suit"].includes(phase);
  if (playing && !confirm(t("session.confirmLeave"))) return;
  try {
    if (session.model.state.status !== "finished") {
      await api.call("DELETE", `/sessions/${session.id}/leave`, { auth: session.seat.token });
    }
  } catch (error) {
    if (error.code !== "NOT_IN_SESSION") return fail(error);
  }
  keepSeat(session.id, null);
  go("#/");
}

function waitingRoom(session) {
  const { model, record, seat } = session;
  const state = model.state;
  const seated = state.seats.filter((s) => !s.left);
  const quick = state.quickPlayStartsAt != null; // nobody starts a quick-play table: it starts by itself
  const isCreator = state.creator === seat.playerId && !quick;
  const code = seat.code || (record && record.code);
  const link = code ? `${location.origin}/join/${code}` : null;
  const full = seated.length >= state.maxPlayers;
  const button = (label, attrs, run) => h("button", { ...attrs, onclick: async (event) => {
    event.target.disabled = true;
    try { await run(); } catch (error) { fail(error); } finally { event.target.disabled = false; }
  } }, label);

  return h("section", { class: "waiting", "data-screen": "waiting" },
    h("h1", {}, record ? record.name : t("waiting.title")),
    code ? h("div", { class: "panel share" },
      h("p", {}, t("waiting.invite1"), h("strong", { class: "code", "data-code": code }, code), t("waiting.invite2")),
      h("div", { class: "share-row" },
        h("input", { readonly: true, value: link, "aria-label": t("waiting.joinLink"), onfocus: (e) => e.target.select() }),
        h("button", { onclick: async (event) => {
          try { await navigator.clipboard.writeText(link); notice(t("waiting.copied"), "info"); }
          catch { event.target.previousSibling.select(); notice(t("waiting.copyByHand"), "info"); }
        } }, t("waiting.copy")))) : null,
    h("section", { class: "panel" },
      h("h2", {}, t("waiting.seats", { n: seated.length, max: state.maxPlayers })),
      h("ol", { class: "seats" },
        seated.map((s) => {
          const online = s.player === seat.playerId ? session.socket.open : s.connected;
          return h("li", { "data-player": s.player },
            avatar(s.name, "small"),
            h("span", { class: `dot ${online ? "on" : "off"}`, "aria-hidden": "true" }),
            h("span", { class: "seat-name" }, s.name, s.player === seat.playerId ? t("waiting.you") : ""),
            s.player === state.creator ? h("span", { class: "badge" }, t("waiting.host")) : null,
            h("span", { class: "muted" }, online ? t("waiting.connected") : t("waiting.notConnected")));
        }),
        Array.from({ length: state.maxPlayers - seated.length }, () => h("li", { class: "empty" }, t("waiting.empty"))))),
    h("div", { class: "actions" },
      isCreator ? h("label", { class: "bot-level" }, `${t("botLevel.label")} `,
        h("select", { "data-action": "bot-level", "data-focus": "bot-level", disabled: full,
          onchange: (event) => { botLevel = event.target.value; } },
        BOT_LEVELS.map((level) =>
          h("option", { value: level, title: t(`botLevel.${level}Hint`), selected: level === botLevel }, t(`botLevel.${level}`))))) : null,
      isCreator ? button(t("waiting.addBot"), { disabled: full, "data-action": "add-bot" }, () =>
        api.call("POST", `/sessions/${session.id}/bots`, { auth: seat.token, body: { level: botLevel } })) : null,
      isCreator ? button(t("waiting.start"), { class: "primary", disabled: seated.length < 2, "data-action": "start" },
        () => api.call("POST", `/sessions/${session.id}/games/start`, { auth: seat.token })) : null,
      quick ? h("p", { "data-quick-play": "" }, t("quick.waiting")) : null,
      isCreator || quick ? null : h("p", {}, t("waiting.waitingFor", { name: model.name(state.creator) })),
      h("button", { class: "link", onclick: () => leaveSession(session) }, t("waiting.leave"))),
    isCreator && seated.length < 2 ? h("p", { class: "muted" }, t("waiting.needTwo")) : null);
}

/** The recorded games of the session (each one's order of finish and loser), fetched once per game that ended. */
function loadGames(session) {
  const wanted = session.model.state.gameNumber;
  if (session.gamesFor === wanted) return;
  session.gamesFor = wanted;
  api.call("GET", `/sessions/${session.id}/games`).then((list) => {
    session.games = list.items;
    if (current === session) draw();
  }).catch(() => { session.gamesFor = null; });
}

/** The game number in which `player` lost, from the recorded games or from what this connection saw. */
function lostIn(session, player) {
  const known = [...(session.games || []), ...session.model.results];
  const game = known.find((g) => g.loser === player);
  return game ? game.number : null;
}

function standing(session, player, note, extra = "") {
  const { model } = session;
  const seatRecord = model.seatOf(player);
  return h("li", { "data-player": player, class: extra },
    avatar(seatRecord ? seatRecord.name : "?", "small"),
    h("span", { class: "seat-name" }, model.name(player)), note ? h("span", { class: "muted" }, note) : null);
}

/** Between two games: who lost, the next game's countdown, the standings so far. No card of the finished game. */
function betweenGames(session) {
  const { model } = session;
  const state = model.state;
  const number = state.gameNumber;
  const last = model.results.find((r) => r.number === number)
    || (session.games || []).find((g) => g.number === number) || null;
  const loser = last ? last.loser : state.eliminated[state.eliminated.length - 1];
  const out = [...state.eliminated].reverse();
  const stillIn = state.seats.filter((seatRecord) => !state.eliminated.includes(seatRecord.player) && !seatRecord.left);
  const meOut = state.eliminated.includes(model.me);
  let lead = loser != null ? word("between.loser", { name: model.name(loser), number }) : "";
  if (loser === model.me) lead = word("between.youOut", { number });
  else if (!meOut) lead = `${lead} ${word("between.youIn", { next: number + 1 })}`;
  return h("section", { class: "between", "data-screen": "between", "data-game": number, "data-eliminated": String(meOut) },
    h("h1", {}, word("between.title", { number })),
    h("p", { class: "lead", role: "status" }, lead),
    h("p", { class: "next-game" }, word("between.next", { next: number + 1 }), " ", countdown(state.nextGameAt)),
    h("section", { class: "panel", "aria-labelledby": "standings-title" },
      h("h2", { id: "standings-title" }, word("between.standings")),
      h("h3", {}, word("between.stillIn")),
      h("ul", { class: "standings still-in" }, stillIn.map((seatRecord) => standing(session, seatRecord.player, ""))),
      out.length ? h("h3", {}, word("between.out")) : null,
      out.length ? h("ul", { class: "standings out" }, out.map((player) => {
        const lost = lostIn(session, player);
        return standing(session, player, lost ? word("between.lostGame", { number: lost }) : word("seat.left"), "out");
      })) : null),
    last && last.placements ? h("section", { class: "panel" },
      h("h2", {}, word("between.order", { number })),
      h("ol", { class: "finish-order" }, last.placements.map((player, i) => standing(session, player,
        i === last.placements.length - 1 ? word("between.lostGame", { number }) : ordinal(i + 1))))) : null,
    h("div", { class: "actions" },
      meOut ? h("a", { class: "button primary", href: "#/", "data-action": "lobby" }, word("phase.backToLobby")) : null,
      h("button", { class: "link", onclick: () => leaveSession(session) }, word("table.leave"))));
}

const countdown = (deadline) => (deadline == null ? null : h("span", { class: "countdown", "data-deadline": deadline }));

function results(session) {
  const { model } = session;
  const state = model.state;
  const ranking = state.ranking || [];
  const games = session.games
    ? h("table", {},
      h("caption", {}, word("results.games")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, word("results.game")), h("th", { scope: "col" }, word("results.order")),
        h("th", { scope: "col" }, word("results.eliminated")))),
      h("tbody", {}, session.games.map((g) => h("tr", { "data-game": g.number },
        h("td", {}, g.number), h("td", {}, g.placements.slice(0, -1).map((p) => model.name(p)).join(", ")),
        h("td", { "data-loser": g.loser }, `${model.name(g.loser)}${g.reason === "left" ? ` ${word("results.left")}` : ""}`)))))
    : h("p", { class: "loading" }, word("results.loading"));
  const me = ranking.indexOf(model.me) + 1;
  const podium = ranking.slice(0, 3).map((player, i) => {
    const seatRecord = model.seatOf(player);
    return h("li", { class: `step place-${i + 1}`, "data-player": player },
      avatar(seatRecord ? seatRecord.name : "?", "large"),
      h("span", { class: "seat-name" }, model.name(player)),
      h("span", { class: "place" }, ordinal(i + 1)));
  });
  return h("section", { class: "results", "data-screen": "results" },
    h("h1", {}, ranking[0] === model.me ? word("results.youWon") : word("results.won", { name: model.name(ranking[0]) })),
    me ? h("p", { class: "lead" }, word("results.yourPlace", { place: me, count: ranking.length })) : null,
    h("ol", { class: "podium", "aria-label": word("results.podium") }, podium),
    h("section", { class: "panel" }, h("h2", {}, word("results.ranking")),
      h("ol", { class: "ranking" }, ranking.map((p, i) => {
        const lost = lostIn(session, p);
        return h("li", { "data-player": p },
          model.name(p), i === 0 ? h("span", { class: "badge turn-badge" }, word("results.winner")) : null,
          lost ? h("span", { class: "muted" }, ` · ${word("results.lostGame", { number: lost })}`) : null);
      }))),
    h("section", { class: "panel games" }, games),
    h("div", { class: "actions" },
      h("a", { class: "button primary", href: "#/", onclick: () => keepSeat(session.id, null) }, word("phase.backToLobby")),
      api.user ? h("a", { class: "button", href: "#/profile" }, word("results.stats")) : null),
    h("p", { class: "muted" }, t("results.summary", { players: ranking.length, games: state.gameNumber })));
}

/** An operator removed this player: the seat is gone, so there is nothing to reconnect to. */
function removed(session) {
  const { reason } = session.model.kicked;
  return h("section", { class: "panel stopped", "data-screen": "removed" },
    h("h1", {}, t("removed.title")),
    h("p", { class: "lead" }, reason ? t("removed.because", { reason }) : t("removed.noReason")),
    h("p", {}, t("removed.body")),
    h("div", { class: "actions" }, h("a", { class: "button primary", href: "#/" }, t("results.backToLobby"))));
}

/** An operator ended the session: it stops where it stood, with no winner and no result for the running game. */
/** The table's live state is gone (the server restarted): say so, from the durable record, instead of a bare error. */
async function showLost(session) {
  let record;
  try {
    record = (await api.call("GET", `/sessions/${session.id}`)).session;
  } catch {
    return false;
  }
  const why = endReasonText(record.endReason);
  if (!why || current !== session) return false;
  keepSeat(session.id, null);
  render(main, h("section", { class: "panel stopped", "data-screen": "lost", "data-end-reason": record.endReason },
    h("h1", {}, t("lost.title", { name: record.name })),
    h("p", { class: "lead" }, why),
    h("div", { class: "actions" }, h("a", { class: "button primary", href: "#/" }, t("results.backToLobby")))));
  return true;
}

function ended(session) {
  const reason = session.model.endedReason;
  return h("section", { class: "panel stopped", "data-screen": "ended" },
    h("h1", {}, t("ended.title")),
    h("p", { class: "lead" }, reason ? t("ended.reason", { reason }) : t("ended.noReason")),
    h("p", {}, t("ended.body")),
    h("div", { class: "actions" },
      h("a", { class: "button primary", href: "#/", onclick: () => keepSeat(session.id, null) }, t("results.backToLobby"))));
}

// ------------------------------------------------------------------ start

function start() {
  // Shareable links: /join/CODE (and the server's /?join=CODE) open the join screen.
  const path = location.pathname.match(/^\/join\/([A-Za-z0-9]{6})$/);
  const query = new URLSearchParams(location.search).get("join");
  const code = path ? path[1] : query;
  if (code) history.replaceState(null, "", `/#/join/${code.toUpperCase()}`);
  window.addEventListener("hashchange", route);
  // Back online, or back to the page on a phone (where timers sleep in the background): reconnect now.
  window.addEventListener("online", () => current && current.socket.retryNow());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && current) current.socket.retryNow();
  });
  document.addEventListener("keydown", (event) => {
    if (!current || event.target.matches("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && current.picking) actions(current).cancelPick();
    if (event.key === "d" || event.key === "D") {
      const button = main.querySelector("#draw:not([disabled])");
      if (button) button.click();
    }
  });
  document.getElementById("language").addEventListener("click", (event) => setLanguage(event.currentTarget.dataset.language));
  document.getElementById("sound").addEventListener("click", () => {
    setSoundEnabled(!soundEnabled());
    renderSwitches();
  });
  // Audio may start only after a gesture on the page: the first tap or key after a reload unlocks it.
  for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, unlock, { passive: true });
  onLanguageChange(() => {
    pageWords();
    renderSwitches();
    renderNav();
    setConnection(...shownConnection);
    if (current && current.chat) current.chat.relabel();
    if (current) draw();
    else route();
  });
  window.addEventListener("online", () => { if (main.querySelector("[data-screen=offline]")) route(); });
  window.addEventListener("offline", () => { if (!current) setConnection("offline"); });
  if ("serviceWorker" in navigator) {
    // The app shell from a cache: opens at once, and offline it can still say that it is offline.
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
  pageWords();
  renderSwitches();
  renderNav();
  route();
}

start();
