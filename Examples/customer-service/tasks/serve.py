#!/usr/bin/env python3
"""Serve the sentiment classifier over HTTP.

usage: python3 tasks/serve.py --model MODEL_JSON --port PORT [--host 127.0.0.1]

Endpoints:
  GET  /         usage text
  GET  /healthz  200 "ok" once the model is loaded
  POST /predict  body {"text": "..."} -> {"label": "...", "scores": {label: probability}}

One line per request is logged to stderr. SIGTERM and SIGINT stop the server
cleanly (in-flight requests finish, the socket is closed, exit status 0).
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # keep the checkout clean: no __pycache__ next to the tasks
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textmodel import NaiveBayes  # noqa: E402

MAX_BODY = 64 * 1024

USAGE = """Sluice customer-service sentiment model

  GET  /healthz   liveness: 200 ok
  POST /predict   {"text": "my parcel never arrived"}
                  -> {"label": "negative", "scores": {"negative": 0.97, ...}}

example:
  curl -s -X POST -H 'Content-Type: application/json' \\
       -d '{"text": "thanks, the refund arrived quickly"}' http://%s:%d/predict
"""


def log(msg):
    sys.stderr.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), msg))
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    server_version = "sluice-customer-service/1"
    protocol_version = "HTTP/1.1"
    model = None  # set in main()

    # -- helpers ----------------------------------------------------------
    def _send(self, status, body, content_type="text/plain; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj) + "\n", "application/json")

    def log_request(self, code="-", size="-"):
        self._status = code

    def log_message(self, fmt, *args):  # errors from the base class
        log("%s %s" % (self.address_string(), fmt % args))

    def handle_one_request(self):
        self._status = None
        started = time.time()
        super().handle_one_request()
        if self._status is not None:
            log('%s "%s %s" %s %.1fms' % (self.client_address[0], self.command, self.path,
                                          getattr(self._status, "value", self._status),
                                          1000 * (time.time() - started)))

    # -- routes -----------------------------------------------------------
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self._send(200, "ok\n")
        elif path == "/":
            host, port = self.server.server_address[:2]
            self._send(200, USAGE % (host, port))
        elif path == "/predict":
            self._json(405, {"error": "use POST /predict with a JSON body {\"text\": \"...\"}"})
        else:
            self._json(404, {"error": "not found: %s" % path})

    do_HEAD = do_GET

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path != "/predict":
            self._json(404, {"error": "not found: %s" % path})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._json(400 if length < 0 else 413, {"error": "bad or too large Content-Length"})
            return
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._json(400, {"error": "body is not valid JSON"})
            return
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            self._json(400, {"error": "expected a JSON object with a string field \"text\""})
            return
        scores = self.model.predict_scores(text)
        label = max(sorted(scores), key=lambda k: scores[k])
        self._json(200, {"label": label, "scores": {k: round(v, 4) for k, v in sorted(scores.items())}})


def main(argv=None):
    ap = argparse.ArgumentParser(description="Serve the customer-service sentiment model over HTTP.")
    ap.add_argument("--model", required=True, help="model JSON written by train.py")
    ap.add_argument("--port", type=int, default=int(os.environ.get("SLUICE_PORT") or 8080),
                    help="TCP port (default: $SLUICE_PORT, else 8080)")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    args = ap.parse_args(argv)

    try:
        Handler.model = NaiveBayes.load(args.model)
    except FileNotFoundError:
        sys.stderr.write("error: model file not found: %s\n" % args.model)
        return 1
    except (ValueError, KeyError) as e:
        sys.stderr.write("error: %s is not a usable model: %s\n" % (args.model, e))
        return 1

    try:
        server = ThreadingHTTPServer((args.host, args.port), Handler)
    except OSError as e:
        sys.stderr.write("error: cannot listen on %s:%d: %s\n" % (args.host, args.port, e))
        return 1
    server.daemon_threads = True

    def stop(signum, _frame):
        log("received %s, shutting down" % signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it must not run
        # on the thread that is inside serve_forever() (this one).
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    meta = Handler.model.meta
    log("model %s loaded (labels: %s, test accuracy %s)" % (
        args.model, ", ".join(Handler.model.labels), meta.get("accuracy", "?")))
    log("listening on http://%s:%d" % server.server_address[:2])
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
