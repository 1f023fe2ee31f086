/*
 * tshell-warm: the native one-shot client (built by `npm run build` when a C compiler is there).
 *
 * The same protocol as src/shell/warm/client.ts, without starting Node: it sends one command line
 * with the caller's cwd and environment to this user's warm helper over the Unix socket in the private
 * state dir, and copies the answer's frames to stdout and stderr as they come. Node's own start-up
 * (about 80 ms) is most of a one-shot; this client starts in about 1 ms.
 *
 * Exit status: the command's own, or NOT_HANDLED when the helper is absent, stale, busy, of another
 * build, declines the command or goes away mid-command: bin/tshell then runs the command in Node.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define NOT_HANDLED 200

extern char **environ;

typedef struct { char *data; size_t len, cap; } buf_t;

static void put(buf_t *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = realloc(b->data, b->cap);
    if (!b->data) exit(NOT_HANDLED);
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}
static void puts_(buf_t *b, const char *s) { put(b, s, strlen(s)); }

/* A JSON string: quotes, backslashes and control characters escaped; UTF-8 passes through. */
static void put_json(buf_t *b, const char *s) {
  char esc[8];
  put(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') { esc[0] = '\\'; esc[1] = (char)*p; put(b, esc, 2); }
    else if (*p < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", *p); put(b, esc, 6); }
    else put(b, (const char *)p, 1);
  }
  put(b, "\"", 1);
}

static void write_all(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(errno == EPIPE ? 0 : 1); /* the reader went away: stop quietly */
    }
    s += w;
    n -= (size_t)w;
  }
}

static int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes the JSON string starting after its opening quote into out; returns its length. */
static size_t json_string(const char *s, char *out) {
  size_t n = 0;
  while (*s && *s != '"') {
    if (*s != '\\') { out[n++] = *s++; continue; }
    s++;
    char c = *s++;
    switch (c) {
      case 'n': out[n++] = '\n'; break;
      case 't': out[n++] = '\t'; break;
      case 'r': out[n++] = '\r'; break;
      case 'b': out[n++] = '\b'; break;
      case 'f': out[n++] = '\f'; break;
      case 'u': {
        unsigned cp = 0;
        for (int i = 0; i < 4 && s[i]; i++) cp = cp * 16 + (unsigned)hex(s[i]);
        s += 4;
        if (cp >= 0xd800 && cp <= 0xdbff && s[0] == '\\' && s[1] == 'u') {
          unsigned lo = 0;
          for (int i = 2; i < 6 && s[i]; i++) lo = lo * 16 + (unsigned)hex(s[i]);
          if (lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); s += 6; }
        }
        if (cp < 0x80) out[n++] = (char)cp;
        else if (cp < 0x800) { out[n++] = (char)(0xc0 | (cp >> 6)); out[n++] = (char)(0x80 | (cp & 0x3f)); }
        else if (cp < 0x10000) { out[n++] = (char)(0xe0 | (cp >> 12)); out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[n++] = (char)(0x80 | (cp & 0x3f)); }
        else { out[n++] = (char)(0xf0 | (cp >> 18)); out[n++] = (char)(0x80 | ((cp >> 12) & 0x3f)); out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[n++] = (char)(0x80 | (cp & 0x3f)); }
        break;
      }
      default: out[n++] = c; /* \" \\ \/ */
    }
  }
  return n;
}

/* One answer line: output to a descriptor, or the exit status (>= 0), or -1 to go on, -2 refused. */
static int frame(char *line) {
  int fd = strncmp(line, "{\"o\":\"", 6) == 0 ? 1 : strncmp(line, "{\"e\":\"", 6) == 0 ? 2 : 0;
  if (fd) {
    size_t n = json_string(line + 6, line); /* decoding only shrinks: in place */
    write_all(fd, line, n);
    return -1;
  }
  if (strncmp(line, "{\"x\":", 5) == 0) return atoi(line + 5);
  return -2;
}

int main(int argc, char **argv) {
  /* argv[1]: the full CLI bundle (its size and mtime are the build); then the command line. */
  if (argc < 3 || argv[2][0] == '-') return NOT_HANDLED;
  const char *off = getenv("TSHELL_HELPER");
  if (off && strcmp(off, "0") == 0) return NOT_HANDLED;
  for (int i = 2; i < argc; i++) if (strncmp(argv[i], "--state-dir", 11) == 0) return NOT_HANDLED;

  char state[4096], path[4200], token[256], cwd[4096];
  const char *s = getenv("TSHELL_STATE_DIR");
  if (s && *s) snprintf(state, sizeof state, "%s", s);
  else {
    const char *x = getenv("XDG_STATE_HOME");
    if (x && *x) snprintf(state, sizeof state, "%s/tshell", x);
    else snprintf(state, sizeof state, "%s/.local/state/tshell", getenv("HOME") ? getenv("HOME") : "");
  }

  snprintf(path, sizeof path, "%s/helper/token", state);
  FILE *tf = fopen(path, "r");
  if (!tf) return NOT_HANDLED;
  size_t tn = fread(token, 1, sizeof token - 1, tf);
  fclose(tf);
  token[tn] = 0;
  while (tn > 0 && (token[tn - 1] == '\n' || token[tn - 1] == ' ')) token[--tn] = 0;

  struct stat st;
  if (stat(argv[1], &st) != 0) return NOT_HANDLED;
  long long ms = (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
  if (st.st_mtim.tv_nsec % 1000000 >= 500000) ms++; /* Math.round(mtimeMs) */
  char build[64];
  snprintf(build, sizeof build, "%lld:%lld", (long long)st.st_size, ms);
  if (!getcwd(cwd, sizeof cwd)) return NOT_HANDLED;

  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int plen = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/helper/helper.sock", state);
  if (plen <= 0 || plen > 100) return NOT_HANDLED;
  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  if (sock < 0) return NOT_HANDLED;
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
    if (errno == ECONNREFUSED) unlink(addr.sun_path); /* a socket with no helper behind it */
    return NOT_HANDLED;
  }

  buf_t req = {0};
  puts_(&req, "{\"token\":"); put_json(&req, token);
  puts_(&req, ",\"build\":"); put_json(&req, build);
  puts_(&req, ",\"argv\":[");
  for (int i = 2; i < argc; i++) { if (i > 2) puts_(&req, ","); put_json(&req, argv[i]); }
  puts_(&req, "],\"cwd\":"); put_json(&req, cwd);
  puts_(&req, ",\"env\":{");
  int first = 1;
  for (char **e = environ; *e; e++) {
    char *eq = strchr(*e, '=');
    if (!eq) continue;
    if (!first) puts_(&req, ",");
    first = 0;
    *eq = 0;
    put_json(&req, *e);
    *eq = '=';
    puts_(&req, ":");
    put_json(&req, eq + 1);
  }
  int out_tty = isatty(1), err_tty = isatty(2);
  puts_(&req, "},\"stdoutTTY\":"); puts_(&req, out_tty ? "true" : "false");
  puts_(&req, ",\"stderrTTY\":"); puts_(&req, err_tty ? "true" : "false");
  struct winsize ws;
  if (out_tty && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    char cols[32];
    snprintf(cols, sizeof cols, ",\"columns\":%u", ws.ws_col);
    puts_(&req, cols);
  }
  puts_(&req, "}\n");
  write_all(sock, req.data, req.len);

  buf_t in = {0};
  char chunk[65536];
  for (;;) {
    ssize_t r = read(sock, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    put(&in, chunk, (size_t)r);
    char *start = in.data, *nl;
    while ((nl = memchr(start, '\n', in.len - (size_t)(start - in.data)))) {
      *nl = 0;
      int got = frame(start);
      if (got >= 0) return got;
      if (got == -2) return NOT_HANDLED;
      start = nl + 1;
    }
    size_t rest = in.len - (size_t)(start - in.data);
    memmove(in.data, start, rest);
    in.len = rest;
  }
  /* The helper went away mid-command: say so; Node runs the command instead. */
  const char *note = "… the warm helper went away mid-command; running it here\n";
  write_all(2, note, strlen(note));
  return NOT_HANDLED;
}
