// api.js — the only way the UI talks to mamori: the documented JSON API.
//
// Sends the session's CSRF token on every change, the UI language as
// Accept-Language, and turns every error into an ApiError carrying the API's
// {code, message, field, diagnostics}.  A 401 means the session has
// ended: onUnauthorized (set by app.js) sends the user to the login screen and
// back to where they were afterwards.

import { lang } from './i18n.js';

let csrf = sessionStorage.getItem('mamori.csrf') || '';
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http';
    this.field = e.field || null;
    this.diagnostics = e.diagnostics || body?.diagnostics || null;
    this.body = body;
  }
}

export function setCsrf(token) {
  csrf = token || '';
  if (csrf) sessionStorage.setItem('mamori.csrf', csrf);
  else sessionStorage.removeItem('mamori.csrf');
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// request(method, path, {params, body, raw, contentType, quiet401}):
// body is sent as JSON unless raw (a Blob/ArrayBuffer/string sent as is).
// Resolves to the parsed JSON (or the Response when the answer is not JSON).
export async function request(method, path, opts = {}) {
  const headers = { 'Accept-Language': lang() };
  let body;
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (opts.raw !== undefined) {
    body = opts.raw;
    // a FormData body gets its multipart boundary from the browser
    if (!(body instanceof FormData)) headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path + query(opts.params), { method, headers, body, credentials: 'same-origin' });
  const type = res.headers.get('Content-Type') || '';
  if (!type.includes('application/json')) {
    if (!res.ok) throw new ApiError(res.status, null);
    return res;
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !opts.quiet401) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path, params, opts) => request('GET', path, { ...opts, params });
export const post = (path, body, opts) => request('POST', path, { ...opts, body });
export const patch = (path, body, opts) => request('PATCH', path, { ...opts, body });
export const put = (path, body, opts) => request('PUT', path, { ...opts, body });
export const del = (path, opts) => request('DELETE', path, opts);

// Starts a download of a GET answer (export, proof, original) under its own
// file name, without leaving the page.
export async function download(path, params, fallbackName) {
  const res = await request('GET', path, { params });
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(cd);
  const name = m ? decodeURIComponent(m[1] || m[2]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}
