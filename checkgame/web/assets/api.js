// The REST API (/api/v1) with the login kept in localStorage. An access token lives 15 minutes: a call refused
// with EXPIRED_TOKEN is retried once after rotating the refresh token, so a long game never logs anybody out.

const BASE = "/api/v1";
const LOGIN_KEY = "checkgame.login";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    Object.assign(this, { status, code, details });
  }
}

export class Api {
  constructor(onLoginChange = () => {}) {
    this.onLoginChange = onLoginChange;
    this.login = JSON.parse(localStorage.getItem(LOGIN_KEY) || "null"); // {user, accessToken, refreshToken}
    this.refreshing = null;
  }

  get user() {
    return this.login ? this.login.user : null;
  }

  #keep(tokens) {
    this.login = tokens ? { user: tokens.user, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken } : null;
    if (this.login) localStorage.setItem(LOGIN_KEY, JSON.stringify(this.login));
    else localStorage.removeItem(LOGIN_KEY);
    this.onLoginChange(this.user);
  }

  /** One call. `auth`: "access" (the login), a session token string, or nothing. Throws ApiError. */
  async call(method, path, { body, auth } = {}) {
    const send = () => {
      const headers = { accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      const token = auth === "access" ? this.login && this.login.accessToken : auth;
      if (token) headers.authorization = `Bearer ${token}`;
      return fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    let response;
    try {
      response = await send();
      if (response.status === 401 && auth === "access" && this.login) {
        const error = await response.clone().json().catch(() => ({}));
        if (error.error && error.error.code === "EXPIRED_TOKEN" && (await this.refresh())) response = await send();
      }
    } catch (exc) {
      throw new ApiError(0, "NETWORK", String(exc));
    }
    if (response.status === 204) return null;
    const payload = await response.json().catch(() => null);
    if (response.ok) return payload;
    const error = (payload && payload.error) || {};
    throw new ApiError(response.status, error.code || `HTTP_${response.status}`, error.message || response.statusText, error.details);
  }

  /** Rotate the refresh token (once at a time, however many calls wait for it); false when the login is gone. */
  refresh() {
    if (!this.refreshing) {
      const refreshToken = this.login && this.login.refreshToken;
      this.refreshing = (async () => {
        try {
          this.#keep(await this.call("POST", "/auth/refresh", { body: { refreshToken } }));
          return true;
        } catch (error) {
          if (error.status === 401) this.#keep(null); // revoked or expired: log in again
          return false;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  async register(username, email, password) {
    this.#keep(await this.call("POST", "/auth/register", { body: { username, email, password } }));
  }

  async logIn(login, password) {
    this.#keep(await this.call("POST", "/auth/login", { body: { login, password } }));
  }

  async logOut() {
    const refreshToken = this.login && this.login.refreshToken;
    this.#keep(null);
    if (refreshToken) await this.call("POST", "/auth/logout", { body: { refreshToken } }).catch(() => {});
  }
}
