#!/bin/sh
# The README's tour of the API: ann registers (or logs in, when the account exists), creates a table for four,
# three computer players join with its code, a fourth plays ann's own seat and starts the tournament, and once it
# is over the games and ann's statistics are printed. Run it as often as you like; it stops at the first failure
# with the server's own explanation, and gives ann's seat back if it stops before the start.
#
#   CHECKGAME_URL   the server (default http://127.0.0.1:8000, what `checkgame serve` listens on)
#   THINK           seconds a computer player thinks before a move (default 0.3; 0 plays at full speed)
set -eu

URL=${CHECKGAME_URL:-http://127.0.0.1:8000}
API=$URL/api/v1
THINK=${THINK:-0.3}
ACCOUNT='"username": "ann", "email": "ann@example.com"'
PASSWORD='"password": "correct horse battery staple"'

fail() { printf 'walkthrough: %s\n' "$*" >&2; exit 1; }
for tool in curl python3 checkgame; do
    command -v "$tool" >/dev/null || fail "$tool is not on the PATH (checkgame: run the README's first command)"
done

# json EXPRESSION: evaluate a Python expression over the JSON document on stdin, bound to `d`.
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# call METHOD PATH [BODY] [BEARER]: sets BODY to the response body and STATUS to its HTTP status.
call() {
    response=$(curl -sS -X "$1" "$API$2" -H 'content-type: application/json' ${3:+-d "$3"} \
        ${4:+-H "authorization: Bearer $4"} -w '\n%{http_code}') || fail "no answer from $URL: is checkgame serve running?"
    STATUS=$(printf '%s\n' "$response" | tail -n 1)
    BODY=$(printf '%s\n' "$response" | sed '$d')
}

# expect STATUS WHAT: stop with the server's own explanation unless the last call answered STATUS.
expect() {
    [ "$STATUS" = "$1" ] && return 0
    reason=$(printf '%s' "$BODY" | json 'd["error"]["code"] + ": " + d["error"]["message"]' 2>/dev/null) || reason=$BODY
    fail "$2 failed (HTTP $STATUS): $reason"
}

# 1. log in as ann, or register her the first time
call POST /auth/login "{\"login\": \"ann\", $PASSWORD}"
if [ "$STATUS" = 401 ]; then
    call POST /auth/register "{$ACCOUNT, $PASSWORD}"
    expect 201 "registering ann"
    echo "registered ann"
else
    expect 200 "logging in as ann"
    echo "logged in as ann (the account exists)"
fi
TOKEN=$(printf '%s' "$BODY" | json 'd["accessToken"]')

# 2. create a table (a tournament) for four players; ann holds seat 1
call POST /sessions '{"name": "Friday table", "maxPlayers": 4}' "$TOKEN"
expect 201 "creating the table"
SESSION=$(printf '%s' "$BODY" | json 'd["session"]["id"]')
CODE=$(printf '%s' "$BODY" | json 'd["joinCode"]')
SEAT_TOKEN=$(printf '%s' "$BODY" | json 'd["sessionToken"]')
echo "created table $SESSION, join code $CODE"
BOTS=
stop_early() {  # on a failure: stop the computer players and give ann's seat back
    [ -n "$BOTS" ] && kill "$BOTS" 2>/dev/null
    call DELETE "/sessions/$SESSION/leave" "" "$SEAT_TOKEN" || true
}
trap stop_early EXIT

# 3. three computer players join with the code, over the public API, and wait for the start
checkgame bot --url "$URL" --code "$CODE" --count 3 --think "$THINK" &
BOTS=$!

# 4. a bot plays ann's seat and starts the tournament once the table is full; its token goes through the
#    environment, where other users cannot read it (a command-line flag shows in `ps`)
CHECKGAME_SESSION_TOKEN=$SEAT_TOKEN checkgame bot --url "$URL" --start --think "$THINK" \
    || fail "ann's computer player stopped before the end of the tournament (see above)"
wait "$BOTS" || fail "a computer player stopped before the end of the tournament (see above)"
trap - EXIT

# 5. every game with its players by name, then ann's statistics
call GET "/sessions/$SESSION/games"
expect 200 "listing the games"
printf '%s' "$BODY" | python3 -c '
import json, sys
for game in json.load(sys.stdin)["items"]:
    name = game["names"]
    number, winner, loser = game["number"], name[game["winner"]], name[game["loser"]]
    order = ", ".join(name[player] for player in game["placements"])
    print(f"game {number}: {winner} out first, {loser} lost ({order})")
'
call GET /users/profile "" "$TOKEN"
expect 200 "reading ann's profile"
printf '%s' "$BODY" | json '"ann: {totalGames} games, {wins} won (out first), {losses} lost, by place {placements};'\
' {tournamentsWon} of {tournamentsPlayed} tournaments won".format(**d["stats"])'
