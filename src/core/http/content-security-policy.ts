/**
 * Helmet's CSP directives for everything but /docs, the web console included: scripts only from
 * this origin (no inline script anywhere), fetches and the Socket.IO WebSocket only to this origin
 * (`'self'` matches ws:/wss: on the same host in CSP 3), images and media also from `blob:` URLs
 * (a task's result is fetched with the bearer token, then shown from memory).
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // The embedded default is plain http (often on a LAN address): upgrading would break it; TLS
  // deployments send HSTS instead.
  upgradeInsecureRequests: null,
};
