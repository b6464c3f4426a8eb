/** Local stand-ins for the services the admin tooling talks to; for tests and examples. */
export {};
