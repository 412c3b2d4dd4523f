// The Content-Security-Policy of the app:// page: the web host's policy (one policy, two hosts).
// Monaco 0.57 needs no eval; it injects <style> tags ('unsafe-inline' styles) and runs workers.

export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../web-host/security-headers.ts';
