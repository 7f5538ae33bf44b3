// The echo route of checkgame/transport/ws/echo.py on Node.js and ws: the peer the load test compares with.
//
// GET /bench/echo?room=<name> upgrades to a WebSocket that relays every message it receives to every
// socket of the same room, the sender included. A socket may have at most OUTBOX_SIZE frames queued and
// not yet written to the kernel; a reader that falls that far behind is dropped, as on the Python route.
// GET /ready answers {"node": CHECKGAME_NODE_ID}, so the load test knows it reached this process.
// Listens on 127.0.0.1:CHECKGAME_PORT.

import http from "node:http";
import { WebSocketServer } from "ws";

const OUTBOX_SIZE = 256;
const ECHO_PATH = "/bench/echo";
const node = process.env.CHECKGAME_NODE_ID ?? "node-relay";
const port = Number(process.env.CHECKGAME_PORT ?? 8000);

const rooms = new Map(); // room name -> Set of sockets

const server = http.createServer((request, response) => {
  if (request.url === "/ready") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: "ready", node }));
  } else {
    response.writeHead(404).end();
  }
});

const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

server.on("upgrade", (request, socket, head) => {
  const url = new URL(request.url, "http://relay");
  if (url.pathname !== ECHO_PATH) {
    socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    return;
  }
  sockets.handleUpgrade(request, socket, head, (ws) => join(ws, url.searchParams.get("room") ?? ""));
});

function join(ws, room) {
  const members = room ? rooms.get(room) ?? new Set() : new Set();
  if (room) rooms.set(room, members);
  members.add(ws);
  ws.queued = 0; // frames handed to ws and not yet written to the kernel: this socket's outbox
  ws.written = () => ws.queued--;
  ws.on("message", (data, isBinary) => {
    for (const member of members) {
      if (member.queued >= OUTBOX_SIZE || member.readyState !== member.OPEN) {
        members.delete(member); // fell behind (or is closing): dropped, as the Python route does
        member.terminate();
        continue;
      }
      member.queued++;
      member.send(data, { binary: isBinary }, member.written);
    }
  });
  ws.on("close", () => {
    members.delete(ws);
    if (room && members.size === 0 && rooms.get(room) === members) rooms.delete(room);
  });
  ws.on("error", () => ws.terminate());
}

server.listen(port, "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
