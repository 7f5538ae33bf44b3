// Every word the client shows, in English and in French (Check comes from Cameroon, where both are official),
// and the language choice: the browser's languages unless the player picked one (kept in localStorage).
// `t(key, params)` looks a key up in the current language, falling back to English; an entry is a string or a
// function of the params (for numbers, plurals and names). Server errors are shown by their `code`, in words.
// The table's sentences (at the end) use `word(key, vars)` with {named} blanks, per language the same way.

const LANGUAGE_KEY = "checkgame.language";
export const LANGUAGES = ["en", "fr"];
const SYMBOL = { spades: "♠", hearts: "♥", diamonds: "♦", clubs: "♣" };

const enPlural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const frPlural = (n, word) => `${n} ${word}${n > 1 ? "s" : ""}`; // French: 0 and 1 are singular
const enOrdinal = (n) =>
  `${n}${n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th"}`;
const frOrdinal = (n) => (n === 1 ? "1re" : `${n}e`); // of a place ("la 1re place"): feminine
const because = (reason) => (reason ? ` (${reason})` : "");
const le = (card) => (/^[aeiouéh]/i.test(card) ? `l'${card}` : `le ${card}`); // "le 7 de cœur", "l'as de pique"

const en = {
  // ---------------------------------------------------------------- errors, by the server's codes
  "error.VALIDATION_ERROR": "Some of what you typed is not accepted.",
  "error.MALFORMED_JSON": "The request was garbled; please try again.",
  "error.UNAUTHORIZED": "Please log in first.",
  "error.INVALID_TOKEN": "Your login is no longer valid; please log in again.",
  "error.EXPIRED_TOKEN": "Your login has expired; please log in again.",
  "error.INVALID_CREDENTIALS": "Wrong username, email or password.",
  "error.FORBIDDEN": "You are not allowed to do that.",
  "error.NOT_CREATOR": "Only the player who created the table can do that.",
  "error.NOT_FOUND": "That does not exist.",
  "error.SESSION_NOT_FOUND": "No table has this code or link. Check it and try again.",
  "error.GAME_NOT_FOUND": "That game cannot be found.",
  "error.NOT_IN_SESSION": "You no longer have a seat at this table.",
  "error.USER_NOT_FOUND": "This account no longer exists.",
  "error.DUPLICATE_EMAIL": "An account with this email already exists.",
  "error.DUPLICATE_USERNAME": "This username is taken; choose another.",
  "error.SESSION_FULL": "This table is full.",
  "error.SESSION_STARTED": "The tournament at this table has already started.",
  "error.SESSION_FINISHED": "The tournament at this table is over.",
  "error.ALREADY_JOINED": "You already have a seat at this table.",
  "error.NOT_ENOUGH_PLAYERS": "At least two players are needed to start.",
  "error.RATE_LIMITED": "Too many requests; wait a moment and try again.",
  "error.SERVICE_UNAVAILABLE": "The server is busy; try again in a moment.",
  "error.GAME_OVER": "This game is over.",
  "error.NOT_YOUR_TURN": "It is not your turn.",
  "error.SUIT_CHOICE_PENDING": "Name the suit for your Jack first.",
  "error.CARD_NOT_IN_HAND": "That card is no longer in your hand.",
  "error.MUST_COUNTER_OR_DRAW": "An attack is running: play a 7 or a Joker, or draw the penalty.",
  "error.INVALID_PLAY": "That card does not match the top card.",
  "error.INVALID_SUIT": "That is not a suit you can name.",
  "error.NO_SUIT_CHOICE_PENDING": "No Jack is waiting for a suit.",
  "error.MESSAGE_TOO_LARGE": "That message was too large.",
  "error.NETWORK": "The server cannot be reached. Check your connection.",
  "error.ACCOUNT_DISABLED": "This account has been disabled by an administrator.",
  "error.BAD_REQUEST": "The server could not understand the request.",
  "error.CONFLICT": "That clashes with something that already exists; try again.",
  "error.CODE_EXHAUSTED": "No free table code was found; please try again.",
  "error.KICKED": "An operator removed you from this table.",
  "error.MALFORMED_MESSAGE": "A message to the server was garbled.",
  "error.UNKNOWN_MESSAGE_TYPE": "The server did not recognise a message; reload the page.",
  "error.METHOD_NOT_ALLOWED": "The server does not accept that request.",
  "error.PAYLOAD_TOO_LARGE": "That was too large to send.",
  "error.REQUEST_TIMEOUT": "The connection was too slow; please try again.",
  "error.PLAYER_NOT_FOUND": "That player is not at this table.",
  "error.TOO_MANY_PLAYERS": "A game takes at most eight players.",
  "error.MESSAGE_TOO_LONG": "Chat messages are at most 300 characters.",
  "error.CHAT_MUTED": "An operator muted you in this table's chat.",
  "error.CHAT_NEEDS_ACCOUNT": "Log in to write in the spectators' chat.",
  "error.SPECTATOR_CANNOT_ACT": "You are watching: spectators cannot play.",
  "error.SPECTATORS_FULL": "This table has all the spectators it takes; try again later.",
  "error.MATCHMAKING_BUSY": "No table could be found right now; please try again.",
  "error.MATCHMAKING_IN_PROGRESS": "We are still finding you a seat; a moment please.",
  "error.NOT_A_PLAYER": "Only the players of a game can replay it.",
  "error.REPLAY_UNAVAILABLE": "This game can no longer be replayed.",
  "error.unknown": "Something went wrong.",

  // ---------------------------------------------------------------- why a table ended without a winner
  "end.live_state_lost": "The server lost this table's game in progress (it restarted): the tournament stopped, with no winner.",
  "end.ended_by_admin": "An operator ended this table: the tournament stopped, with no winner.",
  "end.abandoned": "Everybody left this table before the start, so it closed.",
  "end.expired": "Nobody joined, left or started this table for a long while, so it closed.",
  "end.other": ({ reason }) => `The tournament stopped (${reason}).`,

  // ---------------------------------------------------------------- cards
  "suit.spades": "spades", "suit.hearts": "hearts", "suit.diamonds": "diamonds", "suit.clubs": "clubs",
  "rank.A": "Ace", "rank.J": "Jack", "rank.Q": "Queen", "rank.K": "King",
  "color.red": "red", "color.black": "black",
  card: ({ rank, suit }) => `${rank} of ${suit}`,
  joker: ({ color }) => `${color} Joker`,
  jokerShort: ({ color }) => `Joker (${color})`,

  // ---------------------------------------------------------------- numbers
  plural: ({ n, word }) => enPlural(n, word),
  ordinal: ({ n }) => enOrdinal(n),
  cards: ({ n }) => enPlural(n, "card"),

  // ---------------------------------------------------------------- the log, one line per entry
  "log.player_joined_session": ({ name, seat }) => `${name} sat down at seat ${seat}.`,
  "log.player_left_session": ({ who }) => `${who} left the table.`,
  "log.creator_changed": ({ who }) => `${who} now runs the table.`,
  "log.player_disconnected": ({ who, seconds }) => `${who} lost the connection (seat kept ${seconds} s).`,
  "log.player_reconnected": ({ who }) => `${who} is back.`,
  "log.tournament_started": ({ n }) => `The tournament starts with ${enPlural(n, "player")}.`,
  "log.game_started": ({ who, card }) => `A new game: ${who} plays first on the ${card}.`,
  "log.card_played": ({ who, card }) => `${who} played the ${card}`,
  "log.asked_for": ({ suit }) => ` and asked for ${suit}`,
  "log.attack_of": ({ n }) => ` — attack of ${n}`,
  "log.suit_chosen": ({ who, suit }) => `${who} asked for ${suit}.`,
  "log.pile_reshuffled": ({ n }) => `The discard pile was shuffled into a new draw pile (${n} cards).`,
  "log.penalty_drawn": ({ who, n, what }) => `${who} took the penalty of ${enPlural(n, "card")}${what ? `: ${what}` : ""}.`,
  "log.card_drawn": ({ who, n, what }) => `${who} drew ${enPlural(n, "card")}${what ? `: ${what}` : ""}.`,
  "log.turn_skipped": ({ who }) => `${who} is skipped by the Ace.`,
  "log.turn_timeout": ({ who }) => `${who} ran out of time; the server moved for them.`,
  "log.player_finished": ({ who, place }) => `${who} is out of cards and finishes ${enOrdinal(place)}.`,
  "log.game_finished": ({ who, left }) => `Game over: ${who} ${left ? "left and loses" : "loses"} this game.`,
  "log.player_eliminated": ({ who }) => `${who} is eliminated from the tournament.`,
  "log.tournament_finished": ({ who, games }) => `${who} wins the tournament after ${enPlural(games, "game")}!`,
  "log.notice": ({ message }) => `Message from the operators: “${message}”`,
  "log.player_kicked": ({ who, reason }) => `${who} was removed by an operator${because(reason)}.`,
  "log.session_closed": ({ reason }) => `The table closed${because(reason)}.`,
  "log.session_ended": ({ reason }) => `An operator ended the session${because(reason)}: it ends without a result.`,

  // ---------------------------------------------------------------- the page around the screens
  "page.title": "Check — the card game",
  "page.skip": "Skip to the game",
  "page.loading": "Loading…",
  "nav.label": "Account",
  "nav.lobby": "Lobby",
  "nav.rules": "Rules",
  "nav.logIn": "Log in",
  "nav.logOut": "Log out",
  "language.switch": "Français",
  "language.switchLabel": "Passer en français",
  "sound.label": "Sound",
  "sound.on": "Sound on",
  "sound.off": "Sound off",
  "connection.connecting": "Connecting…",
  "connection.online": "Online",
  "connection.retryingIn": ({ seconds }) => `Connection lost — retrying in ${seconds} s`,
  "connection.retrying": "Connection lost — retrying…",
  "connection.offline": "Offline",
  "key": ({ key }) => ` (key ${key})`,
  you: ({ name }) => `${name} (you)`,
  someone: "someone",

  // ---------------------------------------------------------------- no connection
  "offline.title": "No connection",
  "offline.lead": "This device is offline, or the server cannot be reached.",
  "offline.body": "Check opens again by itself as soon as the connection is back. Your seats are kept for a while.",
  "offline.retry": "Try again",

  // ---------------------------------------------------------------- lobby
  "lobby.seatsTaken": ({ n, max }) => `${n} of ${max} seats taken`,
  "lobby.open": "Open",
  "lobby.join": "Join",
  "lobby.noTables": "No open tables right now: create one!",
  "lobby.yourTable": ({ code }) => `Table ${code}`,
  "lobby.endedBecause": ({ why }) => `Ended. ${why}`,
  "lobby.createTitle": "Create a table",
  "lobby.tableName": "Table name",
  "lobby.defaultName": ({ name }) => `${name}'s table`,
  "lobby.players": "Players",
  "lobby.playersOption": ({ n }) => `${n} players`,
  "lobby.private": "Private (only people with the code or link can join)",
  "lobby.create": "Create",
  "lobby.createNeedsAccount1": "To create a table, ",
  "lobby.createNeedsAccountLink": "log in or register",
  "lobby.createNeedsAccount2": " (it takes ten seconds). To join a friend's table, a name is enough: use their code or link.",
  "lobby.joinTitle": "Join with a code",
  "lobby.code": "Code",
  "lobby.welcome": ({ name }) => `Welcome, ${name}`,
  "lobby.play": "Play Check",
  "lobby.yourTables": "Your tables",
  "lobby.openTables": "Open tables",
  "lobby.rulesHint": "Match the top card by suit or rank. 2 goes on anything, a Jack names the suit, an Ace skips the next "
    + "player, 7 attacks +2 and a Joker +4. Empty your hand; the last one holding cards is out.",
  "lobby.rulesLink": "All the rules",

  // ---------------------------------------------------------------- account and profile
  "account.title": "Your account",
  "account.logIn": "Log in",
  "account.login": "Username or email",
  "account.password": "Password",
  "account.register": "Register",
  "account.username": "Username",
  "account.usernameRule": "3 to 32 letters, digits, dots, dashes or underscores",
  "account.email": "Email",
  "account.passwordRule": "at least 8 characters, hard to guess: a few unrelated words work well",
  "account.noAccountNeeded": "No account needed to join a table: open its link or enter its code in the lobby.",
  "profile.statistics": "Statistics",
  "profile.gamesPlayed": "Games played",
  "profile.wins": "Games won (first out)",
  "profile.losses": "Games lost (last)",
  "profile.winRate": "Win rate",
  "profile.places": "Places",
  "profile.tournamentsPlayed": "Tournaments played",
  "profile.tournamentsWon": "Tournaments won",
  "profile.since": ({ email, date }) => `${email} · member since ${date}`,

  // ---------------------------------------------------------------- joining
  "join.title": ({ code }) => `Join table ${code}`,
  "join.yourName": "Your name",
  "join.takeSeat": "Take a seat",
  "join.haveAccount": "Have an account? ",
  "join.logIn": "Log in",
  "join.keepStats": " to keep your statistics.",
  "join.private": "This table is private: ask for its link or code.",
  "join.takingSeat": "Taking your seat…",

  // ---------------------------------------------------------------- the session
  "session.operatorMessage": ({ message }) => `Message from the operators: ${message}`,
  "session.youWereRemoved": "An operator removed you from this table.",
  "session.tableClosed": ({ reason }) => `This table closed: ${reason}.`,
  "session.operatorEnded": "An operator ended this session.",
  "session.yourTurn": "Your turn.",
  "session.notSent": "Not connected: your move was not sent. Reconnecting…",
  "session.confirmLeave": "Leave the table? You lose the running game.",
  "waiting.title": "Waiting room",
  "waiting.invite1": "Invite friends with the code ",
  "waiting.invite2": " or this link:",
  "waiting.joinLink": "Join link",
  "waiting.copied": "Link copied.",
  "waiting.copyByHand": "Press Ctrl+C (or long-press) to copy the link.",
  "waiting.copy": "Copy link",
  "waiting.seats": ({ n, max }) => `Seats (${n} of ${max})`,
  "waiting.you": " (you)",
  "waiting.host": "host",
  "waiting.connected": "connected",
  "waiting.notConnected": "not connected",
  "waiting.empty": "Empty seat",
  "waiting.addBot": "Add a computer player",
  "waiting.start": "Start the tournament",
  "waiting.waitingFor": ({ name }) => `Waiting for ${name} to start the tournament…`,
  "waiting.leave": "Leave the table",
  "waiting.needTwo": "Add a computer player or invite someone: two players are needed to start.",
  "results.backToLobby": "Back to the lobby",
  "results.summary": ({ players, games }) => `${enPlural(players, "player")}, ${enPlural(games, "game")}.`,
  "removed.title": "You were removed from this table",
  "removed.because": ({ reason }) => `An operator removed you: ${reason}`,
  "removed.noReason": "An operator removed you from this session.",
  "removed.body": "Your seat is given up; the others play on without you.",
  "lost.title": ({ name }) => `${name}: this table has ended`,
  "ended.title": "An operator ended this session",
  "ended.reason": ({ reason }) => `Reason: ${reason}`,
  "ended.noReason": "No reason was given.",
  "ended.body": "The tournament stops here: there is no winner, and no result is recorded.",

  // ---------------------------------------------------------------- refusals (the page explains a card it greys out)
  "refuse.noGame": "No game is running.",
  "refuse.wait": "Wait for your turn.",
  "refuse.suitFirst": "Name the suit for your Jack first.",
  "refuse.attack": ({ n }) => `An attack of ${n} is running: counter with a 7 or a Joker, or draw ${n}.`,
  "refuse.demanded": ({ suit }) => `the demanded suit, ${suit}`,
  "refuse.joker": ({ color }) => `the ${color} Joker (play a ${color} card, a 2 or a Jack)`,
  "refuse.top": ({ card }) => `${card} (same suit or same rank, a 2 or a Jack)`,
  "refuse.noMatch": ({ card, target }) => `${card} does not match ${target}.`,

  // ---------------------------------------------------------------- the rules page
  "rules.title": "How to play Check",
  "rules.sections": [
    ["The aim", [
      "Get rid of all your cards. Whoever still holds cards when everyone else has finished loses the game and "
        + "leaves the tournament. Games follow one another until a single player is left: the winner.",
    ]],
    ["The deal", [
      "One pack of 54 cards: four suits of 13 cards and two Jokers, a red one and a black one. Everyone gets "
        + "seven cards (six when there are seven or eight players); one card is turned face up to start the "
        + "discard pile, the rest is the draw pile.",
    ]],
    ["Your turn", [
      "Play one card on the top card: the same suit or the same rank. If you cannot or will not, draw one card; "
        + "your turn is over. When the draw pile runs out, the discard pile (all but its top card) is shuffled "
        + "into a new one. Play always goes clockwise.",
    ]],
    ["The special cards", [
      "2 — goes on any card and does nothing else.",
      "Jack — goes on any card; you then name the suit the next player must follow.",
      "Ace — the next player misses their turn.",
      "7 — attack: the next player must draw 2.",
      "Joker — attack: the next player must draw 4. It goes on a card of its colour (after a Jack, the colour "
        + "of the suit asked for), or on the other Joker.",
    ]],
    ["Attacks", [
      "When you are attacked you may counter with any 7 or any Joker, whatever its suit or colour: the penalty "
        + "adds up and passes to the next player. Otherwise you draw the whole penalty, and the attack is over.",
    ]],
    ["Time and connection", [
      "Each turn has a time limit: when it runs out the server moves for you (it draws, or names a suit for "
        + "your Jack). If your connection drops, your seat is kept for a while; come back and play on.",
    ]],
  ],
  // ---------------------------------------------------------------- quick play, computer levels, spectators, chat, ratings
  "nav.leaderboard": "Leaderboard",
  "quick.title": "Play now",
  "quick.intro": "Sit at the fullest open table of your size, or open one. It starts by itself when full.",
  "quick.computers": "Computer players may fill the empty seats if nobody else comes",
  "quick.button": "Play now",
  "quick.waiting": "This table starts by itself when it is full or when its wait ends.",
  "botLevel.label": "Computer player level",
  "botLevel.easy": "Easy",
  "botLevel.easyHint": "Plays any card that fits.",
  "botLevel.normal": "Normal",
  "botLevel.normalHint": "Plays sensibly: keeps its 7s and Jokers for attacks.",
  "botLevel.hard": "Hard",
  "botLevel.hardHint": "Thinks ahead: tries out hundreds of games before each move.",
  "chat.players": "Table chat",
  "chat.spectators": "Spectators' chat",
  "chat.placeholder": "Say something…",
  "chat.send": "Send",
  "chat.empty": "No messages yet.",
  "chat.offline": "Not connected: your message was not sent.",
  "chat.signInToWrite": "Log in to write here; you can read along without an account.",
  "chat.mute": "Mute",
  "chat.muteTitle": "Hide this person's messages on this device (press again to show them)",
  "chat.report": "Report",
  "chat.reportTitle": "Tell the operators about this message",
  "chat.reported": "Reported to the operators. Thank you.",
  "chat.unmuteAll": "Show them",
  "chat.hidden": ({ n }) => `${enPlural(n, "message")} from people you muted.`,
  "chat.watching": ({ n }) => `· ${n} watching`,
  "chat.operatorMuted": ({ player }) => `An operator muted ${player} in this chat.`,
  "chat.operatorUnmuted": ({ player }) => `An operator let ${player} speak again.`,
  "watch.title": "Watching a table",
  "watch.loading": "Finding the table…",
  "watch.back": "Back to the lobby",
  "watch.seats": "Players",
  "watch.log": "What happened",
  "watch.toPlay": "(to play)",
  "watch.left": "(left)",
  "watch.watch": "Watch",
  "watch.cards": ({ n }) => enPlural(n, "card"),
  "watch.watching": ({ n }) => `${n} watching`,
  "watch.status.waiting": "Waiting for players",
  "watch.status.playing": "Playing",
  "watch.status.between": "Between games",
  "watch.status.finished": "Over",
  "watch.status": ({ status, watching, delay }) => `${status} · ${watching} watching${delay ? ` · ${delay} s behind` : ""}`,
  "watch.top": ({ card, suit, penalty }) =>
    `Top card: ${card}${suit ? `, ${suit} asked` : ""}${penalty ? `, attack of ${penalty}` : ""}`,
  "rating.title": "Leaderboard",
  "rating.rating": "Rating",
  "rating.ratedGames": "Rated games",
  "rating.lastChange": "Last change",
  "rating.history": "Latest rated games",
  "rating.noHistory": "No rated game yet: ratings come from games with at least one other registered player.",
  "rating.period.all": "All time",
  "rating.period.month": "This month",
  "rating.empty.all": "Nobody is rated yet.",
  "rating.empty.month": "Nobody has played a rated game this month yet.",
  "rating.columns": ["#", "Player", "Rating", "Games"],
  "rating.rule": "Registered players are rated from the order they finish each game in; guests and computer players "
    + "are not rated and do not count.",
  "rating.place": ({ place, of }) => `${enOrdinal(place)} of ${of}`,
};

const fr = {
  "error.VALIDATION_ERROR": "Une partie de ce que vous avez saisi n'est pas acceptée.",
  "error.MALFORMED_JSON": "La requête est arrivée abîmée ; veuillez réessayer.",
  "error.UNAUTHORIZED": "Connectez-vous d'abord.",
  "error.INVALID_TOKEN": "Votre connexion n'est plus valable ; reconnectez-vous.",
  "error.EXPIRED_TOKEN": "Votre connexion a expiré ; reconnectez-vous.",
  "error.INVALID_CREDENTIALS": "Nom d'utilisateur, e-mail ou mot de passe incorrect.",
  "error.FORBIDDEN": "Vous n'avez pas le droit de faire cela.",
  "error.NOT_CREATOR": "Seul le joueur qui a créé la table peut faire cela.",
  "error.NOT_FOUND": "Cela n'existe pas.",
  "error.SESSION_NOT_FOUND": "Aucune table n'a ce code ou ce lien. Vérifiez-le et réessayez.",
  "error.GAME_NOT_FOUND": "Cette partie est introuvable.",
  "error.NOT_IN_SESSION": "Vous n'avez plus de place à cette table.",
  "error.USER_NOT_FOUND": "Ce compte n'existe plus.",
  "error.DUPLICATE_EMAIL": "Un compte existe déjà avec cet e-mail.",
  "error.DUPLICATE_USERNAME": "Ce nom d'utilisateur est déjà pris ; choisissez-en un autre.",
  "error.SESSION_FULL": "Cette table est complète.",
  "error.SESSION_STARTED": "Le tournoi de cette table a déjà commencé.",
  "error.SESSION_FINISHED": "Le tournoi de cette table est terminé.",
  "error.ALREADY_JOINED": "Vous avez déjà une place à cette table.",
  "error.NOT_ENOUGH_PLAYERS": "Il faut au moins deux joueurs pour commencer.",
  "error.RATE_LIMITED": "Trop de demandes ; patientez un instant et réessayez.",
  "error.SERVICE_UNAVAILABLE": "Le serveur est occupé ; réessayez dans un instant.",
  "error.GAME_OVER": "Cette partie est terminée.",
  "error.NOT_YOUR_TURN": "Ce n'est pas votre tour.",
  "error.SUIT_CHOICE_PENDING": "Annoncez d'abord la couleur de votre valet.",
  "error.CARD_NOT_IN_HAND": "Cette carte n'est plus dans votre main.",
  "error.MUST_COUNTER_OR_DRAW": "Une attaque est en cours : jouez un 7 ou un joker, ou piochez la pénalité.",
  "error.INVALID_PLAY": "Cette carte ne va pas sur la carte du dessus.",
  "error.INVALID_SUIT": "Vous ne pouvez pas annoncer cette couleur.",
  "error.NO_SUIT_CHOICE_PENDING": "Aucun valet n'attend de couleur.",
  "error.MESSAGE_TOO_LARGE": "Ce message était trop long.",
  "error.NETWORK": "Impossible de joindre le serveur. Vérifiez votre connexion.",
  "error.ACCOUNT_DISABLED": "Ce compte a été désactivé par un administrateur.",
  "error.BAD_REQUEST": "Le serveur n'a pas compris la requête.",
  "error.CONFLICT": "Cela entre en conflit avec quelque chose qui existe déjà ; réessayez.",
  "error.CODE_EXHAUSTED": "Aucun code de table libre n'a été trouvé ; veuillez réessayer.",
  "error.KICKED": "Un opérateur vous a retiré de cette table.",
  "error.MALFORMED_MESSAGE": "Un message envoyé au serveur est arrivé abîmé.",
  "error.UNKNOWN_MESSAGE_TYPE": "Le serveur n'a pas reconnu un message ; rechargez la page.",
  "error.METHOD_NOT_ALLOWED": "Le serveur n'accepte pas cette requête.",
  "error.PAYLOAD_TOO_LARGE": "C'était trop volumineux pour être envoyé.",
  "error.REQUEST_TIMEOUT": "La connexion était trop lente ; veuillez réessayer.",
  "error.PLAYER_NOT_FOUND": "Ce joueur n'est pas à cette table.",
  "error.TOO_MANY_PLAYERS": "Une partie se joue à huit joueurs au plus.",
  "error.MESSAGE_TOO_LONG": "Un message du chat fait 300 caractères au plus.",
  "error.CHAT_MUTED": "Un opérateur vous a rendu muet dans le chat de cette table.",
  "error.CHAT_NEEDS_ACCOUNT": "Connectez-vous pour écrire dans le chat des spectateurs.",
  "error.SPECTATOR_CANNOT_ACT": "Vous regardez : les spectateurs ne peuvent pas jouer.",
  "error.SPECTATORS_FULL": "Cette table a déjà tous les spectateurs qu'elle peut accueillir ; réessayez plus tard.",
  "error.MATCHMAKING_BUSY": "Aucune table n'a pu être trouvée pour l'instant ; veuillez réessayer.",
  "error.MATCHMAKING_IN_PROGRESS": "Nous vous cherchons encore une place ; un instant, s'il vous plaît.",
  "error.NOT_A_PLAYER": "Seuls les joueurs d'une partie peuvent la rejouer.",
  "error.REPLAY_UNAVAILABLE": "Cette partie ne peut plus être rejouée.",
  "error.unknown": "Quelque chose s'est mal passé.",

  "end.live_state_lost": "Le serveur a perdu la partie en cours de cette table (il a redémarré) : le tournoi s'est arrêté, sans vainqueur.",
  "end.ended_by_admin": "Un opérateur a fermé cette table : le tournoi s'est arrêté, sans vainqueur.",
  "end.abandoned": "Tout le monde a quitté cette table avant le début, elle a donc été fermée.",
  "end.expired": "Personne n'a rejoint, quitté ou lancé cette table depuis longtemps, elle a donc été fermée.",
  "end.other": ({ reason }) => `Le tournoi s'est arrêté (${reason}).`,

  "suit.spades": "pique", "suit.hearts": "cœur", "suit.diamonds": "carreau", "suit.clubs": "trèfle",
  "rank.A": "as", "rank.J": "valet", "rank.Q": "dame", "rank.K": "roi",
  "color.red": "rouge", "color.black": "noir",
  card: ({ rank, suit }) => `${rank} de ${suit}`,
  joker: ({ color }) => `joker ${color}`,
  jokerShort: ({ color }) => `Joker (${color})`,

  plural: ({ n, word }) => frPlural(n, word),
  ordinal: ({ n }) => frOrdinal(n),
  cards: ({ n }) => frPlural(n, "carte"),

  "log.player_joined_session": ({ name, seat }) => `${name} s'est assis à la place ${seat}.`,
  "log.player_left_session": ({ who }) => `${who} a quitté la table.`,
  "log.creator_changed": ({ who }) => `${who} mène maintenant la table.`,
  "log.player_disconnected": ({ who, seconds }) => `${who} a perdu la connexion (place gardée ${seconds} s).`,
  "log.player_reconnected": ({ who }) => `${who} est de retour.`,
  "log.tournament_started": ({ n }) => `Le tournoi commence avec ${frPlural(n, "joueur")}.`,
  "log.game_started": ({ who, card }) => `Nouvelle partie : ${who} joue en premier sur ${le(card)}.`,
  "log.card_played": ({ who, card }) => `${who} a joué ${le(card)}`,
  "log.asked_for": ({ suit }) => ` et a demandé ${suit}`,
  "log.attack_of": ({ n }) => ` — attaque de ${n}`,
  "log.suit_chosen": ({ who, suit }) => `${who} a demandé ${suit}.`,
  "log.pile_reshuffled": ({ n }) => `La défausse a été mélangée en une nouvelle pioche (${n} cartes).`,
  "log.penalty_drawn": ({ who, n, what }) => `${who} a pris la pénalité de ${frPlural(n, "carte")}${what ? ` : ${what}` : ""}.`,
  "log.card_drawn": ({ who, n, what }) => `${who} a pioché ${frPlural(n, "carte")}${what ? ` : ${what}` : ""}.`,
  "log.turn_skipped": ({ who }) => `${who} passe son tour à cause de l'as.`,
  "log.turn_timeout": ({ who }) => `${who} n'a plus de temps ; le serveur a joué à sa place.`,
  "log.player_finished": ({ who, place }) => `${who} n'a plus de cartes et termine à la ${frOrdinal(place)} place.`,
  "log.game_finished": ({ who, left }) => `Partie terminée : ${who} ${left ? "est parti et perd" : "perd"} cette partie.`,
  "log.player_eliminated": ({ who }) => `${who} est éliminé du tournoi.`,
  "log.tournament_finished": ({ who, games }) => `${who} remporte le tournoi en ${frPlural(games, "partie")} !`,
  "log.notice": ({ message }) => `Message des opérateurs : « ${message} »`,
  "log.player_kicked": ({ who, reason }) => `${who} a été retiré par un opérateur${because(reason)}.`,
  "log.session_closed": ({ reason }) => `La table a été fermée${because(reason)}.`,
  "log.session_ended": ({ reason }) => `Un opérateur a mis fin à la session${because(reason)} : elle se termine sans résultat.`,

  "page.title": "Check — le jeu de cartes",
  "page.skip": "Aller au jeu",
  "page.loading": "Chargement…",
  "nav.label": "Compte",
  "nav.lobby": "Accueil",
  "nav.rules": "Règles",
  "nav.logIn": "Connexion",
  "nav.logOut": "Déconnexion",
  "language.switch": "English",
  "language.switchLabel": "Switch to English",
  "sound.label": "Son",
  "sound.on": "Son activé",
  "sound.off": "Son coupé",
  "connection.connecting": "Connexion…",
  "connection.online": "En ligne",
  "connection.retryingIn": ({ seconds }) => `Connexion perdue — nouvel essai dans ${seconds} s`,
  "connection.retrying": "Connexion perdue — nouvel essai…",
  "connection.offline": "Hors ligne",
  "key": ({ key }) => ` (touche ${key === "Esc" ? "Échap" : key})`,
  you: ({ name }) => `${name} (vous)`,
  someone: "quelqu'un",

  "offline.title": "Pas de connexion",
  "offline.lead": "Cet appareil est hors ligne, ou le serveur est injoignable.",
  "offline.body": "Check se rouvre tout seul dès que la connexion revient. Vos places sont gardées un moment.",
  "offline.retry": "Réessayer",

  "lobby.seatsTaken": ({ n, max }) => `${n} place${n > 1 ? "s" : ""} prise${n > 1 ? "s" : ""} sur ${max}`,
  "lobby.open": "Ouvrir",
  "lobby.join": "Rejoindre",
  "lobby.noTables": "Aucune table ouverte pour l'instant : créez-en une !",
  "lobby.yourTable": ({ code }) => `Table ${code}`,
  "lobby.endedBecause": ({ why }) => `Terminée. ${why}`,
  "lobby.createTitle": "Créer une table",
  "lobby.tableName": "Nom de la table",
  "lobby.defaultName": ({ name }) => `La table de ${name}`,
  "lobby.players": "Joueurs",
  "lobby.playersOption": ({ n }) => `${n} joueurs`,
  "lobby.private": "Privée (seuls ceux qui ont le code ou le lien peuvent venir)",
  "lobby.create": "Créer",
  "lobby.createNeedsAccount1": "Pour créer une table, ",
  "lobby.createNeedsAccountLink": "connectez-vous ou inscrivez-vous",
  "lobby.createNeedsAccount2": " (dix secondes suffisent). Pour rejoindre la table d'un ami, un nom suffit : utilisez son code ou son lien.",
  "lobby.joinTitle": "Rejoindre avec un code",
  "lobby.code": "Code",
  "lobby.welcome": ({ name }) => `Bienvenue, ${name}`,
  "lobby.play": "Jouer à Check",
  "lobby.yourTables": "Vos tables",
  "lobby.openTables": "Tables ouvertes",
  "lobby.rulesHint": "Posez une carte de la même couleur ou de la même valeur que celle du dessus. Le 2 va sur tout, le valet "
    + "annonce la couleur, l'as fait sauter le joueur suivant, le 7 attaque de +2 et le joker de +4. Videz votre main ; "
    + "le dernier qui a encore des cartes est éliminé.",
  "lobby.rulesLink": "Toutes les règles",

  "account.title": "Votre compte",
  "account.logIn": "Connexion",
  "account.login": "Nom d'utilisateur ou e-mail",
  "account.password": "Mot de passe",
  "account.register": "Inscription",
  "account.username": "Nom d'utilisateur",
  "account.usernameRule": "3 à 32 lettres, chiffres, points, tirets ou tirets bas",
  "account.email": "E-mail",
  "account.passwordRule": "au moins 8 caractères, difficile à deviner : quelques mots sans rapport font l'affaire",
  "account.noAccountNeeded": "Pas besoin de compte pour rejoindre une table : ouvrez son lien ou saisissez son code à l'accueil.",
  "profile.statistics": "Statistiques",
  "profile.gamesPlayed": "Parties jouées",
  "profile.wins": "Parties gagnées (premier sorti)",
  "profile.losses": "Parties perdues (dernier)",
  "profile.winRate": "Taux de victoire",
  "profile.places": "Classements",
  "profile.tournamentsPlayed": "Tournois joués",
  "profile.tournamentsWon": "Tournois gagnés",
  "profile.since": ({ email, date }) => `${email} · membre depuis le ${date}`,

  "join.title": ({ code }) => `Rejoindre la table ${code}`,
  "join.yourName": "Votre nom",
  "join.takeSeat": "Prendre place",
  "join.haveAccount": "Vous avez un compte ? ",
  "join.logIn": "Connectez-vous",
  "join.keepStats": " pour garder vos statistiques.",
  "join.private": "Cette table est privée : demandez son lien ou son code.",
  "join.takingSeat": "Installation à votre place…",

  "session.operatorMessage": ({ message }) => `Message des opérateurs : ${message}`,
  "session.youWereRemoved": "Un opérateur vous a retiré de cette table.",
  "session.tableClosed": ({ reason }) => `Cette table a été fermée : ${reason}.`,
  "session.operatorEnded": "Un opérateur a mis fin à cette session.",
  "session.yourTurn": "À vous de jouer.",
  "session.notSent": "Pas connecté : votre coup n'a pas été envoyé. Reconnexion…",
  "session.confirmLeave": "Quitter la table ? Vous perdez la partie en cours.",
  "waiting.title": "Salle d'attente",
  "waiting.invite1": "Invitez vos amis avec le code ",
  "waiting.invite2": " ou ce lien :",
  "waiting.joinLink": "Lien d'invitation",
  "waiting.copied": "Lien copié.",
  "waiting.copyByHand": "Appuyez sur Ctrl+C (ou restez appuyé) pour copier le lien.",
  "waiting.copy": "Copier le lien",
  "waiting.seats": ({ n, max }) => `Places (${n} sur ${max})`,
  "waiting.you": " (vous)",
  "waiting.host": "hôte",
  "waiting.connected": "connecté",
  "waiting.notConnected": "non connecté",
  "waiting.empty": "Place libre",
  "waiting.addBot": "Ajouter un joueur ordinateur",
  "waiting.start": "Lancer le tournoi",
  "waiting.waitingFor": ({ name }) => `En attente de ${name} pour lancer le tournoi…`,
  "waiting.leave": "Quitter la table",
  "waiting.needTwo": "Ajoutez un joueur ordinateur ou invitez quelqu'un : il faut deux joueurs pour commencer.",
  "results.backToLobby": "Retour à l'accueil",
  "results.summary": ({ players, games }) => `${frPlural(players, "joueur")}, ${frPlural(games, "partie")}.`,
  "removed.title": "Vous avez été retiré de cette table",
  "removed.because": ({ reason }) => `Un opérateur vous a retiré : ${reason}`,
  "removed.noReason": "Un opérateur vous a retiré de cette session.",
  "removed.body": "Votre place est libérée ; les autres continuent sans vous.",
  "lost.title": ({ name }) => `${name} : cette table est terminée`,
  "ended.title": "Un opérateur a mis fin à cette session",
  "ended.reason": ({ reason }) => `Motif : ${reason}`,
  "ended.noReason": "Aucun motif n'a été donné.",
  "ended.body": "Le tournoi s'arrête ici : il n'y a pas de vainqueur et aucun résultat n'est enregistré.",


  "refuse.noGame": "Aucune partie n'est en cours.",
  "refuse.wait": "Attendez votre tour.",
  "refuse.suitFirst": "Annoncez d'abord la couleur de votre valet.",
  "refuse.attack": ({ n }) => `Une attaque de ${n} est en cours : contrez avec un 7 ou un joker, ou piochez ${n}.`,
  "refuse.demanded": ({ suit }) => `la couleur demandée, ${suit}`,
  "refuse.joker": ({ color }) => (color === "red"
    ? "le joker rouge (jouez une carte rouge, un 2 ou un valet)"
    : "le joker noir (jouez une carte noire, un 2 ou un valet)"),
  "refuse.top": ({ card }) => `${card} (même couleur ou même valeur, un 2 ou un valet)`,
  "refuse.noMatch": ({ card, target }) => `${card} ne va pas sur ${target}.`,

  "rules.title": "Comment jouer à Check",
  "rules.sections": [
    ["Le but", [
      "Se débarrasser de toutes ses cartes. Celui qui a encore des cartes quand tous les autres ont fini perd la "
        + "partie et quitte le tournoi. Les parties s'enchaînent jusqu'à ce qu'il ne reste qu'un joueur : le vainqueur.",
    ]],
    ["La distribution", [
      "Un jeu de 54 cartes : quatre couleurs de 13 cartes et deux jokers, un rouge et un noir. Chacun reçoit sept "
        + "cartes (six à sept ou huit joueurs) ; une carte est retournée pour commencer la défausse, le reste forme "
        + "la pioche.",
    ]],
    ["À votre tour", [
      "Posez une carte sur celle du dessus : même couleur ou même valeur. Si vous ne pouvez pas ou ne voulez pas, "
        + "piochez une carte ; votre tour est fini. Quand la pioche est vide, la défausse (sauf sa carte du dessus) "
        + "est mélangée pour en faire une nouvelle. On joue toujours dans le sens des aiguilles d'une montre.",
    ]],
    ["Les cartes spéciales", [
      "2 — se pose sur n'importe quelle carte, sans autre effet.",
      "Valet — se pose sur n'importe quelle carte ; vous annoncez ensuite la couleur que le joueur suivant doit suivre.",
      "As — le joueur suivant passe son tour.",
      "7 — attaque : le joueur suivant doit piocher 2 cartes.",
      "Joker — attaque : le joueur suivant doit piocher 4 cartes. Il se pose sur une carte de sa teinte, rouge ou "
        + "noire (après un valet : la teinte de la couleur demandée), ou sur l'autre joker.",
    ]],
    ["Les attaques", [
      "Quand vous êtes attaqué, vous pouvez contrer avec n'importe quel 7 ou joker, quelle que soit sa couleur : "
        + "la pénalité s'additionne et passe au joueur suivant. Sinon, vous piochez toute la pénalité et l'attaque "
        + "s'arrête.",
    ]],
    ["Temps et connexion", [
      "Chaque tour est limité dans le temps : à la fin du délai, le serveur joue pour vous (il pioche, ou annonce "
        + "une couleur pour votre valet). Si votre connexion coupe, votre place est gardée un moment ; revenez et "
        + "continuez.",
    ]],
  ],
  "nav.leaderboard": "Classement",
  "quick.title": "Jouer maintenant",
  "quick.intro": "Asseyez-vous à la table ouverte la plus remplie de votre taille, ou ouvrez-en une. Elle démarre toute seule une fois complète.",
  "quick.computers": "Des joueurs ordinateur peuvent occuper les places vides si personne d'autre ne vient",
  "quick.button": "Jouer maintenant",
  "quick.waiting": "Cette table démarre toute seule quand elle est complète ou quand son temps d'attente est écoulé.",
  "botLevel.label": "Niveau de l'ordinateur",
  "botLevel.easy": "Facile",
  "botLevel.easyHint": "Joue n'importe quelle carte qui va.",
  "botLevel.normal": "Normal",
  "botLevel.normalHint": "Joue avec bon sens : garde ses 7 et ses jokers pour attaquer.",
  "botLevel.hard": "Difficile",
  "botLevel.hardHint": "Réfléchit à l'avance : essaie des centaines de parties avant chaque coup.",
  "chat.players": "Chat de la table",
  "chat.spectators": "Chat des spectateurs",
  "chat.placeholder": "Dites quelque chose…",
  "chat.send": "Envoyer",
  "chat.empty": "Pas encore de messages.",
  "chat.offline": "Pas connecté : votre message n'a pas été envoyé.",
  "chat.signInToWrite": "Connectez-vous pour écrire ici ; vous pouvez lire sans compte.",
  "chat.mute": "Masquer",
  "chat.muteTitle": "Masquer les messages de cette personne sur cet appareil (appuyez de nouveau pour les revoir)",
  "chat.report": "Signaler",
  "chat.reportTitle": "Signaler ce message aux opérateurs",
  "chat.reported": "Signalé aux opérateurs. Merci.",
  "chat.unmuteAll": "Les afficher",
  "chat.hidden": ({ n }) => `${frPlural(n, "message")} de personnes que vous avez masquées.`,
  "chat.watching": ({ n }) => `· ${frPlural(n, "spectateur")}`,
  "chat.operatorMuted": ({ player }) => `Un opérateur a rendu ${player} muet dans ce chat.`,
  "chat.operatorUnmuted": ({ player }) => `Un opérateur a redonné la parole à ${player}.`,
  "watch.title": "Regarder une table",
  "watch.loading": "Recherche de la table…",
  "watch.back": "Retour au salon",
  "watch.seats": "Joueurs",
  "watch.log": "Ce qui s'est passé",
  "watch.toPlay": "(son tour)",
  "watch.left": "(parti)",
  "watch.watch": "Regarder",
  "watch.cards": ({ n }) => frPlural(n, "carte"),
  "watch.watching": ({ n }) => frPlural(n, "spectateur"),
  "watch.status.waiting": "En attente de joueurs",
  "watch.status.playing": "En cours",
  "watch.status.between": "Entre deux parties",
  "watch.status.finished": "Terminé",
  "watch.status": ({ status, watching, delay }) =>
    `${status} · ${frPlural(watching, "spectateur")}${delay ? ` · ${delay} s de retard` : ""}`,
  "watch.top": ({ card, suit, penalty }) =>
    `Carte du dessus : ${card}${suit ? `, ${suit} demandé` : ""}${penalty ? `, attaque de ${penalty}` : ""}`,
  "rating.title": "Classement",
  "rating.rating": "Cote",
  "rating.ratedGames": "Parties classées",
  "rating.lastChange": "Dernière variation",
  "rating.history": "Dernières parties classées",
  "rating.noHistory": "Pas encore de partie classée : la cote vient des parties jouées avec au moins un autre joueur inscrit.",
  "rating.period.all": "Depuis le début",
  "rating.period.month": "Ce mois-ci",
  "rating.empty.all": "Personne n'est encore classé.",
  "rating.empty.month": "Personne n'a encore joué de partie classée ce mois-ci.",
  "rating.columns": ["#", "Joueur", "Cote", "Parties"],
  "rating.rule": "Les joueurs inscrits sont classés selon leur ordre d'arrivée dans chaque partie ; les invités et les "
    + "joueurs ordinateur ne sont pas classés et ne comptent pas.",
  "rating.place": ({ place, of }) => `${frOrdinal(place)} sur ${of}`,
};

export const CATALOGUE = { en, fr };

/** The first of the browser's languages we speak (fr-CM, fr-FR… are French), else English. */
function fromBrowser() {
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

function stored() {
  try {
    const chosen = localStorage.getItem(LANGUAGE_KEY);
    return LANGUAGES.includes(chosen) ? chosen : null;
  } catch {
    return null; // storage refused (a private window): the browser's choice will do
  }
}

let current = stored() || fromBrowser();
const listeners = [];

export const language = () => current;

/** Switch to `code` ("en" or "fr"), remember it, and let the page redraw itself in it. */
export function setLanguage(code) {
  if (!LANGUAGES.includes(code)) throw new Error(`unknown language ${code}`);
  current = code;
  try { localStorage.setItem(LANGUAGE_KEY, code); } catch { /* not remembered, still switched */ }
  document.documentElement.lang = code;
  for (const listener of listeners) listener(code);
}

/** Call `listener(code)` after every language switch. */
export const onLanguageChange = (listener) => listeners.push(listener);

/** French puts a space before : ; ! ? and inside « »: a no-break one, so a line never starts with the sign. */
function typeset(words) {
  if (Array.isArray(words)) return words.map(typeset);
  return typeof words === "string" ? words.replace(/ ([:;!?»])/g, "\u00a0$1").replace(/« /g, "«\u00a0") : words;
}

/** The words for `key` in the current language (English when French lacks them). */
export function t(key, params = {}) {
  const entry = key in CATALOGUE[current] ? CATALOGUE[current][key] : en[key];
  if (entry === undefined) throw new Error(`no words for ${key}`);
  const words = typeof entry === "function" ? entry(params) : entry;
  return current === "fr" ? typeset(words) : words;
}

/** On a touch screen (no hover, a finger for a pointer) keyboard hints are noise: they read as nothing. */
export const isTouch = () => matchMedia("(hover: none) and (pointer: coarse)").matches;

/** " (key D)" after a control that has a key, or "" on a touch screen. */
export const keyHint = (key) => (isTouch() ? "" : t("key", { key }));

// ---------------------------------------------------------------- card names

/** A suit in words with its symbol: "spades ♠", "pique ♠". */
export const suitName = (suit) => `${t(`suit.${suit}`)} ${SYMBOL[suit]}`;

/** "7 of hearts", "Jack of spades", "red Joker"; "7 de cœur", "valet de pique", "joker rouge". */
export function cardName(card) {
  if (card.rank === "Joker") return t("joker", { color: t(`color.${card.color}`) });
  const rank = ["A", "J", "Q", "K"].includes(card.rank) ? t(`rank.${card.rank}`) : card.rank;
  return t("card", { rank, suit: t(`suit.${card.suit}`) });
}

/** A short label with the suit symbol: "7♥", "J♠", "Joker (red)". */
export function cardShort(card) {
  return card.rank === "Joker" ? t("jokerShort", { color: t(`color.${card.color}`) }) : `${card.rank}${SYMBOL[card.suit]}`;
}

// ---------------------------------------------------------------- the server's words

/** Why a finished table has no winner, in plain words (null when it was won). */
export function endReasonText(reason) {
  if (!reason) return null;
  return `end.${reason}` in en ? t(`end.${reason}`) : t("end.other", { reason });
}

/** A sentence for an error {code, message, details}: ours when we know the code, else the server's. */
export function errorText(error) {
  const key = `error.${error.code}`;
  if (!(key in en)) return error.message || t("error.unknown");
  // The server's detail of a refused field is in English: useful to an English reader, noise to the others.
  if (error.code === "VALIDATION_ERROR" && error.message && current === "en") return `${t(key)} (${error.message})`;
  return t(key);
}

const plural = (n, word) => t("plural", { n, word });
const ordinal = (n) => t("ordinal", { n });

/** One line for an entry of the session's log, or null for the ones not worth a line. `who(id)` names a player. */
export function describe(frame, who) {
  const d = frame.data || {};
  const type = frame.type;
  switch (type) {
    case "player_joined_session": return t(`log.${type}`, { name: d.name, seat: d.seat });
    case "player_left_session":
    case "creator_changed":
    case "player_reconnected":
    case "turn_skipped":
    case "turn_timeout":
    case "player_eliminated":
      return t(`log.${type}`, { who: who(d.player) });
    case "player_disconnected": return t(`log.${type}`, { who: who(d.player), seconds: Math.round(d.graceSeconds) });
    case "tournament_started": return t(`log.${type}`, { n: d.players.length });
    case "game_started": return t(`log.${type}`, { who: who(d.firstPlayer), card: cardName(d.starterCard) });
    case "card_played": {
      let line = t("log.card_played", { who: who(d.player), card: cardName(d.card) });
      if (d.chosenSuit) line += t("log.asked_for", { suit: suitName(d.chosenSuit) });
      if (d.pendingPenalty > 0) line += t("log.attack_of", { n: d.pendingPenalty });
      return `${line}.`;
    }
    case "suit_chosen": return t(`log.${type}`, { who: who(d.player), suit: suitName(d.suit) });
    case "pile_reshuffled": return t(`log.${type}`, { n: d.drawPileSize });
    case "card_drawn": {
      const what = d.cards ? d.cards.map(cardName).join(", ") : "";
      return t(d.penalty ? "log.penalty_drawn" : "log.card_drawn", { who: who(d.player), n: d.count, what });
    }
    case "player_finished": return t(`log.${type}`, { who: who(d.player), place: d.place });
    case "game_finished": return t(`log.${type}`, { who: who(d.loser), left: d.reason === "left" });
    case "tournament_finished": return t(`log.${type}`, { who: who(d.winner), games: d.games });
    case "notice": return t(`log.${type}`, { message: d.message });
    case "player_kicked": return t(`log.${type}`, { who: who(d.player), reason: d.reason });
    case "session_ended": return t(d.by === "server" ? "log.session_closed" : "log.session_ended", { reason: d.reason });
    default: return null;
  }
}

export { ordinal, plural };

/** The computer player's levels, as the waiting room offers them (POST /sessions/{id}/bots); words under botLevel.*. */
export const BOT_LEVELS = ["easy", "normal", "hard"];

// ------------------------------------------------------------------ the table's words (screens and moments)
// Keyed sentences with {named} blanks, one catalogue per language with the same keys.

const WORDS_EN = {
  "seat.toPlay": "to play",
  "seat.finished": "finished {place}",
  "seat.offline": "offline",
  "seat.left": "left",
  "seat.eliminated": "eliminated",
  "table.others": "Other players, clockwise from you",
  "table.game": "Game {number}",
  "table.leave": "Leave",
  "table.drawLeft": "{count} left",
  "table.topCard": "Top card: {card}",
  "table.discard": "Discard pile",
  "table.asked": "Asked for",
  "table.attack": "Attack +{count}",
  "table.attackHelp": "Counter with a 7 or a Joker, or draw them all.",
  "phase.yourTurn": "Your turn",
  "phase.attacked": "You are attacked: +{count}",
  "phase.choosing": "Name a suit for your Jack",
  "phase.theirTurn": "{name} is playing",
  "phase.theirChoice": "{name} is naming a suit",
  "phase.finished": "You finished {place}: safe this game",
  "phase.finishedWatch": "You are watching the rest of this game.",
  "phase.eliminated": "You are out of the tournament",
  "phase.eliminatedWatch": "You are watching the rest of the tournament.",
  "phase.gameOver": "Game over",
  "phase.backToLobby": "Back to the lobby",
  "conn.lost": "Connection lost: reconnecting…",
  "conn.lostIn": "Connection lost: reconnecting in {seconds} s…",
  "conn.help": "Your seat is kept; the game resumes where it stood when you are back.",
  "conn.retry": "Retry now",
  "between.title": "Game {number} is over",
  "between.youOut": "You lost game {number} and are out of the tournament.",
  "between.youIn": "You are through to game {next}.",
  "between.loser": "{name} lost game {number} and is out.",
  "between.next": "Game {next} starts in",
  "between.standings": "Standings so far",
  "between.stillIn": "Still in",
  "between.out": "Out",
  "between.lostGame": "lost game {number}",
  "between.order": "Order of finish in game {number}",
  "results.winner": "winner",
  "results.lostGame": "out in game {number}",
  "results.left": "(left)",
  "results.podium": "Podium",
  "results.games": "Games",
  "results.game": "Game",
  "results.order": "Order of finish",
  "results.eliminated": "Eliminated",
  "results.loading": "Loading the games…",
  "results.youWon": "You won the tournament!",
  "results.won": "{name} wins the tournament",
  "results.yourPlace": "You finished {place} of {count}.",
  "results.ranking": "Ranking",
  "results.stats": "Your statistics",
  "table.draw": "Draw a card",
  "table.drawPenalty": "Draw {count} (penalty)",
  "table.drawKey": "{label} (key D)",
  "table.drawLater": "You can draw on your turn",
  "table.dealing": "Dealing…",
  "hand.title": "Your hand · {cards}",
  "hand.watching": "You are watching this game",
  "hand.finished": "You finished {place}: safe this game",
  "hand.cards": "Your cards",
  "hand.play": "Play the {card}",
  "hint.wait": "Tap a card to see whether and why it can be played.",
  "hint.suit": "Name the suit the next player must follow.",
  "hint.attacked": "You are attacked: counter with a 7 or a Joker, or draw {count}.",
  "hint.turnTouch": "Your turn: tap a highlighted card, or tap the pile to draw.",
  "hint.turnKeys": "Your turn: play a highlighted card, or draw (key D).",
  "log.title": "What happened",
  "log.empty": "Every move will be told here.",
  "picker.title": "Which suit must the next player follow?",
  "picker.cancel": "Cancel{key}",
  "moment.suit": "{name} asks for {suit}",
  "moment.attackYou": "Attack! Counter with a 7 or a Joker, or draw {count}",
  "moment.attack": "{name} is attacked: +{count}",
  "moment.penalty": "{name} draws {count} (penalty)",
  "moment.penaltyYou": "You draw {count} (penalty)",
  "moment.skip": "{name} is skipped",
  "moment.skipYou": "You are skipped",
  "moment.finished": "{name} is out of cards: {place}",
  "moment.finishedYou": "You are out of cards: {place}, safe!",
  "moment.lost": "{name} loses game {number}",
  "moment.lostYou": "You lose game {number}",
  "moment.eliminatedYou": "You are eliminated: watch the rest or go back to the lobby",
  "moment.won": "{name} wins the tournament!",
  "moment.wonYou": "You win the tournament!",
  "moment.dealt": "Game {number}: cards are dealt",
  "history.title": "Your tournaments",
  "history.none": "No tournaments yet: your tables and their games will be listed here.",
  "history.more": "Show older tournaments",
  "history.open": "not over yet",
  "history.rank": "you finished {place} of {count}",
  "history.noResult": "ended without a winner",
  "history.game": "Game",
  "history.yourPlace": "Your place",
  "history.out": "Eliminated",
  "history.replay": "Replay",
  "history.replayGame": "Replay game {number} of {name}",
  "history.notPlayed": "out before it",
  "history.noGames": "No finished game.",
  "replay.loading": "Loading the replay…",
  "replay.unavailable": "This replay cannot be shown",
  "replay.title": "Replay of game {number}",
  "replay.controls": "Replay controls",
  "replay.first": "« Start",
  "replay.back": "◀ Back",
  "replay.play": "▶ Play",
  "replay.pause": "‖ Pause",
  "replay.forward": "Forward ▶",
  "replay.last": "End »",
  "replay.step": "Step {step} of {last}",
  "replay.deal": "The cards are dealt; {name} plays first.",
  "replay.backToProfile": "Back to your profile",
};

const WORDS_FR = {
  "seat.toPlay": "son tour",
  "seat.finished": "{place} place",
  "seat.offline": "hors ligne",
  "seat.left": "parti",
  "seat.eliminated": "éliminé",
  "table.others": "Les autres joueurs, dans le sens des aiguilles d'une montre",
  "table.game": "Partie {number}",
  "table.leave": "Quitter",
  "table.drawLeft": "il en reste {count}",
  "table.topCard": "Carte du dessus : {card}",
  "table.discard": "Défausse",
  "table.asked": "Couleur demandée :",
  "table.attack": "Attaque +{count}",
  "table.attackHelp": "Contrez avec un 7 ou un joker, ou piochez tout.",
  "phase.yourTurn": "À vous de jouer",
  "phase.attacked": "Vous êtes attaqué : +{count}",
  "phase.choosing": "Annoncez une couleur pour votre valet",
  "phase.theirTurn": "{name} joue",
  "phase.theirChoice": "{name} annonce une couleur",
  "phase.finished": "Vous terminez à la {place} place : sauvé pour cette partie",
  "phase.finishedWatch": "Vous regardez la fin de cette partie.",
  "phase.eliminated": "Vous êtes éliminé du tournoi",
  "phase.eliminatedWatch": "Vous regardez la suite du tournoi.",
  "phase.gameOver": "Partie terminée",
  "phase.backToLobby": "Retour à l'accueil",
  "conn.lost": "Connexion perdue : reconnexion…",
  "conn.lostIn": "Connexion perdue : reconnexion dans {seconds} s…",
  "conn.help": "Votre place est gardée ; la partie reprend là où elle en était dès votre retour.",
  "conn.retry": "Réessayer maintenant",
  "between.title": "La partie {number} est terminée",
  "between.youOut": "Vous avez perdu la partie {number} et quittez le tournoi.",
  "between.youIn": "Vous êtes qualifié pour la partie {next}.",
  "between.loser": "{name} a perdu la partie {number} et est éliminé.",
  "between.next": "La partie {next} commence dans",
  "between.standings": "Le classement pour l'instant",
  "between.stillIn": "Encore en lice",
  "between.out": "Éliminés",
  "between.lostGame": "a perdu la partie {number}",
  "between.order": "Ordre d'arrivée de la partie {number}",
  "results.winner": "vainqueur",
  "results.lostGame": "éliminé à la partie {number}",
  "results.left": "(parti)",
  "results.podium": "Podium",
  "results.games": "Parties",
  "results.game": "Partie",
  "results.order": "Ordre d'arrivée",
  "results.eliminated": "Éliminé",
  "results.loading": "Chargement des parties…",
  "results.youWon": "Vous avez gagné le tournoi !",
  "results.won": "{name} remporte le tournoi",
  "results.yourPlace": "Vous terminez {place} sur {count}.",
  "results.ranking": "Classement",
  "results.stats": "Vos statistiques",
  "table.draw": "Piocher une carte",
  "table.drawPenalty": "Piocher {count} (pénalité)",
  "table.drawKey": "{label} (touche D)",
  "table.drawLater": "Vous pourrez piocher à votre tour",
  "table.dealing": "Distribution…",
  "hand.title": "Votre main · {cards}",
  "hand.watching": "Vous regardez cette partie",
  "hand.finished": "Vous terminez à la {place} place : sauvé pour cette partie",
  "hand.cards": "Vos cartes",
  "hand.play": ({ card }) => `Jouer ${le(card)}`,
  "hint.wait": "Touchez une carte pour savoir si elle peut être jouée, et pourquoi.",
  "hint.suit": "Annoncez la couleur que le joueur suivant doit suivre.",
  "hint.attacked": "Vous êtes attaqué : contrez avec un 7 ou un joker, ou piochez {count}.",
  "hint.turnTouch": "À vous : touchez une carte en surbrillance, ou touchez la pioche pour piocher.",
  "hint.turnKeys": "À vous : jouez une carte en surbrillance, ou piochez (touche D).",
  "log.title": "Ce qui s'est passé",
  "log.empty": "Chaque coup sera raconté ici.",
  "picker.title": "Quelle couleur le joueur suivant doit-il suivre ?",
  "picker.cancel": "Annuler{key}",
  "moment.suit": "{name} demande {suit}",
  "moment.attackYou": "Attaque ! Contrez avec un 7 ou un joker, ou piochez {count}",
  "moment.attack": "{name} est attaqué : +{count}",
  "moment.penalty": "{name} pioche {count} (pénalité)",
  "moment.penaltyYou": "Vous piochez {count} (pénalité)",
  "moment.skip": "{name} passe son tour",
  "moment.skipYou": "Vous passez votre tour",
  "moment.finished": "{name} n'a plus de cartes : {place} place",
  "moment.finishedYou": "Vous n'avez plus de cartes : {place} place, sauvé !",
  "moment.lost": "{name} perd la partie {number}",
  "moment.lostYou": "Vous perdez la partie {number}",
  "moment.eliminatedYou": "Vous êtes éliminé : regardez la suite ou retournez à l'accueil",
  "moment.won": "{name} remporte le tournoi !",
  "moment.wonYou": "Vous remportez le tournoi !",
  "moment.dealt": "Partie {number} : les cartes sont distribuées",
  "history.title": "Vos tournois",
  "history.none": "Pas encore de tournoi : vos tables et leurs parties seront listées ici.",
  "history.more": "Afficher les tournois plus anciens",
  "history.open": "pas encore terminé",
  "history.rank": "vous avez fini {place} sur {count}",
  "history.noResult": "terminé sans vainqueur",
  "history.game": "Partie",
  "history.yourPlace": "Votre place",
  "history.out": "Éliminé",
  "history.replay": "Rejouer",
  "history.replayGame": "Rejouer la partie {number} de {name}",
  "history.notPlayed": "éliminé avant",
  "history.noGames": "Aucune partie terminée.",
  "replay.loading": "Chargement du replay…",
  "replay.unavailable": "Ce replay ne peut pas être affiché",
  "replay.title": "Replay de la partie {number}",
  "replay.controls": "Commandes du replay",
  "replay.first": "« Début",
  "replay.back": "◀ Reculer",
  "replay.play": "▶ Lecture",
  "replay.pause": "‖ Pause",
  "replay.forward": "Avancer ▶",
  "replay.last": "Fin »",
  "replay.step": "Étape {step} sur {last}",
  "replay.deal": "Les cartes sont distribuées ; {name} joue en premier.",
  "replay.backToProfile": "Retour à votre profil",
};

export const WORDS = { en: WORDS_EN, fr: WORDS_FR };

/** The sentence for `key` in the current language with its {blanks} filled from `vars`; an unknown key shows itself. */
export function word(key, vars = {}) {
  const text = WORDS[current][key] ?? WORDS_EN[key] ?? key;
  if (typeof text === "function") return current === "fr" ? typeset(text(vars)) : text(vars); // grammar needs more than blanks
  const filled = text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
  return current === "fr" ? typeset(filled) : filled;
}
