"""Access control for a shared sandbox (docs/shared-sandbox.md, "Access control and tokens").

- `tokens`: roles, principals, the secrets and their hashes; `service.Access`: the admin token, the tenants'
  tokens (store/queries/access.py) and the per-process cache the gate asks (one dict lookup per request);
- `policy`: who may do what (a pure function of the principal, the method, the path and the tenant asked for);
- `origin`: Host and Origin against the configured public URL; `sessions`: the UI's signed session cookie;
- `gate`: the ASGI middleware that app.py puts in front of everything when auth is on;
- `pages`: the UI's login and logout; `cli`: `mock-kanta tenant token create|list|revoke`.
"""
