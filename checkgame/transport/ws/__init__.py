"""The game's WebSocket on the lean path: a pure codec, the socket layer (Trio + wsproto), frames rendered once,
and the player connection the front door hands each ``/api/v1/ws`` upgrade to.

Where a frame goes: :mod:`~checkgame.transport.ws.wire` reads it off the socket, :mod:`~checkgame.transport.ws.codec`
decodes it, :mod:`~checkgame.transport.ws.player` applies it through the session service; the session's hub
(:mod:`checkgame.rooms.hub`) has each resulting entry rendered by :mod:`~checkgame.transport.ws.frames` and written
by :mod:`~checkgame.transport.ws.wire` to every viewer.
"""
