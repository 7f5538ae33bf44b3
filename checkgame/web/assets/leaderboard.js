// Ratings: the leaderboard screen (all time, this month) and the rating panel of the profile.
// Self-contained: it needs the API object and the element to draw in, and reads only the public REST API.
import { h, render } from "./dom.js";
import { language, t } from "./words.js";

const PERIODS = ["all", "month"];
const LIMIT = 50;
const signed = (n) => `${n > 0 ? "+" : n < 0 ? "−" : "±"}${Math.abs(n).toFixed(2)}`;

/** The leaderboard of `period` ("all" or "month"), with a switch between the two. */
export async function leaderboardScreen(main, api, period, me) {
  const chosen = PERIODS.includes(period) ? period : "all";
  const board = await api.call("GET", `/leaderboard?period=${chosen}&limit=${LIMIT}`);
  const tabs = h("nav", { class: "periods", "aria-label": t("rating.title") },
    PERIODS.map((p) => h("a", { href: `#/leaderboard/${p}`, class: p === chosen ? "button primary" : "button",
      "aria-current": p === chosen ? "page" : null }, t(`rating.period.${p}`))));
  const rows = board.items.map((row) => h("tr", { class: row.userId === me ? "me" : null },
    h("td", {}, row.rank), h("td", {}, row.username), h("td", {}, row.rating.toFixed(2)), h("td", {}, row.games)));
  render(main,
    h("h1", {}, t("rating.title")),
    tabs,
    h("section", { class: "panel" },
      rows.length
        ? h("table", { class: "leaderboard" },
          h("thead", {}, h("tr", {}, t("rating.columns").map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows))
        : h("p", { class: "muted" }, t(`rating.empty.${chosen}`))),
    h("p", { class: "muted" }, t("rating.rule")));
}

/** The profile's rating panel: the rating, rated games and the latest changes. */
export function ratingPanel(rating, history) {
  const stat = (label, value) => h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, value));
  return h("section", { class: "panel rating" },
    h("h2", {}, t("rating.rating")),
    h("dl", { class: "stats" },
      stat(t("rating.rating"), rating.rating.toFixed(2)), stat(t("rating.ratedGames"), rating.games),
      stat(t("rating.lastChange"), history.length ? signed(history[0].delta) : "–")),
    h("h3", {}, t("rating.history")),
    history.length
      ? h("ol", { class: "rating-history" }, history.map((c) => h("li", {},
        `${new Date(c.ratedAt).toLocaleString(language())} · ${t("rating.place", { place: c.place, of: c.ratedPlayers })} · ${signed(c.delta)} → `
          + c.rating.toFixed(2))))
      : h("p", { class: "muted" }, t("rating.noHistory")),
    h("p", {}, h("a", { href: "#/leaderboard/all" }, t("rating.title"))));
}
