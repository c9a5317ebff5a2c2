// A stand-in for the operator's platform in the end-to-end tests: it receives stamps-connect's
// webhooks (keeping each raw body and its headers, so a spec can check the signature itself) and
// serves the page a merchant is sent back to.
//   POST /webhooks   -> 200, recorded
//   GET  /received   -> the recorded webhooks, as JSON
//   GET  /back?...   -> "Back at the platform", with the query shown
//   GET  /health     -> 200
import http from "node:http";

const port = Number(process.argv[2] ?? 4020);
const received = [];

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
}

const escape = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

http
  .createServer((request, response) => {
    const url = new URL(request.url, `http://${request.headers.host}`);
    if (request.method === "POST" && url.pathname === "/webhooks") {
      const chunks = [];
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(200).end();
      });
      return;
    }
    if (url.pathname === "/received") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received));
      return;
    }
    if (url.pathname === "/back") {
      const list = [...url.searchParams].map(([k, v]) => `<li><code>${escape(k)}</code>: <code>${escape(v)}</code></li>`);
      response
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(page("Back at the platform", `<ul>${list.join("")}</ul>`));
      return;
    }
    if (url.pathname === "/health") {
      response.writeHead(200).end("ok");
      return;
    }
    response.writeHead(404).end();
  })
  .listen(port, "127.0.0.1");
