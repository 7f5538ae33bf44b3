// Game history and replays: the profile's list of your tournaments and their games, and the replay screen that
// shows a finished game step by step as you saw it at the table (GET /games/{id}/replay: your hand, the others'
// as counts). Each step is drawn by the table's own view, with its controls made inert.
import { h, render } from "./dom.js";
import { SessionModel } from "./model.js";
import { tableView } from "./table.js";
import { describe, errorText, language, ordinal, word } from "./words.js";

const PLAY_EVERY_MS = 900; // one step per beat while playing
const RECENT_DISCARDS = 4;
let player = null; // the open replay's {timer, onKey}: stopped when the page leaves the screen

/** Stop a playing replay and its keyboard shortcuts (called by the router on every screen change). */
export function stopReplay() {
  if (!player) return;
  clearInterval(player.timer);
  document.removeEventListener("keydown", player.onKey);
  player = null;
}

// ------------------------------------------------------------------ the profile's history

/** The panel listing your tournaments, newest first, each with its games and a Replay link for those you played. */
export function historyPanel(api) {
  const list = h("ol", { class: "history plain", "aria-live": "polite" });
  const more = h("button", { class: "link", hidden: true }, word("history.more"));
  const panel = h("section", { class: "panel", "aria-labelledby": "history-title", "data-history": "" },
    h("h2", { id: "history-title" }, word("history.title")), list, more);
  let offset = 0;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api.call("GET", `/users/profile/history?limit=10&offset=${offset}`, { auth: "access" });
      if (offset === 0 && !page.items.length) list.append(h("li", { class: "muted" }, word("history.none")));
      list.append(...page.items.map(tournamentItem));
      offset += page.items.length;
      more.hidden = offset >= page.total;
    } catch (error) {
      list.append(h("li", { class: "muted" }, errorText(error)));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", load);
  load();
  return panel;
}

function tournamentItem(item) {
  const { session, names } = item;
  const name = (id) => names[id] || id;
  const when = new Date(session.createdAt).toLocaleDateString(language());
  let standing = word("history.open");
  if (item.finalRank) standing = word("history.rank", { place: ordinal(item.finalRank), count: Object.keys(names).length });
  else if (session.status === "finished") standing = word("history.noResult");
  return h("li", { class: "tournament", "data-session": session.id },
    h("h3", {}, session.name, " ", h("span", { class: "muted" }, `· ${when} · ${standing}`)),
    item.games.length
      ? h("table", { class: "history-games" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, word("history.game")), h("th", { scope: "col" }, word("history.yourPlace")),
          h("th", { scope: "col" }, word("history.out")), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, word("history.replay"))))),
        h("tbody", {}, item.games.map((game) => h("tr", { "data-game": game.id },
          h("td", {}, game.number),
          h("td", {}, game.place ? ordinal(game.place) : word("history.notPlayed")),
          h("td", {}, name(game.loser)),
          h("td", {}, game.replayable
            ? h("a", { class: "button small", href: `#/replay/${game.id}`, "data-action": "replay",
              "aria-label": word("history.replayGame", { number: game.number, name: session.name }) }, word("history.replay"))
            : null)))))
      : h("p", { class: "muted" }, word("history.noGames")));
}

// ------------------------------------------------------------------ the replay screen

/** What the table's view needs at step `at`: a session model holding that step's position, log and last discards. */
function modelAt(replay, at) {
  const { game, viewer, steps } = replay;
  const model = new SessionModel(viewer);
  model.state = {
    status: "playing",
    creator: null,
    seats: game.players.map((id, i) => ({ player: id, name: game.names[id] || id, seat: i + 1, registered: false,
      left: false, eliminated: false, connected: true })),
    eliminated: [],
    ranking: null,
    gameNumber: game.number,
    gameId: game.id,
    game: structuredClone(steps[at].state),
    turnDeadline: null,
    nextGameAt: null,
  };
  model.lastSeq = at;
  let seq = 0;
  for (const step of steps.slice(0, at + 1)) {
    for (const event of step.events) {
      const line = describe({ type: event.type, data: event.data }, (id) => model.name(id));
      if (line) model.log.push({ seq: seq++, text: line });
      if (event.type === "game_started") model.recent = [event.data.starterCard];
      if (event.type === "card_played") model.recent = [...model.recent, event.data.card].slice(-RECENT_DISCARDS);
      if (event.type === "pile_reshuffled") model.recent = model.recent.slice(-1);
    }
  }
  return model;
}

/** One sentence for what step `at` was: the deal, or the move and its first consequence. */
function stepLine(replay, model, at) {
  if (at === 0) return word("replay.deal", { name: model.name(replay.game.firstPlayer) });
  const lines = replay.steps[at].events.map((e) => describe(e, (id) => model.name(id))).filter(Boolean);
  return lines.join(" ");
}

/** The replay of game `gameId`, drawn into `main`: the table at the current step and the controls under it. */
export async function replayScreen(api, main, gameId) {
  stopReplay();
  render(main, h("p", { class: "loading" }, word("replay.loading")));
  let replay;
  try {
    replay = await api.call("GET", `/games/${gameId}/replay`, { auth: "access" });
  } catch (error) { // not yours, gone, or no longer replayable: say so where the table would be
    render(main, h("section", { class: "panel stopped", "data-screen": "replay-refused", "data-code": error.code },
      h("h1", {}, word("replay.unavailable")), h("p", { class: "lead" }, errorText(error)),
      h("p", {}, h("a", { href: "#/profile" }, word("replay.backToProfile")))));
    return;
  }
  const last = replay.steps.length - 1;
  const mine = { timer: null, onKey: null, at: 0 };
  player = mine;

  const button = (label, action, attrs = {}) => h("button", { type: "button", "data-action": action, ...attrs,
    onclick: () => control(action) }, label);
  const playing = () => mine.timer !== null;
  const pause = () => { clearInterval(mine.timer); mine.timer = null; };

  function control(action) {
    if (player !== mine) return;
    if (action === "play") {
      if (playing()) pause();
      else {
        if (mine.at >= last) mine.at = 0;
        mine.timer = setInterval(() => { if (mine.at >= last) pause(); else mine.at += 1; draw(); }, PLAY_EVERY_MS);
      }
    } else {
      pause();
      if (action === "first") mine.at = 0;
      if (action === "back") mine.at = Math.max(0, mine.at - 1);
      if (action === "forward") mine.at = Math.min(last, mine.at + 1);
      if (action === "last") mine.at = last;
    }
    draw();
  }

  function draw() {
    if (player !== mine) return;
    const at = mine.at;
    const model = modelAt(replay, at);
    const table = tableView({ model, hint: stepLine(replay, model, at) }, inert);
    for (const el of table.querySelectorAll("button")) el.disabled = true; // a replay is watched, not played
    for (const leave of table.querySelectorAll(".table-head button")) leave.remove();
    render(main, h("section", { class: "replay", "data-screen": "replay", "data-step": at, "data-steps": last + 1 },
      h("h1", {}, word("replay.title", { number: replay.game.number })),
      h("div", { class: "replay-controls", role: "toolbar", "aria-label": word("replay.controls") },
        button(word("replay.first"), "first", { disabled: at === 0, "data-focus": "replay-first" }),
        button(word("replay.back"), "back", { disabled: at === 0, "data-focus": "replay-back" }),
        button(playing() ? word("replay.pause") : word("replay.play"), "play",
          { class: "primary", "aria-pressed": String(playing()), "data-focus": "replay-play" }),
        button(word("replay.forward"), "forward", { disabled: at === last, "data-focus": "replay-forward" }),
        button(word("replay.last"), "last", { disabled: at === last, "data-focus": "replay-last" }),
        h("span", { class: "step-counter", role: "status", "data-step-counter": "" },
          word("replay.step", { step: at, last }))),
      table,
      h("p", {}, h("a", { href: "#/profile" }, word("replay.backToProfile")))));
  }

  mine.onKey = (event) => {
    if (event.target.matches("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = { ArrowLeft: "back", ArrowRight: "forward", Home: "first", End: "last", " ": "play" }[event.key];
    if (!action || (event.key === " " && event.target.closest("button, a"))) return; // a focused button takes Space
    event.preventDefault();
    control(action);
  };
  document.addEventListener("keydown", mine.onKey);
  draw();
}

const inert = { play() {}, explain() {}, drawCard() {}, pickSuit() {}, cancelPick() {}, leave() {}, retry() {} };
